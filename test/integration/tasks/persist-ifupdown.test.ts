/**
 * ifaddr, route and link keep their state with Debian's ifupdown on real sshd hosts: the
 * triad including the file in /etc/network/interfaces.d, state absent removing both, and the
 * boot's own restore: the live state is flushed on the host and `ifup -a` (what
 * networking.service runs at boot) must bring back exactly what lvs set, label included.
 * The hosts see this machine's /etc/network/interfaces (ifupdown installed by setup.sh),
 * each through its own /etc overlay.
 */
import { startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsTask, onHost } from './lvs-task';

const HOST = 'persist1';
let lab: TestLab;
const task = (name: string, words: string[], check = false) => lvsTask(lab, HOST, name, words, { check });
const host = (command: string) => onHost(lab, HOST, command);
const fileOf = async (path: string) => (await lab.onHost(HOST, `cat ${path}`)).stdout || null;

const VIP_FILE = '/etc/network/interfaces.d/lvs-addr-lo-192-168-2-100';
const ROUTE_FILE = '/etc/network/interfaces.d/lvs-route-192-168-2-100_32';
const LINK_FILE = '/etc/network/interfaces.d/lvs-link-lvsv0';
const VIP_STANZA = [
  '# Written by lvs: 192.168.2.100/32 on lo as lo:0.',
  'auto lo:0',
  'iface lo:0 inet manual',
  '    up ip addr add 192.168.2.100/32 dev lo label lo:0',
  '    down ip addr del 192.168.2.100/32 dev lo',
  '',
].join('\n');

/** `ADDRESS/PREFIX LABEL` of each IPv4 address on lo, as the host's own ip prints them. */
const loAddresses = async () =>
  (await host('ip -o -4 addr show dev lo'))
    .trim()
    .split('\n')
    .map((line) => line.replace(/^.* inet (\S+) .* (\S+)\\.*$/, '$1 $2'));

/** What a reboot does to the kernel's state here, then what networking.service does at boot. */
async function flushAndBoot(): Promise<string> {
  await host('ip addr flush dev lo label lo:0; ip route flush table main dev lo; ip addr flush dev lvsv0; ip link set dev lvsv0 down; rm -rf /run/network');
  return host('mkdir -p /run/network && ifup -a --read-environment 2>&1');
}

beforeAll(async () => {
  lab = await startHosts([HOST]);
  await host('ip link add lvsv0 type veth peer name lvsv1 && ip link set dev lvsv1 up');
});

afterAll(async () => {
  await lab?.destroy();
});

