/**
 * An Ansible-style project (test/integration/fixtures/ansible-project) on real sshd hosts:
 * roles with defaults, a handler, a template, a local file and a dependency found on
 * LVS_ROLES_PATH; import_tasks; include_tasks looping under its own loop_var; a block whose
 * rescue and always run; pre_tasks and post_tasks; run_once; a block's delegate_to another
 * inventory host, inherited by its task; failed_when and changed_when on a command; register
 * with `is changed`; a loop with loop_var and label whose task vars read the item;
 * until/retries under a block's environment; copy, lineinfile and service; an INI inventory
 * whose [web:vars] hold a typed value used in a `when` comparison; groups['web'][0];
 * handlebars helpers in arguments. It converges, the hosts themselves show it, and a rerun
 * changes nothing. --list-hosts, --list-tasks and --syntax-check print without touching a host.
 */
import { join } from 'node:path';
import { runLvs } from '../support/cli';
import { startHosts, type TestLab } from '../support/netns-hosts';

const PROJECT = join(__dirname, 'fixtures', 'ansible-project');
const PLAYBOOK = join(PROJECT, 'site.yml');
const INVENTORY = join(PROJECT, 'inventory', 'hosts');
const ENV = { LVS_ROLES_PATH: join(PROJECT, 'shared-roles') };
const HOSTS = ['web1', 'web2', 'lb1'];

let lab: TestLab;

interface HostResult {
  status: string;
  rc?: number;
  attempts?: number;
  delegated_to?: string;
  run_once_host?: string;
  results?: { item_label?: string; status: string }[];
}

interface Report {
  plays: { tasks: { task: { name: string; included?: boolean }; hosts: Record<string, HostResult> }[] }[];
  stats: Record<string, { ok: number; changed: number; failures: number; rescued: number; skipped: number }>;
}

const on = async (host: string, command: string) => (await lab.onHost(host, command)).stdout.trim();
// The project's INI inventory says what the hosts are; the lab's, how to reach them.
const inventories = () => ['-i', INVENTORY, '-i', lab.inventoryFile];
const lvs = (...args: string[]) => runLvs(['run', PLAYBOOK, ...inventories(), '--known-hosts', lab.knownHostsFile, ...args], { env: ENV });
const taskResult = (report: Report, name: string) => report.plays[0].tasks.find((entry) => entry.task.name === name)!.hosts;

