/**
 * ipvs_member on real sshd hosts whose kernel has no IPVS (this machine's): it fails
 * cleanly, saying so, in a run and in --check alike, and leaves the host untouched; with
 * owner keepalived, on a host where keepalived 2.2.7 runs (a VRRP-only file, as in
 * keepalived.test.ts: a virtual_server would make it exit here), it also reads keepalived's
 * file and init system, and leaves the file and the daemon alone. What it does with a real
 * IPVS table is proved in the lab VM (test/integration/lab.test.ts); a fake IPVS here would
 * prove nothing.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsPlaybook, lvsTask, onHost } from './lvs-task';

const HOST = 'ipm1';
const KEEPALIVED_HOST = 'ipm2';
const CONFIG = '/etc/keepalived/keepalived.conf';
let lab: TestLab;
let dir: string;

beforeAll(async () => {
  lab = await startHosts([HOST, KEEPALIVED_HOST]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-ipvs-member-'));
});

afterAll(async () => {
  // Every process of a host, keepalived among them, ends with its PID namespace.
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const DRAIN = ['address=192.168.0.109', 'port=80', 'server=172.16.100.101', 'weight=0', 'wait_idle=5'];

describe('ipvs_member without IPVS in the kernel', () => {
  it.each([false, true])('fails naming the missing IPVS (check mode: %s), without loading anything', async (check) => {
    const before = await lab.onHost(HOST, 'cat /proc/modules 2>/dev/null | grep -c ^ip_vs || true');
    const run = await lvsTask(lab, HOST, 'ipvs_member', DRAIN, { check });
    expect(run.exitCode).toBe(2);
    expect(run.host).toMatchObject({ status: 'failed' });
    expect(run.host?.msg).toMatch(/^ipvs_member: reading table failed: IPVS is not available in this kernel: /);
    expect(run.host?.commands).toEqual([]);
    expect((await lab.onHost(HOST, 'cat /proc/modules 2>/dev/null | grep -c ^ip_vs || true')).stdout).toBe(before.stdout);
    expect((await lab.onHost(HOST, 'test -e /proc/net/ip_vs; echo $?')).stdout.trim()).toBe('1');
  });
});

describe('ipvs_member owner keepalived without IPVS in the kernel', () => {
  beforeAll(async () => {
    // Installing keepalived on this machine left boot links in the /etc the hosts start from.
    await onHost(lab, KEEPALIVED_HOST, 'update-rc.d -f keepalived remove >/dev/null');
    const vip = `${lab.hosts[0].address.replace(/\.\d+$/, '')}.252`;
    const args = { vrrp_instances: [{ name: 'VI_1', interface: 'eth0', virtual_router_id: 52, priority: 150, state: 'MASTER', virtual_ipaddresses: [{ address: `${vip}/24` }] }], enabled: false };
    const run = await lvsPlaybook(lab, KEEPALIVED_HOST, dir, `- hosts: ${KEEPALIVED_HOST}\n  tasks:\n    - keepalived: ${JSON.stringify(args)}\n`);
    expect(run.host?.status).toBe('changed');
  });

  it.each([false, true])('fails naming the missing IPVS (check mode: %s), leaving keepalived.conf and the daemon as they were', async (check) => {
    const before = await onHost(lab, KEEPALIVED_HOST, `sha256sum ${CONFIG}; cat /run/keepalived.pid`);
    const run = await lvsTask(lab, KEEPALIVED_HOST, 'ipvs_member', [...DRAIN, 'owner=keepalived'], { check });
    expect(run.exitCode).toBe(2);
    expect(run.host).toMatchObject({ status: 'failed', commands: [] });
    expect(run.host?.msg).toMatch(/^ipvs_member: reading table failed: IPVS is not available in this kernel: /);
    expect(await onHost(lab, KEEPALIVED_HOST, `sha256sum ${CONFIG}; cat /run/keepalived.pid`)).toBe(before);
    expect((await lab.onHost(KEEPALIVED_HOST, 'kill -0 "$(cat /run/keepalived.pid)"')).exitCode).toBe(0);
  });
});
