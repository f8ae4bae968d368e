import { allHosts, topology, topologyHost, TOPOLOGIES } from '../../../src/lab/topology';

describe('the lab topologies', () => {
  it('give every host its own namespace, management address and port, and every NIC its own MAC', () => {
    const hosts = allHosts();
    expect(hosts).toHaveLength(17);
    const unique = (values: string[]) => new Set(values).size === values.length;
    expect(unique(hosts.map((host) => host.namespace))).toBe(true);
    expect(unique(hosts.map((host) => host.managementAddress))).toBe(true);
    expect(unique(hosts.map((host) => host.managementPort))).toBe(true);
    expect(unique([...hosts.map((host) => host.managementMac), ...hosts.flatMap((host) => host.nics.map((nic) => nic.mac))])).toBe(true);
    expect(unique(hosts.flatMap((host) => host.nics.map((nic) => nic.bridgePort)))).toBe(true);
  });

  it('cable each NIC to a segment of its own topology', () => {
    for (const candidate of TOPOLOGIES) {
      const bridges = candidate.segments.map((segment) => segment.bridge);
      for (const host of candidate.hosts) for (const nic of host.nics) expect({ host: host.namespace, segment: bridges.includes(nic.segment) }).toEqual({ host: host.namespace, segment: true });
    }
  });

  it('put the seed clusters\' one director in group director, and dr-ha\'s pair in group directors, as the shipped inventories do', () => {
    const groups = (name: Parameters<typeof topology>[0]) => topology(name).hosts.map((host) => `${host.name}:${host.group}`);
    expect(groups('nat')).toEqual(['director:director', 'rs1:realservers', 'rs2:realservers', 'client:clients']);
    expect(groups('dr-ha')).toEqual(['director:directors', 'director2:directors', 'rs1:realservers', 'rs2:realservers', 'client:clients']);
    expect(topology('dr-ha').hosts.every((host) => host.nics.map((nic) => nic.segment).join() === 'dr-ha-lan')).toBe(true);
  });

  it("names a topology's hosts when asked for one it does not have", () => {
    expect(topologyHost('dr-ha', 'director2').namespace).toBe('dr-ha-director2');
    expect(() => topologyHost('nat', 'director2')).toThrow('the nat topology has no host director2 (its hosts: director, rs1, rs2, client)');
  });
});
