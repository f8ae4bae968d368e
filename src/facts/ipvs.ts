/**
 * The IPVS table as `ipvsadm -S -n` dumps it (the -R rule format), normalised so that a
 * desired service compares equal to the kernel's once they mean the same thing, plus the
 * rule text and command words built from that model.
 *
 * ipvsadm(8) 1.31 prints `-A SERVICE -s SCHED [-p T [-M MASK]] [--pe NAME] [-b FLAGS]` and
 * `-a SERVICE -r ADDR:PORT -g|-i|-m -w W [--tun-type T [--tun-port P] [--tun-*csum]]`, where
 * SERVICE is `-t|-u|--sctp-service ADDR:PORT` or `-f MARK [-6]`, IPv6 in brackets.
 */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';
import { canonicalAddress, ipFamily, type IpFamily } from '../net/ip-address';
import { kernelModules, parseKernelModules, type ModuleStatus } from './kernel-modules';

export type IpvsProtocol = 'tcp' | 'udp' | 'sctp';
export type Forwarding = 'nat' | 'dr' | 'tun';
export type TunnelType = 'ipip' | 'gue' | 'gre';

export type ServiceKey =
  | { kind: 'address'; protocol: IpvsProtocol; family: IpFamily; address: string; port: number }
  | { kind: 'fwmark'; fwmark: number; family: IpFamily };

export interface RealServer {
  family: IpFamily;
  /** Canonical (inet_ntop) form. */
  address: string;
  port: number;
  forwarding: Forwarding;
  weight: number;
  /** -x and -y; 0 means no threshold. */
  upperThreshold: number;
  lowerThreshold: number;
  /** Only for tunnels that differ from ipvsadm's default (ipip, no port, no checksum). */
  tunnel?: { type: TunnelType; port?: number; checksum?: 'csum' | 'remcsum' };
}

export interface VirtualService {
  key: ServiceKey;
  scheduler: string;
  /** Persistence timeout in seconds; absent when the service is not persistent. */
  persistent?: number;
  /** -M, only when it differs from the default of one client address (/32, /128). */
  netmask?: string;
  persistenceEngine?: string;
  schedulerFlags?: string;
  onePacket: boolean;
  realServers: RealServer[];
}

/** ipvsadm's own defaults, which it applies to a rule that leaves them out. */
export const DEFAULT_SCHEDULER = 'wlc';
const DEFAULT_PERSISTENCE_TIMEOUT = 300;
const DEFAULT_WEIGHT = 1;

const LONG_OPTIONS: Record<string, string> = {
  '--add-service': '-A',
  '--add-server': '-a',
  '--tcp-service': '-t',
  '--udp-service': '-u',
  '--fwmark-service': '-f',
  '--ipv6': '-6',
  '--scheduler': '-s',
  '--persistent': '-p',
  '--netmask': '-M',
  '--sched-flags': '-b',
  '--real-server': '-r',
  '--gatewaying': '-g',
  '--ipip': '-i',
  '--masquerading': '-m',
  '--weight': '-w',
  '--u-threshold': '-x',
  '--l-threshold': '-y',
  '--ops': '-o',
  ops: '-o',
};

const FORWARDING_SWITCH: Record<Forwarding, string> = { dr: '-g', tun: '-i', nat: '-m' };
const SWITCH_FORWARDING: Record<string, Forwarding> = { '-g': 'dr', '-i': 'tun', '-m': 'nat' };

class RuleError extends Error {}

function integer(text: string | undefined, what: string, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new RuleError(`${what} "${text ?? ''}" is not a number from ${min} to ${max}`);
  }
  return Number(text);
}

/** `10.0.0.1:80` or `[2001:db8::1]:80`; the port may be left out (undefined). */
export function parseAddressPort(text: string): { family: IpFamily; address: string; port?: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  const family = match ? ipFamily(match[1]) : undefined;
  const address = match ? canonicalAddress(match[1]) : undefined;
  if (!match || !family || !address || (text.startsWith('[') && family !== 6)) throw new RuleError(`"${text}" is not ADDRESS:PORT`);
  return { family, address, port: match[2] === undefined ? undefined : integer(match[2], 'port', 0, 65535) };
}

