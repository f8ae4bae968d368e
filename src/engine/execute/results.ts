/** What a run produced: per task and host, and the recap counts (Ansible's json callback shape). */
import type { Change } from '../../api';

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface HostTaskResult {
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
  duration_ms: number;
  check_mode?: true;
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
  check_mode: boolean;
  duration_ms: number;
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
  if (stats.some((host) => host.failures > 0)) return 2;
  return 0;
}
