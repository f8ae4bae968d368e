/**
 * A host entry of an INI or YAML inventory: a name or address, possibly with `:port` and
 * `[a:b]` ranges, that declares one or more hosts in a group with the same variables.
 */
import { InputError } from '../../errors';
import { expandHostRanges, parseAddress } from './address';
import type { InventoryBuilder, Origin } from './builder';

export function addHostPattern(
  builder: InventoryBuilder,
  pattern: string,
  group: string,
  vars: Record<string, unknown>,
  origin: Origin,
): void {
  // Ansible keeps a name it cannot parse as an address (`my_host-`) and uses it as written.
  const address = parseAddress(pattern, true) ?? { host: pattern };
  if (pattern.endsWith(':') && address.port === undefined) {
    throw new InputError(`invalid host '${pattern}': a trailing ':' must be followed by a port`, origin.position, origin.key);
  }
  let names: string[];
  try {
    names = expandHostRanges(address.host);
  } catch (error) {
    throw new InputError(`invalid host range '${pattern}': ${(error as Error).message}`, origin.position, origin.key);
  }
  for (const name of names) {
    const host = builder.addHost(name, group);
    if (address.port !== undefined) host.vars.ansible_port = address.port;
    Object.assign(host.vars, structuredClone(vars));
  }
}
