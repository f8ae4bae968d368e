/**
 * What `lvs inventory` prints, in the shapes of `ansible-inventory --list`, `--graph` and
 * `--host`. Secret variables are always redacted (see ../secrets.ts).
 */
import { InputError } from '../../errors';
import { leaves, MIN_SECRET_LENGTH, redactDeep, secretVariableNames } from '../secrets';
import type { Inventory } from './types';

/** JSON like `ansible-inventory --list`: groups with their hosts and children, `_meta.hostvars`. */
export function renderList(inventory: Inventory): string {
  const result: Record<string, unknown> = {};
  const seen = new Set<string>();
  const visit = (name: string) => {
    const group = inventory.groups.get(name);
    if (!group || seen.has(name)) return;
    seen.add(name);
    const entry: Record<string, string[]> = {};
    // 'all' never lists hosts: every host is in it, and those in no group show under 'ungrouped'.
    if (name !== 'all' && group.hosts.length > 0) entry.hosts = group.hosts;
    if (group.children.length > 0) entry.children = group.children;
    if (Object.keys(entry).length > 0) result[name] = entry;
    group.children.forEach(visit);
  };
  visit('all');
  const hostvars: Record<string, unknown> = {};
  for (const host of inventory.hosts.values()) {
    if (Object.keys(host.vars).length > 0) hostvars[host.name] = redactVars(host.vars);
  }
  result._meta = { hostvars };
  return pythonJson(result);
}

/** The tree of `ansible-inventory --graph`, from `group` down. */
export function renderGraph(inventory: Inventory, group = 'all'): string {
  if (!inventory.groups.has(group)) throw new InputError(`no group named '${group}' in the inventory`, undefined, '--graph');
  const lines: string[] = [];
  const indent = (depth: number, name: string) => (depth === 0 ? name : `${'  |'.repeat(depth)}--${name}`);
  const visit = (name: string, depth: number) => {
    const current = inventory.groups.get(name);
    if (!current) return;
    lines.push(indent(depth, `@${name}:`));
    for (const child of current.children) visit(child, depth + 1);
    if (name !== 'all') for (const host of current.hosts) lines.push(indent(depth + 1, host));
  };
  visit(group, 0);
  return lines.join('\n');
}

/** A pattern's hosts as `ansible PATTERN --list-hosts` prints them. */
export function renderHostList(hosts: readonly string[]): string {
  return [`  hosts (${hosts.length}):`, ...hosts.map((host) => `    ${host}`)].join('\n');
}

/** One host's variables, as `ansible-inventory --host NAME` prints them. */
export function renderHost(inventory: Inventory, name: string): string {
  const host = inventory.hosts.get(name);
  if (!host) throw new InputError(`no host named '${name}' in the inventory`, undefined, '--host');
  return pythonJson(redactVars(host.vars));
}

function redactVars(vars: Record<string, unknown>): Record<string, unknown> {
  const names = secretVariableNames(vars);
  return redactDeep(vars, leaves([...names].map((name) => vars[name])).filter((text) => text.length >= MIN_SECRET_LENGTH), names);
}

/** ansible-inventory prints with json.dumps(sort_keys=True, indent=4). */
function pythonJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 4);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}
