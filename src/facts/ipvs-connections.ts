/**
 * What is still going through one real server: the kernel's connection entries
 * (`ipvsadm -L -n -c`) and its ActiveConn/InActConn counters (`ipvsadm -L -n`).
 *
 * ipvsadm 1.31 prints a connection entry as `%-3s %-6s %-11s %-18s %-18s %s`: protocol
 * (TCP, UDP, SCTP, or IP for a fwmark template), expiry mm:ss, state, then source, virtual
 * and destination as ADDR:PORT ([ADDR]:PORT for IPv6). A persistence template is an entry
 * with client port 0 and state NONE; for a fwmark service its virtual address is the mark
 * (0.0.0.10:0 for mark 10) and for a port-0 service its ports are 0 (ip_vs_core.c,
 * ip_vs_sched_persist). UDP entries have the state UDP, and a UDP server's ActiveConn
 * stays 0 however busy it is (kubernetes#71514): only the entries tell that it is idle.
 */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';
import { canonicalAddress } from '../net/ip-address';
import { formatAddressPort, parseAddressPort, serviceLabel, type RealServer, type ServiceKey } from './ipvs';

export interface Endpoint {
  address: string;
  port: number;
}

export interface IpvsConnection {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'IP';
  expiresSeconds: number;
  state: string;
  source: Endpoint;
  virtual: Endpoint;
  destination: Endpoint;
  /** A persistence template: it sends the client back to this server until it expires. */
  template: boolean;
}

/**
 * TCP and SCTP states of an entry whose connection is over; every other entry is traffic
 * still going on. FIN_WAIT counts as over: the client has ended the connection, and under
 * DR and TUN the director sees only the client's packets, so IPVS's input-only state table
 * keeps every ended connection in FIN_WAIT until its timeout (120 s by default), whatever
 * the server does (net/netfilter/ipvs/ip_vs_proto_tcp.c, tcp_states_dos/input only).
 */
const FINISHED_STATES = new Set(['FIN_WAIT', 'TIME_WAIT', 'CLOSE', 'CLOSED']);

function endpoint(text: string, line: string): Endpoint {
  try {
    const { address, port } = parseAddressPort(text);
    return { address, port: port ?? 0 };
  } catch {
    throw new Error(`ipvsadm -L -n -c: "${line}" has no ADDRESS:PORT where "${text}" is`);
  }
}

/** `ipvsadm -L -n -c` output: the two heading lines, then one line per entry. */
export function parseConnectionEntries(text: string): IpvsConnection[] {
  const entries: IpvsConnection[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] === '' || line.startsWith('IPVS connection entries') || words[0] === 'pro') continue;
    const [protocol, expires, state, source, virtual, destination] = words;
    const expiry = /^(\d+):(\d\d)$/.exec(expires ?? '');
    if (!['TCP', 'UDP', 'SCTP', 'IP'].includes(protocol) || !expiry || words.length < 6) throw new Error(`ipvsadm -L -n -c: cannot read "${line}"`);
    const client = endpoint(source, line);
    entries.push({
      protocol: protocol as IpvsConnection['protocol'],
      expiresSeconds: Number(expiry[1]) * 60 + Number(expiry[2]),
      state,
      source: client,
      virtual: endpoint(virtual, line),
      destination: endpoint(destination, line),
      template: state === 'NONE' && client.port === 0,
    });
  }
  return entries;
}

export interface ServerCounters {
  server: string;
  weight: number;
  active: number;
  inactive: number;
}

/** The counters per service label (serviceLabel) and real server (ADDR:PORT), from `ipvsadm -L -n`. */
export function parseServiceCounters(text: string): Map<string, ServerCounters[]> {
  const services = new Map<string, ServerCounters[]>();
  let current: ServerCounters[] | undefined;
  for (const line of text.split('\n')) {
    const service = /^(TCP|UDP|SCTP)\s+(\S+)\s/.exec(line) ?? /^(FWM)\s+(\d+)(\s+IPv6)?\s/.exec(line);
    if (service) {
      const key: ServiceKey =
        service[1] === 'FWM'
          ? { kind: 'fwmark', fwmark: Number(service[2]), family: service[3] ? 6 : 4 }
          : (() => {
              const { family, address, port } = parseAddressPort(service[2]);
              return { kind: 'address', protocol: service[1].toLowerCase() as 'tcp' | 'udp' | 'sctp', family, address, port: port ?? 0 };
            })();
      current = [];
      services.set(serviceLabel(key), current);
      continue;
    }
    const server = /^\s+->\s+(\S+)\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (server && current) {
      const { family, address, port } = parseAddressPort(server[1]);
      current.push({ server: formatAddressPort(family, address, port ?? 0), weight: Number(server[2]), active: Number(server[3]), inactive: Number(server[4]) });
    }
  }
  return services;
}

