/** What the cluster checks read from a compiled run: every task as rendered for every host, those of includes too. */
import type { CompiledHost, CompiledRun, CompiledTask } from '../engine/compile/compiled-run';
import type { TaskDefinition } from '../engine/structure/task-tree';
import type { TaskModule } from '../api';

/** One task as rendered for one host: what the cluster checks read. */
export interface Declaration {
  host: string;
  /** The address lvs connects to (ansible_host). */
  connectAddress: string;
  action: string;
  /** The task's module: its `cluster` hook says what `args` mean for these checks. */
  module: TaskModule;
  args: Record<string, any>;
  task: TaskDefinition;
}

function declared(host: CompiledHost, tasks: TaskDefinition[], entries: CompiledTask[]): Declaration[] {
  return tasks.flatMap((task, index) => {
    const entry = entries[index];
    if (entry.kind === 'include') return entry.passes.flatMap((pass) => declared(host, pass.tasks, pass.compiled));
    if (entry.kind !== 'run') return [];
    return entry.units.map((unit) => ({ host: host.name, connectAddress: host.target.host, action: task.action, module: unit.module, args: unit.args, task }));
  });
}

export function declarationsOf(run: CompiledRun): Declaration[] {
  return run.plays.flatMap((compiled) => compiled.hosts.flatMap((host) => declared(host, compiled.tasks, host.tasks)));
}
