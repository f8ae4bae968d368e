/**
 * How a task names one IPVS virtual service: `protocol` with `address` and `port`, or a
 * `fwmark`. The tasks that keep a service (ipvsadm, keepalived: see virtual-service.ts) and
 * ipvs_member (which changes one of its real servers) share these arguments, their checks
 * and their reading as a ServiceKey.
 */
import type { ArgumentSchema } from '../api';
import type { IpvsProtocol, ServiceKey } from '../facts/ipvs';
import { canonicalAddress, ipFamily, type IpFamily } from '../net/ip-address';
import { IP_ADDRESS } from './patterns';

export interface ServiceArgs {
  protocol: IpvsProtocol;
  address?: string;
  port?: number;
  fwmark?: number;
}

/** The schema properties that name the service. */
export const SERVICE_PROPERTIES: { [K in keyof ServiceArgs]-?: ArgumentSchema<Exclude<ServiceArgs[K], undefined>> } = {
  protocol: {
    type: 'string',
    enum: ['tcp', 'udp', 'sctp'],
    default: 'tcp',
    description: 'The protocol of an address:port service (ignored for a fwmark service).',
  },
  address: {
    type: 'string',
    pattern: IP_ADDRESS,
    description: 'The virtual IP address (IPv4 or IPv6) of the service; give it with port, or give fwmark instead.',
  },
  port: { type: 'integer', minimum: 0, maximum: 65535, description: 'The service port; 0 means every port and needs persistent.' },
  fwmark: {
    type: 'integer',
    minimum: 1,
    maximum: 4294967295,
    description: 'A firewall mark that identifies the service instead of address and port; the service is IPv6 when all its real servers are IPv6 addresses.',
  },
};

/**
 * What is wrong with how the arguments name the service, each message starting with
 * `prefix` and the key; `family` is the service's address family when it has an address.
 */
export function serviceProblems(args: ServiceArgs, prefix = ''): { problems: string[]; family?: IpFamily } {
  const problems: string[] = [];
  if (args.fwmark !== undefined) {
    if (args.address !== undefined || args.port !== undefined) problems.push(`${prefix}fwmark: identifies the service on its own; leave out address and port`);
    return { problems };
  }
  let family: IpFamily | undefined;
  if (args.address === undefined) problems.push(`${prefix}address: is required unless fwmark is given`);
  else {
    family = ipFamily(args.address);
    if (!family) problems.push(`${prefix}address: "${args.address}" is not an IPv4 or IPv6 address`);
  }
  if (args.port === undefined) problems.push(`${prefix}port: is required unless fwmark is given`);
  return { problems, ...(family ? { family } : {}) };
}

/** The service the (validated) arguments name; a fwmark service's family comes from its real servers. */
export function serviceKeyOf(args: ServiceArgs, fwmarkFamily: IpFamily): ServiceKey {
  if (args.fwmark !== undefined) return { kind: 'fwmark', fwmark: args.fwmark, family: fwmarkFamily };
  const family = ipFamily(args.address ?? '');
  const address = canonicalAddress(args.address ?? '');
  if (!family || !address || args.port === undefined) throw new Error('address and port were not validated');
  return { kind: 'address', protocol: args.protocol, family, address, port: args.port };
}
