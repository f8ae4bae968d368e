/**
 * Every persistence format on the same items: what each file holds, written out literally,
 * the removal, and hostile values each refuses. The no-op twins (a file that already holds
 * this content plans nothing) are in persist-plan.test.ts.
 */
import { parsePrefix } from '../../../src/net/ip-address';
import { ifcfgContent, ifcfgPath } from '../../../src/persistence/ifcfg';
import { ifupdownPath, ifupdownStanza } from '../../../src/persistence/ifupdown';
import { itemFileName } from '../../../src/persistence/file-names';
import { networkdDropIn, networkdDropInPath, networkdOwnFile, networkdOwnFileContent } from '../../../src/persistence/networkd';
import { nmKeyfileContent, nmKeyfilePath, parseNmKeyfile } from '../../../src/persistence/nm-keyfile';
import type { PersistedAddress, PersistedLink, PersistedRoute } from '../../../src/persistence/item';

const vip: PersistedAddress = { kind: 'address', device: 'lo', prefix: parsePrefix('192.168.2.100/32')!, label: 'lo:0' };
const rip: PersistedAddress = { kind: 'address', device: 'eth0', prefix: parsePrefix('10.0.0.5/24')!, broadcast: '+', broadcastAddress: '10.0.0.255' };
const v6: PersistedAddress = { kind: 'address', device: 'lo', prefix: parsePrefix('2001:db8::100/128')! };
const hostRoute: PersistedRoute = { kind: 'route', family: 4, destination: '192.168.2.100/32', device: 'lo' };
const defaultRoute: PersistedRoute = { kind: 'route', family: 4, destination: '0.0.0.0/0', gateway: '172.16.100.100', device: 'eth0', metric: 100 };
const tunnel: PersistedLink = { kind: 'link', device: 'tunl0', up: true };

