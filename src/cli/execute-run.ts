/**
 * `lvs run` and `lvs task`: compile (every input error before any connection), the cluster
 * checks, then execute with the progress tree or plain lines listening, Ctrl-C handling,
 * the recap and Ansible's exit code.
 */
import { compileRun } from '../engine/compile/compile';
import type { CompiledRun } from '../engine/compile/compiled-run';
import { ConnectionPool } from '../engine/execute/connections';
import type { RunEvent } from '../engine/execute/events';
import { Executor, type Interruption } from '../engine/execute/executor';
import { exitCodeOf, type RunReport } from '../engine/execute/results';
import type { Inventory } from '../engine/inventory';
import type { Playbook } from '../engine/playbook';
import type { TaskRegistry } from '../engine/registry';
import { JsonReport } from '../render/json-report';
import { PlainLines } from '../render/plain-lines';
import { ProgressTree } from '../render/progress-tree';
import type { Renderer } from '../render/renderer';
import { checkTopology, describeFinding } from '../topology/cluster-checks';
import { declarationsOf } from '../topology/declarations';
import type { LvsCommand } from './lvs-command';
import type { RunSettings } from './run-options';

export interface RunInput {
  playbook: Playbook;
  inventory: Inventory;
  registry: TaskRegistry;
}

/** Compiles the run and prints the cluster checks' findings to stderr; undefined when any is an error. */
export function compileAndCheck(command: LvsCommand, input: RunInput, compile: RunSettings['compile'], options: { checkCluster: boolean }): CompiledRun | undefined {
  const run = compileRun({ ...input, ...compile });
  if (!options.checkCluster) return run;
  const findings = checkTopology(declarationsOf(run));
  for (const finding of findings) command.toStderr(describeFinding(finding));
  return findings.some((finding) => finding.severity === 'error') ? undefined : run;
}

export async function executeRun(command: LvsCommand, input: RunInput, settings: RunSettings, options: { json: boolean; checkCluster: boolean }): Promise<RunReport | undefined> {
  const run = compileAndCheck(command, input, settings.compile, options);
  if (!run) {
    process.exitCode = 4;
    return undefined;
  }
  const write = (text: string) => process.stdout.write(text);
  const renderOptions = { diff: settings.diff, write };
  const renderer: Renderer | undefined = options.json ? undefined : settings.output === 'tree' ? new ProgressTree(renderOptions) : new PlainLines(renderOptions);
  const report = new JsonReport();
  const listener = (event: RunEvent) => {
    report.listener(event);
    renderer?.listener(event);
  };
  const executor = new Executor(run, { ...settings.execute, connector: new ConnectionPool(settings.execute.ssh) }, listener);
  const interruption: Interruption = { requested: false };
  const onInterrupt = () => {
    if (interruption.requested) process.exit(99);
    interruption.requested = true;
    process.stderr.write('\nInterrupted: letting running tasks finish, starting no new ones (Ctrl-C again to abort at once).\n');
  };
  process.on('SIGINT', onInterrupt);
  try {
    await executor.execute(interruption);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  await renderer?.done();
  const result = report.result();
  process.exitCode = exitCodeOf(result);
  return result;
}
