import { readFileSync } from 'fs';
import { join } from 'path';
import type { CommandResult } from '../../../src/api';
import { formatRules, ipvsState, parseAddressPort, parseIpvsadmSave, parseIpvsRules, parseIpvsState, sameRules, type VirtualService } from '../../../src/facts/ipvs';
import { kernelModules, parseKernelModules } from '../../../src/facts/kernel-modules';

const FIXTURES = join(__dirname, '../fixtures/ipvs');
const text = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const result = (name: string) => JSON.parse(text(`${name}.json`)) as CommandResult & { command: string };

describe('parseAddressPort prints addresses as inet_ntop does, as ipvsadm -n prints them', () => {
  it.each([
    ['192.168.0.109:80', 4, '192.168.0.109'],
    ['[2001:DB8::1]:80', 6, '2001:db8::1'],
    ['[2001:0db8:0000:0000:0000:0000:0000:0001]:80', 6, '2001:db8::1'],
    ['[1:0:0:2:0:0:0:3]:80', 6, '1:0:0:2::3'],
    ['[::ffff:0:1]:80', 6, '::ffff:0.0.0.1'],
  ])('%s', (input, family, address) => {
    expect(parseAddressPort(input)).toEqual({ family, address, port: 80 });
  });

  it.each(['010.0.0.1:80', '256.1.1.1:80', '[1::2::3]:80', '[fe80::1%eth0]:80', ':80', '1.2.3.4;id:80'])('rejects %j', (input) => {
    expect(() => parseAddressPort(input)).toThrow('is not ADDRESS:PORT');
  });
});

describe('parseAddressPort', () => {
  it('reads IPv4 and bracketed IPv6 with and without a port', () => {
    expect(parseAddressPort('10.0.0.1:80')).toEqual({ family: 4, address: '10.0.0.1', port: 80 });
    expect(parseAddressPort('[2001:DB8::1]:443')).toEqual({ family: 6, address: '2001:db8::1', port: 443 });
    expect(parseAddressPort('10.0.0.1')).toEqual({ family: 4, address: '10.0.0.1', port: undefined });
  });

  it('rejects IPv6 without brackets and IPv4 inside them', () => {
    expect(() => parseAddressPort('2001:db8::1:80')).toThrow('is not ADDRESS:PORT');
    expect(() => parseAddressPort('[10.0.0.1]:80')).toThrow('is not ADDRESS:PORT');
  });
});

