/**
 * IPv4 and IPv6 addresses and prefixes in one canonical text form, so what a user writes
 * and what iproute2 or ipvsadm print compare equal: IPv4 in dotted decimal, IPv6 lowercase
 * with the longest run of zero groups compressed (RFC 5952, and glibc's inet_ntop for the
 * IPv4-mapped forms), a prefix as `address/length`. Pure: no I/O.
 */

export type IpFamily = 4 | 6;

/** An address with its prefix length. The address keeps its host bits (an interface address). */
export interface IpPrefix {
  family: IpFamily;
  /** Canonical text of the address, e.g. `192.168.2.100` or `2001:db8::1`. */
  address: string;
  prefixLength: number;
}

interface BinaryAddress {
  family: IpFamily;
  bytes: number[];
}

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Strict dotted quad: four decimal octets, no leading zeros (inet_aton would read 010 as octal). */
function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => DECIMAL_OCTET.test(part))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : undefined;
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): number[] | undefined => {
    if (half === '') return [];
    const words: number[] = [];
    const parts = half.split(':');
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1 && part.includes('.')) {
        const ipv4 = parseIpv4(part);
        if (!ipv4) return undefined;
        words.push((ipv4[0] << 8) | ipv4[1], (ipv4[2] << 8) | ipv4[3]);
      } else if (HEX_GROUP.test(part)) {
        words.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return words;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 address may only end the address.
  if (halves.length === 2 && halves[0].includes('.')) return undefined;
  const compressed = halves.length === 2;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

function parseAddress(text: string): BinaryAddress | undefined {
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    return bytes && { family: 6, bytes };
  }
  const bytes = parseIpv4(text);
  return bytes && { family: 4, bytes };
}

function formatIpv6(bytes: number[]): string {
  const words = Array.from({ length: 8 }, (_, index) => (bytes[2 * index] << 8) | bytes[2 * index + 1]);
  // The first longest run of at least two zero words becomes `::`.
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; ) {
    if (words[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && words[end] === 0) end++;
    if (end - start > best.length) best = { start, length: end - start };
    start = end;
  }
  if (best.length < 2) best = { start: -1, length: 0 };
  const ipv4Tail = `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  // As glibc prints them: ::a.b.c.d (IPv4-compatible) and ::ffff:a.b.c.d (IPv4-mapped).
  if (best.start === 0 && (best.length === 6 || (best.length === 5 && words[5] === 0xffff))) {
    return best.length === 6 ? `::${ipv4Tail}` : `::ffff:${ipv4Tail}`;
  }
  if (best.start === -1) return words.map((word) => word.toString(16)).join(':');
  const before = words.slice(0, best.start).map((word) => word.toString(16));
  const after = words.slice(best.start + best.length).map((word) => word.toString(16));
  return `${before.join(':')}::${after.join(':')}`;
}

function formatAddress(address: BinaryAddress): string {
  return address.family === 4 ? address.bytes.join('.') : formatIpv6(address.bytes);
}

function maxPrefixLength(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** 4 or 6 for a valid address (no prefix), otherwise undefined. */
export function ipFamily(text: string): IpFamily | undefined {
  return parseAddress(text)?.family;
}

/** The canonical text of an address (no prefix): `2001:DB8:0::1` → `2001:db8::1`; undefined if invalid. */
export function canonicalAddress(text: string): string | undefined {
  const address = parseAddress(text.trim());
  return address && formatAddress(address);
}

/** `255.255.255.0` → 24. Undefined unless the mask is a valid IPv4 address with contiguous ones. */
export function netmaskToPrefixLength(netmask: string): number | undefined {
  const bytes = parseIpv4(netmask);
  if (!bytes) return undefined;
  const bits = bytes.map((byte) => byte.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.lastIndexOf('1') + 1 : undefined;
}

/** 24 → `255.255.255.0`. */
export function prefixLengthToNetmask(prefixLength: number): string {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`an IPv4 prefix length is 0 to 32, not ${prefixLength}`);
  }
  return maskBytes(4, prefixLength).join('.');
}

function maskBytes(family: IpFamily, prefixLength: number): number[] {
  const size = family === 4 ? 4 : 16;
  return Array.from({ length: size }, (_, index) => {
    const bitsInByte = Math.min(8, Math.max(0, prefixLength - 8 * index));
    return (0xff << (8 - bitsInByte)) & 0xff;
  });
}

/**
 * Parses `ADDRESS`, `ADDRESS/LENGTH` or (IPv4) `ADDRESS/NETMASK`. A bare address is a host
 * prefix: /32 for IPv4, /128 for IPv6. Undefined if any part is invalid.
 */
export function parsePrefix(text: string): IpPrefix | undefined {
  const [addressText, lengthText, ...rest] = text.trim().split('/');
  if (rest.length) return undefined;
  const address = parseAddress(addressText);
  if (!address) return undefined;
  const max = maxPrefixLength(address.family);
  let prefixLength = max;
  if (lengthText !== undefined) {
    if (/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) prefixLength = Number(lengthText);
    else if (address.family === 4 && lengthText.includes('.')) prefixLength = netmaskToPrefixLength(lengthText) ?? -1;
    else return undefined;
    if (prefixLength < 0 || prefixLength > max) return undefined;
  }
  return { family: address.family, address: formatAddress(address), prefixLength };
}

/** `address/length`, e.g. `192.168.2.100/32`. */
export function formatPrefix(prefix: IpPrefix): string {
  return `${prefix.address}/${prefix.prefixLength}`;
}

/** The canonical `address/length` of any form parsePrefix accepts; undefined if invalid. */
export function canonicalPrefix(text: string): string | undefined {
  const prefix = parsePrefix(text);
  return prefix && formatPrefix(prefix);
}

/** The prefix with its host bits cleared: 192.168.2.100/24 → 192.168.2.0/24. */
export function networkOf(prefix: IpPrefix): IpPrefix {
  const address = parseAddress(prefix.address)!;
  const mask = maskBytes(prefix.family, prefix.prefixLength);
  const bytes = address.bytes.map((byte, index) => byte & mask[index]);
  return { ...prefix, address: formatAddress({ family: prefix.family, bytes }) };
}

/** True when the prefix has host bits set (192.168.2.5/24); routes must name the network. */
export function hasHostBits(prefix: IpPrefix): boolean {
  return networkOf(prefix).address !== prefix.address;
}

/** True when both prefixes have the same length and the same network (the kernel's subnet test). */
export function sameSubnet(a: IpPrefix, b: IpPrefix): boolean {
  return a.family === b.family && a.prefixLength === b.prefixLength && networkOf(a).address === networkOf(b).address;
}

/**
 * The broadcast address `ip addr add ... broadcast +` computes: all host bits set. iproute2
 * sets none for /31 and /32, and IPv6 has no broadcast, so those give undefined.
 */
export function computedBroadcast(prefix: IpPrefix): string | undefined {
  if (prefix.family !== 4 || prefix.prefixLength > 30) return undefined;
  const address = parseAddress(prefix.address)!;
  const mask = maskBytes(4, prefix.prefixLength);
  return address.bytes.map((byte, index) => (byte | ~mask[index]) & 0xff).join('.');
}

/** fe80::/10: a gateway there is only meaningful together with a device. */
export function isIpv6LinkLocal(address: string): boolean {
  const parsed = parseAddress(address);
  return parsed?.family === 6 && parsed.bytes[0] === 0xfe && (parsed.bytes[1] & 0xc0) === 0x80;
}
