/**
 * `lvs run --list-hosts` and `--list-tasks`: each play's hosts (after --limit) and the tasks
 * the tags and --start-at-task select, in ansible-playbook's layout, without compiling or
 * connecting. Role tasks read `role : task`, as Ansible shows them.
 */
import { namedBy, selectedByTags } from '../engine/compile/compile';
import { selectHosts, type Inventory } from '../engine/inventory';
import type { Playbook } from '../engine/structure/task-tree';
import { selectTasks } from '../engine/structure/task-tree';

export interface ListOptions {
  hosts: boolean;
  tasks: boolean;
  limit?: string;
  tags: string[];
  skipTags: string[];
  startAtTask?: string;
}

export function listPlaybook(playbook: Playbook, inventory: Inventory, options: ListOptions): string {
  const limited = options.limit ? new Set(selectHosts(inventory, options.limit)) : undefined;
  let started = options.startAtTask === undefined;
  const lines = ['', `playbook: ${playbook.file}`];
  playbook.plays.forEach((play, index) => {
    lines.push('', `  play #${index + 1} (${play.hosts}): ${play.name}\tTAGS: []`);
    if (options.hosts) {
      const hosts = selectHosts(inventory, play.hosts).filter((host) => !limited || limited.has(host));
      lines.push(`    pattern: ['${play.hosts}']`, `    hosts (${hosts.length}):`, ...hosts.map((host) => `      ${host}`));
    }
    if (options.tasks) {
      const { tasks } = selectTasks(play, (task) => {
        if (!started && namedBy(task, options.startAtTask!)) started = true;
        return started && selectedByTags(task, options.tags, options.skipTags);
      });
      lines.push('    tasks:', ...tasks.map((task) => `      ${task.name}\tTAGS: [${[...task.tags].sort().join(', ')}]`));
    }
  });
  return `${lines.join('\n')}\n`;
}
