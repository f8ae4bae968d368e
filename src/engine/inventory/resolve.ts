/**
 * Turns what the parsers built into the final inventory: the group tree is completed as
 * Ansible's reconcile_inventory does it, then each host's variables are merged.
 *
 * Variable precedence, lowest first (Ansible's default VARIABLE_PRECEDENCE and the host
 * levels after it, without the play levels and without hash merging: a later level replaces
 * a whole top-level key):
 *   1. group 'all' as written in inventory files
 *   2. the host's other groups as written in inventory files, in group order
 *   3. inventory group_vars/all files
 *   4. playbook group_vars/all files (beside the playbook)
 *   5. inventory group_vars/<group> files, in group order
 *   6. playbook group_vars/<group> files, in group order
 *   7. the host as written in inventory files
 *   8. inventory host_vars/<host> files
 *   9. playbook host_vars/<host> files
 * Group order: shallower groups first (depth is the longest path from 'all'), then the lower
 * `ansible_group_priority`, then the name; so a child group overrides its parent. At levels
 * 3, 5 and 8 the vars directories of the sources are taken in source order, so a later
 * source wins. Within a level, a later inventory source overrides an earlier one.
 *
 * Hosts share the values they got from the same place (every host of a range, every member
 * of a group), frozen so that no host can change another's; copying them per host made a
 * long list in a range's variables cost hosts x items.
 */
import type { InventoryBuilder, RawGroup } from './builder';
import type { Inventory, InventoryGroup, InventoryHost } from './types';
import { hostsOfGroup } from './group-hosts';
import type { VarsFiles } from './vars-files';
import { mergeLayers } from '../variable-positions';

/** The folders whose group_vars/ and host_vars/ apply: the inventory sources', then the playbook's. */
export interface VarsDirs {
  inventory: readonly string[];
  playbook: readonly string[];
}

export function resolveInventory(builder: InventoryBuilder, varsDirs: VarsDirs, varsFiles: VarsFiles): Inventory {
  const all = builder.addGroup('all');
  for (const group of builder.groups.values()) {
    if (group !== all && group.parents.length === 0) builder.addChild('all', group.name, { position: { file: '<built-in>' } });
  }
  // Ansible lists the hosts declared straight under 'all' first in groups['all'].
  const underAll = [...all.hosts];
  placeUngroupedHosts(builder);

  const depths = groupDepths(builder);
  const inOrder = (names: Iterable<string>) =>
    [...names].sort((a, b) => compareGroups(builder.groups.get(a) as RawGroup, builder.groups.get(b) as RawGroup, depths));

  const everyDir = [...varsDirs.inventory, ...varsDirs.playbook];
  const groupFileVars = (name: string) => merge(everyDir.map((dir) => varsFiles.varsFor(dir, 'group_vars', name)));
  const groupsIn = (dirs: readonly string[], names: readonly string[]) => dirs.flatMap((dir) => names.map((name) => varsFiles.varsFor(dir, 'group_vars', name)));
  const hostIn = (dirs: readonly string[], name: string) => dirs.map((dir) => varsFiles.varsFor(dir, 'host_vars', name));
  const hosts = new Map<string, InventoryHost>();
  for (const host of builder.hosts.values()) {
    const groups = inOrder(ancestorsOf(builder, host.groups));
    const others = groups.filter((name) => name !== 'all');
    const layers = [
      all.vars,
      ...others.map((name) => (builder.groups.get(name) as RawGroup).vars),
      ...groupsIn(varsDirs.inventory, ['all']),
      ...groupsIn(varsDirs.playbook, ['all']),
      ...groupsIn(varsDirs.inventory, others),
      ...groupsIn(varsDirs.playbook, others),
      ...host.varLayers,
      ...hostIn(varsDirs.inventory, host.name),
      ...hostIn(varsDirs.playbook, host.name),
    ];
    hosts.set(host.name, { name: host.name, vars: hostVars(layers), groups });
  }

  const groups = new Map<string, InventoryGroup>();
  for (const group of builder.groups.values()) {
    groups.set(group.name, {
      name: group.name,
      children: [...group.children],
      hosts: [...group.hosts],
      vars: structuredClone(merge([group.vars, groupFileVars(group.name)])),
    });
  }
  const shapes = new Map([...builder.groups].map(([name, group]) => [name, { hosts: name === 'all' ? underAll : group.hosts, children: group.children }]));
  const groupHosts = new Map([...builder.groups.keys()].map((name) => [name, hostsOfGroup(shapes, name)]));
  return { hosts, groups, groupHosts };
}

/**
 * A host in no group but 'all' belongs to 'ungrouped'; a host in any other group does not.
 * Every host is a member of 'all' without being listed in it.
 */
function placeUngroupedHosts(builder: InventoryBuilder): void {
  const all = builder.addGroup('all');
  const ungrouped = builder.addGroup('ungrouped');
  for (const host of builder.hosts.values()) {
    const named = [...host.groups].filter((name) => name !== 'all' && name !== 'ungrouped');
    if (named.length === 0) ungrouped.hosts.add(host.name);
    else ungrouped.hosts.delete(host.name);
    host.groups = new Set(named.length === 0 ? ['ungrouped'] : named);
  }
  all.hosts.clear();
}

/** The longest path from 'all' to each group; the builder has refused every loop. */
function groupDepths(builder: InventoryBuilder): Map<string, number> {
  const depths = new Map<string, number>();
  const depthOf = (name: string): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    const parents = builder.groups.get(name)?.parents ?? [];
    const depth = parents.length === 0 ? 0 : Math.max(...parents.map((parent) => depthOf(parent) + 1));
    depths.set(name, depth);
    return depth;
  };
  for (const name of builder.groups.keys()) depthOf(name);
  return depths;
}

function compareGroups(a: RawGroup, b: RawGroup, depths: Map<string, number>): number {
  const byDepth = (depths.get(a.name) ?? 0) - (depths.get(b.name) ?? 0);
  if (byDepth !== 0) return byDepth;
  if (a.priority !== b.priority) return a.priority - b.priority;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function ancestorsOf(builder: InventoryBuilder, direct: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name)) return;
    found.add(name);
    for (const parent of builder.groups.get(name)?.parents ?? []) visit(parent);
  };
  for (const name of direct) visit(name);
  return found;
}

function merge(layers: readonly Record<string, unknown>[]): Record<string, unknown> {
  return Object.assign({}, ...layers);
}

/** The host's variables, tied to the layers for their positions; shared values frozen first. */
function hostVars(layers: readonly Record<string, unknown>[]): Record<string, unknown> {
  for (const layer of layers) Object.values(layer).forEach(freezeDeep);
  return mergeLayers(layers);
}

/** A value frozen once is not walked again, so a value shared by many hosts costs one walk. */
function freezeDeep(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  Object.values(value).forEach(freezeDeep);
}