export function formatAddressPort(family: IpFamily, address: string, port: number): string {
  return family === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The words that name a service on the ipvsadm command line. */
export function serviceArgv(key: ServiceKey): string[] {
  if (key.kind === 'fwmark') return key.family === 6 ? ['-f', String(key.fwmark), '-6'] : ['-f', String(key.fwmark)];
  const flag = key.protocol === 'tcp' ? '-t' : key.protocol === 'udp' ? '-u' : '--sctp-service';
  return [flag, formatAddressPort(key.family, key.address, key.port)];
}

export function serviceLabel(key: ServiceKey): string {
  return serviceArgv(key).join(' ');
}

export function sameServiceKey(left: ServiceKey, right: ServiceKey): boolean {
  return serviceLabel(left) === serviceLabel(right);
}

/** Real servers are told apart by address and port within their service. */
export function realServerLabel(server: Pick<RealServer, 'family' | 'address' | 'port'>): string {
  return formatAddressPort(server.family, server.address, server.port);
}

/** The words of one rule after `-A`/`-a` (or `-E`/`-e`) and the service. */
export function serviceOptionArgv(service: VirtualService): string[] {
  const words = ['-s', service.scheduler];
  if (service.persistent !== undefined) {
    words.push('-p', String(service.persistent));
    if (service.netmask !== undefined) words.push('-M', service.netmask);
  }
  if (service.persistenceEngine !== undefined) words.push('--pe', service.persistenceEngine);
  if (service.schedulerFlags !== undefined) words.push('-b', service.schedulerFlags);
  if (service.onePacket) words.push('-o');
  return words;
}

function realServerOptionArgv(server: RealServer): string[] {
  const words = ['-r', realServerLabel(server), FORWARDING_SWITCH[server.forwarding], '-w', String(server.weight)];
  if (server.upperThreshold) words.push('-x', String(server.upperThreshold));
  if (server.lowerThreshold) words.push('-y', String(server.lowerThreshold));
  if (server.tunnel) {
    words.push('--tun-type', server.tunnel.type);
    if (server.tunnel.port !== undefined) words.push('--tun-port', String(server.tunnel.port));
    if (server.tunnel.checksum) words.push(`--tun-${server.tunnel.checksum}`);
  }
  return words;
}

/** The words of the rule that adds a service (`-A`), or with `-E` edits it to this. */
export function serviceRuleArgv(service: VirtualService, verb: '-A' | '-E' = '-A'): string[] {
  return [verb, ...serviceArgv(service.key), ...serviceOptionArgv(service)];
}

/** The words of the rule that adds a real server to the service `key` (`-a`), or with `-e` edits it to this. */
export function realServerRuleArgv(key: ServiceKey, server: RealServer, verb: '-a' | '-e' = '-a'): string[] {
  return [verb, ...serviceArgv(key), ...realServerOptionArgv(server)];
}

/** The table in -R form, as the diff shows it and a rules file holds it. */
export function formatRules(services: VirtualService[]): string {
  return services
    .flatMap((service) => [serviceRuleArgv(service), ...service.realServers.map((server) => realServerRuleArgv(service.key, server))])
    .map((words) => `${words.join(' ')}\n`)
    .join('');
}

/** Reads a service (`-t ADDR:PORT`, `-f MARK [-6]`...) at `words[index]`. */
function readService(words: string[], index: number): { key: ServiceKey; next: number } {
  const flag = words[index];
  if (flag === '-f') {
    const fwmark = integer(words[index + 1], 'fwmark', 1, 0xffffffff);
    if (words[index + 2] === '-6') return { key: { kind: 'fwmark', fwmark, family: 6 }, next: index + 3 };
    return { key: { kind: 'fwmark', fwmark, family: 4 }, next: index + 2 };
  }
  const protocol: IpvsProtocol | undefined = flag === '-t' ? 'tcp' : flag === '-u' ? 'udp' : flag === '--sctp-service' ? 'sctp' : undefined;
  if (!protocol || words[index + 1] === undefined) throw new RuleError(`expected a service (-t, -u, --sctp-service or -f) at "${flag ?? ''}"`);
  const { family, address, port } = parseAddressPort(words[index + 1]);
  return { key: { kind: 'address', protocol, family, address, port: port ?? 0 }, next: index + 2 };
}

function parseServiceRule(words: string[]): VirtualService {
  const { key, next } = readService(words, 1);
  const service: VirtualService = { key, scheduler: DEFAULT_SCHEDULER, onePacket: false, realServers: [] };
  let netmask: string | undefined;
  for (let index = next; index < words.length; index += 1) {
    const option = words[index];
    const value = words[index + 1];
    switch (option) {
      case '-s':
        if (!value || !/^[a-z]+$/.test(value)) throw new RuleError(`bad scheduler "${value ?? ''}"`);
        service.scheduler = value;
        index += 1;
        break;
      case '-p':
        // -p takes an optional value: alone it means the default timeout.
        if (value !== undefined && /^\d+$/.test(value)) {
          service.persistent = integer(value, 'persistence timeout', 1, 86400 * 31);
          index += 1;
        } else {
          service.persistent = DEFAULT_PERSISTENCE_TIMEOUT;
        }
        break;
      case '-M':
        netmask = value;
        index += 1;
        break;
      case '--pe':
        service.persistenceEngine = value;
        index += 1;
        break;
      case '-b':
        service.schedulerFlags = value;
        index += 1;
        break;
      case '-o':
        service.onePacket = true;
        break;
      default:
        throw new RuleError(`unknown service option "${option}"`);
    }
  }
  const defaultNetmask = key.family === 6 ? '128' : '255.255.255.255';
  if (service.persistent !== undefined && netmask !== undefined && netmask !== defaultNetmask) service.netmask = netmask;
  return service;
}

function parseRealServerRule(words: string[]): { key: ServiceKey; server: RealServer } {
  const { key, next } = readService(words, 1);
  let target: ReturnType<typeof parseAddressPort> | undefined;
  const server: Omit<RealServer, 'family' | 'address' | 'port'> = { forwarding: 'dr', weight: DEFAULT_WEIGHT, upperThreshold: 0, lowerThreshold: 0 };
  let tunnel: RealServer['tunnel'] = { type: 'ipip' };
  for (let index = next; index < words.length; index += 1) {
    const option = words[index];
    const value = words[index + 1];
    if (SWITCH_FORWARDING[option]) {
      server.forwarding = SWITCH_FORWARDING[option];
      continue;
    }
    switch (option) {
      case '-r':
        target = parseAddressPort(value ?? '');
        break;
      case '-w':
        server.weight = integer(value, 'weight', 0, 65535);
        break;
      case '-x':
        server.upperThreshold = integer(value, 'upper threshold', 0, 2147483647);
        break;
      case '-y':
        server.lowerThreshold = integer(value, 'lower threshold', 0, 2147483647);
        break;
      case '--tun-type':
        if (value !== 'ipip' && value !== 'gue' && value !== 'gre') throw new RuleError(`bad tunnel type "${value ?? ''}"`);
        tunnel = { ...tunnel, type: value };
        break;
      case '--tun-port':
        tunnel = { ...tunnel, port: integer(value, 'tunnel port', 1, 65535) };
        break;
      case '--tun-nocsum':
      case '--tun-csum':
      case '--tun-remcsum':
        tunnel = option === '--tun-nocsum' ? { type: tunnel.type, port: tunnel.port } : { ...tunnel, checksum: option === '--tun-csum' ? 'csum' : 'remcsum' };
        continue;
      default:
        throw new RuleError(`unknown real server option "${option}"`);
    }
    index += 1;
  }
  if (!target) throw new RuleError('a real server rule needs -r ADDRESS:PORT');
  if (tunnel.port === undefined) delete tunnel.port;
  // ipvsadm 1.30+ prints --tun-type ipip for every tunnel; older ones do not know the option.
  const customTunnel = server.forwarding === 'tun' && (tunnel.type !== 'ipip' || tunnel.port !== undefined || tunnel.checksum !== undefined);
  // ipvsadm gives a real server without a port the service's port (0 for fwmark services).
  const port = target.port ?? (key.kind === 'address' ? key.port : 0);
  return {
    key,
    server: { family: target.family, address: target.address, port, ...server, ...(customTunnel ? { tunnel } : {}) },
  };
}

/**
 * Parses rules in -R form (`ipvsadm -S -n` output or a saved rules file; # comments and
 * blank lines are skipped). Throws on anything it does not understand.
 */
export function parseIpvsRules(text: string): VirtualService[] {
  const services: VirtualService[] = [];
  text.split('\n').forEach((rawLine, lineIndex) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const words = line.split(/\s+/).map((word) => LONG_OPTIONS[word] ?? word);
    try {
      if (words[0] === '-A') {
        services.push(parseServiceRule(words));
      } else if (words[0] === '-a') {
        const { key, server } = parseRealServerRule(words);
        const service = services.find((candidate) => sameServiceKey(candidate.key, key));
        if (!service) throw new RuleError(`real server of ${serviceLabel(key)}, which no earlier -A line adds`);
        service.realServers.push(server);
      } else {
        throw new RuleError('expected a -A or -a rule');
      }
    } catch (error) {
      if (error instanceof RuleError) throw new Error(`ipvsadm rules, line ${lineIndex + 1} "${line}": ${error.message}`);
      throw error;
    }
  });
  return services;
}

