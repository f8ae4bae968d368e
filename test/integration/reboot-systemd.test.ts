/**
 * What lvs persists comes back through the distribution's own boot: a real server converged
 * with `lvs run` (VIP on lo:0 with its label, a host route, the ARP sysctls, apache2 enabled)
 * on a host whose PID 1 is systemd, then really rebooted (lab.reboot: `systemctl reboot`,
 * the same disk, a fresh /run and a fresh network namespace), once with ifupdown's
 * networking.service bringing the network up and once with systemd-networkd. Every claim
 * after the reboot is checked on the host itself; lvs only runs again at the end, and must
 * find nothing to do.
 */
import { join } from 'node:path';
import { runLvs } from '../support/cli';
import { startHosts, type BootNetworkStack, type RebootTimes, type TestLab } from '../support/netns-hosts';

const PLAYBOOK = join(__dirname, 'fixtures', 'reboot-realserver.yml');
const VIP = '192.168.2.100';
/** Added by hand, so only a real reboot of the kernel's network state removes it. */
const STRAY = '10.55.0.1';

interface Report {
  stats: Record<string, { ok: number; changed: number; failures: number; unreachable: number }>;
  plays: { tasks: { task: { name: string }; hosts: Record<string, { status: string; msg?: string }> }[] }[];
}

describe.each<BootNetworkStack>(['ifupdown', 'networkd'])('a real server whose network %s brings up, rebooted', (stack) => {
  const HOST = `rs-${stack}`;
  let lab: TestLab;
  let address: string;

  const on = async (command: string) => {
    const result = await lab.onHost(HOST, command);
    if (result.exitCode !== 0) throw new Error(`on ${HOST}: ${command} exited ${result.exitCode}: ${result.stderr}`);
    return result.stdout;
  };
  const lvsRun = async () => {
    const started = Date.now();
    const run = await runLvs(['run', PLAYBOOK, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, '--json']);
    const report = JSON.parse(run.stdout) as Report;
    const failed = report.plays.flatMap((play) => play.tasks).filter((task) => task.hosts[HOST]?.status === 'failed');
    expect(failed.map((task) => `${task.task.name}: ${task.hosts[HOST].msg}`)).toEqual([]);
    return { exitCode: run.exitCode, stats: report.stats[HOST], ms: Date.now() - started };
  };
  /** `is-active is-enabled` of a unit inside the host, e.g. "active enabled". */
  const unit = async (name: string) => (await lab.onHost(HOST, `echo $(systemctl is-active ${name}) $(systemctl is-enabled ${name})`)).stdout.trim();
  const sysctls = () => on('sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.eth0.arp_ignore net.ipv4.conf.all.arp_announce net.ipv4.conf.eth0.arp_announce net.ipv4.ip_forward');
  const page = () => on(`curl -sS --max-time 5 http://${address}/`);

  beforeAll(async () => {
    const started = Date.now();
    lab = await startHosts([HOST], { init: 'systemd', networkStack: stack });
    console.log(`${stack}: first boot to systemd running in ${Date.now() - started} ms`);
    address = lab.hosts[0].address;
    // The test host masks every service this machine enables; this real server has apache2, not yet enabled.
    await on('rm -f /etc/systemd/system/apache2.service && systemctl daemon-reload && systemctl disable --quiet apache2');
  }, 120_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  it(`boots with ${stack} and nothing failed`, async () => {
    const network = stack === 'ifupdown' ? ['networking', 'ifupdown-pre'] : ['systemd-networkd', 'systemd-networkd-wait-online'];
    for (const name of network) expect(await unit(name)).toMatch(/^active (enabled|static)$/);
    expect(await on('systemctl --failed --no-legend --plain')).toBe('');
    expect(await unit('apache2')).toBe('inactive disabled');
  });

  it('lvs run converges it; a second run changes nothing', async () => {
    const first = await lvsRun();
    expect(first.exitCode).toBe(0);
    // ifaddr, route, the two sysctl loops (a loop is one task), httpd.
    expect(first.stats).toMatchObject({ changed: 5, failures: 0 });
    const second = await lvsRun();
    expect(second.stats).toMatchObject({ changed: 0, failures: 0 });
    console.log(`${stack}: lvs run ${first.ms} ms converging, ${second.ms} ms with nothing to do`);
  });

  it('reboots: what is not kept (a /run marker, an address and a sysctl set by hand) is gone', async () => {
    await on(`echo before-reboot > /run/lvs-marker && ip addr add ${STRAY}/32 dev lo && sysctl -qw net.ipv4.ip_forward=1`);
    expect(await on('ip -o -4 addr show dev lo')).toContain(` inet ${STRAY}/32 `);
    // When this boot's systemd started; the kernel's boot_id is this machine's and stays.
    const userspaceStart = () => on('systemctl show -p UserspaceTimestamp --value');
    const bootedAt = await userspaceStart();
    const times: RebootTimes = await lab.reboot(HOST);
    console.log(`${stack}: reboot ${JSON.stringify(times)}`);
    expect(await userspaceStart()).not.toBe(bootedAt);
    expect((await lab.onHost(HOST, 'cat /run/lvs-marker')).exitCode).not.toBe(0);
    expect(await on('ip -o -4 addr show dev lo')).not.toContain(STRAY);
    expect(await on('sysctl -n net.ipv4.ip_forward')).toBe('0\n');
  });

  it('the boot itself brought back the VIP with its label, the route, the ARP sysctls and apache2 serving', async () => {
    expect(await on('systemctl --failed --no-legend --plain')).toBe('');
    const lo = await on('ip -o -4 addr show dev lo');
    expect(lo).toContain(` inet ${VIP}/32 scope global lo:0`);
    expect(lo).not.toContain(' brd ');
    expect(await on(`ip -4 route show table main ${VIP}`)).toMatch(new RegExp(`^${VIP.replace(/\./g, '\\.')} dev lo (proto static )?scope link \\n$`));
    expect(await on(`ip -o -4 addr show dev eth0`)).toContain(` inet ${address}/24 `);
    expect(await sysctls()).toBe('1\n1\n2\n2\n0\n');
    expect(await unit('apache2')).toBe('active enabled');
    expect(await page()).toContain(`<h1>${HOST}</h1>`);
  });

  it('lvs run after the reboot: changed=0', async () => {
    const run = await lvsRun();
    expect(run.stats).toMatchObject({ changed: 0, failures: 0 });
  });
});
