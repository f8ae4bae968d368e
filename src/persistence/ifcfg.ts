/**
 * RHEL's network-scripts (initscripts' ifup, and NetworkManager's ifcfg-rh plugin):
 * - an address is an alias file, ifcfg-DEV:N (DEVICE, IPADDR, PREFIX, ONBOOT), the classic
 *   form of an LVS-DR real server's VIP; a device's own file ifcfg-DEV belongs to the host's
 *   setup, so an address without an alias label is refused, as is IPv6 (alias files are IPv4);
 * - routes go into route-DEV (route6-DEV for IPv6), one route per line in `ip route` form,
 *   shared with whatever else is there: lvs replaces or drops its own line and keeps the rest.
 * - a device's state alone has no ifcfg setting: refused.
 */
import { destinationText } from '../facts/ip-route';
import { plainDevice, plainWord, type PersistedItem } from './item';

export const IFCFG_DIRECTORY = '/etc/sysconfig/network-scripts';

export function ifcfgPath(item: PersistedItem): string {
  if (item.kind === 'link') throw new Error(`ifcfg files have no setting for ${item.device}'s state alone: use persist: false, or persist_with another stack`);
  if (item.kind === 'address') {
    if (item.prefix.family === 6) throw new Error('ifcfg alias files carry IPv4 addresses only: use persist: false, or persist_with another stack');
    if (item.label === undefined || !item.label.includes(':')) {
      throw new Error(`ifcfg keeps ${item.device}'s own addresses in ifcfg-${item.device}, which lvs does not take over: give the address a label (${item.device}:0), or use persist: false`);
    }
    return `${IFCFG_DIRECTORY}/ifcfg-${plainDevice(item.label, 'an ifcfg file name')}`;
  }
  return `${IFCFG_DIRECTORY}/${item.family === 4 ? 'route' : 'route6'}-${plainDevice(item.device, 'an ifcfg file name')}`;
}

/** The alias file's content (address) or the route file with lvs's line kept or dropped; null when the file should not exist. */
export function ifcfgContent(item: PersistedItem, present: boolean, current: string | null): string | null {
  const word = (value: string) => plainWord(value, 'an ifcfg file');
  if (item.kind === 'address') {
    if (!present) return null;
    const lines = ['# Written by lvs.', `DEVICE=${plainDevice(item.label!, 'an ifcfg file')}`, `IPADDR=${word(item.prefix.address)}`, `PREFIX=${item.prefix.prefixLength}`];
    if (item.broadcastAddress !== undefined) lines.push(`BROADCAST=${word(item.broadcastAddress)}`);
    return [...lines, 'ONBOOT=yes', ''].join('\n');
  }
  if (item.kind === 'link') throw new Error('unreachable');
  const destination = destinationText(item.destination);
  const wanted = [destination, ...(item.gateway ? ['via', item.gateway] : []), 'dev', item.device, ...(item.metric === undefined ? [] : ['metric', String(item.metric)])];
  const line = wanted.map(word).join(' ');
  const lines = parseRouteFile(current ?? '');
  const isOurs = (candidate: string) => {
    const words = candidate.trim().split(/\s+/);
    if (words[0] !== destination && !(destination === 'default' && ['0.0.0.0/0', '::/0'].includes(words[0]))) return false;
    const metric = words[words.indexOf('metric') + 1];
    return item.metric === undefined ? !words.includes('metric') : metric === String(item.metric);
  };
  const index = lines.findIndex(isOurs);
  const kept = lines.filter((candidate) => !isOurs(candidate));
  if (present) kept.splice(index >= 0 ? index : kept.length, 0, line);
  return kept.some((candidate) => candidate.trim() && !candidate.trim().startsWith('#')) ? `${kept.join('\n')}\n` : null;
}

/** The lines of a route file (comments kept, blank trailing lines dropped). */
export function parseRouteFile(content: string): string[] {
  const lines = content.split('\n');
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  return lines;
}
