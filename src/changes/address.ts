/** Adding an address with iproute2: the live command and the line a boot-time stack replays. */
import { formatPrefix, type IpPrefix } from '../net/ip-address';

export interface AddressToAdd {
  prefix: IpPrefix;
  device: string;
  label?: string;
  /** `+` or an address, as iproute2 takes it. */
  broadcast?: string;
}

/** The words after `ip addr add`: `192.168.2.100/32 dev lo label lo:0`. */
export function addAddressWords(address: AddressToAdd): string[] {
  const words = [formatPrefix(address.prefix), 'dev', address.device];
  if (address.label !== undefined) words.push('label', address.label);
  if (address.broadcast !== undefined) words.push('broadcast', address.broadcast);
  return words;
}
