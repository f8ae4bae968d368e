/**
 * A play's `order`: the order its hosts run in, and so which host is first in a serial batch
 * and runs a run_once task. As Ansible's inventory get_hosts(order=...): sorted by name, the
 * inventory's order, either one reversed, or shuffled.
 */
import type { HostOrder } from '../task-control';

export function orderHosts(hosts: string[], order: HostOrder, random: () => number = Math.random): string[] {
  switch (order) {
    case 'inventory':
      return hosts;
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort(byName);
    case 'reverse_sorted':
      return [...hosts].sort(byName).reverse();
    case 'shuffle': {
      const shuffled = [...hosts];
      // Fisher-Yates.
      for (let index = shuffled.length - 1; index > 0; index--) {
        const other = Math.floor(random() * (index + 1));
        [shuffled[index], shuffled[other]] = [shuffled[other], shuffled[index]];
      }
      return shuffled;
    }
  }
}

/** Python's sort of str: by code point, not by locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
