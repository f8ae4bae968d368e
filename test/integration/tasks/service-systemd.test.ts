/**
 * The service and httpd tasks on a host whose PID 1 is systemd: a systemd-nspawn container
 * booting this machine's root under a private overlay (startHosts init: 'systemd'), its sshd
 * started by systemd. A unit file written into the host's /etc runs a sleeping daemon; the
 * host itself is checked with systemctl, and apache2 serves its page to curl inside the host.
 */
import { lvsTask, onHost as onLabHost } from './lvs-task';
import { startHosts, type TestLab } from '../../support/netns-hosts';

const HOST = 'sd1';
const SERVICE = 'lvs-test-daemon';
const RELOADS = `/var/tmp/${SERVICE}.reloads`;
let lab: TestLab;

const UNIT = `[Unit]
Description=a sleeping daemon for the service task's tests
[Service]
ExecStart=/bin/sleep 1000000
ExecReload=/bin/sh -c 'echo reloaded >> ${RELOADS}'
[Install]
WantedBy=multi-user.target
`;

const service = (words: string[], check = false) => lvsTask(lab, HOST, 'service', [`name=${SERVICE}`, ...words], { check });
const onHost = (command: string) => onLabHost(lab, HOST, command);
/** `systemctl is-active` and `is-enabled` of the unit inside the host, e.g. "active enabled". */
const systemctl = async (unit = SERVICE) => (await lab.onHost(HOST, `echo $(systemctl is-active ${unit}) $(systemctl is-enabled ${unit})`)).stdout.trim();
const mainPid = async () => (await onHost(`systemctl show -p MainPID --value ${SERVICE}`)).trim();

beforeAll(async () => {
  lab = await startHosts([HOST], { init: 'systemd' });
  await onHost(`cat > /etc/systemd/system/${SERVICE}.service <<'EOF'\n${UNIT}EOF\nsystemctl daemon-reload`);
}, 120_000);

afterAll(async () => {
  await lab?.destroy();
});

describe('the systemd test host', () => {
  it('runs systemd as PID 1 with nothing failed, and says so where sd_booted(3) looks', async () => {
    expect((await onHost('cat /proc/1/comm')).trim()).toBe('systemd');
    expect((await lab.onHost(HOST, 'test -d /run/systemd/system')).exitCode).toBe(0);
    expect((await onHost('systemctl --failed --no-legend --plain | wc -l')).trim()).toBe('0');
  });

  it('brings its network up the Debian way: networking.service put eth0\'s address from /etc/network/interfaces', async () => {
    expect(await systemctl('networking')).toBe('active enabled');
    expect(await systemctl('ifupdown-pre')).toBe('active static');
    expect(await onHost('cat /etc/network/interfaces')).toContain(`auto eth0\niface eth0 inet static\n    address ${lab.hosts[0].address}/24\n`);
    expect(await onHost('ip -o -4 addr show dev eth0')).toContain(` inet ${lab.hosts[0].address}/24 `);
  });
});

describe('service under systemd', () => {
  it('state=started enabled=true: changed; systemd runs it and enables it', async () => {
    const run = await service(['state=started', 'enabled=true']);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.commands).toEqual([`systemctl start -- ${SERVICE}`, `systemctl enable -- ${SERVICE}`]);
    expect(await systemctl()).toBe('active enabled');
  });

  it('again: ok', async () => {
    const run = await service(['state=started', 'enabled=true']);
    expect(run.host?.status).toBe('ok');
    expect(run.host?.noop).toBe(`${SERVICE} is running, enabled at boot (systemd)`);
  });

  it('--check state=stopped enabled=false: reported, the unit still runs and stays enabled', async () => {
    const run = await service(['state=stopped', 'enabled=false'], true);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([
      { subject: `${SERVICE} service`, before: 'running', after: 'stopped' },
      { subject: `${SERVICE} at boot`, before: 'enabled', after: 'disabled' },
    ]);
    expect(await systemctl()).toBe('active enabled');
  });

  it('state=restarted: a new main process on every run, each changed', async () => {
    const first = await mainPid();
    expect((await service(['state=restarted'])).host?.status).toBe('changed');
    const second = await mainPid();
    expect(second).not.toBe(first);
    expect((await service(['state=restarted'])).host?.status).toBe('changed');
    expect(await mainPid()).not.toBe(second);
  });

  it('state=reloaded: ExecReload on every run, the main process stays', async () => {
    const before = await mainPid();
    expect((await service(['state=reloaded'])).host?.status).toBe('changed');
    expect((await service(['state=reloaded'])).host?.status).toBe('changed');
    expect(await onHost(`cat ${RELOADS}`)).toBe('reloaded\nreloaded\n');
    expect(await mainPid()).toBe(before);
  });

  it('state=stopped enabled=false: changed; again: ok', async () => {
    expect((await service(['state=stopped', 'enabled=false'])).host?.status).toBe('changed');
    expect(await systemctl()).toBe('inactive disabled');
    expect((await service(['state=stopped', 'enabled=false'])).host?.status).toBe('ok');
  });

  it('a unit systemd does not know fails, naming it', async () => {
    const run = await lvsTask(lab, HOST, 'service', ['name=lvs-no-such-daemon', 'state=started']);
    expect(run.host?.status).toBe('failed');
    expect(run.host?.msg).toBe('systemd has no unit lvs-no-such-daemon');
  });
});

describe('httpd under systemd (the same service code path)', () => {
  const page = () => onHost(`curl -sS --max-time 5 http://${lab.hosts[0].address}/`);

  it('starts and enables apache2 through systemctl: changed, the page is served', async () => {
    // The test host masks every service this machine enables; apache2 is the one this test wants.
    await onHost('rm -f /etc/systemd/system/apache2.service && systemctl daemon-reload && systemctl disable --quiet apache2');
    expect(await systemctl('apache2')).toBe('inactive disabled');
    const run = await lvsTask(lab, HOST, 'httpd', ['enabled=true']);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.commands.slice(-2)).toEqual(['systemctl start -- apache2', 'systemctl enable -- apache2']);
    expect(await systemctl('apache2')).toBe('active enabled');
    expect(await onHost('readlink /etc/systemd/system/multi-user.target.wants/apache2.service')).toBe('/lib/systemd/system/apache2.service\n');
    expect(await page()).toContain(`<h1>${HOST}</h1>`);
  });

  it('again: ok', async () => {
    const again = await lvsTask(lab, HOST, 'httpd', ['enabled=true']);
    expect(again.host?.status).toBe('ok');
    expect(again.host?.noop).toBe('apache2 is installed and running, enabled at boot; /var/www/html/index.html is up to date');
  });

  it('--check with a new page, stopped and disabled: all reported, apache2 still serves the old page and stays enabled', async () => {
    const before = await page();
    const mainPid = await onHost('systemctl show -p MainPID --value apache2');
    const run = await lvsTask(lab, HOST, 'httpd', ['index_content=<p>new page</p>', 'state=stopped', 'enabled=false'], { check: true });
    expect(run.host?.status).toBe('changed');
    expect(run.host?.check_mode).toBe(true);
    expect(run.host?.diff.map((change) => change.subject)).toEqual(['/var/www/html/index.html', 'apache2 service', 'apache2 at boot']);
    expect(await systemctl('apache2')).toBe('active enabled');
    expect(await onHost('systemctl show -p MainPID --value apache2')).toBe(mainPid);
    expect(await page()).toBe(before);
  });
});
