/**
 * The shape of an IPVS virtual service and its real servers as task arguments: the schema
 * pieces, their checks and what they declare to the cluster checks. The ipvsadm task keeps
 * such a service with ipvsadm; the keepalived task has keepalived keep it. One shape, so a
 * service moves from one to the other by changing the task's name.
 */
import type { ArgumentSchema, ClusterService } from '../api';
import { canonicalAddress, ipFamily, type IpFamily } from '../net/ip-address';
import { DEFAULT_SCHEDULER, formatAddressPort, type Forwarding } from '../facts/ipvs';
import { SERVICE_PROPERTIES, serviceProblems, type ServiceArgs } from './ipvs-service';
import { IP_ADDRESS } from './patterns';

export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];
/** ipvsadm's MAX_TIMEOUT: 31 days. */
export const MAX_PERSISTENCE = 86400 * 31;

export interface RealServerArgs {
  address: string;
  port?: number;
  forwarding: Forwarding;
  weight: number;
}

export interface VirtualServiceArgs<Server extends RealServerArgs = RealServerArgs> extends ServiceArgs {
  scheduler: string;
  persistent?: number;
  real_servers: Server[];
}

/** The properties of one real server, for a schema's `items`. */
export const REAL_SERVER_PROPERTIES = {
  address: { type: 'string', pattern: IP_ADDRESS, description: 'The real server IP address (IPv4 or IPv6).' },
  port: {
    type: 'integer',
    minimum: 1,
    maximum: 65535,
    description: "The real server port; the service's port when not given, as ipvsadm does. Only nat forwarding may use a different one.",
  },
  forwarding: {
    type: 'string',
    enum: ['dr', 'nat', 'tun'],
    default: 'dr',
    description: 'How packets reach the real server: dr (direct routing, -g), nat (masquerading, -m) or tun (IPIP tunnel, -i).',
  },
  weight: {
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    default: 1,
    description: 'The scheduling weight; 0 quiesces the server (no new connections, existing ones go on).',
  },
} as const satisfies { [K in keyof RealServerArgs]-?: ArgumentSchema<NonNullable<RealServerArgs[K]>> };

/** The properties that name and schedule a service (its real servers are each task's own). */
export const VIRTUAL_SERVICE_PROPERTIES = {
  ...SERVICE_PROPERTIES,
  scheduler: { type: 'string', enum: SCHEDULERS, default: DEFAULT_SCHEDULER, description: 'The scheduling algorithm; its ip_vs_<scheduler> module is loaded.' },
  persistent: {
    type: 'integer',
    minimum: 1,
    maximum: MAX_PERSISTENCE,
    description: 'Makes the service persistent: a client keeps its real server for this many seconds after its last connection. Not persistent when not given.',
  },
} as const satisfies { [K in Exclude<keyof VirtualServiceArgs, 'real_servers'>]-?: ArgumentSchema<NonNullable<VirtualServiceArgs[K]>> };

/** A fwmark service has no address of its own: it is IPv6 when its real servers all are. */
export function fwmarkFamily(args: VirtualServiceArgs): IpFamily {
  const families = args.real_servers.map((server) => ipFamily(server.address));
  return families.length > 0 && families.every((family) => family === 6) ? 6 : 4;
}

/** The port the kernel will record: the service's when none is given (0 for fwmark services). */
export function effectivePort(args: VirtualServiceArgs, server: RealServerArgs): number {
  return server.port ?? (args.fwmark !== undefined ? 0 : (args.port ?? 0));
}

/** What is wrong with a service's arguments, each message starting with `prefix` and the key. */
export function virtualServiceProblems(args: VirtualServiceArgs, prefix = ''): string[] {
  const { problems, family: serviceFamily } = serviceProblems(args, prefix);
  if (args.fwmark === undefined && args.port === 0 && args.persistent === undefined) problems.push(`${prefix}port: 0 (every port) needs persistent, as ipvsadm requires`);
  problems.push(...realServerProblems(args, args.fwmark !== undefined ? fwmarkFamily(args) : serviceFamily, prefix));
  return problems;
}

function realServerProblems(args: VirtualServiceArgs, serviceFamily: IpFamily | undefined, prefix: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  args.real_servers.forEach((server, index) => {
    const key = `${prefix}real_servers.${index}`;
    const family = ipFamily(server.address);
    const address = canonicalAddress(server.address);
    if (!family || !address) {
      problems.push(`${key}.address: "${server.address}" is not an IPv4 or IPv6 address`);
      return;
    }
    if (serviceFamily && family !== serviceFamily && server.forwarding !== 'tun') {
      problems.push(`${key}.address: an IPv${serviceFamily} service can only reach an IPv${family} real server through a tunnel (forwarding: tun)`);
    }
    if (server.port !== undefined && server.forwarding !== 'nat') {
      if (args.fwmark !== undefined) {
        problems.push(`${key}.port: with forwarding ${server.forwarding} a fwmark service's packets keep their own port; only nat can set one`);
      } else if (server.port !== args.port) {
        // ipvsadm silently replaces a dr/tun real server's port with the service's port.
        problems.push(`${key}.port: only nat can map to a port other than the service's ${args.port}; dr and tun keep the packet's port`);
      }
    }
    const label = formatAddressPort(family, address, effectivePort(args, server));
    const first = seen.get(label);
    if (first !== undefined) problems.push(`${key}: ${label} is already ${prefix}real_servers.${first}`);
    else seen.set(label, index);
  });
  return problems;
}

/**
 * The service as the cluster checks see it, its argument paths under `prefix`; none for a
 * fwmark service, which has no VIP whose placement could be checked.
 */
export function clusterService(args: VirtualServiceArgs, prefix = ''): ClusterService[] {
  if (args.address === undefined || args.port === undefined) return [];
  return [
    {
      address: args.address,
      port: args.port,
      protocol: args.protocol,
      argument: `${prefix}address`,
      realServers: args.real_servers.map((server, index) => ({
        address: server.address,
        port: server.port,
        forwarding: server.forwarding,
        argument: `${prefix}real_servers.${index}.address`,
      })),
    },
  ];
}
