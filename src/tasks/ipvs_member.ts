/**
 * One real server of one IPVS virtual service, as a rolling update needs it: its weight
 * (0 drains it: no new connections, the ones it has go on), a wait until it is idle, and a
 * ramp back up. It only changes the weight: deleting a server that still has connections
 * drops them (kubernetes#57841), and with expire_nodest_conn resets them (kubernetes#81775).
 * It adds and removes no server: the ipvsadm or keepalived task does that.
 *
 * Idle means that the director's connection entries for the server are all finished TCP or
 * SCTP connections (TIME_WAIT, CLOSE) and its ActiveConn is 0. Any UDP entry or persistence
 * template counts as traffic: a UDP server's ActiveConn is always 0 (kubernetes#71514), and a
 * template sends its client back to the server until it expires. With
 * net.ipv4.vs.expire_quiescent_template at 0 (the kernel's default) a template keeps doing
 * that even at weight 0, so the drain of a persistent service warns unless it is 1.
 *
 * The table's owner decides where the weight is (ipvs-member-owners.ts): with ipvsadm (lvs
 * keeps the table with the ipvsadm task) it is changed with `ipvsadm -e`; with keepalived it
 * is the server's weight line in keepalived.conf, changed there and applied by a reload, on
 * each director of the pair (keepalived sets its config's weight again whenever a server's
 * check recovers and at every reload, so a weight set in the table alone would not stay).
 */
import { defineTask, noop, type Change, type Fact, type Plan, type PlannedCommand } from '../api';
import { remoteFile, type RemoteFile } from '../facts/file';
import { ipvsState, parseAddressPort, realServerLabel, sameServiceKey, serviceLabel, type IpvsState, type RealServer, type ServiceKey, type VirtualService } from '../facts/ipvs';
import { serviceStatus, type ServiceStatus } from '../facts/service';
import { KEEPALIVED_CONFIG, KEEPALIVED_SERVICE } from '../keepalived/host';
import { describeEntries, entriesOf, memberActivity, stillGoing, type MemberActivity } from '../facts/ipvs-connections';
import { canonicalAddress, ipFamily, type IpFamily } from '../net/ip-address';
import { sh } from '../shell/quote';
import { idleWaitCommand, longestIdleWait, type IdleWait } from './ipvs-idle-script';
import { ipvsadmWeight, keepalivedWeight, type MemberWeight } from './ipvs-member-owners';
import { SERVICE_PROPERTIES, serviceKeyOf, serviceProblems, type ServiceArgs } from './ipvs-service';
import { IP_ADDRESS_PORT } from './patterns';

interface Ramp {
  steps: number;
  interval: number;
}

interface IpvsMemberArgs extends ServiceArgs {
  server: string;
  weight: number;
  wait_idle?: number;
  poll: number;
  on_timeout: 'fail' | 'continue';
  ramp?: Ramp;
  min_pooled: number;
  owner: 'ipvsadm' | 'keepalived';
}

/** With owner keepalived, also its file and the init system its reload goes through. */
type MemberFacts = { table: Fact<IpvsState>; activity: Fact<MemberActivity>; config?: Fact<RemoteFile>; status?: Fact<ServiceStatus> };

/**
 * Whether a new connection from a port whose entry is still in FIN_WAIT is scheduled anew
 * (bit 2 of conn_reuse_mode, the kernel's ip-sysctl docs): under DR and TUN the director
 * sees only the client's side, so FIN_WAIT is as far as an ended connection gets.
 */
function reschedulesReusedPorts(mode: string | undefined): boolean | undefined {
  return mode === undefined ? undefined : (Number(mode) & 2) !== 0;
}

/** Who puts the service and its servers in place, for the errors that find them missing. */
const DECLARED_BY = { ipvsadm: 'the ipvsadm task adds it', keepalived: 'the keepalived task declares it' };

/** The server the arguments name: a bare address (IPv6 too), ADDRESS:PORT or [IPV6]:PORT. */
function serverOf(text: string): { family: IpFamily; address: string; port?: number } | undefined {
  const family = ipFamily(text);
  const address = canonicalAddress(text);
  if (family && address) return { family, address };
  try {
    return parseAddressPort(text);
  } catch {
    return undefined;
  }
}

/** The server as the kernel records it: without a port, the service's (0 for fwmark), as ipvsadm does. */
function memberKey(args: IpvsMemberArgs): { key: ServiceKey; server: Pick<RealServer, 'family' | 'address' | 'port'> } {
  const parsed = serverOf(args.server);
  if (!parsed) throw new Error('ipvs_member: server was not validated');
  const key = serviceKeyOf(args, parsed.family);
  const port = parsed.port ?? (key.kind === 'address' ? key.port : 0);
  return { key, server: { family: parsed.family, address: parsed.address, port } };
}

