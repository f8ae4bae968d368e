import { canonicalAddress, canonicalPrefix, computedBroadcast, hasHostBits, ipFamily, isIpv6LinkLocal, netmaskToPrefixLength, networkOf, parsePrefix, prefixLengthToNetmask, sameSubnet } from '../../../src/net/ip-address';

describe('canonicalAddress', () => {
  it.each([
    ['192.168.2.100', '192.168.2.100'],
    [' 10.0.0.1 ', '10.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    ['::', '::'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80::', 'fe80::'],
    ['FE80::24E4:91FF:FE59:77E0', 'fe80::24e4:91ff:fe59:77e0'],
    ['::ffff:192.168.2.100', '::ffff:192.168.2.100'],
    ['::ffff:c0a8:264', '::ffff:192.168.2.100'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalAddress(input)).toBe(expected);
  });

  it.each([
    '', '256.1.1.1', '1.2.3', '1.2.3.4.5', '010.0.0.1', '1.2.3.-4', '1.2.3.4/32', 'a.b.c.d',
    '1::2::3', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', '::1:2:3:4:5:6:7:8', 'fe80::1%eth0',
    '1.2.3.4::', 'g::1', '1.2.3.4; id',
  ])('rejects %j', (input) => {
    expect(canonicalAddress(input)).toBeUndefined();
    expect(ipFamily(input)).toBeUndefined();
  });
});

describe('parsePrefix', () => {
  it('makes a bare address a host prefix', () => {
    expect(parsePrefix('192.168.2.100')).toEqual({ family: 4, address: '192.168.2.100', prefixLength: 32 });
    expect(parsePrefix('2001:DB8::100')).toEqual({ family: 6, address: '2001:db8::100', prefixLength: 128 });
  });

  it('keeps host bits (an interface address) and reads netmasks', () => {
    expect(canonicalPrefix('192.168.2.100/24')).toBe('192.168.2.100/24');
    expect(canonicalPrefix('192.168.2.100/255.255.255.255')).toBe('192.168.2.100/32');
    expect(canonicalPrefix('172.16.0.0/255.255.0.0')).toBe('172.16.0.0/16');
    expect(canonicalPrefix('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(canonicalPrefix('::/0')).toBe('::/0');
  });

  it.each(['1.2.3.4/33', '1.2.3.4/', '1.2.3.4/024', '1.2.3.4/255.0.255.0', '::1/129', '::1/255.255.255.0', '1.2.3.4/8/8', 'default'])(
    'rejects %j',
    (input) => {
      expect(parsePrefix(input)).toBeUndefined();
    },
  );
});

describe('netmasks', () => {
  it('converts both ways', () => {
    expect(netmaskToPrefixLength('255.255.255.255')).toBe(32);
    expect(netmaskToPrefixLength('255.255.255.0')).toBe(24);
    expect(netmaskToPrefixLength('255.255.128.0')).toBe(17);
    expect(netmaskToPrefixLength('0.0.0.0')).toBe(0);
    expect(netmaskToPrefixLength('255.0.255.0')).toBeUndefined();
    expect(netmaskToPrefixLength('255.255.255')).toBeUndefined();
    expect(prefixLengthToNetmask(32)).toBe('255.255.255.255');
    expect(prefixLengthToNetmask(17)).toBe('255.255.128.0');
    expect(prefixLengthToNetmask(0)).toBe('0.0.0.0');
    expect(() => prefixLengthToNetmask(33)).toThrow(RangeError);
  });
});

describe('networks', () => {
  it('clears host bits', () => {
    expect(networkOf(parsePrefix('192.168.2.100/24')!).address).toBe('192.168.2.0');
    expect(networkOf(parsePrefix('172.16.20.11/12')!).address).toBe('172.16.0.0');
    expect(networkOf(parsePrefix('2001:db8:0:1::1/64')!).address).toBe('2001:db8:0:1::');
    expect(hasHostBits(parsePrefix('192.168.2.5/24')!)).toBe(true);
    expect(hasHostBits(parsePrefix('192.168.2.0/24')!)).toBe(false);
    expect(hasHostBits(parsePrefix('192.168.2.100')!)).toBe(false);
  });

  it('tells subnets apart as the kernel does for secondaries (same length, same network)', () => {
    expect(sameSubnet(parsePrefix('10.99.0.1/24')!, parsePrefix('10.99.0.100/24')!)).toBe(true);
    expect(sameSubnet(parsePrefix('10.99.0.1/24')!, parsePrefix('10.99.0.100/32')!)).toBe(false);
    expect(sameSubnet(parsePrefix('10.99.0.1/24')!, parsePrefix('10.99.1.1/24')!)).toBe(false);
  });

  it('computes the broadcast iproute2 gives `brd +`', () => {
    expect(computedBroadcast(parsePrefix('10.99.0.50/24')!)).toBe('10.99.0.255');
    expect(computedBroadcast(parsePrefix('172.16.100.100/30')!)).toBe('172.16.100.103');
    expect(computedBroadcast(parsePrefix('10.0.0.0/31')!)).toBeUndefined();
    expect(computedBroadcast(parsePrefix('192.168.2.100/32')!)).toBeUndefined();
    expect(computedBroadcast(parsePrefix('2001:db8::/64')!)).toBeUndefined();
  });

  it('knows IPv6 link-local gateways', () => {
    expect(isIpv6LinkLocal('fe80::1')).toBe(true);
    expect(isIpv6LinkLocal('FEBF::1')).toBe(true);
    expect(isIpv6LinkLocal('fec0::1')).toBe(false);
    expect(isIpv6LinkLocal('2001:db8::1')).toBe(false);
    expect(isIpv6LinkLocal('169.254.0.1')).toBe(false);
  });
});
