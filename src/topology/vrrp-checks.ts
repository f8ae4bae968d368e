/**
 * Checks of services kept by two programs and of VRRP director pairs, over what tasks
 * declare through their `cluster` hook (services and VRRP instances), never their names:
 * - one host's virtual service kept by two different tasks (ipvsadm and keepalived, say):
 *   each would undo the other's changes to the IPVS table;
 * - a VRRP VIP also put on its director statically: then the backup answers for it too;
 * - the directors of a pair (instances that share a VIP or a name on different hosts):
 *   one virtual_router_id and one set of VIPs, different priorities, the same services and
 *   real servers (a failover must not change what is served), and the LVS sync daemon on
 *   each, or the backup drops every connection it did not see start.
 */
import type { ClusterService, ClusterVrrpInstance } from '../api';
import { canonicalAddress, parsePrefix } from '../net/ip-address';
import type { Declaration } from './declarations';
import type { Finding } from './findings';

/** A declared item with the task that declared it. */
export interface DeclaredBy<T> {
  value: T;
  by: Declaration;
}

function serviceIdentity(service: ClusterService): string {
  return `${service.protocol} ${canonicalAddress(service.address) ?? service.address}:${service.port}`;
}

/** The VIP without its prefix, canonical: what two declarations of one VIP share. */
function vipAddress(address: string): string {
  return parsePrefix(address)?.address ?? address;
}

function finding(severity: Finding['severity'], by: Declaration, key: string, message: string): Finding {
  return { severity, host: by.host, key, message, position: by.task.locate(key) };
}

/** A service that a second task on the same host keeps as well, reported at the second. */
export function serviceOwnerFindings(services: DeclaredBy<ClusterService>[]): Finding[] {
  const first = new Map<string, DeclaredBy<ClusterService>>();
  const findings: Finding[] = [];
  for (const entry of services) {
    const identity = `${entry.by.host} ${serviceIdentity(entry.value)}`;
    const earlier = first.get(identity);
    if (!earlier) {
      first.set(identity, entry);
      continue;
    }
    if (earlier.by.action === entry.by.action) continue;
    const where = earlier.by.task.locate(earlier.value.argument);
    findings.push(
      finding(
        'error',
        entry.by,
        entry.value.argument,
        `the virtual service ${serviceIdentity(entry.value)} is kept by both ${earlier.by.action} (${where.file}:${where.line}) and ${entry.by.action}: each would undo what the other does to the IPVS table; keep it in one task`,
      ),
    );
  }
  return findings;
}

/** A static address (an ifaddr task) for a VIP that a VRRP instance of the same host moves. */
export function staticVipFindings(
  instances: DeclaredBy<ClusterVrrpInstance>[],
  staticAddresses: (host: string, address: string) => { by: Declaration; argument: string } | undefined,
): Finding[] {
  return instances.flatMap(({ value: instance, by }) =>
    instance.addresses.flatMap((vip) => {
      const held = staticAddresses(by.host, vipAddress(vip.address));
      if (!held) return [];
      return [
        finding(
          'warning',
          held.by,
          held.argument,
          `${vipAddress(vip.address)} is a VIP of VRRP instance ${instance.name} on ${by.host}, which keepalived moves to the master director; a static address keeps it on ${by.host} when it is backup as well, so two directors answer for it: remove this task`,
        ),
      ];
    }),
  );
}

/** Instances linked by a shared VIP or a shared name, on two hosts or more. */
function pairs(instances: DeclaredBy<ClusterVrrpInstance>[]): DeclaredBy<ClusterVrrpInstance>[][] {
  const parent = instances.map((_, index) => index);
  const root = (index: number): number => (parent[index] === index ? index : (parent[index] = root(parent[index])));
  const keys = (instance: ClusterVrrpInstance) => [`name ${instance.name}`, ...instance.addresses.map((vip) => `vip ${vipAddress(vip.address)}`)];
  const owner = new Map<string, number>();
  instances.forEach((entry, index) => {
    for (const key of keys(entry.value)) {
      const other = owner.get(key);
      if (other === undefined) owner.set(key, index);
      else parent[root(index)] = root(other);
    }
  });
  const groups = new Map<number, DeclaredBy<ClusterVrrpInstance>[]>();
  instances.forEach((entry, index) => groups.set(root(index), [...(groups.get(root(index)) ?? []), entry]));
  return [...groups.values()];
}

