/**
 * A comma-separated host list given in place of an inventory file: `-i 'web1,10.0.0.6,'`.
 * Like Ansible, a source is a host list when it holds a comma and names no existing path,
 * each entry may carry a port (`10.0.0.5:2222`, `[2001:db8::1]:2222`) and every host lands in
 * 'ungrouped'. lvs also reads `user@host`, which Ansible does not, into `ansible_user`.
 */
import { InputError } from '../../errors';
import { parseAddress } from './address';
import type { InventoryBuilder } from './builder';
import { withPositionMap } from '../variable-positions';

export function isHostList(source: string): boolean {
  return source.includes(',');
}

export function parseHostList(source: string, builder: InventoryBuilder): void {
  let column = 1;
  for (const rawEntry of source.split(',')) {
    const entry = rawEntry.trim();
    const entryColumn = column + rawEntry.indexOf(entry);
    column += rawEntry.length + 1;
    if (!entry) continue;
    const at = entry.lastIndexOf('@');
    const user = at < 0 ? undefined : entry.slice(0, at);
    const address = parseAddress(entry.slice(at + 1), false);
    const position = { file: source, line: 1, column: entryColumn };
    if (!address || user === '') {
      throw new InputError(`'${entry}' is not a host, [user@]host[:port] or [user@][ipv6]:port`, position, entry);
    }
    const vars = {
      ...(user === undefined ? {} : { ansible_user: user }),
      ...(address.port === undefined ? {} : { ansible_port: address.port }),
    };
    builder.addHost(address.host, 'ungrouped').varLayers.push(withPositionMap(vars, new Map(Object.keys(vars).map((key) => [key, position]))));
  }
}
