/**
 * Cross-host checks of an LVS cluster, made on what the playbook declares (its rendered
 * tasks), before any host is touched. They catch what each task alone cannot see: a NAT
 * real server whose replies bypass the director, a DR real server that answers ARP for the
 * VIP, a TUN real server that cannot decapsulate, a VIP no interface holds. The rules come
 * from the LVS HOWTO and the kernel's ip-sysctl document (see shared/lvs-facts.md).
 */
import type { SourcePosition } from '../errors';
import { canonicalAddress, parsePrefix, sameSubnet, type IpPrefix } from '../facts/ip-address';
import { canonicalSysctlKey, normaliseSysctlValue } from '../facts/sysctl';
import type { TaskDefinition } from './playbook';

/** One task, rendered for one host. */
export interface Declaration {
  host: string;
  /** The address lvs connects to (ansible_host). */
  connectAddress: string;
  action: string;
  args: Record<string, any>;
  task: TaskDefinition;
}

export interface Finding {
  severity: 'error' | 'warning';
  host: string;
  /** The variable or argument at fault, e.g. `net.ipv4.conf.all.arp_ignore` or `real_servers.1`. */
  key: string;
  message: string;
  position: SourcePosition;
}

export function describeFinding(finding: Finding): string {
  const where = [finding.position.file, finding.position.line, finding.position.column].filter((part) => part !== undefined).join(':');
  return `${finding.severity === 'error' ? 'ERROR' : 'WARNING'}: ${where}: ${finding.host}: ${finding.key}: ${finding.message}`;
}

interface Address {
  prefix: IpPrefix;
  dev: string;
}

/** What the playbook makes of one host, in task order (a later task wins). */
class HostModel {
  readonly addresses: Address[] = [];
  readonly sysctls = new Map<string, string>();
  readonly routes: { dest: string; via?: string; dev?: string }[] = [];
  readonly modules = new Set<string>();
  readonly linksUp = new Set<string>();

  constructor(
    readonly name: string,
    readonly connectAddress: string,
  ) {}

  add(declaration: Declaration): void {
    const { args } = declaration;
    const present = args.state === undefined || args.state === 'present' || args.state === 'up';
    switch (declaration.action) {
      case 'ifaddr': {
        const prefix = parsePrefix(String(args.address));
        if (!prefix) return;
        const index = this.addresses.findIndex((entry) => entry.prefix.address === prefix.address && entry.dev === args.dev);
        if (index >= 0) this.addresses.splice(index, 1);
        if (present) {
          this.addresses.push({ prefix, dev: String(args.dev) });
          this.linksUp.add(String(args.dev));
        }
        return;
      }
      case 'sysctl':
        if (present) this.sysctls.set(canonicalSysctlKey(String(args.name)), normaliseSysctlValue(args.value));
        return;
      case 'route':
        if (present) {
          const dest = args.dest === 'default' || args.dest === '0.0.0.0/0' ? 'default' : (parsePrefix(String(args.dest))?.address ?? String(args.dest));
          this.routes.push({ dest, via: args.via ? canonicalAddress(String(args.via)) : undefined, dev: args.dev ? String(args.dev).split(':')[0] : undefined });
        }
        return;
      case 'kmod':
        if (present) this.modules.add(String(args.name));
        return;
      case 'link':
        if (present) this.linksUp.add(String(args.dev));
        else this.linksUp.delete(String(args.dev));
    }
  }

  holds(address: string): Address | undefined {
    return this.addresses.find((entry) => entry.prefix.address === address);
  }

  sysctl(key: string): string | undefined {
    return this.sysctls.get(key);
  }

  defaultRoute() {
    return this.routes.filter((route) => route.dest === 'default').at(-1);
  }
}

function inNetwork(address: string, network: IpPrefix): boolean {
  const parsed = parsePrefix(address);
  return !!parsed && sameSubnet({ ...parsed, prefixLength: network.prefixLength }, network);
}

export function checkTopology(declarations: Declaration[]): Finding[] {
  const hosts = new Map<string, HostModel>();
  for (const declaration of declarations) {
    let model = hosts.get(declaration.host);
    if (!model) {
      model = new HostModel(declaration.host, declaration.connectAddress);
      hosts.set(declaration.host, model);
    }
    model.add(declaration);
  }
  const findings: Finding[] = [];
  for (const declaration of declarations) {
    if (declaration.action !== 'ipvsadm' || declaration.args.state === 'absent' || declaration.args.address === undefined) continue;
    findings.push(...checkService(declaration, hosts.get(declaration.host)!, [...hosts.values()]));
  }
  return findings;
}

