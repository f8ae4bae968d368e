/**
 * The main routing table of one address family, from `ip -j -4|-6 route show table main`,
 * with destinations in canonical form (`default` is 0.0.0.0/0 or ::/0, a host route is
 * /32 or /128), and the commands that delete exactly one such route.
 */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';
import { canonicalAddress, canonicalPrefix, type IpFamily } from '../net/ip-address';
import { parseIpJson } from './ip-json';

export interface Nexthop {
  gateway?: string;
  dev?: string;
}

export interface Route {
  family: IpFamily;
  /** Canonical prefix: `10.0.0.0/8`, `192.168.2.100/32`, `0.0.0.0/0` for the default route. */
  destination: string;
  /** `unicast` unless ip printed another type (blackhole, unreachable, prohibit, ...). */
  type: string;
  gateway?: string;
  dev?: string;
  /** The kernel's priority; ip omits it for IPv4 routes that have 0. */
  metric: number;
  /** A multipath route has its gateways here and no gateway/dev of its own. */
  nexthops: Nexthop[];
}

export function familyFlag(family: IpFamily): '-4' | '-6' {
  return family === 4 ? '-4' : '-6';
}

export function defaultDestination(family: IpFamily): string {
  return family === 4 ? '0.0.0.0/0' : '::/0';
}

export function routes(family: IpFamily): Fact<Route[]> {
  return {
    command: sh`ip -j ${familyFlag(family)} route show table main`,
    parse: (result) => parseRoutes(result, family),
  };
}

export function parseRoutes(result: CommandResult, family: IpFamily): Route[] {
  return parseIpJson(result, `the IPv${family} routing table`).flatMap((entry): Route[] => {
    const raw = entry as { dst?: unknown; type?: unknown; gateway?: unknown; dev?: unknown; metric?: unknown; nexthops?: unknown };
    const destination = raw.dst === 'default' ? defaultDestination(family) : typeof raw.dst === 'string' ? canonicalPrefix(raw.dst) : undefined;
    if (!destination) return [];
    const route: Route = {
      family,
      destination,
      type: typeof raw.type === 'string' ? raw.type : 'unicast',
      metric: typeof raw.metric === 'number' ? raw.metric : 0,
      nexthops: Array.isArray(raw.nexthops) ? raw.nexthops.map(parseNexthop) : [],
    };
    Object.assign(route, parseNexthop(raw));
    return [route];
  });
}

function parseNexthop(entry: unknown): Nexthop {
  const raw = entry as { gateway?: unknown; dev?: unknown };
  const nexthop: Nexthop = {};
  const gateway = typeof raw.gateway === 'string' ? canonicalAddress(raw.gateway) : undefined;
  if (gateway) nexthop.gateway = gateway;
  if (typeof raw.dev === 'string') nexthop.dev = raw.dev;
  return nexthop;
}

/** `default` for a /0, the canonical prefix otherwise. */
export function destinationText(destination: string): string {
  return destination.endsWith('/0') ? 'default' : destination;
}

/** The words after `ip route add|replace|del` that name the route, as iproute2 expects them. */
export function routeWords(route: Pick<Route, 'destination' | 'gateway' | 'dev'> & { type?: string; metric?: number }): string[] {
  const words = route.type && route.type !== 'unicast' ? [route.type] : [];
  words.push(destinationText(route.destination));
  if (route.gateway) words.push('via', route.gateway);
  if (route.dev) words.push('dev', route.dev);
  if (route.metric !== undefined) words.push('metric', String(route.metric));
  return words;
}

/** One line for diffs and messages: `default via 10.0.0.1 dev eth0 metric 100`. */
export function describeRoute(route: Route): string {
  // ip itself leaves out metric 0.
  const words = routeWords({ ...route, metric: route.metric === 0 ? undefined : route.metric });
  const nexthops = route.nexthops.map((nexthop) => `nexthop${nexthop.gateway ? ` via ${nexthop.gateway}` : ''}${nexthop.dev ? ` dev ${nexthop.dev}` : ''}`);
  return [...words, ...nexthops].join(' ');
}

