/**
 * The task and play keywords on real sshd hosts: delegate_to another host (the change lands
 * on the delegate), delegate_to the implicit localhost (runs on this machine with no SSH),
 * run_once (one host runs the task), and serial 1 with max_fail_percentage 0 (the roll stops
 * after the failing batch, later hosts untouched). Every claim is checked on the hosts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runLvs } from '../support/cli';
import { sshdActivity, startHosts, type TestLab } from '../support/netns-hosts';

interface Report {
  plays: { tasks: { task: { name: string }; hosts: Record<string, { status: string; msg?: string; delegated_to?: string; run_once_host?: string }> }[] }[];
  stats: Record<string, { ok: number; changed: number; failures: number; unreachable: number; skipped: number }>;
  stopped?: { play: string; reason: string; notRun: string[] };
}

let lab: TestLab;
let dir: string;
let inventory: string;

const HOSTS = ['director', 'rs1', 'rs2', 'rs3'];

async function on(host: string, command: string): Promise<string> {
  return (await lab.onHost(host, command)).stdout.trim();
}

function playbookFile(name: string, plays: unknown[]): string {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, stringify(plays));
  return file;
}

async function lvs(playbook: string, ...args: string[]): Promise<{ exitCode: number; report: Report; stderr: string }> {
  const result = await runLvs(['run', playbook, '-i', inventory, '--known-hosts', lab.knownHostsFile, '--json', ...args]);
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

/** What each host's sshd logged during `work`. */
async function traffic(work: () => Promise<unknown>): Promise<Record<string, ReturnType<typeof sshdActivity>>> {
  const before = Object.fromEntries(HOSTS.map((host) => [host, lab.readSshdLog(host).length]));
  await work();
  return Object.fromEntries(HOSTS.map((host) => [host, sshdActivity(lab.readSshdLog(host).slice(before[host]))]));
}

