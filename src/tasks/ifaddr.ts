/**
 * An IP address on a network device, with iproute2 (`ip addr`), and the device up.
 * Compared in canonical form: the prefix length and the IPv4 label are part of the state, so
 * the same address with another prefix or label is replaced (deleted and added again: the
 * kernel's `ip addr replace` keeps the old label and broadcast).
 */
import { defineTask, noop, type Change, type Fact, type Plan, type PlannedCommand } from '../api';
import { interfaces, type InterfaceAddress, type NetworkInterface } from '../facts/ip-addr';
import { canonicalAddress, computedBroadcast, formatPrefix, ipFamily, parsePrefix, sameSubnet } from '../net/ip-address';
import { sh } from '../shell/quote';
import { addAddressWords } from '../changes/address';
import type { PersistedAddress } from '../persistence/item';
import { PERSIST_PROPERTIES, persistFacts, persistPlan, persistProblems, withPersistence, type PersistArgs, type PersistFacts } from '../persistence/persist';
import { DEVICE_NAME, DEVICE_OR_LABEL, IP_PREFIX } from './patterns';

interface IfaddrArgs extends PersistArgs {
  address: string;
  dev: string;
  label?: string;
  broadcast?: string;
  state: 'present' | 'absent';
}

type IfaddrFacts = { interfaces: Fact<NetworkInterface[]> } & PersistFacts;

/** What the boot must bring back. Assumes validate() passed. */
function persistedAddress(args: IfaddrArgs): PersistedAddress {
  const prefix = parsePrefix(args.address)!;
  const broadcastAddress = args.broadcast === '+' ? computedBroadcast(prefix) : args.broadcast && canonicalAddress(args.broadcast);
  return { kind: 'address', device: args.dev, prefix, label: args.label, broadcast: args.broadcast, broadcastAddress };
}

export default defineTask<IfaddrArgs, IfaddrFacts>({
  name: 'ifaddr',
  description: 'Puts an IP address (with its prefix length and label) on a network device and brings the device up, or removes the address.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['address', 'dev'],
    properties: {
      address: {
        type: 'string',
        pattern: IP_PREFIX,
        description:
          'The address with its prefix length, e.g. 192.168.2.100/32 or 2001:db8::1/64. A bare address is a /32 (/128 for IPv6); an IPv4 netmask also works (192.168.2.100/255.255.255.255).',
      },
      dev: {
        type: 'string',
        pattern: DEVICE_NAME,
        description: 'The device, without a label: lo, eth0 (put lo:0 in label).',
      },
      label: {
        type: 'string',
        pattern: DEVICE_OR_LABEL,
        description: 'IPv4 only: the address label, dev itself or dev followed by a colon, e.g. lo:0 (what ifconfig calls an alias). Defaults to dev.',
      },
      broadcast: {
        type: 'string',
        pattern: '^(\\+|[0-9.]{7,15})$',
        description: 'IPv4 only: the broadcast address, or + for the subnet\'s last address (none for /31 and /32). Left as it is when not given.',
      },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'present adds the address and brings dev up; absent removes the address from dev whatever its prefix length and label.',
      },
      ...PERSIST_PROPERTIES,
    },
  },
  example: { address: '192.168.2.100/32', dev: 'lo', label: 'lo:0', state: 'present', persist: true },

  validate(args) {
    const problems: string[] = [];
    const prefix = parsePrefix(args.address);
    if (!prefix) problems.push(`address: ${args.address} is not an IP address or prefix`);
    if (args.label !== undefined) {
      if (prefix?.family === 6) problems.push('label: only IPv4 addresses have labels');
      if (args.label !== args.dev && !args.label.startsWith(`${args.dev}:`)) problems.push(`label: must be ${args.dev} or start with ${args.dev}:`);
      if (args.label.length > 15) problems.push('label: at most 15 characters');
    }
    if (args.broadcast !== undefined) {
      if (prefix?.family === 6) problems.push('broadcast: IPv6 has no broadcast address');
      if (args.broadcast !== '+' && ipFamily(args.broadcast) !== 4) problems.push(`broadcast: ${args.broadcast} is not an IPv4 address or +`);
    }
    return [...problems, ...persistProblems(args)];
  },

  facts: (args) => ({ interfaces: interfaces(), ...persistFacts(args, persistedAddress(args)) }),

  plan(args, facts) {
    return withPersistence(livePlan(args, facts.interfaces), persistPlan(args, persistedAddress(args), args.state === 'present', facts));
  },

  cluster: (args) => ({
    addresses: [{ address: args.address, device: args.dev, present: args.state === 'present', persist: args.persist, argument: 'address' }],
    links: args.state === 'present' ? [{ device: args.dev, up: true, persist: args.persist, argument: 'dev' }] : [],
  }),
});

