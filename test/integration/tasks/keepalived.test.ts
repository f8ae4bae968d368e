/**
 * The keepalived task against real sshd hosts (SysV init, their own /etc, /var and /run)
 * on one test bridge, with this machine's keepalived 2.2.7. The kernel here has no IPVS, so
 * a virtual_server makes keepalived's checker (and with it keepalived) exit: these configs
 * hold VRRP instances only, and virtual servers are covered by `keepalived -t` in the unit
 * tests. Each host is checked itself: its pid file, its file, `keepalived -t`, its addresses.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { lvsPlaybook, onHost as onLabHost } from './lvs-task';
import { startHosts, type TestLab } from '../../support/netns-hosts';

const MASTER = 'ka1';
const BACKUP = 'ka2';
const CONFIG = '/etc/keepalived/keepalived.conf';
const PID_FILE = '/run/keepalived.pid';
let lab: TestLab;
let dir: string;
/** Two VIPs in the lab's own subnet: on its bridge only, nothing leaves the machine. */
let vip: string;
let otherVip: string;

interface Instance {
  priority: number;
  state?: 'MASTER' | 'BACKUP';
  vip?: string;
  interface?: string;
}

function keepalivedArgs(instance: Instance, extra: Record<string, unknown> = {}) {
  return {
    vrrp_instances: [
      {
        name: 'VI_1',
        interface: instance.interface ?? 'eth0',
        virtual_router_id: 51,
        priority: instance.priority,
        state: instance.state ?? 'MASTER',
        virtual_ipaddresses: [{ address: `${instance.vip ?? vip}/24`, label: 'eth0:0' }],
      },
    ],
    ...extra,
  };
}

/** A one-task playbook for `host`; JSON is YAML, so the arguments go in as they are. */
const playbook = (host: string, args: object) => `- hosts: ${host}\n  tasks:\n    - keepalived: ${JSON.stringify(args)}\n`;

const apply = (host: string, args: object, options: { check?: boolean; diff?: boolean } = {}) => lvsPlaybook(lab, host, dir, playbook(host, args), options);
const onHost = (host: string, command: string) => onLabHost(lab, host, command);

async function daemonPid(host: string): Promise<string> {
  return (await onHost(host, `cat ${PID_FILE}`)).trim();
}

async function running(host: string): Promise<boolean> {
  return (await lab.onHost(host, `kill -0 "$(cat ${PID_FILE})"`)).exitCode === 0;
}

async function holdsVip(host: string, address: string): Promise<boolean> {
  return (await onHost(host, 'ip -o -4 addr show dev eth0')).includes(` ${address}/24 `);
}