function checkService(service: Declaration, director: HostModel, hosts: HostModel[]): Finding[] {
  const findings: Finding[] = [];
  const report = (severity: Finding['severity'], host: string, key: string, message: string, argument = '') =>
    findings.push({ severity, host, key, message, position: service.task.locate(argument) });
  const vip = canonicalAddress(String(service.args.address)) ?? String(service.args.address);
  const servicePort = Number(service.args.port);
  const directorAddresses = director.addresses.map((entry) => entry.prefix.address);

  if (!director.holds(vip)) {
    report('error', director.name, 'address', `the VIP ${vip} is on no interface of ${director.name}: add an ifaddr task for it on the director`, 'address');
  }
  const realServers: Record<string, any>[] = service.args.real_servers ?? [];
  const forwardings = new Set(realServers.map((server) => server.forwarding ?? 'dr'));
  if (forwardings.has('nat') && director.sysctl('net.ipv4.ip_forward') !== '1') {
    report('error', director.name, 'net.ipv4.ip_forward', 'LVS-NAT needs the director to forward: set net.ipv4.ip_forward to 1 with a sysctl task');
  }

  realServers.forEach((server, index) => {
    const key = `real_servers.${index}`;
    const address = canonicalAddress(String(server.address)) ?? String(server.address);
    const forwarding: string = server.forwarding ?? 'dr';
    const at = (severity: Finding['severity'], host: string, variable: string, message: string) => report(severity, host, variable, message, key);
    if (server.port !== undefined && Number(server.port) !== servicePort && forwarding !== 'nat') {
      at('error', director.name, `${key}.port`, `${forwarding.toUpperCase()} cannot map ports: real server ${address} must use the VIP port ${servicePort}`);
    }
    const host = hosts.find((candidate) => candidate.holds(address)) ?? hosts.find((candidate) => candidate.connectAddress === address);
    if (!host) {
      const known = hosts.some((candidate) => candidate.addresses.some((entry) => entry.prefix.prefixLength < 32 && inNetwork(address, entry.prefix)));
      at(
        known ? 'warning' : 'error',
        director.name,
        `${key}.address`,
        known
          ? `real server ${address} is in a network of the cluster but no host of the inventory has it, so it cannot be checked`
          : `real server ${address} is neither a host of the inventory nor in one of its networks`,
      );
      return;
    }
    const device = host.holds(address)?.dev;
    const need = (variable: string, wanted: string, why: string) => {
      const value = host.sysctl(variable);
      if (value !== wanted) at('error', host.name, variable, `${why}: set it to ${wanted} (it is ${value === undefined ? 'not set by the playbook' : value})`);
    };
    const vipOnLoopback = (allowed: string[]) => {
      const held = host.holds(vip);
      if (!held || held.prefix.prefixLength !== 32 || !allowed.includes(held.dev)) {
        at('error', host.name, 'ifaddr', `the VIP ${vip} must be on ${allowed.join(' or ')} as a /32 so ${host.name} accepts packets for it${held ? ` (it is ${held.prefix.address}/${held.prefix.prefixLength} on ${held.dev})` : ''}`);
      }
    };
    const arpSettings = (severity: Finding['severity']) => {
      const devices = ['all', ...(device ? [device] : [])];
      for (const dev of devices) {
        for (const [name, wanted] of [['arp_ignore', '1'], ['arp_announce', '2']] as const) {
          const variable = `net.ipv4.conf.${dev}.${name}`;
          const value = host.sysctl(variable);
          if (value !== wanted) at(severity, host.name, variable, `a real server must not answer ARP for the VIP: set it to ${wanted} (it is ${value ?? 'not set by the playbook'})`);
        }
      }
    };

    if (forwarding === 'nat') {
      const route = host.defaultRoute();
      if (!route?.via || !directorAddresses.includes(route.via)) {
        at('error', host.name, 'route default', `LVS-NAT replies must return through the director: ${host.name}'s default route must go via the director's address on its network (${directorAddresses.filter((candidate) => candidate !== vip).join(', ') || 'none declared'}), but it ${route ? `goes via ${route.via ?? route.dev}` : 'has none in the playbook'}`);
      }
    }
    if (forwarding === 'dr') {
      vipOnLoopback(['lo']);
      arpSettings('error');
      const shared = director.addresses.some((entry) => entry.prefix.prefixLength < 32 && inNetwork(address, entry.prefix));
      if (!shared) at('error', host.name, `${key}.address`, `LVS-DR needs the director and real server ${address} on one network, but no address of ${director.name} covers it`);
    }
    if (forwarding === 'tun') {
      if (!host.modules.has('ipip')) at('error', host.name, 'kmod ipip', 'LVS-TUN real servers need the ipip module to decapsulate: add a kmod task for ipip');
      if (!host.linksUp.has('tunl0')) at('error', host.name, 'link tunl0', 'LVS-TUN real servers need tunl0 up: add a link task (dev tunl0)');
      need('net.ipv4.conf.tunl0.rp_filter', '0', 'decapsulated packets arrive on tunl0 from the VIP and fail reverse-path filtering');
      need('net.ipv4.conf.all.rp_filter', '0', 'the kernel uses the larger of conf/all and conf/tunl0 rp_filter');
      vipOnLoopback(['lo', 'tunl0']);
      arpSettings('warning');
      const route = host.defaultRoute();
      const gateway = route?.via ? director.holds(route.via) : undefined;
      if (gateway) {
        // Replies leave with the VIP as source and reach the director, where the VIP is local.
        for (const dev of ['all', gateway.dev]) {
          const variable = `net.ipv4.conf.${dev}.accept_local`;
          if (director.sysctl(variable) !== '1') {
            at('error', director.name, variable, `${host.name} routes its replies through ${director.name}, which drops them as martians (their source, the VIP, is local there) unless ${variable} is 1`);
          }
        }
      }
    }
  });
  return findings;
}
