/** What the engine sees of an inventory once every source is loaded and merged. */

export interface InventoryHost {
  name: string;
  /** The host's variables after Ansible's precedence (see precedence.ts); no magic variables. */
  vars: Record<string, unknown>;
  /**
   * Every group the host belongs to, its ancestors and 'all' included, in precedence order
   * (all first, then by depth, `ansible_group_priority` and name).
   */
  groups: string[];
}

export interface InventoryGroup {
  name: string;
  /** Direct child groups, in the order they were declared. */
  children: string[];
  /**
   * Hosts placed directly in this group, in declaration order. 'all' lists none: like Ansible,
   * hosts declared straight under 'all' are shown under 'ungrouped'.
   */
  hosts: string[];
  /** The group's own variables: inventory files, then group_vars files (ansible-inventory --export). */
  vars: Record<string, unknown>;
}

export interface Inventory {
  /** In inventory order: the order in which the sources first declared each host. */
  hosts: Map<string, InventoryHost>;
  /** 'all' and 'ungrouped' first, then in declaration order. */
  groups: Map<string, InventoryGroup>;
  /**
   * Each group's hosts, its descendants' included, in Ansible's order (see group-hosts.ts):
   * what `groups['x']`, `x[0]` and host patterns follow.
   */
  groupHosts: Map<string, string[]>;
}
