import ifaddr from '../../../src/tasks/ifaddr';
import { captured } from '../fixtures/network';
import { argumentProblems, commandLines, planWith } from './plan-with-fixtures';

const vip = { address: '192.168.2.100/32', dev: 'lo', label: 'lo:0' };
const on = (name: string) => ({ interfaces: captured(name) });

describe('ifaddr arguments', () => {
  it('accepts CIDR, bare, netmask and IPv6 forms', () => {
    for (const address of ['192.168.2.100/32', '192.168.2.100', '192.168.2.100/255.255.255.255', '2001:DB8::1/64', '2001:db8::1']) {
      expect(argumentProblems(ifaddr, { address, dev: 'lo' })).toEqual([]);
    }
    expect(argumentProblems(ifaddr, { ...vip, broadcast: '+' })).toEqual([]);
    expect(argumentProblems(ifaddr, { address: '10.99.0.5/24', dev: 'eth0', broadcast: '10.99.0.255' })).toEqual([]);
  });

  it.each([
    [{ ...vip, dev: 'lo; touch /tmp/x' }, /^dev: does not match/],
    [{ ...vip, dev: '$(id)' }, /^dev: does not match/],
    [{ ...vip, dev: 'lo:0' }, /^dev: does not match/],
    [{ ...vip, dev: 'averyveryverylongname' }, /^dev: does not match/],
    [{ ...vip, label: 'lo:0 `id`' }, /^label: does not match/],
    [{ ...vip, address: '192.168.2.100/32; id' }, /^address: does not match/],
    [{ ...vip, address: '192.168.2.100\n' }, /^address: does not match/],
    [{ ...vip, broadcast: "'+'" }, /^broadcast: does not match/],
  ])('the schema rejects %j', (input, problem) => {
    expect(argumentProblems(ifaddr, input)).toEqual([expect.stringMatching(problem)]);
  });

  it('checks what the schema cannot say', () => {
    expect(argumentProblems(ifaddr, { ...vip, address: '192.168.2.300/32' })).toEqual(['address: 192.168.2.300/32 is not an IP address or prefix']);
    expect(argumentProblems(ifaddr, { ...vip, address: '192.168.2.100/33' })).toEqual(['address: 192.168.2.100/33 is not an IP address or prefix']);
    expect(argumentProblems(ifaddr, { ...vip, label: 'eth0:0' })).toEqual(['label: must be lo or start with lo:']);
    expect(argumentProblems(ifaddr, { ...vip, label: 'lo0' })).toEqual(['label: must be lo or start with lo:']);
    expect(argumentProblems(ifaddr, { address: '2001:db8::1', dev: 'lo', label: 'lo:6' })).toEqual(['label: only IPv4 addresses have labels']);
    expect(argumentProblems(ifaddr, { address: '2001:db8::1', dev: 'lo', broadcast: '+' })).toEqual(['broadcast: IPv6 has no broadcast address']);
    expect(argumentProblems(ifaddr, { ...vip, broadcast: '1.2.3.256' })).toEqual(['broadcast: 1.2.3.256 is not an IPv4 address or +']);
    expect(argumentProblems(ifaddr, { address: '10.0.0.1', dev: 'eth0.100', label: 'eth0.100:vip12345' })).toEqual(['label: at most 15 characters']);
  });
});

