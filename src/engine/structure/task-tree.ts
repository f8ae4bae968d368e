/**
 * A loaded playbook: its plays, and each play's tasks once blocks, imports and roles are read:
 * a flat list of task definitions (the rows a run shows, in the order they can run) and a tree
 * over their indices that says which run together, which rescue which, and where handlers are
 * flushed.
 */
import type { SourcePosition } from '../../errors';
import type { PlayControl, TaskControl } from '../task-control';

export interface TaskDefinition {
  name: string;
  action: string;
  args: Record<string, unknown>;
  when?: unknown;
  loop?: unknown;
  notify: string[];
  tags: string[];
  register?: string;
  /** Run this task's commands with sudo (Ansible's task-level `become`), overriding the play. */
  become?: boolean;
  becomeUser?: string;
  ignoreErrors: boolean;
  /** Handler names this handler also answers to. */
  listen: string[];
  /** failed_when, changed_when, until, delegate_to, run_once, loop_control, ... (task-control.ts). */
  control: TaskControl;
  /** Task vars with those of its blocks, role and include, in Ansible's precedence: above play vars, below extra vars. */
  vars: Record<string, unknown>;
  /** Its role's defaults: below the inventory. */
  defaults: Record<string, unknown>;
  /** Where its template and local files are looked for, in order: each folder's templates/ (or files/), then the folder. */
  lookupDirs: string[];
  /** The role it comes from, whose name its own name starts with (`role : task`). */
  role?: string;
  /** Set for include_tasks and include_role: what it includes on each host. */
  include?: IncludeSpec;
  /** Where the task and each of its keys are, for error messages. */
  position: SourcePosition;
  locate(argumentPath: string): SourcePosition;
}

export interface Play {
  name: string;
  hosts: string;
  vars: Record<string, unknown>;
  varsFiles: string[];
  /** A batch size or a list of them, the last one repeating (Ansible's serial). */
  serial?: number | string | (number | string)[];
  /** max_fail_percentage, any_errors_fatal, order (task-control.ts). */
  control: PlayControl;
  become?: boolean;
  becomeUser?: string;
  /** pre_tasks, roles, tasks and post_tasks, blocks flattened, in the order they can run. */
  tasks: TaskDefinition[];
  /** How `tasks` run: blocks with their rescue and always, handler flushes between sections. */
  tree: TaskNode[];
  /** The play's handlers and those of its roles. */
  handlers: TaskDefinition[];
  /** The folder of the file the play is in (an imported playbook's own). */
  dir: string;
  position: SourcePosition;
}

export interface Playbook {
  file: string;
  dir: string;
  plays: Play[];
}

export type TaskNode =
  | { kind: 'task'; index: number }
  /** `block`/`rescue`/`always`: a failure in `block` runs `rescue`; `always` runs after either. */
  | { kind: 'block'; block: TaskNode[]; rescue: TaskNode[]; always: TaskNode[] }
  /** Run the handlers notified so far (between pre_tasks, roles and tasks, post_tasks; `meta: flush_handlers`). */
  | { kind: 'flush' };

export interface TaskList {
  tasks: TaskDefinition[];
  tree: TaskNode[];
}

/**
 * A dynamic include (`include_tasks`, `include_role`): its tasks are known per host, once its
 * file name, loop and condition are rendered there. `load` reads the named task file (or
 * hands back the role's tasks) with file:line positions in that file; it throws InputErrors.
 */
export interface IncludeSpec {
  /** The file to include, a template rendered per host (for a role, its name). */
  file: string;
  load(file: string): TaskList;
}

/** The list with only the tasks `keep` selects; blocks left with no task go too. */
export function selectTasks(list: TaskList, keep: (task: TaskDefinition, index: number) => boolean): TaskList {
  const tasks: TaskDefinition[] = [];
  const renumbered = new Map<number, number>();
  list.tasks.forEach((task, index) => {
    if (!keep(task, index)) return;
    renumbered.set(index, tasks.length);
    tasks.push(task);
  });
  const prune = (nodes: TaskNode[]): TaskNode[] =>
    nodes.flatMap((node): TaskNode[] => {
      if (node.kind === 'flush') return [node];
      if (node.kind === 'task') return renumbered.has(node.index) ? [{ kind: 'task', index: renumbered.get(node.index)! }] : [];
      const block = { ...node, block: prune(node.block), rescue: prune(node.rescue), always: prune(node.always) };
      return block.block.length + block.rescue.length + block.always.length ? [block] : [];
    });
  return { tasks, tree: prune(list.tree) };
}
