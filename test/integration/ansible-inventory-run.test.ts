/**
 * An Ansible-style project over real sshd hosts: an INI inventory whose `[group:vars]` hold
 * typed values (with comments) used in a `when` comparison, group_vars/ and host_vars/ beside
 * the playbook winning over the inventory's, groups['x'][0] in the group's own order, a play
 * whose hosts match nothing (Ansible's warning, skipped, exit 0) and a --limit that matches
 * nothing (Ansible's error, exit 1, no connection). Every claim is checked on the hosts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runLvs } from '../support/cli';
import { sshdActivity, startHosts, type TestLab } from '../support/netns-hosts';

const HOSTS = ['inv1', 'inv2'];
let lab: TestLab;
let dir: string;
let playbook: string;

interface Report {
  plays: { play: { name: string }; tasks: { task: { name: string }; hosts: Record<string, { status: string; changed: boolean }> }[] }[];
  stats: Record<string, { changed: number; failures: number }>;
}

const lvs = (...args: string[]) =>
  runLvs(['run', playbook, '-i', join(dir, 'inventory', 'hosts'), '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, '--json', ...args], { timeoutMs: 120_000 });
const live = async (host: string, key: string) => (await lab.onHost(host, `sysctl -n ${key}`)).stdout.trim();

beforeAll(async () => {
  lab = await startHosts(HOSTS);
  dir = mkdtempSync(join(tmpdir(), 'lvs-ansible-inventory-'));
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  // inv2 is listed first in [web]: groups['web'][0] is inv2, whatever the file order elsewhere.
  write('inventory/hosts', ['[all_hosts]', 'inv1', 'inv2', '', '[web]', 'inv2', 'inv1', '', '[web:vars]', 'min_weight=2 # typed as an int by literal_eval', 'forward=0', ''].join('\n'));
  write('inventory/group_vars/web.yml', 'forward: 0\nrp_filter: 2\n');
  write('group_vars/web.yml', 'rp_filter: 1\n');
  write('host_vars/inv1.yml', 'forward: 1\n');
  playbook = join(dir, 'site.yml');
  writeFileSync(
    playbook,
    stringify([
      { name: 'a typo in the group name', hosts: 'wbe', tasks: [{ name: 'never runs', sysctl: { name: 'net.ipv4.ip_forward', value: 1 } }] },
      {
        name: 'web',
        hosts: 'web',
        tasks: [
          { name: 'forwarding', sysctl: { name: 'net.ipv4.ip_forward', value: '{{ forward }}' }, when: 'min_weight > 1' },
          { name: 'rp_filter', sysctl: { name: 'net.ipv4.conf.all.rp_filter', value: '{{ rp_filter }}' } },
          { name: 'first of web', sysctl: { name: 'net.ipv4.conf.all.log_martians', value: 1 }, when: 'inventory_hostname == groups.web.0' },
        ],
      },
    ]),
  );
}, 120_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an Ansible project with an INI inventory and playbook-dir vars', () => {
  it('applies: typed group vars pass the comparison, playbook vars win, the typo play is skipped with a warning', async () => {
    const run = await lvs();
    expect(run.stderr).not.toContain('ERROR');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('WARNING: Could not match supplied host pattern, ignoring: wbe');
    expect(run.stderr).toContain("WARNING: play 'a typo in the group name': skipping: no hosts matched");
    const report = JSON.parse(run.stdout) as Report;
    // inv1: forwarding and rp_filter; inv2 also the task only groups['web'][0] runs.
    expect(report.stats.inv1).toMatchObject({ changed: 2, failures: 0 });
    expect(report.stats.inv2).toMatchObject({ changed: 3, failures: 0 });
    // On the hosts: host_vars beside the playbook set inv1's forwarding, the inventory's group value inv2's.
    expect(await live('inv1', 'net.ipv4.ip_forward')).toBe('1');
    expect(await live('inv2', 'net.ipv4.ip_forward')).toBe('0');
    // playbook group_vars/web.yml (1) over the inventory's group_vars/web.yml (2).
    expect(await live('inv1', 'net.ipv4.conf.all.rp_filter')).toBe('1');
    expect(await live('inv2', 'net.ipv4.conf.all.rp_filter')).toBe('1');
    // Only groups.web.0 (groups['web'][0]), which is inv2 in Ansible's order.
    expect(await live('inv2', 'net.ipv4.conf.all.log_martians')).toBe('1');
    expect(await live('inv1', 'net.ipv4.conf.all.log_martians')).toBe('0');
  }, 240_000);

  it('again: nothing changes', async () => {
    const run = await lvs();
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.stats.inv1).toMatchObject({ changed: 0, failures: 0 });
    expect(report.stats.inv2).toMatchObject({ changed: 0, failures: 0 });
  }, 240_000);

  it('--check with a new value: the change is reported, the hosts are untouched', async () => {
    const run = await lvs('--check', '-e', 'rp_filter=2');
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    const task = report.plays.find((play) => play.play.name === 'web')!.tasks.find((entry) => entry.task.name === 'rp_filter')!;
    expect(task.hosts.inv1.status).toBe('changed');
    expect(task.hosts.inv2.status).toBe('changed');
    expect(await live('inv1', 'net.ipv4.conf.all.rp_filter')).toBe('1');
    expect(await live('inv2', 'net.ipv4.conf.all.rp_filter')).toBe('1');
  }, 240_000);

  it('a --limit that matches no host: Ansible\'s error and exit 1, and no host is contacted', async () => {
    const before = Object.fromEntries(HOSTS.map((host) => [host, lab.readSshdLog(host).length]));
    const run = await lvs('--limit', 'nothere');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('ERROR: --limit: Specified inventory, host pattern and/or --limit leaves us with no hosts to target.');
    for (const host of HOSTS) expect(sshdActivity(lab.readSshdLog(host).slice(before[host]))).toMatchObject({ connections: 0 });
  }, 240_000);
});
