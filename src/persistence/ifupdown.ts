/**
 * Debian's ifupdown: one file per item in /etc/network/interfaces.d/, which Debian's
 * /etc/network/interfaces sources, each a `manual` stanza whose `up` line is the very
 * command lvs ran live (and `down` its undo), marked `auto` so networking.service's
 * `ifup -a` runs it at boot.
 *
 * Why not `iface lo:0 inet static`: ifupdown 0.8's static method (inet.defn) does add
 * `label %iface%`, but it always sets a broadcast too, `+` by default and the address
 * itself for a /32 (checked with `ifup -n -v`), so the address after a boot would not be
 * the one lvs set. interfaces(5) allows several stanzas for one interface, which is what
 * lets these files sit beside the host's own `iface eth0 ...`.
 *
 * Routes have no stanza of their own: they ride on a stanza of their device, so `ifup DEV`
 * adds them after the device is up. Files are read in name order, and lvs-addr-* sorts
 * before lvs-link-* and lvs-route-*, so an lvs-kept address is there before a route through it.
 */
import { familyFlag, routeWords } from '../facts/ip-route';
import { addAddressWords } from '../changes/address';
import { formatPrefix } from '../net/ip-address';
import { itemFileName } from './file-names';
import { describeItem, plainDevice, plainWord, type PersistedItem } from './item';

export const IFUPDOWN_DIRECTORY = '/etc/network/interfaces.d';

export function ifupdownPath(item: PersistedItem): string {
  return `${IFUPDOWN_DIRECTORY}/${itemFileName(item)}`;
}

/** The stanza that brings `item` back at boot. */
export function ifupdownStanza(item: PersistedItem): string {
  const line = (words: string[]) => words.map((word) => plainWord(word, 'an ifupdown stanza')).join(' ');
  let iface: string;
  let family = 'inet';
  const commands: string[] = [];
  if (item.kind === 'address') {
    iface = item.label ?? item.device;
    if (item.prefix.family === 6) family = 'inet6';
    commands.push(`up ${line(['ip', 'addr', 'add', ...addAddressWords(item)])}`);
    commands.push(`down ${line(['ip', 'addr', 'del', formatPrefix(item.prefix), 'dev', item.device])}`);
  } else if (item.kind === 'route') {
    iface = item.device;
    if (item.family === 6) family = 'inet6';
    const words = routeWords({ destination: item.destination, gateway: item.gateway, dev: item.device, metric: item.metric });
    commands.push(`up ${line(['ip', familyFlag(item.family), 'route', 'replace', ...words])}`);
    commands.push(`down ${line(['ip', familyFlag(item.family), 'route', 'del', ...words])}`);
  } else {
    iface = item.device;
    commands.push(`up ${line(['ip', 'link', 'set', 'dev', item.device, item.up ? 'up' : 'down'])}`);
  }
  plainDevice(iface, 'an ifupdown stanza');
  plainDevice(item.device, 'an ifupdown stanza');
  return [`# Written by lvs: ${describeItem(item)}.`, `auto ${iface}`, `iface ${iface} ${family} manual`, ...commands.map((command) => `    ${command}`), ''].join('\n');
}