/** The weights a ramp sets on its way from `from` to `to`, each higher than the one before, the last `to`. */
export function rampWeights(from: number, to: number, steps: number): number[] {
  const weights: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const weight = step === steps ? to : Math.max(1, Math.round(from + ((to - from) * step) / steps));
    if (weight > (weights.at(-1) ?? from)) weights.push(weight);
  }
  return weights;
}

function idleWait(args: IpvsMemberArgs, key: ServiceKey, member: Pick<RealServer, 'address' | 'port'>, label: string, timeout: number): IdleWait {
  const address = key.kind === 'address';
  return {
    protocol: address ? key.protocol.toUpperCase() : '',
    virtualAddress: address ? key.address : '',
    virtualPort: address && key.port !== 0 ? String(key.port) : '',
    serverAddress: member.address,
    serverPort: member.port === 0 ? '' : String(member.port),
    timeout,
    poll: args.poll,
    onTimeout: args.on_timeout,
    label,
  };
}

export default defineTask<IpvsMemberArgs, MemberFacts>({
  name: 'ipvs_member',
  description: 'Sets the weight of one real server of an IPVS virtual service (0 drains it), waits until it is idle, or ramps it back up.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['server', 'weight'],
    properties: {
      ...SERVICE_PROPERTIES,
      server: {
        type: 'string',
        pattern: IP_ADDRESS_PORT,
        description: "The real server: ADDRESS, ADDRESS:PORT or [IPV6]:PORT; without a port, the service's port, as ipvsadm reads it. It must already be a real server of the service.",
      },
      weight: {
        type: 'integer',
        minimum: 0,
        maximum: 65535,
        description: "The weight to set (with ipvsadm -e, or in keepalived.conf with owner keepalived); 0 drains the server: no new connections, its own go on. The server is never deleted.",
      },
      wait_idle: {
        type: 'integer',
        minimum: 1,
        maximum: 86400,
        description:
          'With weight 0: waits at most this many seconds for the server to be idle (no connection entries but finished TCP ones in ipvsadm -L -n -c: UDP entries and persistence templates count), showing the count as it goes down.',
      },
      poll: { type: 'integer', minimum: 1, maximum: 60, default: 1, description: 'Seconds between two looks at the connection entries while waiting.' },
      on_timeout: {
        type: 'string',
        enum: ['fail', 'continue'],
        default: 'fail',
        description: 'When wait_idle passes with connections left: fail the task (saying what was left), or continue (ok, saying it in stdout).',
      },
      ramp: {
        type: 'object',
        additionalProperties: false,
        required: ['steps', 'interval'],
        description:
          'Raises the weight to `weight` in `steps` even steps, `interval` seconds apart, instead of at once: a least-connection scheduler (wlc) would otherwise send every new connection to the server that has none.',
        properties: {
          steps: { type: 'integer', minimum: 1, maximum: 100, description: 'How many weights to set on the way up; the last one is `weight`.' },
          interval: { type: 'integer', minimum: 1, maximum: 3600, description: 'Seconds between two steps.' },
        },
      },
      min_pooled: {
        type: 'integer',
        minimum: 0,
        default: 1,
        description:
          "A depool threshold: draining refuses when fewer than this many other real servers of the service would keep a weight above 0 (the table's weights, or keepalived.conf's with owner keepalived). 0 lets it drain the last one.",
      },
      owner: {
        type: 'string',
        enum: ['ipvsadm', 'keepalived'],
        default: 'ipvsadm',
        description:
          "What owns the IPVS table, and so how the weight is changed: ipvsadm (lvs keeps the table with the ipvsadm task) with ipvsadm -e; keepalived (the keepalived task's file) in the server's weight line of /etc/keepalived/keepalived.conf, checked by keepalived -t, applied by a reload, and waited for (up to 10 s) until the table shows it or the server's health check has it out of the table.",
      },
    },
  },
  example: { address: '192.168.0.109', port: 80, protocol: 'tcp', server: '172.16.100.101', weight: 0, wait_idle: 60, poll: 1, on_timeout: 'fail', min_pooled: 1, owner: 'ipvsadm' },
  validate(args) {
    const { problems, family } = serviceProblems(args);
    const server = serverOf(args.server);
    if (!server) problems.push(`server: "${args.server}" is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT`);
    else if (family && server.family !== family) problems.push(`server: an IPv${family} service's real server given as IPv${server.family}; ipvs_member finds a tunnel's server by its address family`);
    if (args.wait_idle !== undefined && args.weight !== 0) problems.push('wait_idle: only with weight 0, which drains the server');
    if (args.ramp !== undefined && args.weight === 0) problems.push('ramp: only with a weight above 0');
    return problems;
  },
  facts: (args) => ({
    table: ipvsState(['ip_vs'], true),
    activity: memberActivity(),
    ...(args.owner === 'keepalived' ? { config: remoteFile(KEEPALIVED_CONFIG), status: serviceStatus(KEEPALIVED_SERVICE) } : {}),
  }),
  plan(args, facts): Plan {
    const { key, server } = memberKey(args);
    const label = serviceLabel(key);
    const serverText = realServerLabel(server);
    const declared = DECLARED_BY[args.owner];
    if (!facts.table.loaded) throw new Error(`IPVS is not loaded on this host, so it has no service ${label} (${declared})`);
    const service: VirtualService | undefined = facts.table.services.find((candidate) => sameServiceKey(candidate.key, key));
    if (!service) throw new Error(`${label} is not in the IPVS table (${declared})`);
    const member = service.realServers.find((candidate) => realServerLabel(candidate) === serverText);
    const at = { key, service, server, member, serviceText: label, serverText };
    const owned: MemberWeight = args.owner === 'keepalived' ? keepalivedWeight(at, facts.config!, facts.status!.init) : ipvsadmWeight(at);
    const counters = facts.activity.counters.get(label)?.find((entry) => entry.server === serverText);
    const left = stillGoing(entriesOf(facts.activity.connections, key, server));
    const activeConn = counters?.active ?? 0;
    const idle = left.length === 0 && activeConn === 0;
    const warnings: string[] = [];
    if (args.weight === 0 && service.persistent !== undefined && facts.activity.expireQuiescentTemplate === '0') {
      warnings.push(
        `net.ipv4.vs.expire_quiescent_template is 0: the persistence templates of ${label} keep sending their clients to ${serverText} at weight 0 until they expire; set it to 1 on the director (sysctl task)`,
      );
    }
    if (args.weight === 0 && member && member.forwarding !== 'nat' && reschedulesReusedPorts(facts.activity.connReuseMode) === false) {
      warnings.push(
        `net.ipv4.vs.conn_reuse_mode is ${facts.activity.connReuseMode}: under ${member.forwarding.toUpperCase()} the director keeps an ended connection in FIN_WAIT for 120 s, and a client that opens a new one from the same port is sent to ${serverText} again, at weight 0; set it to 3 on the director (sysctl task) so such connections are scheduled anew`,
      );
    }
    const result = { weight: args.weight, ...(warnings.length ? { warnings } : {}) };

    const changes: Change[] = [];
    const commands: PlannedCommand[] = [];
    if (owned.weight !== args.weight) {
      if (args.weight === 0) {
        const pooled = owned.others.filter((weight) => weight > 0).length;
        if (pooled < args.min_pooled) {
          throw new Error(
            `refusing to drain ${serverText}: only ${pooled} other real server${pooled === 1 ? '' : 's'} of ${label} ${pooled === 1 ? 'has' : 'have'} a weight above 0, and min_pooled is ${args.min_pooled} (min_pooled: 0 drains the last one)`,
          );
        }
      }
      changes.push({ subject: owned.subject, before: owned.weight, after: args.weight });
      const weights = args.ramp && args.weight > owned.weight ? rampWeights(owned.weight, args.weight, args.ramp.steps) : [args.weight];
      owned.steps(weights).forEach((step, index) => {
        if (index > 0) commands.push({ run: sh`sleep ${String(args.ramp!.interval)}`, waitsUpTo: args.ramp!.interval });
        commands.push(...step);
      });
    } else if (owned.pending) commands.push(owned.pending);
    const waiting = args.wait_idle !== undefined && (changes.length > 0 || !idle);
    if (waiting) {
      const wait = idleWait(args, key, server, `${serverText} of ${label}`, args.wait_idle!);
      commands.push({ run: idleWaitCommand(wait), output: true, progress: true, waitsUpTo: longestIdleWait(wait) });
    }
    if (changes.length) return { changes, commands, result };
    const now = `${serverText} of ${label} ${owned.state}`;
    if (commands.length) {
      // The weight is right where it counts, but connections are left or the table has yet to
      // show it: only waits run (they read, so --check runs them too).
      const waited = [owned.pending ? 'keepalived to set it in the IPVS table' : '', waiting ? `${describeEntries(left) || `ActiveConn ${activeConn}`} to go` : ''].filter(Boolean).join(', then for ');
      return { changes, commands, action: { check: 'run' }, noop: `${now}; waited for ${waited}`, result };
    }
    const activity = args.weight === 0 ? (idle ? ', no connections left' : `, ${describeEntries(left) || `ActiveConn ${activeConn}`} left`) : '';
    return { ...noop(`${now}${activity}`), result };
  },
});
