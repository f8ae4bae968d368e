/**
 * Cross-host checks of an LVS cluster, before any host is touched. They catch what each task
 * alone cannot see: a NAT real server whose replies bypass the director, a DR real server
 * that answers ARP for the VIP, a TUN real server that cannot decapsulate, a VIP no
 * interface holds. They read what each rendered task declares through its module's
 * `cluster` hook (addresses, routes, sysctls, modules, links, virtual services) and know no
 * task by name, so a plugin's task takes part. The rules come from the LVS HOWTO and the
 * kernel's ip-sysctl document (see shared/lvs-facts.md).
 */
import type { ClusterService, ClusterSettings, ClusterVrrpInstance } from '../api';
import { canonicalAddress, parsePrefix, sameSubnet, type IpPrefix } from '../net/ip-address';
import { canonicalSysctlKey, normaliseSysctlValue } from '../facts/sysctl';
import type { Declaration } from './declarations';
import { describeFinding, type Finding } from './findings';
import { directorPairFindings, serviceOwnerFindings, staticVipFindings, type DeclaredBy } from './vrrp-checks';

/** One task, rendered for one host. */

/** A setting as the playbook leaves it, with the task and argument that set it (for the finding's position). */
interface Declared<T> {
  value: T;
  by: Declaration;
  argument: string;
  /** False when the task sets it live only (`persist: false`), so a reboot loses it. */
  persist?: boolean;
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

function settingsOf(declaration: Declaration): ClusterSettings {
  return declaration.module.cluster?.(declaration.args) ?? {};
}

/** What the playbook makes of one host, in task order (a later task wins). */
class HostModel {
  readonly addresses: Declared<Address>[] = [];
  readonly sysctls = new Map<string, Declared<string>>();
  routes: Declared<Route>[] = [];
  readonly modules = new Set<string>();
  readonly linksUp = new Map<string, Declared<boolean>>();
  /** The VIPs of the host's VRRP instances: held while it is master, which is all a service needs. */
  readonly vrrpVips = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly connectAddress: string,
  ) {}

  add(by: Declaration, settings: ClusterSettings): void {
    for (const { address, device, present, argument, persist } of settings.addresses ?? []) {
      const prefix = parsePrefix(address);
      if (!prefix) continue;
      const index = this.addresses.findIndex((entry) => entry.value.prefix.address === prefix.address && entry.value.dev === device);
      if (index >= 0) this.addresses.splice(index, 1);
      if (present) this.addresses.push({ value: { prefix, dev: device }, by, argument, persist });
    }
    for (const { key, value, argument } of settings.sysctls ?? []) {
      this.sysctls.set(canonicalSysctlKey(key), { value: normaliseSysctlValue(value), by, argument });
    }
    for (const { destination, via, device, present, argument, persist } of settings.routes ?? []) {
      const dest = destination === 'default' || destination === '0.0.0.0/0' ? 'default' : (parsePrefix(destination)?.address ?? destination);
      if (present) this.routes.push({ value: { dest, via: via === undefined ? undefined : canonicalAddress(via), dev: device }, by, argument, persist });
      else this.routes = this.routes.filter((entry) => entry.value.dest !== dest);
    }
    for (const { name, loaded } of settings.modules ?? []) {
      if (loaded) this.modules.add(name);
      else this.modules.delete(name);
    }
    for (const instance of settings.vrrpInstances ?? []) {
      for (const vip of instance.addresses) {
        const prefix = parsePrefix(vip.address);
        if (prefix) this.vrrpVips.set(prefix.address, instance.name);
      }
    }
    for (const { device, up, argument, persist } of settings.links ?? []) {
      if (up) this.linksUp.set(device, { value: true, by, argument, persist });
      else this.linksUp.delete(device);
    }
  }

  holds(address: string): Declared<Address> | undefined {
    return this.addresses.find((entry) => entry.value.prefix.address === address);
  }

  sysctl(key: string): Declared<string> | undefined {
    return this.sysctls.get(key);
  }

  /** The host routes to `address` and the default route: what carries the VIP's traffic on a real server. */
  routesFor(address: string): Declared<Route>[] {
    return this.routes.filter((route) => route.value.dest === address || route.value.dest === 'default');
  }

  defaultRoute(): Declared<Route> | undefined {
    return this.routes.filter((route) => route.value.dest === 'default').at(-1);
  }

  /** Addresses of this host whose network (not a host route) contains `address`. */
  onNetworkOf(address: string): Address[] {
    return this.addresses.map((entry) => entry.value).filter((entry) => entry.prefix.prefixLength < maxLength(entry.prefix) && inNetwork(address, entry.prefix));
  }
}

