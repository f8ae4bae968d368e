/**
 * Cross-host checks of an LVS cluster, made on what the playbook declares (its rendered
 * tasks), before any host is touched. They catch what each task alone cannot see: a NAT
 * real server whose replies bypass the director, a DR real server that answers ARP for the
 * VIP, a TUN real server that cannot decapsulate, a VIP no interface holds. The rules come
 * from the LVS HOWTO and the kernel's ip-sysctl document (see shared/lvs-facts.md).
 */
import type { TaskModule } from '../api';
import type { SourcePosition } from '../errors';
import { canonicalAddress, parsePrefix, sameSubnet, type IpPrefix } from '../net/ip-address';
import { canonicalSysctlKey, normaliseSysctlValue } from '../facts/sysctl';
import type { TaskDefinition } from '../engine/playbook';

/** One task, rendered for one host. */
export interface Declaration {
  host: string;
  /** The address lvs connects to (ansible_host). */
  connectAddress: string;
  action: string;
  module: TaskModule;
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

/** A setting as the playbook leaves it, with the task that set it (for the finding's position). */
interface Declared<T> {
  value: T;
  by: Declaration;
}

interface Address {
  prefix: IpPrefix;
  dev: string;
}

interface Route {
  dest: string;
  via?: string;
  dev?: string;
}

/** What the playbook makes of one host, in task order (a later task wins). */
class HostModel {
  readonly addresses: Declared<Address>[] = [];
  readonly sysctls = new Map<string, Declared<string>>();
  routes: Declared<Route>[] = [];
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
        const index = this.addresses.findIndex((entry) => entry.value.prefix.address === prefix.address && entry.value.dev === args.dev);
        if (index >= 0) this.addresses.splice(index, 1);
        if (present) {
          this.addresses.push({ value: { prefix, dev: String(args.dev) }, by: declaration });
          this.linksUp.add(String(args.dev));
        }
        return;
      }
      case 'sysctl':
        // state=absent only edits sysctl.conf: the live value stays what it was.
        if (present) this.sysctls.set(canonicalSysctlKey(String(args.name)), { value: normaliseSysctlValue(args.value), by: declaration });
        return;
      case 'route': {
        const dest = args.dest === 'default' || args.dest === '0.0.0.0/0' ? 'default' : (parsePrefix(String(args.dest))?.address ?? String(args.dest));
        const route = { dest, via: args.via ? canonicalAddress(String(args.via)) : undefined, dev: args.dev ? String(args.dev).split(':')[0] : undefined };
        if (present) this.routes.push({ value: route, by: declaration });
        else this.routes = this.routes.filter((entry) => entry.value.dest !== dest);
        return;
      }
      case 'kmod':
        if (present) this.modules.add(String(args.name));
        else this.modules.delete(String(args.name));
        return;
      case 'link':
        if (present) this.linksUp.add(String(args.dev));
        else this.linksUp.delete(String(args.dev));
    }
  }

  holds(address: string): Declared<Address> | undefined {
    return this.addresses.find((entry) => entry.value.prefix.address === address);
  }

  sysctl(key: string): Declared<string> | undefined {
    return this.sysctls.get(key);
  }

  defaultRoute(): Declared<Route> | undefined {
    return this.routes.filter((route) => route.value.dest === 'default').at(-1);
  }

  /** Addresses of this host whose network (not a host route) contains `address`. */
  onNetworkOf(address: string): Address[] {
    return this.addresses.map((entry) => entry.value).filter((entry) => entry.prefix.prefixLength < maxLength(entry.prefix) && inNetwork(address, entry.prefix));
  }
}

function maxLength(prefix: IpPrefix): number {
  return prefix.family === 4 ? 32 : 128;
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
  // A director setting that several real servers need is reported once.
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const identity = describeFinding(finding);
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}

/*
 * A real server's port is not checked here: the ipvsadm task itself rejects a dr or tun
 * real server whose port differs from the service's, before these checks run.
 */