/** Polls `condition` every 250 ms for at most `seconds`; the elapsed seconds, or a failure. */
async function within(seconds: number, what: string, condition: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    if (await condition()) return (Date.now() - start) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not happen within ${seconds} s`);
}

beforeAll(async () => {
  lab = await startHosts([MASTER, BACKUP]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-keepalived-'));
  const subnet = lab.hosts[0].address.replace(/\.\d+$/, '');
  vip = `${subnet}.250`;
  otherVip = `${subnet}.251`;
  // Installing keepalived on this machine left boot links in the /etc the hosts start from.
  for (const host of [MASTER, BACKUP]) await onHost(host, 'update-rc.d -f keepalived remove >/dev/null');
});

afterAll(async () => {
  // Every process of a host, keepalived among them, ends with its PID namespace.
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('keepalived on SysV hosts', () => {
  it('apply: changed; keepalived runs with the file in place, which keepalived -t passes, and starts at boot', async () => {
    const run = await apply(MASTER, keepalivedArgs({ priority: 150 }));
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff.map((change) => change.subject)).toEqual([CONFIG, 'keepalived service', 'keepalived at boot']);
    expect(await running(MASTER)).toBe(true);
    expect(await onHost(MASTER, `grep -c 'priority 150' ${CONFIG}; stat -c %a ${CONFIG}`)).toBe('1\n640\n');
    expect((await lab.onHost(MASTER, `keepalived -t -f ${CONFIG}`)).exitCode).toBe(0);
    expect(await onHost(MASTER, 'ls /etc/rc2.d | grep keepalived')).toMatch(/^S\d\dkeepalived\n$/);
    await within(10, `${MASTER} holding ${vip}`, () => holdsVip(MASTER, vip));
  });

  it('again: ok, nothing to do', async () => {
    const run = await apply(MASTER, keepalivedArgs({ priority: 150 }));
    expect(run.host?.status).toBe('ok');
    expect(run.host?.noop).toBe(`keepalived is installed and running, enabled at boot; ${CONFIG} is up to date`);
  });

  it('--check with a new priority: the change reported as before/after, the file and the daemon untouched', async () => {
    const before = await onHost(MASTER, `sha256sum ${CONFIG}`);
    const pid = await daemonPid(MASTER);
    const run = await apply(MASTER, keepalivedArgs({ priority: 120 }), { check: true });
    expect(run.host?.status).toBe('changed');
    const [file, service] = run.host!.diff;
    expect(file.subject).toBe(CONFIG);
    expect(file.before).toContain('    priority 150\n');
    expect(file.after).toContain('    priority 120\n');
    expect(service).toEqual({ subject: 'keepalived service', before: 'running', after: 'reloaded' });
    const shown = await apply(MASTER, keepalivedArgs({ priority: 120 }), { check: true, diff: true });
    expect(shown.stdout).toContain('ka1 |     +     priority 120\n');
    expect(shown.stdout).toContain('ka1 |     -     priority 150\n');
    expect(await onHost(MASTER, `sha256sum ${CONFIG}`)).toBe(before);
    expect(await daemonPid(MASTER)).toBe(pid);
  });

  it('a config keepalived -t rejects (an interface the host lacks) fails the task and leaves the file and the daemon alone', async () => {
    const before = await onHost(MASTER, `sha256sum ${CONFIG}`);
    const pid = await daemonPid(MASTER);
    const run = await apply(MASTER, keepalivedArgs({ priority: 150, interface: 'eth9' }));
    expect(run.host?.status).toBe('failed');
    expect(run.exitCode).not.toBe(0);
    // keepalived's own reason, with the line it refused.
    expect(run.host?.msg).toContain("WARNING - interface eth9 for vrrp_instance VI_1 doesn't exist");
    expect(await onHost(MASTER, `sha256sum ${CONFIG}`)).toBe(before);
    // No temporary file left beside it.
    expect(await onHost(MASTER, 'ls /etc/keepalived')).not.toMatch(/lvs-/);
    expect(await daemonPid(MASTER)).toBe(pid);
    expect(await running(MASTER)).toBe(true);
    expect(await holdsVip(MASTER, vip)).toBe(true);
  });

  it('a changed VIP is applied by a reload: the same daemon (pid) moves to the new VIP', async () => {
    const pid = await daemonPid(MASTER);
    const run = await apply(MASTER, keepalivedArgs({ priority: 150, vip: otherVip }));
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff.map((change) => [change.subject, change.after])).toEqual([
      [CONFIG, expect.stringContaining(`${otherVip}/24 label eth0:0`)],
      ['keepalived service', 'reloaded'],
    ]);
    const seconds = await within(10, `${MASTER} holding ${otherVip} instead of ${vip}`, async () => (await holdsVip(MASTER, otherVip)) && !(await holdsVip(MASTER, vip)));
    console.log(`reload moved the VIP in ${seconds.toFixed(2)} s`);
    expect(await daemonPid(MASTER)).toBe(pid);
    expect((await apply(MASTER, keepalivedArgs({ priority: 150, vip: otherVip }))).host?.status).toBe('ok');
  });

  it('a password: in the file, quoted, and in no output (the task is shown hidden)', async () => {
    const password = "a#{b}!'c";
    const args = keepalivedArgs({ priority: 150, vip: otherVip }, { auth_pass: password });
    const run = await apply(MASTER, args, { diff: true });
    expect(run.exitCode).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(password);
    expect(await onHost(MASTER, `grep auth_pass ${CONFIG}`)).toBe(`        auth_pass "${password}"\n`);
    expect((await lab.onHost(MASTER, `keepalived -t -f ${CONFIG}`)).exitCode).toBe(0);
    expect((await apply(MASTER, args)).host?.status).toBe('ok');
  });

  it('a pair on one segment: the higher priority holds the VIP, and the backup takes it when the master stops', async () => {
    const password = "a#{b}!'c";
    const backup = await apply(BACKUP, keepalivedArgs({ priority: 100, state: 'BACKUP', vip: otherVip }, { auth_pass: password }));
    expect(backup.host?.status).toBe('changed');
    // Three missed adverts (advert_int 1) and the skew: about 3.6 s for priority 100.
    await within(10, `${BACKUP} settling as backup`, async () => (await running(BACKUP)) && (await holdsVip(MASTER, otherVip)));
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await holdsVip(MASTER, otherVip)).toBe(true);
    expect(await holdsVip(BACKUP, otherVip)).toBe(false);

    await onHost(MASTER, 'service keepalived stop');
    const seconds = await within(10, `${BACKUP} taking ${otherVip} over`, () => holdsVip(BACKUP, otherVip));
    console.log(`the backup held the VIP ${seconds.toFixed(2)} s after the master stopped`);
    expect(await holdsVip(MASTER, otherVip)).toBe(false);
  });
});
