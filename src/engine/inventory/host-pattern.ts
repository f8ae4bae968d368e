/**
 * A host entry of an INI or YAML inventory: a name or address, possibly with `:port` and
 * `[a:b]` ranges, that declares one or more hosts in a group with the same variables.
 */
import { InputError, type SourcePosition } from '../../errors';
import { expandHostRanges, parseAddress, TooManyHosts } from './address';
import type { InventoryBuilder, Origin } from './builder';
import { positionIn, withPositions } from '../variable-positions';

/**
 * The most hosts one inventory may hold, from ranges or listed. It is far above what one run
 * addresses (an LVS cluster has tens to hundreds of hosts; fleets of tens of thousands use
 * dynamic inventories), and still cheap: `h[1:100000]` loads in about 2.5 s and 25 MB of heap,
 * an INI file listing 100 000 hosts with two variables each in about 6 s and 80 MB.
 */
export const MAX_HOSTS = 100_000;

/** `vars` are tied to their positions (see variable-positions.ts); all hosts of the entry share them. */
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
  const names = hostNames(address.host, pattern, origin);
  const added = names.filter((name) => !builder.hosts.has(name)).length;
  if (builder.hosts.size + added > MAX_HOSTS) {
    throw new InputError(`'${pattern}' brings the inventory to ${builder.hosts.size + added} hosts: at most ${MAX_HOSTS}`, origin.position, origin.key);
  }
  const layer = address.port === undefined ? vars : withPort(vars, address.port, origin.position);
  for (const name of names) builder.addHost(name, group).varLayers.push(layer);
}

/**
 * The port written after the name comes first, so that an ansible_port variable wins, as in
 * Ansible. Made out here so that the positions keep only what they need alive.
 */
function withPort(vars: Record<string, unknown>, port: number, position: SourcePosition): Record<string, unknown> {
  return withPositions({ ansible_port: port, ...vars }, (key) => (Object.hasOwn(vars, key) ? positionIn([vars], key) : position));
}

function hostNames(host: string, pattern: string, origin: Origin): string[] {
  try {
    return expandHostRanges(host, MAX_HOSTS);
  } catch (error) {
    if (error instanceof TooManyHosts) {
      throw new InputError(`host range '${pattern}' ${error.message}: at most ${MAX_HOSTS} hosts in an inventory`, origin.position, origin.key);
    }
    throw new InputError(`invalid host range '${pattern}': ${(error as Error).message}`, origin.position, origin.key);
  }
}
