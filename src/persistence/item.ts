/**
 * What a network task keeps across reboots, in one form for every network stack: an address
 * on a device, a route, or a device's administrative state. Each format (ifupdown, networkd,
 * NetworkManager keyfile, RHEL ifcfg) turns these into the files its boot reads.
 */
import type { IpFamily, IpPrefix } from '../net/ip-address';

export interface PersistedAddress {
  kind: 'address';
  device: string;
  prefix: IpPrefix;
  /** IPv4 only, when it differs from the device name: lo:0. */
  label?: string;
  /** As the task was given it: `+` or an address (iproute2's own spelling). */
  broadcast?: string;
  /** The address `+` stands for, or the given one; undefined when none is set. */
  broadcastAddress?: string;
}

export interface PersistedRoute {
  kind: 'route';
  family: IpFamily;
  /** Canonical: 0.0.0.0/0 for the IPv4 default route. */
  destination: string;
  gateway?: string;
  /** Every format ties a route to a device, so persisting one needs it. */
  device: string;
  metric?: number;
}

export interface PersistedLink {
  kind: 'link';
  device: string;
  up: boolean;
}

export type PersistedItem = PersistedAddress | PersistedRoute | PersistedLink;

/** Where a stack's files can only hold plain words: what the task schemas allow, minus anything a config parser splits on. */
const PLAIN_WORD = /^[A-Za-z0-9_.:@+/-]+$/;

/** Throws rather than write a value a boot-time parser would read differently (a newline ends an ifupdown line). */
export function plainWord(value: string, format: string): string {
  if (!PLAIN_WORD.test(value)) throw new Error(`${JSON.stringify(value)} cannot be written into ${format} configuration`);
  return value;
}

/** A device or address label as the kernel names it: never a `/`, which would also climb out of a file name. */
const DEVICE_WORD = /^[A-Za-z0-9_.@+-]+(:[A-Za-z0-9_.@+-]+)?$/;

export function plainDevice(value: string, format: string): string {
  if (!DEVICE_WORD.test(value)) throw new Error(`${JSON.stringify(value)} cannot be written into ${format} as a device name`);
  return value;
}

/** An item in words for messages: `192.168.2.100/32 on lo as lo:0`. */
export function describeItem(item: PersistedItem): string {
  if (item.kind === 'address') return `${item.prefix.address}/${item.prefix.prefixLength} on ${item.device}${item.label ? ` as ${item.label}` : ''}`;
  if (item.kind === 'route') return `the route to ${item.destination}${item.gateway ? ` via ${item.gateway}` : ''} on ${item.device}`;
  return `${item.device} ${item.up ? 'up' : 'down'}`;
}
