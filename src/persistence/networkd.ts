/**
 * systemd-networkd (systemd 252): a drop-in per item, `lvs-ITEM.conf` in the `.d` directory
 * of the `.network` file that networkd applies to the device, so the address or route is
 * added to that file's configuration without taking the device over. networkd applies one
 * `.network` file per device, and on a device it manages it removes addresses and routes no
 * `.network` file names (systemd-networkd(8); networkd.conf(5) ManageForeignRoutes=, on by
 * default): that is why the item must be in that file's configuration, not beside it.
 *
 * A device networkd leaves alone (lo, usually: no file matches it) gets lvs's own
 * `50-lvs-DEV.network` matching only that device, with KeepConfiguration=static so networkd
 * keeps the kernel's own addresses there (127.0.0.1/8 on lo) when it starts.
 */
import { basename } from 'node:path';
import type { Fact } from '../api';
import { parseRemoteFile, type RemoteFile } from '../facts/file';
import { formatPrefix } from '../net/ip-address';
import { sh } from '../shell/quote';
import { deviceWord, itemFileName } from './file-names';
import { describeItem, plainDevice, plainWord, type PersistedItem } from './item';

export const NETWORKD_DIRECTORY = '/etc/systemd/network';

export interface NetworkdPlacement {
  /** The `.network` file networkd applies to the device, from its state in /run/systemd/netif; undefined when it applies none. */
  networkFile?: string;
  /** lvs's drop-in for the item, where the applied (or lvs's own) `.network` file reads it. */
  dropInPath: string;
  dropIn: RemoteFile;
}

export function networkdOwnFile(device: string): string {
  return `${NETWORKD_DIRECTORY}/50-lvs-${deviceWord(device)}.network`;
}

export function networkdDropInPath(item: PersistedItem, networkFile: string | undefined): string {
  const owner = basename(networkFile ?? networkdOwnFile(item.device));
  return `${NETWORKD_DIRECTORY}/${owner}.d/${itemFileName(item)}.conf`;
}

/**
 * Which `.network` file networkd applies to the device (NETWORK_FILE= in its link state
 * file), and lvs's drop-in there, printed as remoteFile prints a file. Both in one command,
 * since the drop-in's path depends on the first.
 */
export function networkdPlacement(item: PersistedItem): Fact<NetworkdPlacement> {
  const own = networkdOwnFile(item.device);
  const name = `${itemFileName(item)}.conf`;
  return {
    command: sh`lvs_index=$(cat /sys/class/net/${item.device}/ifindex 2>/dev/null) && lvs_nf=$(sed -n 's/^NETWORK_FILE=//p' "/run/systemd/netif/links/$lvs_index" 2>/dev/null) || lvs_nf=
echo "$lvs_nf"
lvs_own=${own}
lvs_f=${NETWORKD_DIRECTORY}/$(basename -- "\${lvs_nf:-$lvs_own}").d/${name}
if [ -f "$lvs_f" ]; then stat -L -c '%a %U %G' -- "$lvs_f" && base64 -w0 -- "$lvs_f"
elif [ -e "$lvs_f" ]; then stat -L -c 'lvs-not-a-file %F' -- "$lvs_f"
else echo absent; fi`,
    parse(result) {
      const newline = result.stdout.indexOf('\n');
      const networkFile = result.stdout.slice(0, newline).trim() || undefined;
      return { networkFile, dropInPath: networkdDropInPath(item, networkFile), dropIn: parseRemoteFile({ ...result, stdout: result.stdout.slice(newline + 1) }) };
    },
  };
}

/** lvs's own `.network` file for a device no other file matches. */
export function networkdOwnFileContent(device: string): string {
  return [
    `# Written by lvs: networkd applied no .network file to ${plainDevice(device, 'a .network file')}.`,
    '[Match]',
    `Name=${device}`,
    '',
    '[Network]',
    'KeepConfiguration=static',
    '',
    '[Link]',
    'RequiredForOnline=no',
    '',
  ].join('\n');
}

/** The drop-in that adds `item` to the device's `.network` configuration. */
export function networkdDropIn(item: PersistedItem): string {
  const word = (value: string) => plainWord(value, 'a networkd drop-in');
  plainDevice(item.device, 'a networkd drop-in');
  const lines = [`# Written by lvs: ${describeItem(item)}.`];
  if (item.kind === 'address') {
    lines.push('[Address]', `Address=${word(formatPrefix(item.prefix))}`);
    if (item.label !== undefined) lines.push(`Label=${plainDevice(item.label, 'a networkd drop-in')}`);
    // networkd computes a broadcast by default; `ip addr add` without one sets none.
    if (item.prefix.family === 4) lines.push(`Broadcast=${item.broadcastAddress === undefined ? 'no' : word(item.broadcastAddress)}`);
  } else if (item.kind === 'route') {
    lines.push('[Route]', `Destination=${word(item.destination)}`);
    if (item.gateway !== undefined) lines.push(`Gateway=${word(item.gateway)}`);
    // A route straight onto the device is scope link, as `ip route` makes it.
    else lines.push('Scope=link');
    if (item.metric !== undefined) lines.push(`Metric=${item.metric}`);
  } else {
    lines.push('[Link]', `ActivationPolicy=${item.up ? 'up' : 'down'}`);
  }
  return [...lines, ''].join('\n');
}
