/** The guest's console lines, as lab/vm-init.sh and lab/host-init.sh write them, read back as events. */
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { bootUptimes, ConsoleFollower, sshdStates } from '../../../src/lab/guest-report';

const CONSOLE = [
  '[    0.000000] Linux version 6.1.0-57-cloud-amd64',
  'lvs-lab: [10.41] modules loaded: ip_vs ipip',
  'lvs-lab: [22.88] all hosts launched',
  'lvs-lab: [40.12] host dr-rs1: sshd listens on 10.250.0.22',
  'lvs-lab: [41.50] host dr-rs2: sshd listens on 10.250.0.23',
  // A kernel message may share the line.
  '[  300.1] veth: renamed lvs-lab: [301.25] host dr-rs1: rebooting',
  'lvs-lab: [302.00] host dr-rs2: failed: sshd exited with status 255',
  'lvs-lab: [350.75] host dr-rs1: sshd listens on 10.250.0.22 (booted by systemd)',
  'lvs-lab: [400.00] host dr-dir: rebooting',
  'lvs-lab: [401.00] failed: host nat-cli stopped',
  '',
].join('\n');

async function events() {
  const path = join(mkdtempSync(join(tmpdir(), 'lvs-console-')), 'console.log');
  writeFileSync(path, CONSOLE);
  return new ConsoleFollower(path).newEvents();
}

const NAMESPACES = ['dr-dir', 'dr-rs1', 'dr-rs2', 'nat-cli', 'tun-rs1'];

describe("the guest's console report", () => {
  it('reads each host event with the uptime it happened at', async () => {
    const hostEvents = (await events()).filter((event) => 'namespace' in event);
    expect(hostEvents.map((event) => [event.kind, 'namespace' in event && event.namespace, 'uptime' in event && event.uptime])).toEqual([
      ['listening', 'dr-rs1', 40.12],
      ['listening', 'dr-rs2', 41.5],
      ['rebooting', 'dr-rs1', 301.25],
      ['stopped', 'dr-rs2', 302],
      ['listening', 'dr-rs1', 350.75],
      ['rebooting', 'dr-dir', 400],
      ['stopped', 'nat-cli', 401],
    ]);
  });

  it("gives each host's sshd its last reported state: a reboot makes it starting until it listens again", async () => {
    expect(sshdStates(await events(), NAMESPACES)).toEqual({
      'dr-dir': 'starting',
      'dr-rs1': 'listening',
      'dr-rs2': 'stopped',
      'nat-cli': 'stopped',
      'tun-rs1': 'starting',
    });
  });

  it("dates each host's current boot from its last reboot, or from the VM's boot", async () => {
    expect(bootUptimes(await events(), NAMESPACES)).toEqual({ 'dr-dir': 400, 'dr-rs1': 301.25, 'dr-rs2': 0, 'nat-cli': 0, 'tun-rs1': 0 });
  });
});