describe('file names', () => {
  it('keep to [A-Za-z0-9_-] (source-directory) and never collide', () => {
    const names = [
      itemFileName(vip),
      itemFileName({ ...vip, device: 'eth0.100' }),
      itemFileName({ ...vip, device: 'eth0-100' }),
      itemFileName({ ...vip, device: 'eth0_100' }),
      itemFileName(v6),
      itemFileName(hostRoute),
      itemFileName(defaultRoute),
      itemFileName({ ...defaultRoute, family: 6, destination: '::/0', metric: undefined }),
      itemFileName(tunnel),
    ];
    expect(names).toEqual([
      'lvs-addr-lo-192-168-2-100',
      'lvs-addr-eth0_2e100-192-168-2-100',
      'lvs-addr-eth0_2d100-192-168-2-100',
      'lvs-addr-eth0_5f100-192-168-2-100',
      'lvs-addr-lo-2001-db8--100',
      'lvs-route-192-168-2-100_32',
      'lvs-route-0-0-0-0_0-metric100',
      'lvs-route---_0',
      'lvs-link-tunl0',
    ]);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('ifupdown', () => {
  it('the VIP on lo:0: a manual stanza replaying the live command, label included', () => {
    expect(ifupdownPath(vip)).toBe('/etc/network/interfaces.d/lvs-addr-lo-192-168-2-100');
    expect(ifupdownStanza(vip)).toBe(
      '# Written by lvs: 192.168.2.100/32 on lo as lo:0.\nauto lo:0\niface lo:0 inet manual\n    up ip addr add 192.168.2.100/32 dev lo label lo:0\n    down ip addr del 192.168.2.100/32 dev lo\n',
    );
  });

  it('an address with a broadcast, an IPv6 address, a route, a link', () => {
    expect(ifupdownStanza(rip)).toBe(
      '# Written by lvs: 10.0.0.5/24 on eth0.\nauto eth0\niface eth0 inet manual\n    up ip addr add 10.0.0.5/24 dev eth0 broadcast +\n    down ip addr del 10.0.0.5/24 dev eth0\n',
    );
    expect(ifupdownStanza(v6)).toBe(
      '# Written by lvs: 2001:db8::100/128 on lo.\nauto lo\niface lo inet6 manual\n    up ip addr add 2001:db8::100/128 dev lo\n    down ip addr del 2001:db8::100/128 dev lo\n',
    );
    expect(ifupdownStanza(defaultRoute)).toBe(
      '# Written by lvs: the route to 0.0.0.0/0 via 172.16.100.100 on eth0.\nauto eth0\niface eth0 inet manual\n' +
        '    up ip -4 route replace default via 172.16.100.100 dev eth0 metric 100\n    down ip -4 route del default via 172.16.100.100 dev eth0 metric 100\n',
    );
    expect(ifupdownStanza({ ...tunnel, up: false })).toBe('# Written by lvs: tunl0 down.\nauto tunl0\niface tunl0 inet manual\n    up ip link set dev tunl0 down\n');
  });

  it('refuses a label with a newline and a device with /', () => {
    expect(() => ifupdownStanza({ ...vip, label: 'lo:0\nup touch /tmp/x' })).toThrow('"lo:0\\nup touch /tmp/x" cannot be written into an ifupdown stanza configuration');
    expect(() => ifupdownStanza({ ...tunnel, device: 'tun/../x' })).toThrow(/cannot be written/);
    expect(() => ifupdownStanza({ ...hostRoute, device: 'lo; reboot' })).toThrow(/cannot be written/);
  });
});

describe('systemd-networkd', () => {
  it('a drop-in beside the .network file networkd applies, or lvs\'s own file for an unmanaged device', () => {
    expect(networkdDropInPath(vip, '/lib/systemd/network/80-container-host0.network')).toBe(
      '/etc/systemd/network/80-container-host0.network.d/lvs-addr-lo-192-168-2-100.conf',
    );
    expect(networkdDropInPath(vip, undefined)).toBe('/etc/systemd/network/50-lvs-lo.network.d/lvs-addr-lo-192-168-2-100.conf');
    expect(networkdOwnFile('eth0.100')).toBe('/etc/systemd/network/50-lvs-eth0_2e100.network');
    expect(networkdOwnFileContent('lo')).toBe(
      '# Written by lvs: networkd applied no .network file to lo.\n[Match]\nName=lo\n\n[Network]\nKeepConfiguration=static\n\n[Link]\nRequiredForOnline=no\n',
    );
  });

  it('addresses with their label and no broadcast unless given, routes, links', () => {
    expect(networkdDropIn(vip)).toBe('# Written by lvs: 192.168.2.100/32 on lo as lo:0.\n[Address]\nAddress=192.168.2.100/32\nLabel=lo:0\nBroadcast=no\n');
    expect(networkdDropIn(rip)).toBe('# Written by lvs: 10.0.0.5/24 on eth0.\n[Address]\nAddress=10.0.0.5/24\nBroadcast=10.0.0.255\n');
    expect(networkdDropIn(v6)).toBe('# Written by lvs: 2001:db8::100/128 on lo.\n[Address]\nAddress=2001:db8::100/128\n');
    expect(networkdDropIn(hostRoute)).toBe('# Written by lvs: the route to 192.168.2.100/32 on lo.\n[Route]\nDestination=192.168.2.100/32\nScope=link\n');
    expect(networkdDropIn(defaultRoute)).toBe(
      '# Written by lvs: the route to 0.0.0.0/0 via 172.16.100.100 on eth0.\n[Route]\nDestination=0.0.0.0/0\nGateway=172.16.100.100\nMetric=100\n',
    );
    expect(networkdDropIn(tunnel)).toBe('# Written by lvs: tunl0 up.\n[Link]\nActivationPolicy=up\n');
  });

  it('refuses a label with a newline and a device with /', () => {
    expect(() => networkdDropIn({ ...vip, label: 'lo:0\n[Network]' })).toThrow(/cannot be written into a networkd drop-in/);
    expect(() => networkdOwnFileContent('a/b')).toThrow(/cannot be written into a \.network file as a device name/);
  });
});

describe('NetworkManager keyfile', () => {
  const captured = [
    '[connection]',
    'id=lvs-lo',
    'uuid=2c1a5ae0-7d3e-4b4f-8a51-64c9c0c2c5a1',
    'type=loopback',
    'interface-name=lo',
    '',
    '[ipv4]',
    'method=manual',
    'address2=192.168.2.101/32',
    'address1=127.0.0.1/8',
    'route1=192.168.2.100/32',
    '',
    '[ipv6]',
    'method=manual',
    'address1=::1/128',
    '',
  ].join('\n');

  it('parses addressN and routeN in N order', () => {
    expect(parseNmKeyfile(captured)).toEqual({
      ipv4: { addresses: ['127.0.0.1/8', '192.168.2.101/32'], routes: ['192.168.2.100/32'] },
      ipv6: { addresses: ['::1/128'], routes: [] },
    });
  });

  it('adds to lvs\'s own profile, keeping the other entries; removing the last entry removes the file', () => {
    const address = { ...vip, label: undefined };
    expect(nmKeyfilePath('lo')).toBe('/etc/NetworkManager/system-connections/lvs-lo.nmconnection');
    const added = nmKeyfileContent(address, true, captured)!;
    expect(added.split('\n').filter((line) => /^(address|route|method|type|interface)/.test(line))).toEqual([
      'type=loopback',
      'interface-name=lo',
      'method=manual',
      'address1=127.0.0.1/8',
      'address2=192.168.2.101/32',
      'address3=192.168.2.100/32',
      'route1=192.168.2.100/32',
      'method=manual',
      'address1=::1/128',
    ]);
    expect(nmKeyfileContent(address, true, added)).toBe(added);
    const fresh = nmKeyfileContent(defaultRoute, true, null)!;
    expect(fresh).toMatch(/^id=lvs-eth0$/m);
    expect(fresh).toMatch(/^uuid=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/m);
    expect(fresh).toContain('[ipv4]\nmethod=manual\nroute1=0.0.0.0/0,172.16.100.100,100\n\n[ipv6]\nmethod=ignore\n');
    expect(nmKeyfileContent(defaultRoute, false, fresh)).toBeNull();
    expect(nmKeyfileContent({ ...hostRoute, metric: 5 }, true, null)).toContain('route1=192.168.2.100/32,0.0.0.0,5\n');
  });

  it('refuses what a keyfile cannot say: labels, broadcasts, a link\'s state', () => {
    expect(() => nmKeyfileContent(vip, true, null)).toThrow('a NetworkManager keyfile has no address labels (lo:0): leave label out, or use persist: false');
    expect(() => nmKeyfileContent(rip, true, null)).toThrow(/no broadcast setting/);
    expect(() => nmKeyfileContent(tunnel, true, null)).toThrow(/no setting for tunl0's state alone/);
    expect(() => nmKeyfileContent({ ...hostRoute, device: 'lo\nid=x' }, true, null)).toThrow(/cannot be written into a NetworkManager keyfile/);
  });
});

describe('RHEL ifcfg', () => {
  it('the VIP as an alias file ifcfg-lo:0', () => {
    expect(ifcfgPath(vip)).toBe('/etc/sysconfig/network-scripts/ifcfg-lo:0');
    expect(ifcfgContent(vip, true, null)).toBe('# Written by lvs.\nDEVICE=lo:0\nIPADDR=192.168.2.100\nPREFIX=32\nONBOOT=yes\n');
    expect(ifcfgContent({ ...rip, label: 'eth0:1' }, true, null)).toBe('# Written by lvs.\nDEVICE=eth0:1\nIPADDR=10.0.0.5\nPREFIX=24\nBROADCAST=10.0.0.255\nONBOOT=yes\n');
    expect(ifcfgContent(vip, false, 'DEVICE=lo:0\n')).toBeNull();
  });

  it('routes in route-DEV, replacing only lvs\'s own line', () => {
    const captured = '# static routes\n10.9.0.0/16 via 172.16.100.1 dev eth0\ndefault via 172.16.100.1 dev eth0 metric 100\n\n';
    expect(ifcfgPath(defaultRoute)).toBe('/etc/sysconfig/network-scripts/route-eth0');
    expect(ifcfgPath({ ...hostRoute, family: 6, destination: '2001:db8::/64' })).toBe('/etc/sysconfig/network-scripts/route6-lo');
    const replaced = ifcfgContent(defaultRoute, true, captured);
    expect(replaced).toBe('# static routes\n10.9.0.0/16 via 172.16.100.1 dev eth0\ndefault via 172.16.100.100 dev eth0 metric 100\n');
    expect(ifcfgContent(defaultRoute, true, replaced)).toBe(replaced);
    expect(ifcfgContent(defaultRoute, false, replaced)).toBe('# static routes\n10.9.0.0/16 via 172.16.100.1 dev eth0\n');
    expect(ifcfgContent(hostRoute, true, null)).toBe('192.168.2.100/32 dev lo\n');
    expect(ifcfgContent(hostRoute, false, '192.168.2.100/32 dev lo\n')).toBeNull();
  });

  it('refuses what ifcfg cannot say, and hostile values', () => {
    expect(() => ifcfgPath(rip)).toThrow("ifcfg keeps eth0's own addresses in ifcfg-eth0, which lvs does not take over: give the address a label (eth0:0), or use persist: false");
    expect(() => ifcfgPath({ ...v6, label: 'lo:6' })).toThrow(/IPv4 addresses only/);
    expect(() => ifcfgPath(tunnel)).toThrow(/no setting for tunl0's state alone/);
    expect(() => ifcfgPath({ ...vip, label: 'lo:0/../../x' })).toThrow(/cannot be written into an ifcfg file name as a device name/);
    expect(() => ifcfgContent({ ...vip, label: 'lo:0\nONBOOT=no' }, true, null)).toThrow(/cannot be written into an ifcfg file/);
  });
});
