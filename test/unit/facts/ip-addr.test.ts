import { parseInterfaces } from '../../../src/facts/ip-addr';
import { canonicalAddress } from '../../../src/net/ip-address';
import { captured, fixtureText } from '../fixtures/network';

describe('parseInterfaces (ip -j addr show)', () => {
  it('reads a host nothing was done to: lo down, no addresses', () => {
    expect(parseInterfaces(captured('addr-fresh'))).toEqual([
      { name: 'lo', up: false, addresses: [] },
      { name: 'eth0', up: false, addresses: [] },
    ]);
  });

  it('reads labels, secondaries, broadcasts and IPv6 in canonical form', () => {
    const [lo, eth0] = parseInterfaces(captured('addr-mixed'));
    expect(lo).toEqual({
      name: 'lo',
      up: true,
      addresses: [
        { family: 4, address: '127.0.0.1', prefixLength: 8, label: 'lo', secondary: false },
        // added as 2001:DB8::100
        { family: 6, address: '2001:db8::100', prefixLength: 128, secondary: false },
        { family: 6, address: '::1', prefixLength: 128, secondary: false },
      ],
    });
    expect(eth0.name).toBe('eth0');
    expect(eth0.up).toBe(true);
    expect(eth0.addresses.filter((entry) => entry.family === 4)).toEqual([
      { family: 4, address: '10.99.0.1', prefixLength: 24, label: 'eth0', secondary: false },
      { family: 4, address: '10.99.0.100', prefixLength: 24, label: 'eth0:0', secondary: true },
      { family: 4, address: '10.99.0.50', prefixLength: 24, label: 'eth0', broadcast: '10.99.0.255', secondary: true },
    ]);
    expect(eth0.addresses.filter((entry) => entry.family === 6).map((entry) => `${entry.address}/${entry.prefixLength}`)).toEqual([
      '2001:db8:0:1::1/64',
      expect.stringMatching(/^fe80::[0-9a-f:]+\/64$/),
    ]);
  });

  it('reads the LVS-DR real server VIP on lo:0', () => {
    const lo = parseInterfaces(captured('addr-dr-real-server')).find((device) => device.name === 'lo')!;
    expect(lo.addresses).toContainEqual({ family: 4, address: '192.168.2.100', prefixLength: 32, label: 'lo:0', secondary: false });
  });

  it('gives every address the form iproute2 itself prints, whatever form it was added in', () => {
    const forms = fixtureText('ipv6-forms.txt').trim().split('\n');
    const printed = (JSON.parse(captured('addr-ipv6-forms').stdout) as Array<{ addr_info: Array<{ local: string }> }>)[0].addr_info.map(
      (info) => info.local,
    );
    const parsed = parseInterfaces(captured('addr-ipv6-forms'))[0].addresses.map((entry) => entry.address);
    expect(parsed).toEqual(printed);
    for (const form of forms) expect(printed).toContain(canonicalAddress(form));
  });

  it('treats no output as no interfaces and fails clearly on errors or non-JSON', () => {
    expect(parseInterfaces({ stdout: '', stderr: '', exitCode: 0 })).toEqual([]);
    expect(() => parseInterfaces({ stdout: '', stderr: 'sh: 1: ip: not found\n', exitCode: 127 })).toThrow(
      'cannot read network interfaces: sh: 1: ip: not found',
    );
    expect(() => parseInterfaces({ stdout: '1: lo: <LOOPBACK,UP> mtu 65536\n', stderr: '', exitCode: 0 })).toThrow(/did not print JSON/);
  });

  it('skips entries it cannot read instead of guessing', () => {
    const stdout = JSON.stringify([
      { ifname: 'lo', flags: ['UP'], addr_info: [{ family: 'inet', local: '127.0.0.1' }, { family: 'mpls' }, { family: 'inet', local: 'x', prefixlen: 8 }] },
      { ifindex: 9 },
    ]);
    expect(parseInterfaces({ stdout, stderr: '', exitCode: 0 })).toEqual([{ name: 'lo', up: true, addresses: [] }]);
  });
});
