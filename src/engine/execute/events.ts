/**
 * What the executor tells its listeners, in order per host. The progress tree, the plain
 * lines and the JSON report are built from these alone.
 */
import type { HostStats, HostTaskResult, PlayStop } from './results';

export type HostOutcome = 'ok' | 'failed' | 'unreachable' | 'interrupted' | 'stopped';

export interface TaskRef {
  /** The task's index in the play's selected tasks, or the handler's index in its handlers. */
  index: number;
  name: string;
  action: string;
  handler: boolean;
  /** Set for a task an include_tasks or include_role brought: the include's index in the play's tasks (`index` is then the task's index in its file). */
  includedBy?: number;
}

export interface PlayRef {
  index: number;
  name: string;
  /** The play's tasks that the tags select, in order. */
  tasks: { name: string; action: string }[];
  handlers: { name: string; action: string }[];
}

export type RunEvent =
  /** A play starts on one serial batch of its hosts (the whole play without `serial`). */
  | { kind: 'batch-started'; play: PlayRef; hosts: string[]; check: boolean }
  | { kind: 'host-connected'; play: PlayRef; host: string }
  /** Another lvs run holds the host (before its first task), or the host a task is delegated to (during that task): this one waits its turn. */
  | { kind: 'host-waiting'; play: PlayRef; host: string; message: string }
  /** The host failed before its first task (it stayed locked by another run). */
  | { kind: 'host-failed'; play: PlayRef; host: string; message: string }
  | { kind: 'host-unreachable'; play: PlayRef; host: string; message: string }
  | { kind: 'task-started'; play: PlayRef; host: string; task: TaskRef }
  /** A line of progress from a running task's command (PlannedCommand.progress), redacted; the latest one says where the task is. */
  | { kind: 'task-progress'; play: PlayRef; host: string; task: TaskRef; text: string }
  /** `notified` lists the handlers this result notifies; `ignored`, a failure that ignore_errors lets pass; `rescued`, a failure that a block's rescue takes. */
  | { kind: 'task-finished'; play: PlayRef; host: string; task: TaskRef; result: HostTaskResult; notified: string[]; ignored: boolean; rescued?: true }
  /** `stopped`: the play's failure limits (any_errors_fatal, max_fail_percentage) ended it for this host. */
  | { kind: 'host-finished'; play: PlayRef; host: string; outcome: HostOutcome }
  /** `stop`: why the play ends here, leaving later batches and plays unrun. */
  | { kind: 'batch-finished'; play: PlayRef; hosts: string[]; stop?: string }
  | {
      kind: 'run-finished';
      stats: Record<string, HostStats>;
      /** SSH connections and exec channels each host cost. */
      connections: Record<string, { connections: number; channels: number }>;
      /** When the run was interrupted: where each host stopped. */
      interrupted?: Record<string, string>;
      /** Hosts whose connection was lost during a task, and that task. */
      lost?: Record<string, string>;
      /** A play stopped by its failure limits. */
      stopped?: PlayStop;
      check: boolean;
      duration_ms: number;
    };

export type RunListener = (event: RunEvent) => void;
