/**
 * The lab's hosts and networks, modelled on the seed's three clusters and the HA cluster
 * with a director pair. One VM holds every topology side by side; each host is a set of
 * namespaces in it (see lab/vm-init.sh). Host names and groups match the inventories the
 * playbooks use.
 */
import { LabError } from './lab-error';

export const TOPOLOGY_NAMES = ['nat', 'dr', 'tun', 'dr-ha'] as const;
export type TopologyName = (typeof TOPOLOGY_NAMES)[number];

export const HOST_NAMES = ['director', 'director2', 'rs1', 'rs2', 'client'] as const;
export type HostName = (typeof HOST_NAMES)[number];

export type GroupName = 'director' | 'directors' | 'realservers' | 'clients';

/** A NIC of a host, cabled to one of the topology's segments. */
export interface LabNic {
  /** The name inside the host, as the guides use it: eth0, eth1. */
  ifname: string;
  /** The bridge in the VM that models the segment. */
  segment: string;
  /** The veth end on the bridge's side (at most 15 characters). */
  bridgePort: string;
  /** Fixed, as a real NIC's: neighbours' ARP caches stay right across a `lab reboot`. */
  mac: string;
}

export interface LabHost {
  topology: TopologyName;
  name: HostName;
  group: GroupName;
  /** The host's network namespace in the VM; also names its host key. */
  namespace: string;
  /** mgmt0's address, on qemu's user network: hostfwd reaches the host's sshd here. */
  managementAddress: string;
  /** The veth end of mgmt0 on the management bridge. */
  managementPort: string;
  /** mgmt0's MAC, fixed: qemu's user network keeps it in its ARP table across a host's reboot. */
  managementMac: string;
  nics: LabNic[];
}

export interface LabSegment {
  bridge: string;
  /** What the segment stands for in the seed's guide. */
  description: string;
}

export interface LabTopology {
  name: TopologyName;
  description: string;
  segments: LabSegment[];
  hosts: LabHost[];
}

/** qemu's user network, which the management bridge extends to every host's mgmt0. */
export const MANAGEMENT_NETWORK = {
  cidr: '10.250.0.0/24',
  prefix: 24,
  /** qemu's side of the network, where forwarded connections come from. */
  gateway: '10.250.0.2',
  dns: '10.250.0.3',
  bridge: 'lab-mgmt',
} as const;

const SHORT_NAME: Record<HostName, string> = { director: 'dir', director2: 'dir2', rs1: 'rs1', rs2: 'rs2', client: 'cli' };
/** Each topology's hosts get 10.250.0.<base + 1..5>. */
const ADDRESS_BASE: Record<TopologyName, number> = { nat: 10, dr: 20, tun: 30, 'dr-ha': 40 };
/** The groups of the seed's inventories: one director. */
const ONE_DIRECTOR: Partial<Record<HostName, GroupName>> = { director: 'director', rs1: 'realservers', rs2: 'realservers', client: 'clients' };

interface TopologySpec {
  description: string;
  segments: Record<string, string>;
  /** The group of each of the topology's hosts. */
  groups: Partial<Record<HostName, GroupName>>;
  /** The topology's hosts, in this order, each with the segment each of its NICs is cabled to, in NIC order (eth0, eth1). */
  cabling: Partial<Record<HostName, string[]>>;
}

