/**
 * The keepalived task on a host whose PID 1 is systemd (a systemd-nspawn container booting
 * this machine's root, startHosts init: 'systemd'): started and enabled through systemctl,
 * a changed file applied by `systemctl reload` (ExecReload sends SIGHUP), the same MainPID
 * after it. VRRP only, as in keepalived.test.ts: this kernel has no IPVS.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { lvsPlaybook, onHost as onLabHost } from './lvs-task';
import { startHosts, type TestLab } from '../../support/netns-hosts';

const HOST = 'kasd1';
const CONFIG = '/etc/keepalived/keepalived.conf';
let lab: TestLab;
let dir: string;
let vip: string;

const args = (priority: number) => ({
  vrrp_instances: [{ name: 'VI_1', interface: 'eth0', virtual_router_id: 52, priority, state: 'MASTER', virtual_ipaddresses: [{ address: `${vip}/24` }] }],
});
const apply = (priority: number, options: { check?: boolean } = {}) =>
  lvsPlaybook(lab, HOST, dir, `- hosts: ${HOST}\n  tasks:\n    - keepalived: ${JSON.stringify(args(priority))}\n`, options);
const onHost = (command: string) => onLabHost(lab, HOST, command);
const state = async () => (await lab.onHost(HOST, 'echo $(systemctl is-active keepalived) $(systemctl is-enabled keepalived)')).stdout.trim();
const mainPid = async () => (await onHost('systemctl show -p MainPID --value keepalived')).trim();

beforeAll(async () => {
  lab = await startHosts([HOST], { init: 'systemd' });
  dir = mkdtempSync(join(tmpdir(), 'lvs-keepalived-systemd-'));
  vip = `${lab.hosts[0].address.replace(/\.\d+$/, '')}.249`;
  // The host masks what this machine enables (keepalived, since its package is installed): a fresh host instead.
  await onHost('systemctl unmask --quiet keepalived && systemctl disable --quiet keepalived');
}, 120_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('keepalived under systemd', () => {
  it('apply: the file written, the unit started and enabled; again: ok', async () => {
    expect(await state()).toBe('inactive disabled');
    const run = await apply(150);
    expect(run.host?.diff.map((change) => [change.subject, change.after])).toEqual([
      [CONFIG, expect.stringContaining('priority 150')],
      ['keepalived service', 'running'],
      ['keepalived at boot', 'enabled'],
    ]);
    expect(await state()).toBe('active enabled');
    expect((await apply(150)).host?.status).toBe('ok');
  });

  it('a new priority: systemctl reload, the same MainPID, and keepalived logs that it reloaded', async () => {
    const pid = await mainPid();
    const run = await apply(140);
    expect(run.host?.commands.at(-1)).toBe('systemctl reload -- keepalived');
    expect(await mainPid()).toBe(pid);
    expect(await onHost(`grep -c 'priority 140' ${CONFIG}`)).toBe('1\n');
    expect(await onHost('journalctl -u keepalived --no-pager -q | grep -c "Reloading" || true')).not.toBe('0\n');
    expect((await apply(140)).host?.status).toBe('ok');
  });
});