beforeAll(async () => {
  lab = await startHosts(HOSTS);
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
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
      '      daemon : init script\tTAGS: []',
      '      daemon : first install noted\tTAGS: []',
      '      daemon : daemon settings\tTAGS: []',
      '      daemon : daemon running\tTAGS: []',
      '      arp_ignore\tTAGS: []',
      '      rp_filter per scope\tTAGS: []',
      '      a kernel parameter that does not exist\tTAGS: []',
      '      rescued marker\tTAGS: []',
      '      always marker\tTAGS: []',
      '      weight\tTAGS: []',
      '      release note, once\tTAGS: []',
      '      not the first web server\tTAGS: []',
      '      backend on the balancer\tTAGS: []',
      '      is the page marked\tTAGS: []',
      '      unmarked page noted\tTAGS: []',
      '      warm-up, ready on the second try\tTAGS: []',
      '      last marker\tTAGS: []',
    ]);
    const syntax = await lvs('--syntax-check');
    expect(syntax).toMatchObject({ exitCode: 0, stdout: `\nplaybook: ${PLAYBOOK}\n` });
    // Without the roles path the dependency is not found: the error names the meta file's line.
    const broken = await runLvs(['run', PLAYBOOK, ...inventories(), '--syntax-check'], { env: { LVS_ROLES_PATH: '', ANSIBLE_ROLES_PATH: '' } });
    expect(broken.exitCode).toBe(4);
    expect(broken.stderr).toContain(`${join(PROJECT, 'roles', 'webpage', 'meta', 'main.yml')}:2:5: dependencies.0: role 'kernel-base' not found`);
    for (const host of HOSTS) expect(await on(host, 'ls /etc/lvs-pre /etc/lvs-backends 2>&1 || true')).toMatch(/No such file.*\n.*No such file/);
  }, 60_000);

  it('converges: roles, imports, includes, the rescued block, pre and post tasks, and the task keywords, each seen on the hosts', async () => {
    const first = await lvs('--json');
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const report = JSON.parse(first.stdout) as Report;
    // 19 tasks, the include (ok once per item) and its 2 tasks, the handler; the failing task
    // is rescued, not failed. web1 changes 18: all but `is the page marked` and the warm-up
    // (changed_when: false), `not the first web server` (skipped there), the include and the rescued task.
    expect(report.stats.web1).toEqual({ ok: 22, changed: 18, failures: 0, unreachable: 0, skipped: 1, rescued: 1, ignored: 0 });
    // web2 skips nothing; the run_once task's result it gets from web1 is ok there, not a change of its own.
    expect(report.stats.web2).toEqual({ ok: 23, changed: 18, failures: 0, unreachable: 0, skipped: 0, rescued: 1, ignored: 0 });
    expect(report.plays[0].tasks.filter((entry) => entry.task.included).map((entry) => entry.task.name)).toEqual(['rp_filter', 'rp_filter']);
    for (const host of ['web1', 'web2']) {
      expect(await on(host, 'cat /etc/lvs-page.conf')).toBe(`title=from params port=80 host=${host}`);
      expect(await on(host, 'cat /etc/lvs-page.stamp')).toBe(`page handler ran on ${host}`);
      expect(await on(host, 'cat /etc/lvs-pre /etc/lvs-rescued /etc/lvs-always /etc/lvs-post')).toBe(['pre', 'rescued', 'always', 'post'].map((marker) => `${marker} on ${host}`).join('\n'));
      expect(await on(host, 'sysctl -n net.ipv4.conf.all.arp_announce net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.rp_filter net.ipv4.conf.default.rp_filter')).toBe('2\n1\n2\n2');
      // copy from the role's files/, lineinfile over a loop under loop_var (the task's vars read the item), service started at boot.
      expect(await on(host, 'stat -c %a /etc/init.d/lvs-project-daemon && cat /etc/lvs-project-daemon.conf')).toBe('755\nport=8000\nname=lvs-daemon');
      expect((await lab.onHost(host, '/etc/init.d/lvs-project-daemon status')).exitCode).toBe(0);
      expect(await on(host, 'ls /etc/rc2.d | grep lvs-project-daemon')).toBe('S01lvs-project-daemon');
      // `when: init_script is changed` ran once; the INI's typed min_weight passed `min_weight > 1`, with the helpers in the line.
      expect(await on(host, 'cat /var/tmp/lvs-installs /etc/lvs-weight')).toBe(`installed on ${host}\nweight=2 name=web`);
      // failed_when let grep's rc 1 through, and register kept it for the next task's vars.
      expect(await on(host, 'cat /etc/lvs-grep')).toBe('page not marked (grep rc=1)');
      // until: the first attempt failed, the second passed; the block's environment named the file.
      expect(await on(host, 'wc -l < /var/tmp/lvs-attempts')).toBe('2');
    }
    expect(taskResult(report, 'is the page marked').web1).toMatchObject({ status: 'ok', rc: 1 });
    expect(taskResult(report, 'warm-up, ready on the second try').web1).toMatchObject({ status: 'ok', attempts: 2 });
    expect(taskResult(report, 'daemon : daemon settings').web1.results?.map((result) => result.item_label)).toEqual(['port', 'name']);
    // run_once: web1, the first of the batch, wrote the file; web2 was not touched.
    expect(taskResult(report, 'release note, once')).toMatchObject({ web1: { status: 'changed' }, web2: { status: 'ok', run_once_host: 'web1' } });
    expect(await on('web1', 'cat /etc/lvs-release')).toBe('release written by web1');
    expect(await on('web2', 'ls /etc/lvs-release 2>&1 || true')).toMatch(/No such file/);
    // groups['web'][0] is web1: only web2 is a secondary.
    expect(await on('web2', 'cat /etc/lvs-secondary')).toBe('secondary');
    expect(await on('web1', 'ls /etc/lvs-secondary 2>&1 || true')).toMatch(/No such file/);
    // delegate_to: the lines are on lb1, in each web host's own variables; not on the web hosts.
    expect(taskResult(report, 'backend on the balancer').web2).toMatchObject({ status: 'changed', delegated_to: 'lb1' });
    expect((await on('lb1', 'sort /etc/lvs-backends'))).toBe('backend web1 weight=2\nbackend web2 weight=2');
    for (const host of ['web1', 'web2']) expect(await on(host, 'ls /etc/lvs-backends 2>&1 || true')).toMatch(/No such file/);

    const again = await lvs('--json');
    expect(again.exitCode).toBe(0);
    const rerun = JSON.parse(again.stdout) as Report;
    for (const host of ['web1', 'web2']) {
      expect(rerun.stats[host]).toMatchObject({ changed: 0, failures: 0, rescued: 1 });
      expect(await on(host, 'cat /var/tmp/lvs-installs')).toBe(`installed on ${host}`);
      // Ready at once this time: one more attempt.
      expect(await on(host, 'wc -l < /var/tmp/lvs-attempts')).toBe('3');
    }
    expect(taskResult(rerun, 'daemon : first install noted').web1.status).toBe('skipped');
    expect(taskResult(rerun, 'warm-up, ready on the second try').web1).toMatchObject({ status: 'ok', attempts: 1 });
    expect(await on('lb1', 'wc -l < /etc/lvs-backends')).toBe('2');
  }, 180_000);

  it('--check with new values reports the changes and leaves the hosts as they were', async () => {
    const check = await lvs('--json', '--check', '-e', 'page_port=8080', '-e', 'daemon_port=9000', '-e', '{"min_weight": 3}', '--limit', 'web1');
    expect(check.exitCode).toBe(0);
    const report = JSON.parse(check.stdout) as Report;
    expect(taskResult(report, 'webpage : page config').web1.status).toBe('changed');
    expect(taskResult(report, 'daemon : daemon settings').web1.status).toBe('changed');
    expect(taskResult(report, 'weight').web1.status).toBe('changed');
    expect(taskResult(report, 'backend on the balancer').web1).toMatchObject({ status: 'changed', delegated_to: 'lb1' });
    expect(await on('web1', 'cat /etc/lvs-page.conf')).toBe('title=from params port=80 host=web1');
    expect(await on('web1', 'cat /etc/lvs-project-daemon.conf /etc/lvs-weight')).toBe('port=8000\nname=lvs-daemon\nweight=2 name=web');
    expect(await on('lb1', 'sort /etc/lvs-backends')).toBe('backend web1 weight=2\nbackend web2 weight=2');
    expect(await on('web1', 'wc -l < /var/tmp/lvs-attempts')).toBe('3');
  }, 60_000);
});