describe('ifaddr plan', () => {
  it('puts the LVS-DR VIP on lo:0 of a fresh host and brings lo up', () => {
    const plan = planWith(ifaddr, { ...vip, persist: false }, on('addr-fresh'));
    expect(plan.changes).toEqual([
      { subject: 'lo 192.168.2.100', before: null, after: '192.168.2.100/32 label lo:0' },
      { subject: 'lo link', before: 'down', after: 'up' },
    ]);
    expect(commandLines(plan)).toEqual(['ip addr add 192.168.2.100/32 dev lo label lo:0', 'ip link set dev lo up']);
  });

  it('no-op twin: the VIP is on lo:0 and lo is up, whatever form the address is written in', () => {
    for (const address of ['192.168.2.100/32', '192.168.2.100', '192.168.2.100/255.255.255.255']) {
      expect(planWith(ifaddr, { ...vip, address, persist: false }, on('addr-dr-real-server'))).toEqual({
        changes: [],
        commands: [],
        noop: '192.168.2.100/32 is on lo as lo:0 and lo is up',
      });
    }
  });

  it('replaces the VIP when its label differs', () => {
    const plan = planWith(ifaddr, { ...vip, persist: false }, on('addr-dr-vip-label-lo1'));
    expect(plan.changes).toEqual([{ subject: 'lo 192.168.2.100', before: '192.168.2.100/32 label lo:1', after: '192.168.2.100/32 label lo:0' }]);
    expect(commandLines(plan)).toEqual(['ip addr del 192.168.2.100/32 dev lo', 'ip addr add 192.168.2.100/32 dev lo label lo:0']);
  });

  it('replaces the VIP when its prefix length differs (a /24 on lo answers for the whole subnet)', () => {
    const plan = planWith(ifaddr, { ...vip, persist: false }, on('addr-dr-vip-slash24'));
    expect(plan.changes).toEqual([{ subject: 'lo 192.168.2.100', before: '192.168.2.100/24 label lo:0', after: '192.168.2.100/32 label lo:0' }]);
    expect(commandLines(plan)).toEqual(['ip addr del 192.168.2.100/24 dev lo', 'ip addr add 192.168.2.100/32 dev lo label lo:0']);
  });

  it('without a label wants the device name as label', () => {
    const plan = planWith(ifaddr, { address: '192.168.2.100/32', dev: 'lo', persist: false }, on('addr-dr-real-server'));
    expect(commandLines(plan)).toEqual(['ip addr del 192.168.2.100/32 dev lo', 'ip addr add 192.168.2.100/32 dev lo']);
    expect(planWith(ifaddr, { address: '192.168.2.11/24', dev: 'eth0', persist: false }, on('addr-dr-real-server')).noop).toBe('192.168.2.11/24 is on eth0 and eth0 is up');
  });

  it('adds an IPv6 address in canonical form', () => {
    const plan = planWith(ifaddr, { address: '2001:DB8:0:0::100', dev: 'lo', persist: false }, on('addr-dr-real-server'));
    expect(plan.changes).toEqual([{ subject: 'lo 2001:db8::100', before: null, after: '2001:db8::100/128' }]);
    expect(commandLines(plan)).toEqual(['ip addr add 2001:db8::100/128 dev lo']);
  });

  it('no-op twin for IPv6, and a different IPv6 prefix is replaced', () => {
    expect(planWith(ifaddr, { address: '2001:DB8:0:0::100/128', dev: 'lo', persist: false }, on('addr-mixed')).noop).toBe('2001:db8::100/128 is on lo and lo is up');
    expect(commandLines(planWith(ifaddr, { address: '2001:db8:0:1::1/48', dev: 'eth0', persist: false }, on('addr-mixed')))).toEqual([
      'ip addr del 2001:db8:0:1::1/64 dev eth0',
      'ip addr add 2001:db8:0:1::1/48 dev eth0',
    ]);
  });

  it('fails clearly on a missing device', () => {
    expect(() => planWith(ifaddr, { ...vip, dev: 'eth1', label: 'eth1:0', persist: false }, on('addr-dr-real-server'))).toThrow('device eth1 does not exist');
  });

  it('compares the broadcast only when asked, + meaning the computed one', () => {
    expect(planWith(ifaddr, { address: '10.99.0.50/24', dev: 'eth0', broadcast: '+', persist: false }, on('addr-mixed')).noop).toBe('10.99.0.50/24 is on eth0 and eth0 is up');
    expect(planWith(ifaddr, { address: '10.99.0.50/24', dev: 'eth0', broadcast: '10.99.0.255', persist: false }, on('addr-mixed')).changes).toEqual([]);
    expect(planWith(ifaddr, { address: '10.99.0.100/24', dev: 'eth0', label: 'eth0:0', persist: false }, on('addr-mixed')).changes).toEqual([]);
    const plan = planWith(ifaddr, { address: '10.99.0.100/24', dev: 'eth0', label: 'eth0:0', broadcast: '+', persist: false }, on('addr-mixed'));
    expect(plan.changes).toEqual([
      { subject: 'eth0 10.99.0.100', before: '10.99.0.100/24 label eth0:0', after: '10.99.0.100/24 label eth0:0 broadcast 10.99.0.255' },
    ]);
    expect(commandLines(plan)).toEqual(['ip addr del 10.99.0.100/24 dev eth0', 'ip addr add 10.99.0.100/24 dev eth0 label eth0:0 broadcast +']);
    // A /32 has no broadcast, so + asks for none.
    expect(planWith(ifaddr, { ...vip, broadcast: '+', persist: false }, on('addr-dr-real-server')).changes).toEqual([]);
  });

  it('refuses to delete a primary address that would take its secondaries (a VIP on eth0:0) with it', () => {
    expect(() => planWith(ifaddr, { address: '10.99.0.1/24', dev: 'eth0', label: 'eth0:9', persist: false }, on('addr-mixed'))).toThrow(
      'removing 10.99.0.1/24 from eth0 would also remove its secondary addresses 10.99.0.100/24, 10.99.0.50/24: remove those first',
    );
  });

  it('absent deletes the address whatever its prefix and label; no-op twin when it is not there', () => {
    const plan = planWith(ifaddr, { address: '192.168.2.100', dev: 'lo', state: 'absent', persist: false }, on('addr-dr-vip-slash24'));
    expect(plan.changes).toEqual([{ subject: 'lo 192.168.2.100', before: '192.168.2.100/24 label lo:0', after: null }]);
    expect(commandLines(plan)).toEqual(['ip addr del 192.168.2.100/24 dev lo']);
    expect(planWith(ifaddr, { address: '192.168.2.100', dev: 'lo', state: 'absent', persist: false }, on('addr-fresh')).noop).toBe('192.168.2.100 is not on lo');
    expect(planWith(ifaddr, { address: '192.168.2.100', dev: 'eth1', state: 'absent', persist: false }, on('addr-fresh')).noop).toBe(
      'device eth1 does not exist, so 192.168.2.100 is not on it',
    );
  });
});
