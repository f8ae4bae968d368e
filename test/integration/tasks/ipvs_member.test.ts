/**
 * ipvs_member on a real sshd host whose kernel has no IPVS (this machine's): it fails
 * cleanly, saying so, in a run and in --check alike, and leaves the host untouched. What it
 * does with a real IPVS table is proved in the lab VM (test/integration/lab.test.ts); a fake
 * IPVS here would prove nothing.
 */
import { startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsTask } from './lvs-task';

const HOST = 'ipm1';
let lab: TestLab;

beforeAll(async () => {
  lab = await startHosts([HOST]);
});

afterAll(async () => {
  await lab?.destroy();
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
