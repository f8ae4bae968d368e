/**
 * ifaddr and route kept for systemd-networkd (systemd 252, this machine's own), proven by
 * networkd itself: after `lvs task ... persist_with=networkd` the live state is flushed and
 * the real /lib/systemd/systemd-networkd is started inside the host, as at boot; it must put
 * back exactly what lvs set (label, no broadcast, the host route), and lvs then finds nothing
 * to do. networkd runs without udev when /sys is read-only (as in a container), so it gets a
 * read-only sysfs in a mount namespace of its own; no D-Bus is needed for this.
 */
import { startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsTask, onHost } from './lvs-task';

const HOST = 'networkd1';
let lab: TestLab;
const task = (name: string, words: string[], check = false) => lvsTask(lab, HOST, name, [...words, 'persist_with=networkd'], { check });
const host = (command: string) => onHost(lab, HOST, command);
const fileOf = async (path: string) => (await lab.onHost(HOST, `cat ${path}`)).stdout || null;

const OWN_FILE = '/etc/systemd/network/50-lvs-lo.network';
const VIP_DROP_IN = '/etc/systemd/network/50-lvs-lo.network.d/lvs-addr-lo-192-168-2-100.conf';
const ROUTE_DROP_IN = '/etc/systemd/network/50-lvs-lo.network.d/lvs-route-192-168-2-100_32.conf';
const VIP = ['address=192.168.2.100/32', 'dev=lo', 'label=lo:0'];
const ROUTE = ['dest=192.168.2.100', 'dev=lo'];

/**
 * Starts networkd as the boot would, waits (at most 10 s) until it has configured lo, keeps
 * a copy of its state for lo (networkd removes it when it stops), then stops it.
 */
const NETWORKD_BOOT = `unshare --mount --propagation private sh -c '
umount -l /sys && mount -t sysfs -o ro sysfs /sys || exit 90
mkdir -p /run/systemd/netif && chown systemd-network:systemd-network /run/systemd/netif
/lib/systemd/systemd-networkd >/run/lvs-networkd.log 2>&1 & lvs_pid=$!
lvs_i=0
while [ $lvs_i -lt 50 ] && ! grep -qs "^ADMIN_STATE=configured" /run/systemd/netif/links/1; do sleep 0.2; lvs_i=$((lvs_i + 1)); done
cp /run/systemd/netif/links/1 /run/lvs-networkd-lo.state
kill $lvs_pid; wait $lvs_pid
grep -qs "^ADMIN_STATE=configured" /run/lvs-networkd-lo.state || { cat /run/lvs-networkd.log >&2; exit 91; }'`;

beforeAll(async () => {
  lab = await startHosts([HOST]);
});

afterAll(async () => {
  await lab?.destroy();
});

describe('systemd-networkd persistence', () => {
  it('ifaddr: changed, with lvs\'s own .network file for lo (networkd applies none) and the drop-in', async () => {
    const result = await task('ifaddr', VIP);
    expect(result.host?.msg).toBeUndefined();
    expect(result.host?.diff.map((change) => change.subject)).toEqual(['lo 192.168.2.100', OWN_FILE, VIP_DROP_IN]);
    expect(await fileOf(VIP_DROP_IN)).toBe('# Written by lvs: 192.168.2.100/32 on lo as lo:0.\n[Address]\nAddress=192.168.2.100/32\nLabel=lo:0\nBroadcast=no\n');
    expect((await task('ifaddr', VIP)).host?.noop).toBe(`192.168.2.100/32 is on lo as lo:0 and lo is up; networkd keeps it in ${OWN_FILE} and ${VIP_DROP_IN}`);
  });

  it('--check with another label: reported, drop-in and host untouched', async () => {
    const result = await task('ifaddr', ['address=192.168.2.100/32', 'dev=lo', 'label=lo:1'], true);
    expect(result.host?.diff.map((change) => change.subject)).toEqual(['lo 192.168.2.100', VIP_DROP_IN]);
    expect(await fileOf(VIP_DROP_IN)).toContain('Label=lo:0\n');
    expect(await host('ip -o -4 addr show dev lo')).toContain('192.168.2.100/32 scope global lo:0');
  });

  it('route: changed with its drop-in, then ok', async () => {
    const result = await task('route', ROUTE);
    expect(result.host?.diff.map((change) => change.subject)).toEqual(['route 192.168.2.100/32', ROUTE_DROP_IN]);
    expect((await task('route', ROUTE)).host?.status).toBe('ok');
  });

  it('networkd itself brings back exactly what lvs set, and lvs then finds nothing to do', async () => {
    await host('ip addr del 192.168.2.100/32 dev lo && ip route flush table main dev lo');
    expect(await host('ip -o -4 addr show dev lo')).not.toContain('192.168.2.100');
    await host(NETWORKD_BOOT);
    const addresses = await host('ip -o -4 addr show dev lo');
    expect(addresses).toContain('inet 127.0.0.1/8 scope host lo');
    expect(addresses).toContain('inet 192.168.2.100/32 scope global lo:0');
    expect(addresses).not.toContain(' brd ');
    expect(await host('ip -4 route show table main dev lo')).toMatch(/^192\.168\.2\.100 proto static scope link \n$/);
    expect(await host('cat /run/lvs-networkd-lo.state')).toContain(`NETWORK_FILE=${OWN_FILE}\n`);
    expect((await task('ifaddr', VIP)).host?.status).toBe('ok');
    expect((await task('route', ROUTE)).host?.status).toBe('ok');
  });

  it('absent removes the address and its drop-in', async () => {
    const result = await task('ifaddr', ['address=192.168.2.100', 'dev=lo', 'state=absent']);
    expect(result.host?.diff.map((change) => change.subject)).toEqual(['lo 192.168.2.100', VIP_DROP_IN]);
    expect(await fileOf(VIP_DROP_IN)).toBeNull();
    expect(await host('ip -o -4 addr show dev lo')).not.toContain('192.168.2.100');
  });
});