const vipSet = (instance: ClusterVrrpInstance) => instance.addresses.map((vip) => vip.address.includes('/') ? `${vipAddress(vip.address)}/${vip.address.split('/')[1]}` : vipAddress(vip.address)).sort().join(' ');

/** The services of a host as `SERVICE -> real servers`, to compare across a pair. */
function servicesOf(host: string, services: DeclaredBy<ClusterService>[]): Map<string, string> {
  const described = new Map<string, string>();
  for (const { value, by } of services) {
    if (by.host !== host) continue;
    const servers = value.realServers.map((server) => `${canonicalAddress(server.address) ?? server.address}${server.port === undefined ? '' : `:${server.port}`} ${server.forwarding}`).sort();
    described.set(serviceIdentity(value), servers.join(', '));
  }
  return described;
}

export function directorPairFindings(instances: DeclaredBy<ClusterVrrpInstance>[], services: DeclaredBy<ClusterService>[]): Finding[] {
  const findings: Finding[] = [];
  for (const group of pairs(instances)) {
    const hosts = [...new Set(group.map((entry) => entry.by.host))];
    if (hosts.length < 2) continue;
    const [first, ...others] = group;
    const name = first.value.name;
    for (const other of others) {
      const { value, by } = other;
      if (value.virtualRouterId !== first.value.virtualRouterId) {
        findings.push(
          finding('error', by, `${value.argument}.virtual_router_id`, `VRRP instance ${value.name} has virtual_router_id ${value.virtualRouterId} on ${by.host} but ${first.value.virtualRouterId} on ${first.by.host}: the directors of a pair need the same one`),
        );
      }
      if (vipSet(value) !== vipSet(first.value)) {
        findings.push(
          finding('error', by, `${value.argument}.virtual_ipaddresses`, `VRRP instance ${value.name} moves ${vipSet(value)} on ${by.host} but ${vipSet(first.value)} on ${first.by.host}: the directors of a pair need the same VIPs`),
        );
      }
    }
    const priorities = new Map<number, DeclaredBy<ClusterVrrpInstance>>();
    for (const entry of group) {
      const same = priorities.get(entry.value.priority);
      if (same && same.by.host !== entry.by.host) {
        findings.push(
          finding('error', entry.by, `${entry.value.argument}.priority`, `VRRP instance ${entry.value.name} has priority ${entry.value.priority} on both ${same.by.host} and ${entry.by.host}: give each director its own, or which one is master is left to chance (the higher address)`),
        );
      } else priorities.set(entry.value.priority, entry);
    }
    const reference = servicesOf(first.by.host, services);
    for (const host of hosts.slice(1)) {
      const mine = servicesOf(host, services);
      const entry = group.find((candidate) => candidate.by.host === host)!;
      for (const identity of new Set([...reference.keys(), ...mine.keys()])) {
        const theirs = reference.get(identity);
        const ours = mine.get(identity);
        if (theirs === ours) continue;
        const message =
          ours === undefined
            ? `${first.by.host} keeps the virtual service ${identity} and ${host} does not: after a failover of ${name} it would be gone`
            : theirs === undefined
              ? `${host} keeps the virtual service ${identity} and ${first.by.host} does not: the directors of ${name} must serve the same`
              : `the virtual service ${identity} has real servers ${ours} on ${host} but ${theirs} on ${first.by.host}: a failover of ${name} would change what is served`;
        const at = services.find((candidate) => candidate.by.host === host && serviceIdentity(candidate.value) === identity);
        findings.push(at ? finding('error', at.by, at.value.argument, message) : finding('error', entry.by, entry.value.argument, message));
      }
    }
    const synced = group.filter((entry) => entry.value.syncInterface !== undefined);
    if (synced.length < group.length) {
      for (const entry of group.filter((candidate) => candidate.value.syncInterface === undefined)) {
        findings.push(
          synced.length === 0
            ? finding('warning', entry.by, 'lvs_sync_daemon', `no director of VRRP instance ${name} runs the LVS sync daemon, so a failover drops every open connection: add lvs_sync_daemon (interface and instance ${name})`)
            : finding('error', entry.by, 'lvs_sync_daemon', `${entry.by.host} runs no LVS sync daemon for VRRP instance ${name} while ${synced[0].by.host} does: the backup cannot learn the master's connections`),
        );
      }
    }
  }
  return findings;
}
