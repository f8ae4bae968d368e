/**
 * An Ansible-style project (test/integration/fixtures/ansible-project) on real sshd hosts:
 * a role with defaults, a handler, a template and a dependency found on LVS_ROLES_PATH;
 * import_tasks; include_tasks with a loop; a block whose rescue and always run; pre_tasks
 * and post_tasks. It converges, the hosts themselves show it, and a rerun changes nothing.
 * --list-hosts, --list-tasks and --syntax-check print without touching a host.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runLvs } from '../support/cli';
import { startHosts, type TestLab } from '../support/netns-hosts';

const PROJECT = join(__dirname, 'fixtures', 'ansible-project');
const PLAYBOOK = join(PROJECT, 'site.yml');
const ENV = { LVS_ROLES_PATH: join(PROJECT, 'shared-roles') };

let lab: TestLab;
let dir: string;
let inventory: string;

interface Report {
  plays: { tasks: { task: { name: string; included?: boolean }; hosts: Record<string, { status: string }> }[] }[];
  stats: Record<string, { ok: number; changed: number; failures: number; rescued: number; skipped: number }>;
}

const on = async (host: string, command: string) => (await lab.onHost(host, command)).stdout.trim();
const lvs = (...args: string[]) => runLvs(['run', PLAYBOOK, '-i', inventory, '--known-hosts', lab.knownHostsFile, ...args], { env: ENV });

beforeAll(async () => {
  lab = await startHosts(['web1', 'web2']);
  dir = mkdtempSync(join(tmpdir(), 'lvs-project-'));
  inventory = join(dir, 'hosts.yml');
  const host = (name: string) => {
    const entry = lab.hosts.find((candidate) => candidate.name === name)!;
    return { ansible_host: entry.address, ansible_port: entry.port, ansible_user: 'root', ansible_ssh_private_key_file: lab.keyFile };
  };
  writeFileSync(inventory, stringify({ all: { children: { web: { hosts: { web1: host('web1'), web2: host('web2') } } } } }));
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an Ansible-style project', () => {
  it('lists its hosts and tasks, and passes --syntax-check, without touching a host', async () => {
    const hosts = await lvs('--list-hosts', '--limit', 'web1');
    expect(hosts.exitCode).toBe(0);
    expect(hosts.stdout).toBe(`\nplaybook: ${PLAYBOOK}\n\n  play #1 (web): project\tTAGS: []\n    pattern: ['web']\n    hosts (1):\n      web1\n`);
    const tasks = await lvs('--list-tasks');
    expect(tasks.stdout.split('\n').filter((line) => line.startsWith('      '))).toEqual([
      '      first marker\tTAGS: []',
      '      kernel-base : arp_announce\tTAGS: []',
      '      webpage : page config\tTAGS: []',
      '      arp_ignore\tTAGS: []',
      '      rp_filter per scope\tTAGS: []',
      '      a kernel parameter that does not exist\tTAGS: []',
      '      rescued marker\tTAGS: []',
      '      always marker\tTAGS: []',
      '      last marker\tTAGS: []',
    ]);
    const syntax = await lvs('--syntax-check');
    expect(syntax).toMatchObject({ exitCode: 0, stdout: `\nplaybook: ${PLAYBOOK}\n` });
    // Without the roles path the dependency is not found: the error names the meta file's line.
    const broken = await runLvs(['run', PLAYBOOK, '-i', inventory, '--syntax-check'], { env: { LVS_ROLES_PATH: '', ANSIBLE_ROLES_PATH: '' } });
    expect(broken.exitCode).toBe(4);
    expect(broken.stderr).toContain(`${join(PROJECT, 'roles', 'webpage', 'meta', 'main.yml')}:2:5: dependencies.0: role 'kernel-base' not found`);
    expect(await on('web1', 'ls /etc/lvs-pre 2>&1 || true')).toMatch(/No such file/);
  }, 60_000);

  it('converges: the role with its defaults, params, handler and dependency, imports, includes, the rescued block, pre and post tasks', async () => {
    const first = await lvs('--json');
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const report = JSON.parse(first.stdout) as Report;
    // 8 tasks, the include (ok once per item) and its 2 tasks, the handler; the failing task is rescued, not failed.
    expect(report.stats.web1).toEqual({ ok: 12, changed: 10, failures: 0, unreachable: 0, skipped: 0, rescued: 1, ignored: 0 });
    expect(report.plays[0].tasks.filter((entry) => entry.task.included).map((entry) => entry.task.name)).toEqual(['rp_filter', 'rp_filter']);
    for (const host of ['web1', 'web2']) {
      expect(await on(host, 'cat /etc/lvs-page.conf')).toBe(`title=from params port=80 host=${host}`);
      expect(await on(host, 'cat /etc/lvs-page.stamp')).toBe(`page handler ran on ${host}`);
      expect(await on(host, 'cat /etc/lvs-pre /etc/lvs-rescued /etc/lvs-always /etc/lvs-post')).toBe(['pre', 'rescued', 'always', 'post'].map((marker) => `${marker} on ${host}`).join('\n'));
      expect(await on(host, 'sysctl -n net.ipv4.conf.all.arp_announce net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.rp_filter net.ipv4.conf.default.rp_filter')).toBe('2\n1\n2\n2');
    }

    const again = await lvs('--json');
    expect(again.exitCode).toBe(0);
    const rerun = JSON.parse(again.stdout) as Report;
    for (const host of ['web1', 'web2']) expect(rerun.stats[host]).toMatchObject({ changed: 0, failures: 0, rescued: 1 });
  }, 120_000);

  it('--check with a new value reports the change and leaves the host as it was', async () => {
    const check = await lvs('--json', '--check', '-e', 'page_port=8080', '--limit', 'web1');
    expect(check.exitCode).toBe(0);
    const report = JSON.parse(check.stdout) as Report;
    expect(report.plays[0].tasks.find((entry) => entry.task.name === 'webpage : page config')?.hosts.web1.status).toBe('changed');
    expect(await on('web1', 'cat /etc/lvs-page.conf')).toBe('title=from params port=80 host=web1');
  }, 60_000);
});
