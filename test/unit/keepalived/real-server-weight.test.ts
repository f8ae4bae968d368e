/**
 * A real server's weight found and changed in keepalived.conf as the keepalived task renders
 * it: by service (address, port and protocol, or fwmark) and server, the weight line of the
 * real_server block alone (never a check's lines), and every other byte kept, so a weight
 * set back leaves the file exactly as rendered.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { ServiceKey } from '../../../src/facts/ipvs';
import { configuredRealServers, withRealServerWeight } from '../../../src/keepalived/real-server-weight';
import { PAIR_INSTANCE, pairService, renderedConfig as render } from '../fixtures/keepalived-pair';

/** The pair's service, a UDP one on the same address and port, a fwmark one and an IPv6 one. */
const services = (rs1 = 1) => [
  pairService(rs1),
  { protocol: 'udp', address: '192.168.2.100', port: 80, real_servers: [{ address: '192.168.2.11', weight: 7 }] },
  { fwmark: 10, real_servers: [{ address: '192.168.2.13', weight: 3 }, { address: '192.168.2.14', port: 8080, forwarding: 'nat' }] },
  { address: '2001:db8::100', port: 443, real_servers: [{ address: '2001:DB8:0::11', weight: 2 }] },
];
const PAIR = { vrrp_instances: [PAIR_INSTANCE], virtual_servers: services(), lvs_sync_daemon: { interface: 'eth0', instance: 'VI_1' } };
const TEXT = render(PAIR);
const TCP80: ServiceKey = { kind: 'address', protocol: 'tcp', family: 4, address: '192.168.2.100', port: 80 };

describe('configuredRealServers', () => {
  it('finds the servers of a service with their weights and weight lines', () => {
    const servers = configuredRealServers(TEXT, TCP80)!;
    expect(servers.map(({ address, port, weight }) => ({ address, port, weight }))).toEqual([
      { address: '192.168.2.11', port: 80, weight: 1 },
      { address: '192.168.2.12', port: 80, weight: 1 },
    ]);
    expect(TEXT.split('\n')[servers[0].weightLine!]).toBe('        weight 1');
  });

  it('tells services apart by protocol, and finds fwmark and IPv6 services', () => {
    expect(configuredRealServers(TEXT, { ...TCP80, protocol: 'udp' })!.map((server) => server.weight)).toEqual([7]);
    expect(configuredRealServers(TEXT, { kind: 'fwmark', fwmark: 10, family: 4 })!.map(({ address, port, weight }) => ({ address, port, weight }))).toEqual([
      { address: '192.168.2.13', port: 0, weight: 3 },
      { address: '192.168.2.14', port: 8080, weight: 1 },
    ]);
    expect(configuredRealServers(TEXT, { kind: 'address', protocol: 'tcp', family: 6, address: '2001:db8::100', port: 443 })).toEqual([
      expect.objectContaining({ address: '2001:db8::11', port: 443, weight: 2 }),
    ]);
  });

  it('has no servers for a service the file does not have', () => {
    expect(configuredRealServers(TEXT, { ...TCP80, port: 8080 })).toBeUndefined();
    expect(configuredRealServers(TEXT, { ...TCP80, protocol: 'sctp' })).toBeUndefined();
    expect(configuredRealServers(TEXT, { kind: 'fwmark', fwmark: 11, family: 4 })).toBeUndefined();
    expect(configuredRealServers('', TCP80)).toBeUndefined();
  });

  it("takes keepalived's default weight 1 for a block without a weight line, and reads TCP for a service without a protocol line", () => {
    const text = 'virtual_server 10.0.0.1 80 {\n    real_server 10.0.0.2 80 {\n        TCP_CHECK {\n            weight 9\n        }\n    }\n}\n';
    expect(configuredRealServers(text, { ...TCP80, address: '10.0.0.1' })).toEqual([{ address: '10.0.0.2', port: 80, weight: 1 }]);
  });
});

describe('withRealServerWeight', () => {
  it('a drain and its restore leave the file byte for byte as the keepalived task renders it', () => {
    const line = configuredRealServers(TEXT, TCP80)![0].weightLine!;
    const drained = withRealServerWeight(TEXT, line, 0);
    expect(drained).toBe(render({ ...PAIR, virtual_servers: services(0) }));
    expect(configuredRealServers(drained, TCP80)!.map((server) => server.weight)).toEqual([0, 1]);
    expect(withRealServerWeight(drained, line, 1)).toBe(TEXT);
  });

  it('keepalived -t (this machine\'s 2.2.7) accepts the drained file, as the write\'s validate asks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvs-keepalived-weight-'));
    try {
      const file = join(dir, 'keepalived.conf');
      // The virtual servers alone: -t would look for the VRRP instance's eth0 on this machine.
      const text = render({ virtual_servers: services() });
      writeFileSync(file, withRealServerWeight(text, configuredRealServers(text, TCP80)![0].weightLine!, 0));
      // Throws on a non-zero exit, with keepalived's messages.
      expect(execFileSync('keepalived', ['-t', '-f', file], { encoding: 'utf8', stdio: 'pipe' })).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('changes only the weight line, whatever its indentation and the file around it', () => {
    const text = 'virtual_server fwmark 10 {\n\treal_server 10.0.0.2 {\n\t  weight   3  \n\t}\n}';
    const line = configuredRealServers(text, { kind: 'fwmark', fwmark: 10, family: 4 })![0].weightLine!;
    expect(withRealServerWeight(text, line, 12)).toBe('virtual_server fwmark 10 {\n\treal_server 10.0.0.2 {\n\t  weight   12  \n\t}\n}');
  });
});
