/**
 * NetworkManager keyfiles (nm-settings-keyfile(5)): NetworkManager activates one profile
 * per device and has no drop-ins for profiles, so lvs keeps a profile of its own per device,
 * /etc/NetworkManager/system-connections/lvs-DEV.nmconnection, holding every address and
 * route lvs keeps there (addressN=, routeN= in [ipv4] and [ipv6]). It is meant for a device
 * no other profile holds: lo (NetworkManager manages lo since 1.42), a dedicated NIC.
 * A keyfile has no address labels and no setting for a device's state alone: lvs refuses those.
 * NetworkManager ignores a keyfile that others can read, so it is written with mode 0600.
 */
import { createHash } from 'node:crypto';
import { formatPrefix } from '../net/ip-address';
import { deviceWord } from './file-names';
import { plainDevice, plainWord, type PersistedItem } from './item';

export const NM_DIRECTORY = '/etc/NetworkManager/system-connections';

export function nmKeyfilePath(device: string): string {
  return `${NM_DIRECTORY}/lvs-${deviceWord(device)}.nmconnection`;
}

/** The entries lvs keeps in a profile, per family: address and route values as the keyfile spells them. */
export interface NmEntries {
  ipv4: { addresses: string[]; routes: string[] };
  ipv6: { addresses: string[]; routes: string[] };
}

/** Reads the addressN= and routeN= entries of a keyfile, in N order. */
export function parseNmKeyfile(content: string): NmEntries {
  const entries: NmEntries = { ipv4: { addresses: [], routes: [] }, ipv6: { addresses: [], routes: [] } };
  const numbered: Record<string, [number, string][]> = {};
  let section = '';
  for (const raw of content.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1];
    const entry = /^(address|route)(\d+)=(.*)$/.exec(line);
    if (entry && (section === 'ipv4' || section === 'ipv6')) (numbered[`${section} ${entry[1]}`] ??= []).push([Number(entry[2]), entry[3]]);
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const kind of ['address', 'route'] as const) {
      const sorted = (numbered[`${family} ${kind}`] ?? []).sort((a, b) => a[0] - b[0]).map(([, value]) => value);
      entries[family][kind === 'address' ? 'addresses' : 'routes'] = sorted;
    }
  }
  return entries;
}

function refuse(item: PersistedItem): void {
  if (item.kind === 'link') throw new Error(`a NetworkManager keyfile has no setting for ${item.device}'s state alone: use persist: false, or persist_with another stack`);
  if (item.kind === 'address' && item.label !== undefined && item.label !== item.device) {
    throw new Error(`a NetworkManager keyfile has no address labels (${item.label}): leave label out, or use persist: false`);
  }
  if (item.kind === 'address' && item.broadcast !== undefined) throw new Error('a NetworkManager keyfile has no broadcast setting: leave broadcast out, or use persist: false');
}

/** An entry's value and what identifies it (an address whatever its prefix; a route by destination and metric). */
function entryOf(item: PersistedItem): { family: 'ipv4' | 'ipv6'; kind: 'addresses' | 'routes'; value: string; sameAs: (value: string) => boolean } {
  if (item.kind === 'address') {
    const value = plainWord(formatPrefix(item.prefix), 'a NetworkManager keyfile');
    return { family: item.prefix.family === 4 ? 'ipv4' : 'ipv6', kind: 'addresses', value, sameAs: (other) => other.split('/')[0] === item.prefix.address };
  }
  if (item.kind === 'link') throw new Error('unreachable');
  const family = item.family === 4 ? 'ipv4' : 'ipv6';
  const noGateway = item.family === 4 ? '0.0.0.0' : '::';
  const parts = [item.destination, item.gateway ?? (item.metric === undefined ? undefined : noGateway), item.metric === undefined ? undefined : String(item.metric)];
  const value = parts.filter((part): part is string => part !== undefined).map((part) => plainWord(part, 'a NetworkManager keyfile')).join(',');
  const sameAs = (other: string) => {
    const [destination, , metric] = other.split(',');
    return destination === item.destination && (item.metric === undefined || metric === String(item.metric));
  };
  return { family, kind: 'routes', value, sameAs };
}

/** The profile's content with `item` kept (present) or dropped; null when nothing is left to keep. */
export function nmKeyfileContent(item: PersistedItem, present: boolean, current: string | null): string | null {
  refuse(item);
  const entries = parseNmKeyfile(current ?? '');
  const entry = entryOf(item);
  const list = entries[entry.family][entry.kind];
  const index = list.findIndex(entry.sameAs);
  const kept = list.filter((value) => !entry.sameAs(value));
  if (present) kept.splice(index >= 0 ? index : kept.length, 0, entry.value);
  entries[entry.family][entry.kind] = kept;
  const empty = (['ipv4', 'ipv6'] as const).every((family) => !entries[family].addresses.length && !entries[family].routes.length);
  return empty ? null : renderNmKeyfile(item.device, entries);
}

function renderNmKeyfile(device: string, entries: NmEntries): string {
  const id = `lvs-${deviceWord(device)}`;
  const hash = createHash('sha256').update(id).digest('hex');
  // A fixed UUID per profile (version 4 layout), so rewriting the file never makes a new profile.
  const uuid = `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-8${hash.slice(17, 20)}-${hash.slice(20, 32)}`;
  const lines = ['# Written by lvs: what lvs keeps on this device.', '[connection]', `id=${id}`, `uuid=${uuid}`, `type=${device === 'lo' ? 'loopback' : 'ethernet'}`];
  lines.push(`interface-name=${plainDevice(device, 'a NetworkManager keyfile')}`, 'autoconnect=true');
  for (const family of ['ipv4', 'ipv6'] as const) {
    const { addresses, routes } = entries[family];
    lines.push('', `[${family}]`);
    lines.push(`method=${addresses.length || routes.length ? 'manual' : family === 'ipv4' ? 'disabled' : 'ignore'}`);
    addresses.forEach((value, index) => lines.push(`address${index + 1}=${value}`));
    routes.forEach((value, index) => lines.push(`route${index + 1}=${value}`));
  }
  return [...lines, ''].join('\n');
}
