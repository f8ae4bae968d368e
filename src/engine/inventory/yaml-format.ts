/**
 * Ansible's YAML inventory format: top-level keys are groups; a group may hold `hosts` (a map
 * of host name or range to a map of variables, or null), `children` (a map of groups, nested
 * the same way) and `vars`. A group may appear in several places; its definitions merge.
 * Where Ansible only warns and skips a malformed part, lvs stops with an error: a host that
 * silently drops out of a cluster is worse than a clear message.
 */
import { InputError } from '../../errors';
import type { InventoryBuilder, Origin } from './builder';
import { addHostPattern } from './host-pattern';
import { plainValue, type YamlSource } from '../yaml-source';
import { withPositionMap } from '../variable-positions';

const GROUP_KEYS = ['hosts', 'children', 'vars'];

export function parseYamlInventory(source: YamlSource, builder: InventoryBuilder): void {
  const { data } = source;
  if (data === null || data === undefined) return;
  if (!(data instanceof Map)) {
    throw new InputError('a YAML inventory must be a mapping of group names', source.locate([]));
  }
  if (data.has('plugin')) {
    throw new InputError(
      `inventory scripts and plugins are not supported: this file configures the inventory plugin ${JSON.stringify(plainValue(data.get('plugin')))}`,
      source.locate(['plugin']),
      'plugin',
      'list the hosts in a YAML or INI inventory',
    );
  }
  for (const [name, definition] of data) parseGroup(source, builder, groupName(source, name, [name]), definition, [name]);
}

function parseGroup(source: YamlSource, builder: InventoryBuilder, name: string, definition: unknown, path: unknown[]): void {
  builder.addGroup(name);
  if (definition === null || definition === undefined) return;
  const origin = (at: unknown[]): Origin => ({ position: source.locate(at), key: at.map(String).join('.') });
  if (!(definition instanceof Map)) {
    throw new InputError(`group '${name}' must be a mapping with hosts, children or vars, found ${describe(definition)}`, origin(path).position, origin(path).key);
  }
  for (const [key, value] of definition) {
    const at = [...path, key];
    if (!GROUP_KEYS.includes(String(key))) {
      throw new InputError(`unexpected key '${String(key)}' in group '${name}'`, origin(at).position, origin(at).key, 'a group may only hold hosts, children and vars');
    }
    // Ansible accepts a single name where a mapping is expected: `hosts: web1`.
    const section = typeof value === 'string' ? new Map([[value, null]]) : value;
    if (section === null || section === undefined) continue;
    if (!(section instanceof Map)) {
      throw new InputError(`'${String(key)}' of group '${name}' must be a mapping, found ${describe(section)}`, origin(at).position, origin(at).key);
    }
    for (const [entry, entryValue] of section) {
      const entryPath = [...at, entry];
      if (key === 'vars') {
        builder.setGroupVar(name, String(entry), plainValue(entryValue), origin(entryPath));
      } else if (key === 'children') {
        const child = groupName(source, entry, entryPath);
        parseGroup(source, builder, child, entryValue, entryPath);
        builder.addChild(name, child, origin(entryPath));
      } else {
        parseHost(source, builder, name, entry, entryValue, entryPath);
      }
    }
  }
}

function parseHost(source: YamlSource, builder: InventoryBuilder, group: string, pattern: unknown, vars: unknown, path: unknown[]): void {
  const origin: Origin = { position: source.locate(path), key: path.map(String).join('.') };
  if (pattern === null || pattern === undefined || pattern === '' || typeof pattern === 'object') {
    throw new InputError('a host name must be a non-empty string', origin.position, origin.key);
  }
  if (vars !== null && vars !== undefined && !(vars instanceof Map)) {
    throw new InputError(`the variables of host '${String(pattern)}' must be a mapping, found ${describe(vars)}`, origin.position, origin.key);
  }
  const hostVars = plainValue(vars ?? new Map()) as Record<string, unknown>;
  const positions = new Map(Object.keys(hostVars).map((key) => [key, source.locate([...path, key])]));
  addHostPattern(builder, String(pattern), group, withPositionMap(hostVars, positions), origin);
}

function groupName(source: YamlSource, name: unknown, path: unknown[]): string {
  if (name === null || name === undefined || name === '' || typeof name === 'object') {
    throw new InputError('a group name must be a non-empty string', source.locate(path), path.map(String).join('.'));
  }
  return String(name);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'a mapping';
  return `the ${typeof value} ${JSON.stringify(value)}`;
}
