/** What a run produced: per task and host, and the recap counts (Ansible's json callback shape). */
import type { Change } from '../../api';

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

/** What a command the plan marks `output` printed, in the names of Ansible's command module. */
export interface CommandOutput {
  /** Trailing newlines removed, as Ansible's `strip_empty_ends` does by default. */
  stdout: string;
  stderr: string;
  rc: number;
  stdout_lines: string[];
  stderr_lines: string[];
}

export function commandOutput(stdout: string, stderr: string, rc: number): CommandOutput {
  const strip = (text: string) => text.replace(/[\r\n]+$/, '');
  const lines = (text: string) => (text === '' ? [] : text.split(/\r?\n/));
  return { stdout: strip(stdout), stderr: strip(stderr), rc, stdout_lines: lines(strip(stdout)), stderr_lines: lines(strip(stderr)) };
}

export const OUTPUT_FIELDS = ['stdout', 'stderr', 'rc', 'stdout_lines', 'stderr_lines'] as const;

export interface HostTaskResult extends Partial<CommandOutput> {
  status: TaskStatus;
  changed: boolean;
  failed?: true;
  unreachable?: true;
  msg?: string;
  /** Why nothing needed doing. */
  noop?: string;
  diff: Change[];
  /** Commands run (or, in check mode, that would run), redacted. */
  commands: string[];
  /** One result per loop item. */
  results?: HostTaskResult[];
  item?: unknown;
  /** loop_control.label: what the output shows for the item. */
  item_label?: string;
  /** How many times `until` ran the task. */
  attempts?: number;
  /** What failed_when decided. */
  failed_when_result?: boolean;
  /** delegate_to: the host the task ran on. */
  delegated_to?: string;
  /** run_once: the host of the batch that ran the task; this host got its result. */
  run_once_host?: string;
  duration_ms: number;
  check_mode?: true;
  /** What the plan returned besides its changes (`Plan.result`): debug's msg, command's cmd. */
  values?: Record<string, unknown>;
}

/**
 * Names a plan's `result` may not set: the engine's own, which `register` stores beside it.
 * The output names (OUTPUT_FIELDS) are the engine's only when a command's output is kept.
 */
export const RESERVED_RESULT_NAMES: ReadonlySet<string> = new Set([
  'status',
  'changed',
  'failed',
  'skipped',
  'unreachable',
  'noop',
  'diff',
  'commands',
  'results',
  'item',
  'duration_ms',
  'check_mode',
  'values',
]);

/** The command output and plan values of a result, as `register` stores them beside its status. */
export function registeredFields(result: HostTaskResult): Record<string, unknown> {
  const output = Object.fromEntries(OUTPUT_FIELDS.filter((name) => result[name] !== undefined).map((name) => [name, result[name]]));
  return { ...output, ...result.values };
}

export interface TaskReport {
  /** `included`: a task an include_tasks or include_role brought, one entry per pass. */
  task: { name: string; action: string; handler?: true; included?: true };
  hosts: Record<string, HostTaskResult>;
}

export interface PlayReport {
  play: { name: string; hosts: string[] };
  tasks: TaskReport[];
}

export interface HostStats {
  ok: number;
  changed: number;
  failures: number;
  unreachable: number;
  skipped: number;
  ignored: number;
  /** Failures that a block's rescue section took (not counted in `failures`), as Ansible 2.8+ counts them. */
  rescued: number;
}

export interface RunReport {
  plays: PlayReport[];
  stats: Record<string, HostStats>;
  /** SSH connections and exec channels each host cost. */
  connections?: Record<string, { connections: number; channels: number }>;
  /** Set when Ctrl-C stopped the run: where each host stopped. */
  interrupted?: Record<string, string>;
  /** Hosts whose connection was lost during a task, and that task. */
  lost?: Record<string, string>;
  /** A play stopped by its failure limits: the remaining hosts and plays did not run. */
  stopped?: PlayStop;
  check_mode: boolean;
  duration_ms: number;
}

export interface PlayStop {
  play: string;
  /** Which limit: any_errors_fatal, max_fail_percentage, or every host of a batch failing. */
  reason: string;
  /** Hosts of the play that never started it. */
  notRun: string[];
}

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, failures: 0, unreachable: 0, skipped: 0, ignored: 0, rescued: 0 };
}

export function countResult(stats: HostStats, result: HostTaskResult, ignored: boolean): void {
  switch (result.status) {
    case 'changed':
      stats.ok++;
      stats.changed++;
      break;
    case 'ok':
      stats.ok++;
      break;
    case 'skipped':
      stats.skipped++;
      break;
    case 'unreachable':
      stats.unreachable = 1;
      break;
    case 'failed':
      if (ignored) stats.ignored++;
      else stats.failures++;
  }
}

/**
 * Ansible's exit codes: 0 all good, 2 a host failed, 4 a host was unreachable, 99
 * interrupted. Like ansible-playbook's strategy, unreachable hosts are looked at first.
 */
export function exitCodeOf(report: RunReport): number {
  if (report.interrupted) return 99;
  const stats = Object.values(report.stats);
  if (stats.some((host) => host.unreachable > 0)) return 4;
  if (stats.some((host) => host.failures > 0) || report.stopped) return 2;
  return 0;
}
