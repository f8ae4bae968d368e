/**
 * A route in the main table, with iproute2. The destination is compared in canonical form
 * (`default` = 0.0.0.0/0, a bare address = a /32 or /128 host route). Without a metric the
 * task owns every route to that destination: it writes its route with `ip route replace`
 * (atomic, so a default route is swapped rather than doubled) and deletes the others. With a
 * metric it only touches the route of that metric, leaving fallbacks of other metrics alone.
 */
import { defineTask, noop, type Fact, type Plan, type PlannedCommand } from '../api';
import { interfaces, type NetworkInterface } from '../facts/ip-addr';
import { canonicalAddress, formatPrefix, hasHostBits, ipFamily, isIpv6LinkLocal, networkOf, parsePrefix, sameSubnet, type IpFamily } from '../net/ip-address';
import { defaultDestination, describeRoute, destinationText, familyFlag, routes, routeWords, type Route } from '../facts/ip-route';
import { sh } from '../shell/quote';
import { deleteRoute } from '../changes/route';
import { DEVICE_OR_LABEL, IP_ADDRESS, ROUTE_DESTINATION } from './patterns';
import type { PersistedRoute } from '../persistence/item';
import { PERSIST_PROPERTIES, persistFacts, persistPlan, persistProblems, withPersistence, type PersistArgs, type PersistFacts } from '../persistence/persist';

interface RouteArgs extends PersistArgs {
  dest: string;
  via?: string;
  dev?: string;
  metric?: number;
  state: 'present' | 'absent';
}

type RouteFacts = { routes: Fact<Route[]>; interfaces: Fact<NetworkInterface[]> } & PersistFacts;

interface WantedRoute {
  family: IpFamily;
  destination: string;
  gateway?: string;
  dev?: string;
  metric?: number;
}

/** What the arguments ask for, in the form the route fact has. Assumes validate() passed. */
function wantedRoute(args: RouteArgs): WantedRoute {
  const gateway = args.via === undefined ? undefined : canonicalAddress(args.via);
  const family: IpFamily = args.dest === 'default' ? (gateway && ipFamily(gateway)) || 4 : parsePrefix(args.dest)!.family;
  const destination = args.dest === 'default' ? defaultDestination(family) : formatPrefix(parsePrefix(args.dest)!);
  // `dev lo:0` (as in `route add -host VIP dev lo:0`) names an address label; routes use the device.
  const dev = args.dev?.split(':')[0];
  return { family, destination, gateway, dev, metric: args.metric };
}

export default defineTask<RouteArgs, RouteFacts>({
  name: 'route',
  description: 'Puts a route into the main routing table (replacing other routes to the same destination), or removes it.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['dest'],
    properties: {
      dest: {
        type: 'string',
        pattern: ROUTE_DESTINATION,
        description:
          'The destination: default (the same as 0.0.0.0/0), a network such as 172.16.0.0/16, or a bare address for a host route (a /32, /128 for IPv6).',
      },
      via: {
        type: 'string',
        pattern: IP_ADDRESS,
        description: 'The gateway. An IPv6 via makes default an IPv6 default route. Leave it out for a route straight onto dev.',
      },
      dev: {
        type: 'string',
        pattern: DEVICE_OR_LABEL,
        description: 'The device. A label such as lo:0 stands for its device (lo), as in the old `route add -host VIP dev lo:0`.',
      },
      metric: {
        type: 'integer',
        minimum: 0,
        maximum: 4294967295,
        description: 'The metric (priority). When given, only the route with this metric is managed; routes of other metrics stay.',
      },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'present adds or replaces the route; absent deletes the routes to dest that match via, dev and metric where given.',
      },
      ...PERSIST_PROPERTIES,
    },
    if: { properties: { state: { const: 'absent' } }, required: ['state'] },
    else: { anyOf: [{ required: ['via'] }, { required: ['dev'] }] },
  },
  example: { dest: '192.168.2.100', dev: 'lo', state: 'present', persist: true },

  validate(args) {
    const problems: string[] = [];
    const prefix = args.dest === 'default' ? undefined : parsePrefix(args.dest);
    if (args.dest !== 'default' && !prefix) problems.push(`dest: ${args.dest} is not default, an IP address or a prefix`);
    if (prefix && hasHostBits(prefix)) {
      problems.push(`dest: ${args.dest} has host bits set; the network is ${formatPrefix(networkOf(prefix))}`);
    }
    if (args.via !== undefined) {
      const family = ipFamily(args.via);
      if (!family) problems.push(`via: ${args.via} is not an IP address`);
      else if (prefix && prefix.family !== family) problems.push(`via: ${args.via} is IPv${family} but dest ${args.dest} is IPv${prefix.family}`);
      if (isIpv6LinkLocal(args.via) && args.dev === undefined) problems.push(`dev: required with the link-local gateway ${args.via}`);
    }
    return [...problems, ...persistProblems(args)];
  },

  facts(args) {
    const wanted = wantedRoute(args);
    return { routes: routes(wanted.family), interfaces: interfaces(), ...persistFacts(args, persistedRoute(wanted, wanted.dev ?? ''), wanted.dev !== undefined) };
  },

  plan(args, facts) {
    const wanted = wantedRoute(args);
    const live = livePlan(args, wanted, facts.routes, facts.interfaces);
    if (!args.persist) return live;
    const present = args.state === 'present';
    // Only a kept route needs its device; removing a file is the same whatever the device was.
    const device = wanted.dev ?? (present ? gatewayDevice(wanted, facts.routes) : '');
    return withPersistence(live, persistPlan(args, persistedRoute(wanted, device), present, facts));
  },

  cluster: (args) => ({
    routes: [
      {
        destination: args.dest,
        via: args.via,
        device: wantedRoute(args).dev,
        present: args.state === 'present',
        persist: args.persist,
        argument: args.via !== undefined ? 'via' : args.dev !== undefined ? 'dev' : 'dest',
      },
    ],
  }),
});

