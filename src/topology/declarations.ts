/** What the cluster checks read from a compiled run: every task as rendered for every host. */
import type { CompiledRun } from '../engine/compile/compiled-run';
import type { Declaration } from './cluster-checks';

export function declarationsOf(run: CompiledRun): Declaration[] {
  return run.plays.flatMap((compiled) =>
    compiled.hosts.flatMap((host) =>
      compiled.tasks.flatMap((task, index) => {
        const entry = host.tasks[index];
        if (entry.kind !== 'run') return [];
        return entry.units.map((unit) => ({ host: host.name, connectAddress: host.target.host, action: task.action, module: unit.module, args: unit.args, task }));
      }),
    ),
  );
}