function sortedCopy(services: VirtualService[]): VirtualService[] {
  return services
    .map((service) => ({ ...service, realServers: [...service.realServers].sort((a, b) => realServerLabel(a).localeCompare(realServerLabel(b))) }))
    .sort((a, b) => serviceLabel(a.key).localeCompare(serviceLabel(b.key)));
}

/** Whether two tables hold the same rules, in whatever order. */
export function sameRules(left: VirtualService[], right: VirtualService[]): boolean {
  return formatRules(sortedCopy(left)) === formatRules(sortedCopy(right));
}

export interface IpvsState {
  /** The modules asked about, e.g. ip_vs and ip_vs_wlc. */
  modules: Record<string, ModuleStatus>;
  /** /proc/net/ip_vs exists: IPVS is loaded (or built in) in this network namespace. */
  loaded: boolean;
  /** The table; empty when IPVS is not loaded, since no service can exist then. */
  services: VirtualService[];
}

const TABLE_MARKER = 'lvs-ipvs-table';

/**
 * The modules and the table, read without loading anything: ipvsadm itself runs modprobe
 * when IPVS is not loaded, so it is only asked once /proc/net/ip_vs exists. With
 * `requireIpvs`, a kernel that has no IPVS and cannot load it fails the fact.
 */
export function ipvsState(modules: string[], requireIpvs: boolean): Fact<IpvsState> {
  const probe = kernelModules(modules);
  return {
    command: sh`${probe.command}
if ! command -v ipvsadm >/dev/null 2>&1; then echo ${`${TABLE_MARKER} no-ipvsadm`}
elif [ -e /proc/net/ip_vs ]; then echo ${`${TABLE_MARKER} loaded`}; ipvsadm -S -n
else echo ${`${TABLE_MARKER} not-loaded`}; fi`,
    parse: (result) => parseIpvsState(result, modules, requireIpvs),
  };
}

