/**
 * What compiling a playbook produces: everything the executor needs, decided before any
 * host is touched. Only what depends on a host's state at run time (a template or condition
 * that reads a variable an earlier task registers) is left open, as a deferred task.
 */
import type { TaskContext, TaskModule } from '../../api';
import type { Become } from '../../transport/become';
import type { ConnectionTarget } from '../inventory';
import type { Play, TaskDefinition } from '../structure/task-tree';
import type { Redactor } from '../secrets';
import type { TaskNode } from '../structure/task-tree';

/** One module invocation: a task, or one item of a looped task, with its final arguments. */
export interface TaskUnit {
  module: TaskModule;
  args: Record<string, unknown>;
  /** The host's name and the rendered content of the task's template files. */
  context: TaskContext;
  /** Whom the unit's commands run as; undefined runs them as the login user. */
  become?: Become;
  /** Its arguments or templates hold or name a secret: its results are shown hidden. */
  secret: boolean;
  item?: unknown;
  /** loop_control.label rendered for this item: what the output shows instead of the item. */
  label?: string;
  /** delegate_to: the host whose connection runs this unit (the task's variables stay this host's). */
  delegate?: DelegateTarget;
  /** The variables the task's result conditions see (with the registered results of the run so far and its own on top). */
  vars?: Record<string, unknown>;
}

export interface DelegateTarget {
  /** The inventory name (or `localhost`, Ansible's implicit one). */
  host: string;
  target: ConnectionTarget;
}

/** How a task's result is judged on the host, after it ran: decided at run time. */
export interface OutcomeRules {
  failedWhen?: unknown;
  changedWhen?: unknown;
  until?: unknown;
  /** Runs at most (1 without `until`). */
  attempts: number;
  delayMs: number;
  /** The name the conditions see the result under. */
  register?: string;
}

export type CompiledTask =
  | { kind: 'run'; units: TaskUnit[]; outcome?: OutcomeRules; pauseMs?: number }
  | { kind: 'skip'; reason: string }
  | IncludedTasks
  | DeferredTask;

/** An include_tasks or include_role on one host: its tasks once per loop item (once without a loop). */
export interface IncludedTasks {
  kind: 'include';
  passes: IncludedPass[];
}

/** The included tasks that the tags select, compiled for the host, and how they run. */
export interface IncludedPass {
  item?: unknown;
  tasks: TaskDefinition[];
  tree: TaskNode[];
  compiled: CompiledTask[];
}

/**
 * A task whose arguments, loop or condition read `variable`, which an earlier task registers
 * on this host. `compile` finishes the job with the registered results of the run so far;
 * it throws an Error whose message says what is wrong, which fails the task on this host.
 */
export interface DeferredTask {
  kind: 'deferred';
  variable: string;
  compile(registered: Readonly<Record<string, unknown>>): Exclude<CompiledTask, DeferredTask>;
}

export interface CompiledHost {
  name: string;
  target: ConnectionTarget;
  /** One entry per task of the play, in the play's order. */
  tasks: CompiledTask[];
  /** One entry per handler of the play. */
  handlers: CompiledTask[];
}

export interface CompiledPlay {
  play: Play;
  /** The play's tasks that the tags (and --start-at-task) select, in order. */
  tasks: TaskDefinition[];
  /** How those tasks run (blocks, handler flushes), by their index in `tasks`. */
  tree: TaskNode[];
  hosts: CompiledHost[];
}

export interface CompiledRun {
  plays: CompiledPlay[];
  check: boolean;
  /** Hides every secret the inventories, extra vars and task arguments hold. */
  redactor: Redactor;
  /** What the run does that the user may not expect, such as host key checking turned off by a variable. */
  warnings: string[];
}
