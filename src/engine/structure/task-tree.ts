/**
 * The shape of a play's tasks once blocks, imports and roles are read: a flat list of task
 * definitions (the rows a run shows, in the order they can run) and a tree over their indices
 * that says which run together, which rescue which, and where handlers are flushed.
 */
import type { TaskDefinition } from '../playbook';

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
