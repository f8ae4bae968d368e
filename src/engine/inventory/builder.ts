/**
 * The inventory as the format parsers fill it, before reconciliation and variable precedence.
 * Every source writes into one builder, so a later source adds hosts and groups to the ones
 * already there and overrides same-named variables, as Ansible's InventoryData does.
 */
import { InputError, type SourcePosition } from '../../errors';
import { withPositionMap } from '../variable-positions';

/** Where a declaration was written, for error messages. */
export interface Origin {
  position: SourcePosition;
  key?: string;
}

export interface RawGroup {
  name: string;
  children: string[];
  parents: string[];
  /** Insertion-ordered, so the declaration order survives. */
  hosts: Set<string>;
  vars: Record<string, unknown>;
  /** Where each of `vars` was set. */
  varPositions: Map<string, SourcePosition>;
  /** `ansible_group_priority`: breaks ties between groups of equal depth (default 1). */
  priority: number;
}

export interface RawHost {
  name: string;
  /**
   * The variables of each entry that declared the host, in order (a later one wins), each
   * tied to its positions. A range's entry is shared by all its hosts, never copied.
   */
  varLayers: Record<string, unknown>[];
  /** The groups the host was placed in directly. */
  groups: Set<string>;
}

export class InventoryBuilder {
  readonly groups = new Map<string, RawGroup>();
  readonly hosts = new Map<string, RawHost>();

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped', { position: { file: '<built-in>' } });
  }

  hasGroup(name: string): boolean {
    return this.groups.has(name);
  }

  addGroup(name: string): RawGroup {
    let group = this.groups.get(name);
    if (!group) {
      const varPositions = new Map<string, SourcePosition>();
      group = { name, children: [], parents: [], hosts: new Set(), vars: withPositionMap({}, varPositions), varPositions, priority: 1 };
      this.groups.set(name, group);
    }
    return group;
  }

  /** Refuses 'all' as a child and any edge that would close a loop. */
  addChild(parentName: string, childName: string, origin: Origin): void {
    if (childName === 'all') {
      throw new InputError("group 'all' cannot be the child of another group", origin.position, origin.key);
    }
    const parent = this.addGroup(parentName);
    const child = this.addGroup(childName);
    if (parent.children.includes(childName)) return;
    const loop = this.pathBetween(childName, parentName);
    if (loop) {
      throw new InputError(
        `adding group '${childName}' as a child of '${parentName}' creates a loop: ${[parentName, ...loop].join(' -> ')}`,
        origin.position,
        origin.key,
      );
    }
    parent.children.push(childName);
    child.parents.push(parentName);
  }

  addHost(name: string, groupName: string): RawHost {
    let host = this.hosts.get(name);
    if (!host) {
      host = { name, varLayers: [], groups: new Set() };
      this.hosts.set(name, host);
    }
    this.addGroup(groupName).hosts.add(name);
    host.groups.add(groupName);
    return host;
  }

  /** `ansible_group_priority` is a setting, not a variable: Ansible keeps it out of the group's vars. */
  setGroupVar(groupName: string, key: string, value: unknown, origin: Origin): void {
    const group = this.addGroup(groupName);
    if (key !== 'ansible_group_priority') {
      group.vars[key] = value;
      group.varPositions.set(key, origin.position);
      return;
    }
    const priority = Number(value);
    if (value === null || value === '' || typeof value === 'boolean' || !Number.isInteger(priority)) {
      throw new InputError(`ansible_group_priority must be an integer, got ${JSON.stringify(value)}`, origin.position, origin.key);
    }
    group.priority = priority;
  }

  /** The chain of child links from `from` down to `to`, or undefined when `to` is not below `from`. */
  private pathBetween(from: string, to: string, visited = new Set<string>()): string[] | undefined {
    if (from === to) return [from];
    if (visited.has(from)) return undefined;
    visited.add(from);
    for (const child of this.groups.get(from)?.children ?? []) {
      const rest = this.pathBetween(child, to, visited);
      if (rest) return [from, ...rest];
    }
    return undefined;
  }
}