describe('ifupdown persistence', () => {
  it('detects ifupdown on the test host', async () => {
    expect(await host('cat /etc/network/interfaces')).toContain('source /etc/network/interfaces.d/*');
  });

  it('ifaddr: changed, with the stanza as a change of its own', async () => {
    const result = await task('ifaddr', ['address=192.168.2.100/32', 'dev=lo', 'label=lo:0']);
    expect(result.host?.msg).toBeUndefined();
    expect(result.host?.status).toBe('changed');
    expect(result.host?.diff).toEqual([
      { subject: 'lo 192.168.2.100', before: null, after: '192.168.2.100/32 label lo:0' },
      { subject: VIP_FILE, before: null, after: VIP_STANZA },
    ]);
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo', '192.168.2.100/32 lo:0']);
    expect(await fileOf(VIP_FILE)).toBe(VIP_STANZA);
  });

  it('ifaddr again: ok, the noop naming the file', async () => {
    const result = await task('ifaddr', ['address=192.168.2.100/32', 'dev=lo', 'label=lo:0']);
    expect(result.host?.status).toBe('ok');
    expect(result.host?.noop).toBe(`192.168.2.100/32 is on lo as lo:0 and lo is up; ifupdown keeps it in ${VIP_FILE}`);
  });

  it('ifaddr --check with another label: both changes reported, host and file untouched', async () => {
    const result = await task('ifaddr', ['address=192.168.2.100/32', 'dev=lo', 'label=lo:1'], true);
    expect(result.host?.status).toBe('changed');
    expect(result.host?.diff.map((change) => change.subject)).toEqual(['lo 192.168.2.100', VIP_FILE]);
    expect(result.host?.diff[1].after).toContain('up ip addr add 192.168.2.100/32 dev lo label lo:1');
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo', '192.168.2.100/32 lo:0']);
    expect(await fileOf(VIP_FILE)).toBe(VIP_STANZA);
  });

  it('route: changed with its file; again ok; --check with a metric leaves both', async () => {
    const first = await task('route', ['dest=192.168.2.100', 'dev=lo:0']);
    expect(first.host?.status).toBe('changed');
    expect(first.host?.diff[1]).toEqual({
      subject: ROUTE_FILE,
      before: null,
      after: [
        '# Written by lvs: the route to 192.168.2.100/32 on lo.',
        'auto lo',
        'iface lo inet manual',
        '    up ip -4 route replace 192.168.2.100/32 dev lo',
        '    down ip -4 route del 192.168.2.100/32 dev lo',
        '',
      ].join('\n'),
    });
    expect((await task('route', ['dest=192.168.2.100', 'dev=lo'])).host?.status).toBe('ok');
    const check = await task('route', ['dest=192.168.2.100', 'dev=lo', 'metric=5'], true);
    expect(check.host?.status).toBe('changed');
    expect(check.host?.diff.map((change) => change.subject)).toEqual(['route 192.168.2.100/32', '/etc/network/interfaces.d/lvs-route-192-168-2-100_32-metric5']);
    expect(await host('ip -4 route show table main dev lo')).toBe('192.168.2.100 scope link \n');
    expect(await fileOf('/etc/network/interfaces.d/lvs-route-192-168-2-100_32-metric5')).toBeNull();
  });

  it('link: changed with its file; again ok; --check down leaves it up', async () => {
    const first = await task('link', ['dev=lvsv0']);
    expect(first.host?.status).toBe('changed');
    expect(first.host?.diff.map((change) => change.subject)).toEqual(['lvsv0', LINK_FILE]);
    expect(await fileOf(LINK_FILE)).toContain('    up ip link set dev lvsv0 up\n');
    expect((await task('link', ['dev=lvsv0'])).host?.status).toBe('ok');
    const check = await task('link', ['dev=lvsv0', 'state=down'], true);
    expect(check.host?.status).toBe('changed');
    expect(await host('ip -o link show dev lvsv0')).toMatch(/<[^>]*\bUP\b/);
    expect(await fileOf(LINK_FILE)).toContain('    up ip link set dev lvsv0 up\n');
  });

  it('a NAT-style address and a route given only via: the device comes from the live table', async () => {
    expect((await task('ifaddr', ['address=10.77.0.5/24', 'dev=lvsv0'])).host?.status).toBe('changed');
    const result = await task('route', ['dest=10.78.0.0/16', 'via=10.77.0.1']);
    expect(result.host?.status).toBe('changed');
    expect(await fileOf('/etc/network/interfaces.d/lvs-route-10-78-0-0_16')).toContain('    up ip -4 route replace 10.78.0.0/16 via 10.77.0.1 dev lvsv0\n');
    expect((await task('route', ['dest=10.78.0.0/16', 'via=10.77.0.1'])).host?.status).toBe('ok');
  });

  it('ifup -a, as at boot, brings back exactly what lvs set, and lvs then finds nothing to do', async () => {
    const output = await flushAndBoot();
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo', '192.168.2.100/32 lo:0']);
    expect(await host('ip -o -4 addr show dev lo label lo:0')).not.toContain(' brd ');
    expect(await host('ip -4 route show table main dev lo')).toBe('192.168.2.100 scope link \n');
    expect(await host('ip -o link show dev lvsv0')).toMatch(/<[^>]*\bUP\b/);
    expect(await host('ip -o -4 addr show dev lvsv0')).toContain(' inet 10.77.0.5/24 scope global lvsv0');
    expect(await host('ip -4 route show 10.78.0.0/16')).toBe('10.78.0.0/16 via 10.77.0.1 dev lvsv0 \n');
    expect(output).not.toMatch(/error|failed/i);
    expect((await task('ifaddr', ['address=192.168.2.100/32', 'dev=lo', 'label=lo:0'])).host?.status).toBe('ok');
    expect((await task('route', ['dest=192.168.2.100', 'dev=lo'])).host?.status).toBe('ok');
    expect((await task('link', ['dev=lvsv0'])).host?.status).toBe('ok');
    expect((await task('ifaddr', ['address=10.77.0.5/24', 'dev=lvsv0'])).host?.status).toBe('ok');
    expect((await task('route', ['dest=10.78.0.0/16', 'via=10.77.0.1'])).host?.status).toBe('ok');
  });

  it('state absent removes the live state and the file; then ok', async () => {
    const route = await task('route', ['dest=192.168.2.100', 'dev=lo', 'state=absent']);
    expect(route.host?.diff.map((change) => change.subject)).toEqual(['route 192.168.2.100/32', ROUTE_FILE]);
    const address = await task('ifaddr', ['address=192.168.2.100', 'dev=lo', 'state=absent']);
    expect(address.host?.status).toBe('changed');
    expect(address.host?.diff).toEqual([
      { subject: 'lo 192.168.2.100', before: '192.168.2.100/32 label lo:0', after: null },
      { subject: VIP_FILE, before: VIP_STANZA, after: null },
    ]);
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo']);
    expect(await fileOf(VIP_FILE)).toBeNull();
    expect(await fileOf(ROUTE_FILE)).toBeNull();
    expect((await task('ifaddr', ['address=192.168.2.100', 'dev=lo', 'state=absent'])).host?.noop).toBe(
      `192.168.2.100 is not on lo; no ifupdown file keeps it (${VIP_FILE})`,
    );
  });

  it('persist: false touches no file', async () => {
    const result = await task('ifaddr', ['address=192.168.2.101/32', 'dev=lo', 'label=lo:1', 'persist=false']);
    expect(result.host?.diff.map((change) => change.subject)).toEqual(['lo 192.168.2.101']);
    expect(await fileOf('/etc/network/interfaces.d/lvs-addr-lo-192-168-2-101')).toBeNull();
  });
});