function persistedRoute(wanted: WantedRoute, device: string): PersistedRoute {
  return { kind: 'route', family: wanted.family, destination: wanted.destination, gateway: wanted.gateway, device, metric: wanted.metric };
}

/**
 * The device a route given only `via` leaves by: the device of the most specific route in
 * table main that reaches the gateway directly, as the kernel picks it.
 */
function gatewayDevice(wanted: WantedRoute, table: Route[]): string {
  const gateway = parsePrefix(wanted.gateway!)!;
  const reaching = table
    .filter((route) => route.dev !== undefined && route.gateway === undefined && !route.destination.endsWith('/0'))
    .map((route) => ({ route, prefix: parsePrefix(route.destination)! }))
    .filter(({ prefix }) => prefix.family === gateway.family && sameSubnet({ ...gateway, prefixLength: prefix.prefixLength }, prefix))
    .sort((a, b) => b.prefix.prefixLength - a.prefix.prefixLength);
  if (!reaching.length) throw new Error(`no route in table main reaches the gateway ${wanted.gateway} directly, so the device to persist the route on is unknown: give dev`);
  return reaching[0].route.dev!;
}

function livePlan(args: RouteArgs, wanted: WantedRoute, table: Route[], interfaceList: NetworkInterface[]): Plan {
  const toDestination = table.filter((route) => route.destination === wanted.destination);
  const subject = `route ${destinationText(wanted.destination)}`;
  const before = toDestination.map(describeRoute).join('\n') || null;

  if (args.state === 'absent') {
    const doomed = toDestination.filter(
      (route) =>
        (wanted.gateway === undefined || route.gateway === wanted.gateway) &&
        (wanted.dev === undefined || route.dev === wanted.dev) &&
        (wanted.metric === undefined || route.metric === wanted.metric),
    );
    if (!doomed.length) return noop(`no route ${routeWords(wanted).join(' ')} in table main`);
    const left = toDestination.filter((route) => !doomed.includes(route));
    return {
      changes: [{ subject, before, after: left.map(describeRoute).join('\n') || null }],
      commands: doomed.map((route) => ({ run: deleteRoute(route) })),
    };
  }

  if (wanted.dev && !interfaceList.some((device) => device.name === wanted.dev)) throw new Error(`device ${wanted.dev} does not exist`);
  const isWanted = (route: Route) =>
    route.type === 'unicast' &&
    route.nexthops.length === 0 &&
    route.gateway === wanted.gateway &&
    (wanted.dev === undefined || route.dev === wanted.dev) &&
    (wanted.metric === undefined || route.metric === wanted.metric);
  const kept = toDestination.filter(isWanted);
  const rivals = toDestination.filter((route) => !isWanted(route) && (wanted.metric === undefined || route.metric === wanted.metric));
  if (kept.length && !rivals.length) return noop(`${kept.map(describeRoute).join(', ')} is in table main`);

  const commands: PlannedCommand[] = [];
  let replaced: Route | undefined;
  if (!kept.length) {
    commands.push({ run: sh`ip ${familyFlag(wanted.family)} route replace ${routeWords(wanted)}` });
    // replace overwrites the route of the same metric (the kernel's default when none is given).
    const effectiveMetric = wanted.metric ?? (wanted.family === 4 ? 0 : 1024);
    replaced = rivals.find((route) => route.metric === effectiveMetric);
  }
  for (const rival of rivals) if (rival !== replaced) commands.push({ run: deleteRoute(rival) });
  const after = kept.length ? kept.map(describeRoute).join('\n') : routeWords(wanted).join(' ');
  return { changes: [{ subject, before, after }], commands };
}
