/** Runs `lvs task NAME k=v ... --json` against one host of a test lab and picks out that host's result. */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { runLvs } from '../../support/cli';
import type { TestLab } from '../../support/netns-hosts';

export interface HostResult {
  status: 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';
  changed: boolean;
  msg?: string;
  noop?: string;
  diff: { subject: string; before: unknown; after: unknown }[];
  commands: string[];
  check_mode?: true;
  /** A command's output (tasks that keep it: command, shell, wait_for). */
  stdout?: string;
  stderr?: string;
  rc?: number;
  stdout_lines?: string[];
  stderr_lines?: string[];
  /** What the plan returned besides its changes (debug's msg, command's cmd). */
  values?: Record<string, unknown>;
}

export interface TaskRun {
  exitCode: number;
  /** Undefined when lvs stopped before running anything (bad arguments). */
  host?: HostResult;
  stdout: string;
  stderr: string;
}

export async function lvsTask(lab: TestLab, host: string, task: string, words: string[], options: { check?: boolean; flags?: string[] } = {}): Promise<TaskRun> {
  const flags = ['-i', lab.inventoryFile, '-l', host, '--json', '--known-hosts', lab.knownHostsFile, ...(options.check ? ['--check'] : []), ...(options.flags ?? [])];
  const run = await runLvs(['task', task, ...words, ...flags]);
  let result: HostResult | undefined;
  try {
    result = JSON.parse(run.stdout).plays[0].tasks[0].hosts[host];
  } catch {
    result = undefined;
  }
  return { exitCode: run.exitCode, host: result, stdout: run.stdout, stderr: run.stderr };
}

/** stdout of a command run inside the host itself. */
export async function onHost(lab: TestLab, host: string, command: string): Promise<string> {
  const result = await lab.onHost(host, command);
  if (result.exitCode !== 0) throw new Error(`on ${host}: ${command} exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

/**
 * Runs `lvs run PLAYBOOK` (its first task is the one looked at) against one host of a test
 * lab; `dir` holds the playbook, so its files/ folder is the playbook's. With `diff`, the
 * plain output is asked for (where --diff prints) instead of JSON.
 */
export async function lvsPlaybook(lab: TestLab, host: string, dir: string, yaml: string, options: { check?: boolean; diff?: boolean } = {}): Promise<TaskRun & { file: string }> {
  const file = join(dir, 'playbook.yml');
  writeFileSync(file, yaml);
  const flags = ['-i', lab.inventoryFile, '-l', host, '--known-hosts', lab.knownHostsFile, ...(options.diff ? ['--diff'] : ['--json']), ...(options.check ? ['--check'] : [])];
  const run = await runLvs(['run', file, ...flags], { env: { CI: '1' } });
  let result: HostResult | undefined;
  try {
    result = JSON.parse(run.stdout).plays[0].tasks[0].hosts[host];
  } catch {
    result = undefined;
  }
  return { exitCode: run.exitCode, host: result, stdout: run.stdout, stderr: run.stderr, file };
}
