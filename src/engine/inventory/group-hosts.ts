/**
 * A group's hosts as Ansible's Group.get_hosts() lists them, which is what `groups['x']`,
 * `x[0]` and a play's host order follow: the group's own hosts in the order they were added
 * to it, then the hosts of its children, then of their children, level by level, each host
 * once. So a group that lists `mongo4` first starts with `mongo4`, whatever the file order.
 * Ansible walks each level below the children as a Python set, so its order there can change
 * from run to run; lvs takes the groups of a level in the order they were reached.
 */
export interface GroupShape {
  hosts: Iterable<string>;
  children: readonly string[];
}

export function hostsOfGroup(groups: ReadonlyMap<string, GroupShape>, name: string): string[] {
  const hosts = new Set<string>();
  const seen = new Set<string>([name]);
  let level = [name];
  while (level.length > 0) {
    const next: string[] = [];
    for (const group of level) {
      for (const host of groups.get(group)?.hosts ?? []) hosts.add(host);
      for (const child of groups.get(group)?.children ?? []) {
        if (!seen.has(child)) {
          seen.add(child);
          next.push(child);
        }
      }
    }
    level = next;
  }
  return [...hosts];
}