/**
 * The entries that go to `server` of the service `key`. A fwmark service's entries carry
 * the address the client asked for, not the mark, so they are told apart by the server alone.
 */
export function entriesOf(connections: IpvsConnection[], key: ServiceKey, server: Pick<RealServer, 'address' | 'port'>): IpvsConnection[] {
  const samePort = (port: number, wanted: number) => wanted === 0 || port === wanted || port === 0;
  return connections.filter((entry) => {
    if (canonicalAddress(entry.destination.address) !== server.address || !samePort(entry.destination.port, server.port)) return false;
    if (key.kind === 'fwmark') return true;
    return entry.protocol === key.protocol.toUpperCase() && entry.virtual.address === key.address && samePort(entry.virtual.port, key.port);
  });
}

/** The entries that are still traffic: every one but a finished TCP or SCTP connection (a UDP entry lasts until it expires). */
export function stillGoing(entries: IpvsConnection[]): IpvsConnection[] {
  return entries.filter((entry) => entry.template || entry.protocol === 'UDP' || entry.protocol === 'IP' || !FINISHED_STATES.has(entry.state));
}

/** `2 ESTABLISHED, 1 UDP, 1 persistence template`, by count, largest first. */
export function describeEntries(entries: IpvsConnection[]): string {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const kind = entry.template ? 'persistence template' : entry.state;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([kind, count]) => `${count} ${kind}${count > 1 && kind === 'persistence template' ? 's' : ''}`).join(', ');
}

export interface MemberActivity {
  /** /proc/net/ip_vs exists: IPVS is loaded. */
  loaded: boolean;
  counters: Map<string, ServerCounters[]>;
  connections: IpvsConnection[];
  /** net.ipv4.vs.expire_quiescent_template, when the kernel has it. */
  expireQuiescentTemplate?: string;
  /** net.ipv4.vs.conn_reuse_mode, when the kernel has it. */
  connReuseMode?: string;
}

const SECTION = 'lvs-ipvs-section';

/**
 * The counters, the connection entries, expire_quiescent_template and conn_reuse_mode, read only where IPVS
 * is loaded (ipvsadm would load it otherwise). Live: the table changes by the second, so it
 * is read when its task's turn comes.
 */
export function memberActivity(): Fact<MemberActivity> {
  return {
    command: sh`if [ -e /proc/net/ip_vs ] && command -v ipvsadm >/dev/null 2>&1; then
echo ${`${SECTION} counters`}; ipvsadm -L -n || exit
echo ${`${SECTION} connections`}; ipvsadm -L -n -c || exit
echo ${`${SECTION} quiescent`}; cat /proc/sys/net/ipv4/vs/expire_quiescent_template 2>/dev/null
echo ${`${SECTION} reuse`}; cat /proc/sys/net/ipv4/vs/conn_reuse_mode 2>/dev/null
fi`,
    parse: parseMemberActivity,
    live: true,
  };
}

export function parseMemberActivity(result: CommandResult): MemberActivity {
  if (result.exitCode !== 0) throw new Error(`cannot read the IPVS connections: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const sections = new Map<string, string>();
  let name: string | undefined;
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith(`${SECTION} `)) {
      name = line.slice(SECTION.length + 1);
      sections.set(name, '');
    } else if (name) sections.set(name, `${sections.get(name)}${line}\n`);
  }
  if (!sections.has('counters')) return { loaded: false, counters: new Map(), connections: [] };
  const quiescent = sections.get('quiescent')?.trim();
  const reuse = sections.get('reuse')?.trim();
  return {
    loaded: true,
    counters: parseServiceCounters(sections.get('counters') ?? ''),
    connections: parseConnectionEntries(sections.get('connections') ?? ''),
    ...(quiescent ? { expireQuiescentTemplate: quiescent } : {}),
    ...(reuse ? { connReuseMode: reuse } : {}),
  };
}

