import route from '../../../src/tasks/route';
import { captured } from '../fixtures/network';
import { argumentProblems, commandLines, planWith } from './plan-with-fixtures';

const drHost = { routes: captured('route4-dr-real-server'), interfaces: captured('addr-dr-real-server') };
const mixed4 = { routes: captured('route4-mixed'), interfaces: captured('addr-mixed') };
const mixed6 = { routes: captured('route6-mixed'), interfaces: captured('addr-mixed') };
const fresh = { routes: captured('route4-empty'), interfaces: captured('addr-fresh') };

describe('route arguments', () => {
  it('needs via or dev when present, neither when absent', () => {
    expect(argumentProblems(route, { dest: 'default', via: '10.0.0.1' })).toEqual([]);
    expect(argumentProblems(route, { dest: '192.168.2.100', dev: 'lo:0' })).toEqual([]);
    expect(argumentProblems(route, { dest: '192.168.2.100', state: 'absent' })).toEqual([]);
    expect(argumentProblems(route, { dest: '192.168.2.100' })).toEqual(['via: is required', 'dev: is required']);
    expect(argumentProblems(route, { dest: '172.16.0.0/16', via: '10.0.0.1', metric: '100' })).toEqual([]);
  });

  it.each([
    [{ dest: 'default; touch /tmp/x', via: '10.0.0.1' }, /^dest: does not match/],
    [{ dest: '$(id)', via: '10.0.0.1' }, /^dest: does not match/],
    [{ dest: 'default', via: '10.0.0.1 `id`' }, /^via: does not match/],
    [{ dest: 'default', dev: "eth0'" }, /^dev: does not match/],
    [{ dest: 'default', dev: 'eth0\n' }, /^dev: does not match/],
    [{ dest: 'default', via: '10.0.0.1', metric: -1 }, /^metric: /],
    [{ dest: 'default', via: '10.0.0.1', metric: '1; id' }, /^metric: /],
  ])('the schema rejects %j', (input, problem) => {
    expect(argumentProblems(route, input)).toEqual([expect.stringMatching(problem)]);
  });

  it('checks what the schema cannot say', () => {
    expect(argumentProblems(route, { dest: '192.168.2.5/24', dev: 'eth0' })).toEqual([
      'dest: 192.168.2.5/24 has host bits set; the network is 192.168.2.0/24',
    ]);
    expect(argumentProblems(route, { dest: '10.0.0.0/40', dev: 'eth0' })).toEqual(['dest: 10.0.0.0/40 is not default, an IP address or a prefix']);
    expect(argumentProblems(route, { dest: '10.0.0.0/8', via: '2001:db8::1' })).toEqual(['via: 2001:db8::1 is IPv6 but dest 10.0.0.0/8 is IPv4']);
    expect(argumentProblems(route, { dest: 'default', via: '10.0.0.256' })).toEqual(['via: 10.0.0.256 is not an IP address']);
    expect(argumentProblems(route, { dest: 'default', via: 'fe80::1' })).toEqual(['dev: required with the link-local gateway fe80::1']);
    expect(argumentProblems(route, { dest: 'default', via: 'fe80::1', dev: 'eth0' })).toEqual([]);
  });
});