/** A warning for each item the cluster needs after a reboot that its task sets live only. */
function lostAtReboot(host: HostModel, items: Declared<unknown>[], what: string): Finding[] {
  return items
    .filter((item) => item.persist === false)
    .map((item) => ({
      severity: 'warning' as const,
      host: host.name,
      key: 'persist',
      message: `${what} is set with persist: false, so ${host.name} loses it at its next reboot and the cluster stops working there: drop persist: false`,
      position: item.by.task.locate('persist'),
    }));
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
  const declared = declarations.map((declaration) => ({ declaration, settings: settingsOf(declaration) }));
  for (const { declaration, settings } of declared) {
    let model = hosts.get(declaration.host);
    if (!model) {
      model = new HostModel(declaration.host, declaration.connectAddress);
      hosts.set(declaration.host, model);
    }
    model.add(declaration, settings);
  }
  const findings: Finding[] = [];
  const services: DeclaredBy<ClusterService>[] = [];
  const instances: DeclaredBy<ClusterVrrpInstance>[] = [];
  for (const { declaration, settings } of declared) {
    for (const service of settings.services ?? []) {
      services.push({ value: service, by: declaration });
      findings.push(...checkService(service, declaration, hosts.get(declaration.host)!, [...hosts.values()]));
    }
    for (const instance of settings.vrrpInstances ?? []) instances.push({ value: instance, by: declaration });
  }
  findings.push(...serviceOwnerFindings(services));
  findings.push(...staticVipFindings(instances, (host, address) => hosts.get(host)?.holds(address)));
  findings.push(...directorPairFindings(instances, services));
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
function checkService(service: ClusterService, by: Declaration, director: HostModel, hosts: HostModel[]): Finding[] {
  const findings: Finding[] = [];
  const vip = canonicalAddress(service.address) ?? service.address;

  const directorVip = director.holds(vip);
  if (directorVip) findings.push(...lostAtReboot(director, [directorVip], `the VIP ${vip} on ${directorVip.value.dev}`));
  if (!directorVip && !director.vrrpVips.has(vip)) {
    findings.push({
      severity: 'error',
      host: director.name,
      key: service.argument,
      message: `the VIP ${vip} is on no interface of ${director.name}: add an ifaddr task for it on the director, or a VRRP instance that moves it there`,
      position: by.task.locate(service.argument),
    });
  }
  if (service.realServers.some((server) => server.forwarding === 'nat')) {
    const forwarding = director.sysctl('net.ipv4.ip_forward');
    if (forwarding?.value !== '1') {
      findings.push({
        severity: 'error',
        host: director.name,
        key: 'net.ipv4.ip_forward',
        message: `LVS-NAT needs the director to forward: set net.ipv4.ip_forward to 1 with a sysctl task (it is ${forwarding?.value ?? 'not set by the playbook'})`,
        position: forwarding ? forwarding.by.task.locate(forwarding.argument) : by.task.locate(''),
      });
    }
  }

  for (const server of service.realServers) {
    const address = canonicalAddress(server.address) ?? server.address;
    const { forwarding } = server;
    /** A finding about a setting: where it was set wrongly, or else at this real server's entry. */
    const report = (severity: Finding['severity'], host: string, key: string, message: string, at?: Declared<unknown>) =>
      findings.push({ severity, host, key, message, position: at ? at.by.task.locate(at.argument) : by.task.locate(server.argument) });

    const host = hosts.find((candidate) => candidate.holds(address)) ?? hosts.find((candidate) => candidate.connectAddress === address);
    if (!host) {
      const known = hosts.some((candidate) => candidate.onNetworkOf(address).length > 0);
      report(
        known ? 'warning' : 'error',
        director.name,
        server.argument,
        known
          ? `real server ${address} is in a network of the cluster, but no host checked here holds it (not in the inventory, or left out by --limit), so its settings cannot be checked`
          : `real server ${address} is neither a host of the inventory nor in one of its networks`,
      );
      continue;
    }
    const device = host.holds(address)?.value.dev;
    const serverVip = host.holds(vip);
    if (forwarding !== 'nat' && serverVip) findings.push(...lostAtReboot(host, [serverVip], `the VIP ${vip} on ${serverVip.value.dev}`));
    findings.push(...lostAtReboot(host, host.routesFor(vip), 'its route'));
    const tunnel = host.linksUp.get('tunl0');
    if (forwarding === 'tun' && tunnel) findings.push(...lostAtReboot(host, [tunnel], 'tunl0 up'));
    const need = (severity: Finding['severity'], target: HostModel, variable: string, wanted: string, why: string) => {
      const declared = target.sysctl(variable);
      if (declared?.value === wanted) return;
      report(severity, target.name, variable, `${why}: set it to ${wanted} (it is ${declared?.value ?? 'not set by the playbook'})`, declared);
    };
    const vipOnLoopback = (allowed: string[]) => {
      const held = host.holds(vip);
      if (held && held.value.prefix.prefixLength === maxLength(held.value.prefix) && allowed.includes(held.value.dev)) return;
      const where = held ? ` (it is ${held.value.prefix.address}/${held.value.prefix.prefixLength} on ${held.value.dev})` : '';
      report('error', host.name, 'ifaddr', `the VIP ${vip} must be on ${allowed.join(' or ')} as a /32 so ${host.name} accepts packets for it${where}`, held);
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
        report('error', host.name, 'route default', `LVS-NAT replies must return through the director: ${host.name}'s default route must go ${wanted}, but it ${now}`, route);
      }
    }
    if (forwarding === 'dr') {
      vipOnLoopback(['lo']);
      arpSettings('error');
      if (director.onNetworkOf(address).length === 0) {
        report('error', host.name, server.argument, `LVS-DR needs the director and real server ${address} on one network, but no address of ${director.name} covers it`);
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
  }
  return findings;
}