function livePlan(args: IfaddrArgs, interfaceList: NetworkInterface[]): Plan {
  const wanted = parsePrefix(args.address)!;
  const device = interfaceList.find((candidate) => candidate.name === args.dev);
  const present = device?.addresses.filter((entry) => entry.family === wanted.family && entry.address === wanted.address) ?? [];

  if (args.state === 'absent') {
    if (!device) return noop(`device ${args.dev} does not exist, so ${wanted.address} is not on it`);
    if (!present.length) return noop(`${wanted.address} is not on ${args.dev}`);
    return {
      changes: [{ subject: `${args.dev} ${wanted.address}`, before: present.map(describe).join('\n'), after: null }],
      commands: present.map((entry) => deleteAddress(device, entry)),
    };
  }

  if (!device) throw new Error(`device ${args.dev} does not exist`);
  const label = wanted.family === 4 ? (args.label ?? args.dev) : undefined;
  const broadcast = args.broadcast === '+' ? computedBroadcast(wanted) : args.broadcast && canonicalAddress(args.broadcast);
  const desired: InterfaceAddress = { ...wanted, label, broadcast, secondary: false };
  const matches = (entry: InterfaceAddress) =>
    entry.prefixLength === wanted.prefixLength && entry.label === label && (args.broadcast === undefined || entry.broadcast === broadcast);
  const kept = present.find(matches);
  const stale = present.filter((entry) => entry !== kept);

  const changes: Change[] = [];
  const commands: PlannedCommand[] = stale.map((entry) => deleteAddress(device, entry));
  if (!kept) commands.push({ run: sh`ip addr add ${addAddressWords({ prefix: wanted, device: args.dev, label: args.label, broadcast: args.broadcast })}` });
  if (commands.length) {
    changes.push({ subject: `${args.dev} ${wanted.address}`, before: present.map(describe).join('\n') || null, after: describe(kept ?? desired) });
  }
  if (!device.up) {
    changes.push({ subject: `${args.dev} link`, before: 'down', after: 'up' });
    commands.push({ run: sh`ip link set dev ${args.dev} up` });
  }
  if (changes.length) return { changes, commands };
  return noop(`${formatPrefix(wanted)} is on ${args.dev}${label && label !== args.dev ? ` as ${label}` : ''} and ${args.dev} is up`);
}

/** `192.168.2.100/32 label lo:0 broadcast ...`: the label only when it is not the device's own name. */
function describe(entry: InterfaceAddress): string {
  return [
    formatPrefix(entry),
    ...(entry.label?.includes(':') ? ['label', entry.label] : []),
    ...(entry.broadcast ? ['broadcast', entry.broadcast] : []),
  ].join(' ');
}

/**
 * Deleting a primary IPv4 address also deletes the secondaries of its subnet (unless
 * promote_secondaries is set): refuse rather than silently take a director's VIP with it.
 */
function deleteAddress(device: NetworkInterface, entry: InterfaceAddress): PlannedCommand {
  if (entry.family === 4 && !entry.secondary) {
    const dependents = device.addresses.filter((other) => other.secondary && sameSubnet(other, entry));
    if (dependents.length) {
      throw new Error(
        `removing ${formatPrefix(entry)} from ${device.name} would also remove its secondary addresses ` +
          `${dependents.map((other) => formatPrefix(other)).join(', ')}: remove those first`,
      );
    }
  }
  return { run: sh`ip addr del ${formatPrefix(entry)} dev ${device.name}` };
}