const SPECS: Record<TopologyName, TopologySpec> = {
  nat: {
    description: 'LVS-NAT: the client and the director eth0 on a public segment; the director eth1 and the real servers on a private one',
    segments: { pub: 'public side: VIP 192.168.0.109 and the client', priv: 'private side: DIP 172.16.100.100, RIPs 172.16.100.101-102' },
    groups: ONE_DIRECTOR,
    cabling: { director: ['pub', 'priv'], rs1: ['priv'], rs2: ['priv'], client: ['pub'] },
  },
  dr: {
    description: 'LVS-DR: the director, the real servers and the client on one segment',
    segments: { lan: 'one segment for DIP, VIP 192.168.2.100, RIPs and the client' },
    groups: ONE_DIRECTOR,
    cabling: { director: ['lan'], rs1: ['lan'], rs2: ['lan'], client: ['lan'] },
  },
  tun: {
    description: 'LVS-TUN: the client and the director eth0 on a public segment; the director eth1 (the gateway, 172.16.20.13) and the real servers on 172.16.20.0/24',
    segments: { pub: 'public side: VIP 192.168.2.200 and the client', srv: 'the real servers\' segment 172.16.20.0/24, the director as gateway' },
    groups: ONE_DIRECTOR,
    cabling: { director: ['pub', 'srv'], rs1: ['srv'], rs2: ['srv'], client: ['pub'] },
  },
  'dr-ha': {
    description: 'LVS-DR with a director pair: keepalived moves the VIP 192.168.2.100 between director and director2 (VRRP); all five hosts on one segment',
    segments: { lan: 'one segment for the DIPs, the VIP, the RIPs, the client and VRRP' },
    groups: { director: 'directors', director2: 'directors', rs1: 'realservers', rs2: 'realservers', client: 'clients' },
    cabling: { director: ['lan'], director2: ['lan'], rs1: ['lan'], rs2: ['lan'], client: ['lan'] },
  },
};

const MAX_IFNAME = 15;

function checkedIfname(name: string): string {
  if (name.length > MAX_IFNAME) throw new Error(`interface name ${name} is longer than ${MAX_IFNAME} characters`);
  return name;
}

/** A locally administered MAC, unique per topology, host and NIC (0 is mgmt0, then eth0, eth1...). */
function macAddress(topologyIndex: number, hostIndex: number, nicIndex: number): string {
  return ['02', '4c', '56', topologyIndex + 1, hostIndex + 1, nicIndex].map((part) => (typeof part === 'string' ? part : part.toString(16).padStart(2, '0'))).join(':');
}

function buildTopology(name: TopologyName): LabTopology {
  const spec = SPECS[name];
  const hostNames = Object.keys(spec.cabling) as HostName[];
  const hosts = hostNames.map((hostName, index): LabHost => {
    const short = SHORT_NAME[hostName];
    return {
      topology: name,
      name: hostName,
      group: spec.groups[hostName]!,
      namespace: `${name}-${hostName}`,
      managementAddress: `10.250.0.${ADDRESS_BASE[name] + index + 1}`,
      managementPort: checkedIfname(`${name}-${short}-mgmt`),
      managementMac: macAddress(TOPOLOGY_NAMES.indexOf(name), index, 0),
      nics: spec.cabling[hostName]!.map((segment, nicIndex) => ({
        ifname: `eth${nicIndex}`,
        segment: checkedIfname(`${name}-${segment}`),
        bridgePort: checkedIfname(`${name}-${short}-eth${nicIndex}`),
        mac: macAddress(TOPOLOGY_NAMES.indexOf(name), index, nicIndex + 1),
      })),
    };
  });
  const segments = Object.entries(spec.segments).map(([segment, description]) => ({
    bridge: checkedIfname(`${name}-${segment}`),
    description,
  }));
  return { name, description: spec.description, segments, hosts };
}

export const TOPOLOGIES: readonly LabTopology[] = TOPOLOGY_NAMES.map(buildTopology);

export function topology(name: TopologyName): LabTopology {
  return TOPOLOGIES.find((candidate) => candidate.name === name)!;
}

/** A host of a topology, or an error that lists the topology's hosts. */
export function topologyHost(name: TopologyName, host: HostName): LabHost {
  const hosts = topology(name).hosts;
  const found = hosts.find((candidate) => candidate.name === host);
  if (!found) throw new LabError(`the ${name} topology has no host ${host} (its hosts: ${hosts.map((candidate) => candidate.name).join(', ')})`);
  return found;
}

export function allHosts(): LabHost[] {
  return TOPOLOGIES.flatMap((candidate) => candidate.hosts);
}
