/**
 * The example plugin (examples/lvs-plugin-hosts, TypeScript, loaded from what `npm run build`
 * compiled), loaded like any plugin (lvs.config.json and --plugin), listed, validated, and
 * its tasks run against a real host: changed, then unchanged, then --check with a new value,
 * the host checked itself each time. Its cluster hook is covered in validate.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runLvs } from '../support/cli';
import { startHosts, type TestLab } from '../support/netns-hosts';

const PLUGIN = resolve(__dirname, '..', '..', 'examples', 'lvs-plugin-hosts');
let lab: TestLab;
let project: string;

beforeAll(async () => {
  lab = await startHosts(['web']);
  project = mkdtempSync(join(tmpdir(), 'lvs-plugin-'));
  writeFileSync(join(project, 'lvs.config.json'), JSON.stringify({ plugins: [PLUGIN] }));
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
  if (project) rmSync(project, { recursive: true, force: true });
});

const inProject = (...args: string[]) => runLvs(args, { cwd: project });
const hostsEntry = (...extra: string[]) =>
  inProject('task', 'hosts_entry', 'address=10.199.250.9', ...extra, '-i', lab.inventoryFile, '-l', 'web', '--known-hosts', lab.knownHostsFile, '--json');
const status = (stdout: string) => JSON.parse(stdout).plays[0].tasks[0].hosts.web.status;

describe('a plugin', () => {
  it('is listed and documented by lvs tasks from the project config', async () => {
    const list = await inProject('tasks');
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/^hosts_entry\s+Keeps one address line .*\[plugin .*lvs-plugin-hosts\]$/m);
    expect(list.stdout).toMatch(/^arp_hidden\s+Keeps a DR or TUN real server .*\[plugin .*lvs-plugin-hosts\]$/m);
    expect(list.stdout).toMatch(/^sysctl\s+/m);
    const doc = await inProject('tasks', 'hosts_entry');
    expect(doc.stdout).toContain('names (list of string; default []');
    expect(doc.stdout).toContain('state ("present"|"absent"; default "present")');
  });

  it('is loaded with --plugin too', async () => {
    const list = await runLvs(['tasks', '--plugin', PLUGIN]);
    expect(list.stdout).toMatch(/^hosts_entry\s+/m);
  });

  it('has its arguments validated before any host is touched', async () => {
    const result = await hostsEntry('state=present');
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('names: at least one name is needed when state is present');
  });

  it('changes, then changes nothing, then only reports in check mode', async () => {
    const first = await hostsEntry('names=vip.lvs.test');
    expect(first.exitCode).toBe(0);
    expect(status(first.stdout)).toBe('changed');
    expect((await lab.onHost('web', 'grep 10.199.250.9 /etc/hosts')).stdout).toBe('10.199.250.9 vip.lvs.test\n');

    const second = await hostsEntry('names=vip.lvs.test');
    expect(status(second.stdout)).toBe('ok');

    const check = await hostsEntry('names=other.lvs.test', '--check');
    expect(status(check.stdout)).toBe('changed');
    expect((await lab.onHost('web', 'grep 10.199.250.9 /etc/hosts')).stdout).toBe('10.199.250.9 vip.lvs.test\n');
  });
});

describe('a plugin task that sets kernel parameters', () => {
  const KEYS = ['all', 'eth0'].flatMap((dev) => [`net.ipv4.conf.${dev}.arp_ignore`, `net.ipv4.conf.${dev}.arp_announce`]);
  const FILE = '/etc/sysctl.d/60-arp-hidden-eth0.conf';
  const arpHidden = (...extra: string[]) => inProject('task', 'arp_hidden', ...extra, '-i', lab.inventoryFile, '-l', 'web', '--known-hosts', lab.knownHostsFile, '--json');
  const live = async () => (await lab.onHost('web', `sysctl -n ${KEYS.join(' ')}`)).stdout;

  it('changes, then changes nothing, then only reports in check mode', async () => {
    expect(await live()).toBe('0\n0\n0\n0\n');
    const first = await arpHidden('dev=eth0');
    expect(first.exitCode).toBe(0);
    expect(status(first.stdout)).toBe('changed');
    expect(await live()).toBe('1\n2\n1\n2\n');
    expect((await lab.onHost('web', `cat ${FILE}`)).stdout).toBe(KEYS.map((key) => `${key} = ${key.endsWith('ignore') ? 1 : 2}\n`).join(''));

    const second = await arpHidden('dev=eth0');
    expect(status(second.stdout)).toBe('ok');

    const check = await arpHidden('dev=eth0', 'arp_announce=1', '--check');
    expect(status(check.stdout)).toBe('changed');
    expect(await live()).toBe('1\n2\n1\n2\n');
  });

  it('fails on the host, with the message its fact threw, for a device the host lacks', async () => {
    const result = await arpHidden('dev=eth9');
    const outcome = JSON.parse(result.stdout).plays[0].tasks[0].hosts.web;
    expect(outcome.status).toBe('failed');
    expect(outcome.msg).toMatch(/^arp_hidden: reading live failed: cannot read the ARP settings of eth9: sysctl: cannot stat \/proc\/sys\/net\/ipv4\/conf\/eth9\/arp_ignore/);
    expect(result.exitCode).toBe(2);
  });
});

describe('a secret argument', () => {
  const secret = "s3cr'et $(pass)";
  const run = (...flags: string[]) =>
    runLvs(['task', 'password_file', 'path=/etc/app.pass', `password=${secret}`, '--plugin', resolve(__dirname, 'fixtures', 'secret-plugin.js'), '-i', lab.inventoryFile, '-l', 'web', '--known-hosts', lab.knownHostsFile, ...flags]);

  it('reaches the host but never the output: tree, diff, JSON, noop text', async () => {
    for (const flags of [['--diff'], ['--json'], ['--diff']]) {
      const result = await run(...flags);
      expect(result.exitCode).toBe(0);
      expect(`${result.stdout}${result.stderr}`).not.toContain('s3cr');
      expect(`${result.stdout}${result.stderr}`).toContain('********');
    }
    expect((await lab.onHost('web', 'cat /etc/app.pass')).stdout).toBe(`${secret}\n`);
  });
});
