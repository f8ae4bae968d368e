/**
 * Running a task tree on one host as Ansible runs blocks: a failure in `block` runs `rescue`
 * (and the host is not failed when rescue succeeds), `always` runs after either, and a
 * failure that no rescue takes goes up to the enclosing block, then stops the host.
 * See https://docs.ansible.com/ansible/2.14/playbook_guide/playbooks_blocks.html
 */
import type { TaskNode } from '../structure/task-tree';
import type { HostOutcome } from './events';

export interface TreeSteps {
  /** Runs the task at `index`; `rescued` says whether a rescue section takes its failure. */
  task(index: number, rescued: boolean): Promise<HostOutcome>;
  /** Runs the handlers notified so far. */
  flush(): Promise<HostOutcome>;
}

export async function walkTree(nodes: readonly TaskNode[], steps: TreeSteps, rescued = false): Promise<HostOutcome> {
  for (const node of nodes) {
    const outcome = node.kind === 'task' ? await steps.task(node.index, rescued) : node.kind === 'flush' ? await steps.flush() : await walkBlock(node, steps, rescued);
    if (outcome !== 'ok') return outcome;
  }
  return 'ok';
}

async function walkBlock(node: Extract<TaskNode, { kind: 'block' }>, steps: TreeSteps, rescued: boolean): Promise<HostOutcome> {
  let outcome = await walkTree(node.block, steps, rescued || node.rescue.length > 0);
  if (outcome === 'failed' && node.rescue.length > 0) {
    outcome = await walkTree(node.rescue, steps, rescued);
  }
  // An unreachable host runs nothing more, and an interrupted or stopped play starts no new task.
  if (outcome === 'unreachable' || outcome === 'interrupted' || outcome === 'stopped') return outcome;
  const always = await walkTree(node.always, steps, rescued);
  return always === 'ok' ? outcome : always;
}