function checkService(service: Declaration, director: HostModel, hosts: HostModel[]): Finding[] {
  const findings: Finding[] = [];
  const vip = canonicalAddress(String(service.args.address)) ?? String(service.args.address);

  if (!director.holds(vip)) {
    findings.push({
      severity: 'error',
      host: director.name,
      key: 'address',
      message: `the VIP ${vip} is on no interface of ${director.name}: add an ifaddr task for it on the director`,
      position: service.task.locate('address'),
    });
  }
  const realServers: Record<string, any>[] = service.args.real_servers ?? [];
  const forwardings = new Set(realServers.map((server) => server.forwarding ?? 'dr'));
  if (forwardings.has('nat')) {
    const forwarding = director.sysctl('net.ipv4.ip_forward');
    if (forwarding?.value !== '1') {
      findings.push({
        severity: 'error',
        host: director.name,
        key: 'net.ipv4.ip_forward',
        message: `LVS-NAT needs the director to forward: set net.ipv4.ip_forward to 1 with a sysctl task (it is ${forwarding?.value ?? 'not set by the playbook'})`,
        position: forwarding ? forwarding.by.task.locate('value') : service.task.locate(''),
      });
    }
  }

  realServers.forEach((server, index) => {
    const entry = `real_servers.${index}`;
    const address = canonicalAddress(String(server.address)) ?? String(server.address);
    const forwarding: string = server.forwarding ?? 'dr';
    /** A finding about a setting: at the task that set it wrongly, or else at this real server's entry. */
    const report = (severity: Finding['severity'], host: string, key: string, message: string, at?: { by: Declaration; argument: string }) =>
      findings.push({ severity, host, key, message, position: at ? at.by.task.locate(at.argument) : service.task.locate(entry) });

    const host = hosts.find((candidate) => candidate.holds(address)) ?? hosts.find((candidate) => candidate.connectAddress === address);
    if (!host) {
      const known = hosts.some((candidate) => candidate.onNetworkOf(address).length > 0);
      report(
        known ? 'warning' : 'error',
        director.name,
        `${entry}.address`,
        known
          ? `real server ${address} is in a network of the cluster, but no host checked here holds it (not in the inventory, or left out by --limit), so its settings cannot be checked`
          : `real server ${address} is neither a host of the inventory nor in one of its networks`,
      );
      return;
    }
    const device = host.holds(address)?.value.dev;
    const need = (severity: Finding['severity'], target: HostModel, variable: string, wanted: string, why: string) => {
      const declared = target.sysctl(variable);
      if (declared?.value === wanted) return;
      report(severity, target.name, variable, `${why}: set it to ${wanted} (it is ${declared?.value ?? 'not set by the playbook'})`, declared && { by: declared.by, argument: 'value' });
    };
    const vipOnLoopback = (allowed: string[]) => {
      const held = host.holds(vip);
      if (held && held.value.prefix.prefixLength === maxLength(held.value.prefix) && allowed.includes(held.value.dev)) return;
      const where = held ? ` (it is ${held.value.prefix.address}/${held.value.prefix.prefixLength} on ${held.value.dev})` : '';
      report('error', host.name, 'ifaddr', `the VIP ${vip} must be on ${allowed.join(' or ')} as a /32 so ${host.name} accepts packets for it${where}`, held && { by: held.by, argument: 'address' });
    };
    const arpSettings = (severity: Finding['severity']) => {
      for (const dev of ['all', ...(device ? [device] : [])]) {
        need(severity, host, `net.ipv4.conf.${dev}.arp_ignore`, '1', 'a real server must not answer ARP for the VIP');
        need(severity, host, `net.ipv4.conf.${dev}.arp_announce`, '2', 'a real server must not announce the VIP in its ARP requests');
      }
    };

    if (forwarding === 'nat') {
      const route = host.defaultRoute();
      const dips = director.onNetworkOf(address).map((entry) => entry.prefix.address).filter((candidate) => candidate !== vip);
      if (!route?.value.via || !dips.includes(route.value.via)) {
        const wanted = dips.length ? `via ${dips.join(' or ')}` : `via an address of ${director.name} on ${address}'s network, and ${director.name} has none`;
        const now = route ? `goes via ${route.value.via ?? route.value.dev}` : 'has none in the playbook';
        report('error', host.name, 'route default', `LVS-NAT replies must return through the director: ${host.name}'s default route must go ${wanted}, but it ${now}`, route && { by: route.by, argument: 'via' });
      }
    }
    if (forwarding === 'dr') {
      vipOnLoopback(['lo']);
      arpSettings('error');
      if (director.onNetworkOf(address).length === 0) {
        report('error', host.name, `${entry}.address`, `LVS-DR needs the director and real server ${address} on one network, but no address of ${director.name} covers it`);
      }
    }
    if (forwarding === 'tun') {
      if (!host.modules.has('ipip')) report('error', host.name, 'kmod ipip', 'LVS-TUN real servers need the ipip module to decapsulate: add a kmod task for ipip');
      if (!host.linksUp.has('tunl0')) report('error', host.name, 'link tunl0', 'LVS-TUN real servers need tunl0 up: add a link task (dev tunl0)');
      need('error', host, 'net.ipv4.conf.tunl0.rp_filter', '0', 'decapsulated packets arrive on tunl0 from the VIP and fail reverse-path filtering');
      need('error', host, 'net.ipv4.conf.all.rp_filter', '0', 'the kernel uses the larger of conf/all and conf/tunl0 rp_filter');
      vipOnLoopback(['lo', 'tunl0']);
      arpSettings('warning');
      const route = host.defaultRoute();
      const gateway = route?.value.via ? director.holds(route.value.via) : undefined;
      if (gateway) {
        // Replies leave with the VIP as source and reach the director, where the VIP is local.
        for (const dev of ['all', gateway.value.dev]) {
          const variable = `net.ipv4.conf.${dev}.accept_local`;
          need('error', director, variable, '1', `real servers route their replies through ${director.name}, which drops them as martians: their source, the VIP, is local there`);
        }
      }
    }
  });
  return findings;
}