describe('parseIpvsRules', () => {
  it('reads the real dump from the lab VM: NAT, DR and a tunnel whose ipip default is normalised away', () => {
    expect(parseIpvsRules(text('save-lab-vm-nat-dr-tun.txt'))).toEqual([
      {
        key: { kind: 'address', protocol: 'tcp', family: 4, address: '192.168.0.109', port: 80 },
        scheduler: 'rr',
        onePacket: false,
        realServers: [
          { family: 4, address: '172.16.100.101', port: 80, forwarding: 'nat', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
          { family: 4, address: '172.16.100.103', port: 80, forwarding: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
          { family: 4, address: '172.16.100.104', port: 80, forwarding: 'tun', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
        ],
      },
    ]);
  });

  it('reads IPv6, UDP, SCTP, fwmark (IPv4 and -6), persistence, netmasks, --pe, -b and GUE tunnels', () => {
    const services = parseIpvsRules(text('save-ipv6-fwmark-persistence.txt'));
    expect(services.map((service) => service.key)).toEqual([
      { kind: 'address', protocol: 'tcp', family: 6, address: '2001:db8:0:1::100', port: 443 },
      { kind: 'address', protocol: 'udp', family: 4, address: '192.168.2.100', port: 53 },
      { kind: 'fwmark', fwmark: 7, family: 4 },
      { kind: 'fwmark', fwmark: 8, family: 6 },
      { kind: 'address', protocol: 'sctp', family: 4, address: '192.168.2.100', port: 3868 },
    ]);
    const [v6, udp, mark7, mark8] = services;
    expect(v6).toMatchObject({ scheduler: 'sh', persistent: 1800, netmask: '64', schedulerFlags: 'sh-fallback,sh-port' });
    expect(v6.realServers[1]).toMatchObject({ address: '2001:db8:0:1::12', port: 443, weight: 0 });
    expect(udp).toMatchObject({ persistent: 300, netmask: '255.255.255.0', persistenceEngine: 'sip' });
    expect(udp.realServers[0]).toMatchObject({ port: 5353, forwarding: 'nat', weight: 5 });
    expect(mark7.realServers.map((server) => [server.port, server.forwarding])).toEqual([
      [0, 'dr'],
      [8080, 'nat'],
    ]);
    expect(mark8.realServers[0]).toMatchObject({ family: 6, address: 'fd00::11', port: 0, forwarding: 'tun', tunnel: { type: 'gue', port: 6080, checksum: 'csum' } });
  });

  it('reads a saved rules file: comment header, blank lines, and -x 0 -y 0 as no thresholds', () => {
    const saved = parseIpvsRules(text('rules-file-debian.txt'));
    expect(saved[0].realServers[0]).toEqual({ family: 4, address: '172.16.100.101', port: 80, forwarding: 'nat', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
    expect(saved[0].realServers).toHaveLength(2);
  });

  it('applies ipvsadm defaults to a hand-written rule: wlc, -g, -w 1, the service port, -p alone = 300 s', () => {
    const [service] = parseIpvsRules('-A -t 10.0.0.1:80 -p\n-a -t 10.0.0.1:80 -r 10.0.0.11\n');
    expect(service).toMatchObject({ scheduler: 'wlc', persistent: 300 });
    expect(service.realServers[0]).toMatchObject({ port: 80, forwarding: 'dr', weight: 1 });
  });

  it('accepts long options and drops default netmasks and --tun-nocsum', () => {
    const [service] = parseIpvsRules(
      '--add-service --tcp-service 10.0.0.1:80 --scheduler rr --persistent 60 --netmask 255.255.255.255\n' +
        '--add-server --tcp-service 10.0.0.1:80 --real-server 10.0.0.11:80 --ipip --weight 2 --tun-type gre --tun-nocsum\n',
    );
    expect(service.netmask).toBeUndefined();
    expect(service.realServers[0].tunnel).toEqual({ type: 'gre' });
  });

  it('fails with the line on anything else', () => {
    expect(() => parseIpvsRules('-A -t 10.0.0.1:80 -s rr\n-C\n')).toThrow('ipvsadm rules, line 2 "-C": expected a -A or -a rule');
    expect(() => parseIpvsRules('-a -t 10.0.0.1:80 -r 10.0.0.11:80 -g -w 1\n')).toThrow('which no earlier -A line adds');
    expect(() => parseIpvsRules('-A -t www.example.com:http -s rr\n')).toThrow('"www.example.com:http" is not ADDRESS:PORT');
    expect(() => parseIpvsRules('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -w 70000\n')).toThrow('weight "70000" is not a number from 0 to 65535');
  });
});

describe('formatRules and sameRules', () => {
  it('print the rules back as ipvsadm -S -n printed them, less the ipip default older ipvsadm cannot parse', () => {
    expect(formatRules(parseIpvsRules(text('save-lab-vm-nat-dr-tun.txt')))).toBe(text('save-lab-vm-nat-dr-tun.txt').replace(' --tun-type ipip', ''));
    const reparsed = parseIpvsRules(formatRules(parseIpvsRules(text('save-ipv6-fwmark-persistence.txt'))));
    expect(reparsed).toEqual(parseIpvsRules(text('save-ipv6-fwmark-persistence.txt')));
  });

  it('compare tables whatever the order of services and real servers', () => {
    const services = parseIpvsRules(text('save-ipv6-fwmark-persistence.txt'));
    const shuffled: VirtualService[] = [...services].reverse().map((service) => ({ ...service, realServers: [...service.realServers].reverse() }));
    expect(sameRules(services, shuffled)).toBe(true);
    const reweighted = shuffled.map((service, index) => (index === 0 ? { ...service, realServers: service.realServers.map((server) => ({ ...server, weight: 9 })) } : service));
    expect(sameRules(services, reweighted)).toBe(false);
  });
});

describe('parseIpvsadmSave on this machine, whose kernel has no IPVS', () => {
  it('reports the real failure as IPVS missing, without the modprobe noise', () => {
    expect(() => parseIpvsadmSave(result('ipvsadm-save-kernel-without-ipvs'))).toThrow(
      "IPVS is not available in this kernel: Can't initialize ipvs: Protocol not available Are you sure that IP Virtual Server is built in the kernel or as module?",
    );
  });
});

describe('ipvsState', () => {
  it('is the fixtures’ command', () => {
    expect(result('state-kernel-without-ipvs').command).toBe(ipvsState(['ip_vs', 'ip_vs_wlc'], true).command.text);
    expect(result('state-absent-without-modules').command).toBe(ipvsState([], false).command.text);
  });

  it('fails when IPVS is needed and the kernel cannot load it (real output)', () => {
    expect(() => parseIpvsState(result('state-kernel-without-ipvs'), ['ip_vs', 'ip_vs_wlc'], true)).toThrow(
      'IPVS is not available in this kernel: modprobe: FATAL: Module ip_vs not found in directory /lib/modules/6.18.44-fc-v595',
    );
  });

  it('reads an empty table when IPVS is not loaded and not needed (real output)', () => {
    expect(parseIpvsState(result('state-absent-without-modules'), [], false)).toEqual({ modules: {}, loaded: false, services: [] });
  });

  it('fails when ipvsadm is not installed (real output, PATH without /usr/sbin)', () => {
    expect(() => parseIpvsState(result('state-no-ipvsadm'), ['ip_vs'], true)).toThrow('ipvsadm is not installed on the host');
  });

  it('reads modules and the table when IPVS is loaded', () => {
    const stdout = `ip_vs loaded\nip_vs_rr available\nlvs-ipvs-table loaded\n${text('save-lab-vm-nat-dr-tun.txt')}`;
    const state = parseIpvsState({ stdout, stderr: '', exitCode: 0 }, ['ip_vs', 'ip_vs_rr'], true);
    expect(state.modules).toEqual({ ip_vs: { state: 'loaded' }, ip_vs_rr: { state: 'available' } });
    expect(state.loaded).toBe(true);
    expect(state.services[0].realServers).toHaveLength(3);
  });

  it('reports ipvsadm failing on a loaded IPVS with its message', () => {
    const failed = { stdout: 'ip_vs loaded\nlvs-ipvs-table loaded\n', stderr: 'Memory allocation problem\n', exitCode: 1 };
    expect(() => parseIpvsState(failed, ['ip_vs'], true)).toThrow('ipvsadm -S -n failed: Memory allocation problem');
  });
});

describe('kernelModules', () => {
  it('reads loaded, built-in, loadable and missing modules', () => {
    const stdout = 'ip_vs loaded\noverlay builtin\nip_vs_mh available\nip_vs_xx missing modprobe: FATAL: Module ip_vs_xx not found\n';
    expect(parseKernelModules({ stdout, stderr: '', exitCode: 0 }, ['ip_vs', 'overlay', 'ip_vs_mh', 'ip_vs_xx'])).toEqual({
      ip_vs: { state: 'loaded' },
      overlay: { state: 'builtin' },
      ip_vs_mh: { state: 'available' },
      ip_vs_xx: { state: 'missing', detail: 'modprobe: FATAL: Module ip_vs_xx not found' },
    });
  });

  it('refuses names that are not module names rather than quoting them', () => {
    expect(() => kernelModules(['ip_vs;id'])).toThrow('"ip_vs;id" is not a kernel module name');
  });

  it('fails when a module is not reported', () => {
    expect(() => parseKernelModules({ stdout: 'ip_vs loaded\n', stderr: '', exitCode: 0 }, ['ip_vs', 'ip_vs_rr'])).toThrow('no status for kernel module ip_vs_rr');
  });
});
