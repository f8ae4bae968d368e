/**
 * File names for persisted items that every stack accepts: ifupdown's `source-directory`
 * reads only names of [A-Za-z0-9_-] (interfaces(5)), so nothing else goes in. The mapping is
 * one-to-one, so two items never share a file by accident:
 * - a device keeps letters and digits, and writes any other character as `_` and its hex
 *   code (eth0.100 -> eth0_2e100), so it holds no `-` and the next `-` ends it;
 * - an address or prefix is canonical (src/net): `.` and `:` become `-`, `/` becomes `_`.
 *   An IPv4 address has exactly three dashes; a canonical IPv6 one with fewer than seven
 *   groups has `::`, so `--`; the two never meet.
 */
import type { PersistedItem } from './item';

export function deviceWord(device: string): string {
  return device.replace(/[^A-Za-z0-9]/g, (character) => `_${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function addressWord(canonical: string): string {
  return canonical.replace(/[.:]/g, '-').replace('/', '_');
}

/** lvs-addr-lo-192-168-2-100, lvs-route-0-0-0-0_0, lvs-route-10-0-0-0_8-metric100, lvs-link-tunl0. */
export function itemFileName(item: PersistedItem): string {
  if (item.kind === 'address') return `lvs-addr-${deviceWord(item.device)}-${addressWord(item.prefix.address)}`;
  if (item.kind === 'route') return `lvs-route-${addressWord(item.destination)}${item.metric === undefined ? '' : `-metric${item.metric}`}`;
  return `lvs-link-${deviceWord(item.device)}`;
}