describe('route plan', () => {
  it('adds the LVS-DR host route to the VIP via lo, taking lo:0 as lo', () => {
    const plan = planWith(route, { dest: '192.168.2.100', dev: 'lo:0', persist: false }, fresh);
    expect(plan.changes).toEqual([{ subject: 'route 192.168.2.100/32', before: null, after: '192.168.2.100/32 dev lo' }]);
    expect(commandLines(plan)).toEqual(['ip -4 route replace 192.168.2.100/32 dev lo']);
  });

  it('no-op twin: the host route is there, however dest and dev are written', () => {
    for (const args of [{ dest: '192.168.2.100', dev: 'lo:0' }, { dest: '192.168.2.100/32', dev: 'lo' }, { dest: '192.168.2.100/255.255.255.255', dev: 'lo' }]) {
      expect(planWith(route, { ...args, persist: false }, drHost)).toEqual({ changes: [], commands: [], noop: '192.168.2.100/32 dev lo is in table main' });
    }
  });

  it('replaces the default route instead of adding a second one', () => {
    const plan = planWith(route, { dest: 'default', via: '192.168.2.254', persist: false }, drHost);
    expect(plan.changes).toEqual([{ subject: 'route default', before: 'default via 192.168.2.1 dev eth0', after: 'default via 192.168.2.254' }]);
    expect(commandLines(plan)).toEqual(['ip -4 route replace default via 192.168.2.254']);
  });

  it('no-op twin: default and 0.0.0.0/0 are the same route', () => {
    expect(planWith(route, { dest: 'default', via: '192.168.2.1', persist: false }, drHost).noop).toBe('default via 192.168.2.1 dev eth0 is in table main');
    expect(planWith(route, { dest: '0.0.0.0/0', via: '192.168.2.1', dev: 'eth0', persist: false }, drHost).changes).toEqual([]);
  });

  it('without a metric owns every route to dest: replaces one, deletes the others', () => {
    const plan = planWith(route, { dest: 'default', via: '10.99.0.4', persist: false }, mixed4);
    expect(commandLines(plan)).toEqual(['ip -4 route replace default via 10.99.0.4', 'ip -4 route del default via 10.99.0.3 dev eth0 metric 100']);
    expect(plan.changes).toEqual([
      { subject: 'route default', before: 'default via 10.99.0.2 dev eth0\ndefault via 10.99.0.3 dev eth0 metric 100', after: 'default via 10.99.0.4' },
    ]);
    // The wanted route is there (metric 100), so only the other one goes.
    expect(commandLines(planWith(route, { dest: 'default', via: '10.99.0.3', persist: false }, mixed4))).toEqual(['ip -4 route del default via 10.99.0.2 dev eth0 metric 0']);
  });

  it('with a metric touches only the route of that metric', () => {
    expect(planWith(route, { dest: 'default', via: '10.99.0.3', metric: 100, persist: false }, mixed4).noop).toBe(
      'default via 10.99.0.3 dev eth0 metric 100 is in table main',
    );
    expect(planWith(route, { dest: '172.16.0.0/16', via: '10.99.0.2', metric: 100, persist: false }, mixed4).changes).toEqual([]);
    const plan = planWith(route, { dest: '172.16.0.0/16', via: '10.99.0.3', metric: 50, persist: false }, mixed4);
    expect(commandLines(plan)).toEqual(['ip -4 route replace 172.16.0.0/16 via 10.99.0.3 metric 50']);
    const same = planWith(route, { dest: '172.16.0.0/16', via: '10.99.0.3', metric: 100, persist: false }, mixed4);
    expect(commandLines(same)).toEqual(['ip -4 route replace 172.16.0.0/16 via 10.99.0.3 metric 100']);
  });

  it('turns a blackhole or multipath route into the wanted one', () => {
    expect(commandLines(planWith(route, { dest: '10.66.0.0/16', via: '10.99.0.2', persist: false }, mixed4))).toEqual(['ip -4 route replace 10.66.0.0/16 via 10.99.0.2']);
    expect(commandLines(planWith(route, { dest: '10.50.0.0/16', via: '10.99.0.2', dev: 'eth0', persist: false }, mixed4))).toEqual([
      'ip -4 route replace 10.50.0.0/16 via 10.99.0.2 dev eth0',
    ]);
  });

  it('handles IPv6: canonical gateway, replace of the same metric (1024 by default)', () => {
    expect(planWith(route, { dest: 'default', via: '2001:DB8:0:1:0:0:0:2', persist: false }, mixed6).noop).toBe('default via 2001:db8:0:1::2 dev eth0 metric 1024 is in table main');
    expect(planWith(route, { dest: '::/0', via: '2001:db8:0:1::2', dev: 'eth0', metric: 1024, persist: false }, mixed6).changes).toEqual([]);
    const plan = planWith(route, { dest: 'default', via: '2001:db8:0:1::3', dev: 'eth0', persist: false }, mixed6);
    expect(commandLines(plan)).toEqual(['ip -6 route replace default via 2001:db8:0:1::3 dev eth0']);
    expect(plan.changes).toEqual([
      { subject: 'route default', before: 'default via 2001:db8:0:1::2 dev eth0 metric 1024', after: 'default via 2001:db8:0:1::3 dev eth0' },
    ]);
    expect(commandLines(planWith(route, { dest: '2001:db8:5::/48', via: '2001:db8:0:1::2', persist: false }, mixed6))).toEqual([
      'ip -6 route replace 2001:db8:5::/48 via 2001:db8:0:1::2',
    ]);
  });

  it('fails clearly on a missing device', () => {
    expect(() => planWith(route, { dest: '192.168.2.100', dev: 'eth1:0', persist: false }, drHost)).toThrow('device eth1 does not exist');
  });

  it('absent deletes exactly the matching routes; no-op twin when none matches', () => {
    const plan = planWith(route, { dest: '192.168.2.100', dev: 'lo', state: 'absent', persist: false }, drHost);
    expect(plan.changes).toEqual([{ subject: 'route 192.168.2.100/32', before: '192.168.2.100/32 dev lo', after: null }]);
    expect(commandLines(plan)).toEqual(['ip -4 route del 192.168.2.100/32 dev lo metric 0']);
    expect(commandLines(planWith(route, { dest: '10.50.0.0/16', state: 'absent', persist: false }, mixed4))).toEqual(['ip -4 route del 10.50.0.0/16 metric 0']);
    expect(commandLines(planWith(route, { dest: '10.66.0.0/16', state: 'absent', persist: false }, mixed4))).toEqual(['ip -4 route del blackhole 10.66.0.0/16 metric 0']);
    const one = planWith(route, { dest: 'default', via: '10.99.0.3', state: 'absent', persist: false }, mixed4);
    expect(commandLines(one)).toEqual(['ip -4 route del default via 10.99.0.3 dev eth0 metric 100']);
    expect(one.changes[0].after).toBe('default via 10.99.0.2 dev eth0');
    expect(planWith(route, { dest: '192.168.2.100', dev: 'lo', state: 'absent', persist: false }, fresh).noop).toBe('no route 192.168.2.100/32 dev lo in table main');
    expect(planWith(route, { dest: 'default', via: '10.99.0.9', state: 'absent', persist: false }, mixed4).changes).toEqual([]);
  });
});
