import { describeRoute, parseRoutes, routes } from '../../../src/facts/ip-route';
import { captured } from '../fixtures/network';
import { deleteRoute } from '../../../src/changes/route';

describe('routes fact', () => {
  it('reads the main table of one family', () => {
    expect(routes(4).command.text).toBe(captured('route4-mixed').command);
    expect(routes(6).command.text).toBe(captured('route6-mixed').command);
  });

  it('reads an empty table', () => {
    expect(parseRoutes(captured('route4-empty'), 4)).toEqual([]);
    expect(parseRoutes(captured('route6-empty'), 6)).toEqual([]);
  });

  it('reads default, metrics, multipath, blackhole and host routes in canonical form', () => {
    expect(parseRoutes(captured('route4-mixed'), 4)).toEqual([
      { family: 4, destination: '0.0.0.0/0', type: 'unicast', gateway: '10.99.0.2', dev: 'eth0', metric: 0, nexthops: [] },
      { family: 4, destination: '0.0.0.0/0', type: 'unicast', gateway: '10.99.0.3', dev: 'eth0', metric: 100, nexthops: [] },
      {
        family: 4,
        destination: '10.50.0.0/16',
        type: 'unicast',
        metric: 0,
        nexthops: [
          { gateway: '10.99.0.2', dev: 'eth0' },
          { gateway: '10.99.0.3', dev: 'eth0' },
        ],
      },
      { family: 4, destination: '10.66.0.0/16', type: 'blackhole', metric: 0, nexthops: [] },
      { family: 4, destination: '10.99.0.0/24', type: 'unicast', dev: 'eth0', metric: 0, nexthops: [] },
      { family: 4, destination: '172.16.0.0/16', type: 'unicast', gateway: '10.99.0.2', dev: 'eth0', metric: 100, nexthops: [] },
    ]);
    expect(parseRoutes(captured('route4-dr-real-server'), 4)).toContainEqual({
      family: 4,
      destination: '192.168.2.100/32',
      type: 'unicast',
      dev: 'lo',
      metric: 0,
      nexthops: [],
    });
  });

  it('reads IPv6 routes', () => {
    const table = parseRoutes(captured('route6-mixed'), 6);
    expect(table).toContainEqual({ family: 6, destination: '::/0', type: 'unicast', gateway: '2001:db8:0:1::2', dev: 'eth0', metric: 1024, nexthops: [] });
    expect(table).toContainEqual({ family: 6, destination: '2001:db8::100/128', type: 'unicast', dev: 'lo', metric: 256, nexthops: [] });
  });

  it('describes and deletes exactly the route it read', () => {
    const table = parseRoutes(captured('route4-mixed'), 4);
    expect(table.map(describeRoute)).toEqual([
      'default via 10.99.0.2 dev eth0',
      'default via 10.99.0.3 dev eth0 metric 100',
      '10.50.0.0/16 nexthop via 10.99.0.2 dev eth0 nexthop via 10.99.0.3 dev eth0',
      'blackhole 10.66.0.0/16',
      '10.99.0.0/24 dev eth0',
      '172.16.0.0/16 via 10.99.0.2 dev eth0 metric 100',
    ]);
    expect(table.map((route) => deleteRoute(route).text)).toEqual([
      'ip -4 route del default via 10.99.0.2 dev eth0 metric 0',
      'ip -4 route del default via 10.99.0.3 dev eth0 metric 100',
      'ip -4 route del 10.50.0.0/16 metric 0',
      'ip -4 route del blackhole 10.66.0.0/16 metric 0',
      'ip -4 route del 10.99.0.0/24 dev eth0 metric 0',
      'ip -4 route del 172.16.0.0/16 via 10.99.0.2 dev eth0 metric 100',
    ]);
    const ipv6Default = parseRoutes(captured('route6-mixed'), 6).find((route) => route.destination === '::/0')!;
    expect(deleteRoute(ipv6Default).text).toBe('ip -6 route del default via 2001:db8:0:1::2 dev eth0 metric 1024');
  });

  it('fails clearly when ip fails', () => {
    expect(() => parseRoutes({ stdout: '', stderr: 'Error: ipv4: FIB table does not exist.\n', exitCode: 2 }, 4)).toThrow(
      'cannot read the IPv4 routing table: Error: ipv4: FIB table does not exist.',
    );
  });
});