beforeAll(async () => {
  lab = await startHosts(HOSTS);
  dir = mkdtempSync(join(tmpdir(), 'lvs-keywords-'));
  const host = (name: string, vars: Record<string, unknown> = {}) => {
    const entry = lab.hosts.find((candidate) => candidate.name === name)!;
    return { ansible_host: entry.address, ansible_port: entry.port, ansible_user: 'root', ansible_ssh_private_key_file: lab.keyFile, ...vars };
  };
  inventory = join(dir, 'hosts.yml');
  writeFileSync(
    inventory,
    stringify({
      all: {
        children: {
          directors: { hosts: { director: host('director') } },
          // rs2 names a kernel parameter that does not exist: its sysctl task fails.
          realservers: { hosts: { rs1: host('rs1'), rs2: host('rs2', { forward_key: 'net.ipv4.no_such_key' }), rs3: host('rs3') }, vars: { forward_key: 'net.ipv4.ip_forward' } },
        },
      },
    }),
  );
  writeFileSync(join(dir, 'drain.hbs'), 'drained {{ inventory_hostname }} for {{ release }}\n');
  writeFileSync(join(dir, 'once.hbs'), 'written once by {{ inventory_hostname }}\n');
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('delegate_to another inventory host', () => {
  const drain = () =>
    playbookFile('drain', [
      {
        name: 'drain',
        hosts: 'rs1:rs2',
        vars: { director: 'director' },
        tasks: [{ name: 'mark on the director', template: { src: 'drain.hbs', dest: '/etc/lvs-drain-{{ inventory_hostname }}' }, delegate_to: '{{ director }}' }],
      },
    ]);

  it("makes the change on the delegate with each host's own variables; again changes nothing; --check touches nothing", async () => {
    const first = await lvs(drain(), '-e', 'release=v1');
    expect(first.exitCode).toBe(0);
    expect(first.report.plays[0].tasks[0].hosts.rs1).toMatchObject({ status: 'changed', delegated_to: 'director' });
    expect(await on('director', 'cat /etc/lvs-drain-rs1 /etc/lvs-drain-rs2')).toBe('drained rs1 for v1\ndrained rs2 for v1');
    expect(await on('rs1', 'ls /etc/lvs-drain-* 2>/dev/null || echo none')).toBe('none');
    expect(await on('rs2', 'ls /etc/lvs-drain-* 2>/dev/null || echo none')).toBe('none');

    const again = await lvs(drain(), '-e', 'release=v1');
    expect(again.exitCode).toBe(0);
    expect([again.report.stats.rs1.changed, again.report.stats.rs2.changed]).toEqual([0, 0]);

    const check = await lvs(drain(), '-e', 'release=v2', '--check');
    expect(check.exitCode).toBe(0);
    expect(check.report.plays[0].tasks[0].hosts.rs2.status).toBe('changed');
    expect(await on('director', 'cat /etc/lvs-drain-rs1 /etc/lvs-drain-rs2')).toBe('drained rs1 for v1\ndrained rs2 for v1');
  });
});

describe('delegate_to localhost', () => {
  it('runs on this machine through a local shell: the hosts run nothing but their run lock', async () => {
    const local = mkdtempSync(join(tmpdir(), 'lvs-keywords-local-'));
    try {
      const playbook = playbookFile('local', [
        {
          name: 'on the controller',
          hosts: 'rs1:rs2',
          tasks: [{ name: 'note', template: { src: 'once.hbs', dest: `${local}/from-{{ inventory_hostname }}` }, delegate_to: 'localhost' }],
        },
      ]);
      let result!: Awaited<ReturnType<typeof lvs>>;
      const seen = await traffic(async () => (result = await lvs(playbook)));
      expect(result.exitCode).toBe(0);
      expect(result.report.plays[0].tasks[0].hosts.rs1).toMatchObject({ status: 'changed', delegated_to: 'localhost' });
      expect(readFileSync(join(local, 'from-rs1'), 'utf8')).toBe('written once by rs1\n');
      expect(readFileSync(join(local, 'from-rs2'), 'utf8')).toBe('written once by rs2\n');
      // Each play host: one login and one exec, the run lock; the task's reads and writes ran here.
      expect(seen.rs1).toEqual({ connections: 1, logins: 1, execRequests: 1 });
      expect(seen.rs2).toEqual({ connections: 1, logins: 1, execRequests: 1 });
      expect(seen.director).toEqual({ connections: 0, logins: 0, execRequests: 0 });
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });
});

describe('run_once', () => {
  it('runs the task on the first host of the batch only; the others get its result', async () => {
    const playbook = playbookFile('once', [
      {
        name: 'once',
        hosts: 'realservers',
        tasks: [{ name: 'once', template: { src: 'once.hbs', dest: '/etc/lvs-once' }, run_once: true, register: 'once' }],
      },
    ]);
    let result!: Awaited<ReturnType<typeof lvs>>;
    const seen = await traffic(async () => (result = await lvs(playbook, '-l', 'rs1:rs3')));
    expect(result.exitCode).toBe(0);
    // rs1: the run lock, the facts, the write with its re-read; rs3: the run lock only.
    expect(seen.rs1.execRequests).toBe(3);
    expect(seen.rs3.execRequests).toBe(1);
    expect(result.report.plays[0].tasks[0].hosts.rs1.status).toBe('changed');
    expect(result.report.plays[0].tasks[0].hosts.rs3).toMatchObject({ status: 'ok', run_once_host: 'rs1' });
    expect(await on('rs1', 'cat /etc/lvs-once')).toBe('written once by rs1');
    expect(await on('rs3', 'test -e /etc/lvs-once && echo present || echo absent')).toBe('absent');
  });
});

describe('serial 1 with max_fail_percentage 0', () => {
  it('stops the roll after the failing batch: later hosts untouched, exit 2, the recap says so', async () => {
    const playbook = playbookFile('roll', [
      {
        name: 'roll',
        hosts: 'realservers',
        serial: 1,
        max_fail_percentage: 0,
        tasks: [{ name: 'forwarding', sysctl: { name: '{{ forward_key }}', value: 1 } }],
      },
    ]);
    expect(await on('rs3', 'sysctl -n net.ipv4.ip_forward')).toBe('0');
    const json = await lvs(playbook);
    expect(json.exitCode).toBe(2);
    expect(json.report.stopped).toEqual({ play: 'roll', reason: "max_fail_percentage 0: 1 of the batch's 1 hosts failed", notRun: ['rs3'] });
    expect(await on('rs1', 'sysctl -n net.ipv4.ip_forward')).toBe('1');
    expect(await on('rs3', 'sysctl -n net.ipv4.ip_forward')).toBe('0');
    expect(json.report.stats.rs3).toEqual({ ok: 0, changed: 0, failures: 0, unreachable: 0, skipped: 0, rescued: 0, ignored: 0 });

    const plain = await runLvs(['run', playbook, '-i', inventory, '--known-hosts', lab.knownHostsFile]);
    expect(plain.exitCode).toBe(2);
    expect(plain.stdout).toContain("STOPPED: play 'roll' ended (max_fail_percentage 0: 1 of the batch's 1 hosts failed); no later batch or play ran.");
    expect(plain.stdout).toContain('not run on: rs3');
  });
});
