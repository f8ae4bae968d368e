/**
 * The host's network interfaces and their addresses, from iproute2's JSON output
 * (`ip -j addr show`, all devices, so a task can tell a missing device from a missing
 * address). Addresses come back in canonical form (see ip-address.ts).
 */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';
import { canonicalAddress, type IpFamily } from '../net/ip-address';
import { parseIpJson } from './ip-json';

export interface InterfaceAddress {
  family: IpFamily;
  /** Canonical address text, without the prefix. */
  address: string;
  prefixLength: number;
  /** IPv4 only: the label (`lo:0`); the device name itself when the address has none. */
  label?: string;
  /** IPv4 only, when set. */
  broadcast?: string;
  /** IPv4: another address of the same subnet came first; it goes when that primary goes. */
  secondary: boolean;
}

export interface NetworkInterface {
  name: string;
  /** Administratively up (`ip link set dev X up`), whether or not a carrier is present. */
  up: boolean;
  addresses: InterfaceAddress[];
}

export function interfaces(): Fact<NetworkInterface[]> {
  return { command: sh`ip -j addr show`, parse: parseInterfaces };
}

export function parseInterfaces(result: CommandResult): NetworkInterface[] {
  return parseIpJson(result, 'network interfaces').flatMap((entry): NetworkInterface[] => {
    const link = entry as { ifname?: unknown; flags?: unknown; addr_info?: unknown };
    if (typeof link.ifname !== 'string') return [];
    const flags = Array.isArray(link.flags) ? link.flags : [];
    const addressInfo = Array.isArray(link.addr_info) ? link.addr_info : [];
    return [{ name: link.ifname, up: flags.includes('UP'), addresses: addressInfo.flatMap(parseAddressInfo) }];
  });
}

function parseAddressInfo(entry: unknown): InterfaceAddress[] {
  const info = entry as { family?: unknown; local?: unknown; prefixlen?: unknown; label?: unknown; broadcast?: unknown; secondary?: unknown };
  const family = info.family === 'inet' ? 4 : info.family === 'inet6' ? 6 : undefined;
  const address = typeof info.local === 'string' ? canonicalAddress(info.local) : undefined;
  if (!family || !address || typeof info.prefixlen !== 'number') return [];
  const parsed: InterfaceAddress = { family, address, prefixLength: info.prefixlen, secondary: info.secondary === true };
  if (typeof info.label === 'string') parsed.label = info.label;
  const broadcast = typeof info.broadcast === 'string' ? canonicalAddress(info.broadcast) : undefined;
  if (broadcast) parsed.broadcast = broadcast;
  return [parsed];
}
