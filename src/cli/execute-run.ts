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
import { FlockRunLocks } from '../engine/execute/run-lock';
import { exitCodeOf, type RunReport } from '../engine/execute/results';
import type { Inventory } from '../engine/inventory';
import type { Playbook } from '../engine/structure/task-tree';
import type { TaskRegistry } from '../engine/registry';
import { JsonReport } from '../render/json-report';
import { PlainLines } from '../render/plain-lines';
import { ProgressTree } from '../render/progress-tree';
import type { Renderer } from '../render/renderer';
import { checkTopology } from '../topology/cluster-checks';
import { describeFinding } from '../topology/findings';
import { declarationsOf } from '../topology/declarations';
import { KnownHostsReader } from '../transport/known-hosts-reader';
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
  for (const warning of run.warnings) command.toStderr(`WARNING: ${warning}`);
  if (!options.checkCluster) return run;
  const findings = checkTopology(declarationsOf(run));
  for (const finding of findings) command.toStderr(run.redactor.redact(describeFinding(finding)));
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
  /** The task each host is running now, to say what may be left half-done on an abort. */
  const running = new Map<string, string>();
  const listener = (event: RunEvent) => {
    if (event.kind === 'task-started') running.set(event.host, event.task.name);
    if (event.kind === 'task-finished') running.delete(event.host);
    report.listener(event);
    renderer?.listener(event);
  };
  const ssh = { ...settings.execute.ssh, knownHostsReader: new KnownHostsReader((warning) => command.toStderr(`WARNING: ${warning}`)) };
  // A known_hosts file that cannot be read is bad input: found before anything connects.
  if (ssh.hostKeyChecking) await ssh.knownHostsReader.load([...ssh.knownHostsFiles, ...run.plays.flatMap((play) => play.hosts.flatMap((host) => host.target.knownHostsFiles ?? []))]);
  const runLocks = new FlockRunLocks(settings.execute.lockTimeoutSeconds, (host, why) => command.toStderr(`WARNING: ${host}: runs cannot take turns there (${why})`));
  const executor = new Executor(run, { ...settings.execute, connector: new ConnectionPool(ssh), runLocks }, listener);
  const interruption: Interruption = { requested: false };
  // SIGTERM and SIGHUP (a closed terminal, a stopped CI job) stop a run as Ctrl-C does.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onInterrupt = (signal: NodeJS.Signals) => {
    if (interruption.requested) {
      const left = [...running].map(([host, task]) => `  ${host}: '${task}'`);
      process.stderr.write(
        left.length
          ? `\nAborted (${signal}). These tasks had started; their commands run on to their end on the host, but whether they succeeded is unknown:\n${left.join('\n')}\n`
          : `\nAborted (${signal}) between tasks: no task was under way.\n`,
      );
      process.exit(99);
    }
    interruption.requested = true;
    process.stderr.write(`\nInterrupted (${signal}): letting running tasks finish, starting no new ones (once more to abort at once).\n`);
  };
  for (const signal of signals) process.on(signal, onInterrupt);
  try {
    await executor.execute(interruption);
  } finally {
    for (const signal of signals) process.off(signal, onInterrupt);
  }
  await renderer?.done();
  const result = report.result();
  process.exitCode = exitCodeOf(result);
  return result;
}