export function parseIpvsState(result: CommandResult, modules: string[], requireIpvs: boolean): IpvsState {
  const markerAt = result.stdout.indexOf(`${TABLE_MARKER} `);
  if (markerAt < 0) throw new Error(`cannot read the IPVS table: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const moduleText = result.stdout.slice(0, markerAt);
  const [markerLine, ...tableLines] = result.stdout.slice(markerAt).split('\n');
  const state = markerLine.slice(TABLE_MARKER.length + 1).trim();
  const moduleStatuses = parseKernelModules({ stdout: moduleText, stderr: '', exitCode: 0 }, modules);
  if (state === 'no-ipvsadm') throw new Error('ipvsadm is not installed on the host (install the ipvsadm package)');
  if (state === 'not-loaded') {
    const ipvsModule = moduleStatuses.ip_vs;
    if (requireIpvs && ipvsModule?.state === 'missing') {
      throw new Error(`IPVS is not available in this kernel: ${ipvsModule.detail ?? 'the ip_vs module cannot be loaded'}`);
    }
    return { modules: moduleStatuses, loaded: false, services: [] };
  }
  return { modules: moduleStatuses, loaded: true, services: parseIpvsadmSave({ ...result, stdout: tableLines.join('\n') }) };
}

/** `ipvsadm -S -n` output; a kernel without IPVS is reported as such. */
export function parseIpvsadmSave(result: CommandResult): VirtualService[] {
  if (result.exitCode !== 0) {
    const message = result.stderr.trim().split('\n').filter((line) => !line.startsWith('modprobe:')).join(' ');
    if (/Can't initialize ipvs|Protocol not available/.test(message)) throw new Error(`IPVS is not available in this kernel: ${message}`);
    throw new Error(`ipvsadm -S -n failed: ${message || `exit ${result.exitCode}`}`);
  }
  return parseIpvsRules(result.stdout);
}
