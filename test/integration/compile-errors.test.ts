/**
 * Bad input fails before any host is touched: `lvs run` and `lvs validate` exit 4 with the
 * file:line of the mistake, and the sshd logs of the real hosts the inventory names show no
 * connection while the command ran. The last test logs in on purpose, to prove those logs
 * would show it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLvs } from '../support/cli';
import { sshdActivity, startHosts, type TestLab } from '../support/netns-hosts';
import type { ProcessResult } from '../support/run-process';

const HOSTS = ['c1', 'c2'];
/** One lvs command on a busy machine; `run` would also connect if compiling let it. */
const COMMAND_TIMEOUT_MS = 90_000;
/** A test runs `lvs run` and `lvs validate` one after the other. */
const TEST_TIMEOUT_MS = 2 * COMMAND_TIMEOUT_MS + 30_000;

let lab: TestLab;
let root: string;
let caseCount = 0;

beforeAll(async () => {
  lab = await startHosts(HOSTS);
  root = mkdtempSync(join(tmpdir(), 'lvs-compile-errors-'));
}, 120_000);

afterAll(async () => {
  await lab?.destroy();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A folder with site.yml (given line by line, so line numbers are known) and template files. */
function project(playbookLines: string[], templates: Record<string, string> = {}): { dir: string; playbook: string } {
  caseCount += 1;
  const dir = join(root, `case-${caseCount}`);
  mkdirSync(dir);
  const playbook = join(dir, 'site.yml');
  writeFileSync(playbook, playbookLines.map((line) => `${line}\n`).join(''));
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, name), text);
  return { dir, playbook };
}

/** `lvs run` (which would log in with the lab's key and known_hosts) and `lvs validate`. */
const COMMANDS = {
  run: (playbook: string) => ['run', playbook, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, '--connect-timeout', '20'],
  validate: (playbook: string) => ['validate', playbook, '-i', lab.inventoryFile],
};
type Command = keyof typeof COMMANDS;
const EACH_COMMAND = Object.keys(COMMANDS) as Command[];

type Traffic = Record<string, ReturnType<typeof sshdActivity>>;

/** Runs one lvs command, and reads what each host's sshd logged while it ran. */
async function lvs(command: Command, playbook: string): Promise<ProcessResult & { traffic: Traffic }> {
  const before = Object.fromEntries(HOSTS.map((host) => [host, lab.readSshdLog(host).length]));
  const result = await runLvs(COMMANDS[command](playbook), { timeoutMs: COMMAND_TIMEOUT_MS });
  const traffic = Object.fromEntries(HOSTS.map((host) => [host, sshdActivity(lab.readSshdLog(host).slice(before[host]))]));
  return { ...result, traffic };
}
const NO_TRAFFIC: Traffic = Object.fromEntries(HOSTS.map((host) => [host, { connections: 0, logins: 0, execRequests: 0 }]));

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The three lines of a template file whose third line uses a variable nobody defines. */
const UNDEFINED_ON_LINE_3 = 'managed by lvs\nhost {{ inventory_hostname }}\nvalue {{ nope }}\n';

describe('a template file that uses an undefined variable', () => {
  const playbookLines = [
    '- name: pages', // 1
    '  hosts: all', // 2
    '  tasks:', // 3
    '    - name: page', // 4
    '      template:', // 5
    '        src: page.hbs', // 6
    '        dest: /var/tmp/lvs-compile-page', // 7
  ];

  it.each(EACH_COMMAND)('in a template task: lvs %s exits 4 naming the file:line and the variable, no host sees a login', async (command) => {
    const { dir, playbook } = project(playbookLines, { 'page.hbs': UNDEFINED_ON_LINE_3 });
    const result = await lvs(command, playbook);
    expect({ exitCode: result.exitCode, traffic: result.traffic }).toEqual({ exitCode: 4, traffic: NO_TRAFFIC });
    expect(result.stderr).toMatch(new RegExp(`${escape(join(dir, 'page.hbs'))}:3\\b`));
    expect(result.stderr).toMatch(/\bnope\b/);
  }, TEST_TIMEOUT_MS);

  it.each(EACH_COMMAND)('in the httpd task\'s index_template: lvs %s exits 4 naming the file:line and the variable, no host sees a login', async (command) => {
    const { dir, playbook } = project(
      ['- name: web', '  hosts: all', '  tasks:', '    - name: web server', '      httpd:', '        index_template: web.hbs'],
      { 'web.hbs': UNDEFINED_ON_LINE_3 },
    );
    const result = await lvs(command, playbook);
    expect({ exitCode: result.exitCode, traffic: result.traffic }).toEqual({ exitCode: 4, traffic: NO_TRAFFIC });
    expect(result.stderr).toMatch(new RegExp(`${escape(join(dir, 'web.hbs'))}:3\\b`));
    expect(result.stderr).toMatch(/\bnope\b/);
  }, TEST_TIMEOUT_MS);
});

describe('a template file that does not exist', () => {
  it.each(EACH_COMMAND)('in a template task: lvs %s exits 4 naming it, where it was looked for, and the src key\'s file:line; no login', async (command) => {
    const { dir, playbook } = project([
      '- name: pages',
      '  hosts: all',
      '  tasks:',
      '    - name: page',
      '      template:',
      '        src: missing-page.hbs', // line 6
      '        dest: /var/tmp/lvs-compile-missing',
    ]);
    const result = await lvs(command, playbook);
    expect({ exitCode: result.exitCode, traffic: result.traffic }).toEqual({ exitCode: 4, traffic: NO_TRAFFIC });
    expect(result.stderr).toMatch(new RegExp(`${escape(playbook)}:6\\b`));
    expect(result.stderr).toContain('missing-page.hbs');
    // Beside the playbook is the first place a template is looked for.
    expect(result.stderr).toContain(join(dir, 'missing-page.hbs'));
  }, TEST_TIMEOUT_MS);

  it.each(EACH_COMMAND)('in the httpd task\'s index_template: lvs %s exits 4 naming it, where it was looked for, and the key\'s file:line; no login', async (command) => {
    const { dir, playbook } = project([
      '- name: web',
      '  hosts: all',
      '  tasks:',
      '    - name: web server',
      '      httpd:',
      '        index_template: missing-web.hbs', // line 6
    ]);
    const result = await lvs(command, playbook);
    expect({ exitCode: result.exitCode, traffic: result.traffic }).toEqual({ exitCode: 4, traffic: NO_TRAFFIC });
    expect(result.stderr).toMatch(new RegExp(`${escape(playbook)}:6\\b`));
    expect(result.stderr).toContain('missing-web.hbs');
    expect(result.stderr).toContain(join(dir, 'missing-web.hbs'));
  }, TEST_TIMEOUT_MS);
});

describe('Jinja2 syntax that handlebars cannot read', () => {
  it.each(EACH_COMMAND)('in a template file: lvs %s exits 4 naming the file:line, the construct and its handlebars spelling; no login', async (command) => {
    const { dir, playbook } = project(
      ['- name: pages', '  hosts: all', '  tasks:', '    - name: page', '      template:', '        src: page.hbs', '        dest: /var/tmp/lvs-compile-jinja'],
      { 'page.hbs': "managed by lvs\nport {{ port | default(80) }}\n" },
    );
    const result = await lvs(command, playbook);
    expect({ exitCode: result.exitCode, traffic: result.traffic }).toEqual({ exitCode: 4, traffic: NO_TRAFFIC });
    expect(result.stderr).toContain(`${join(dir, 'page.hbs')}:2:14: `);
    expect(result.stderr).toContain("Jinja2 filter '| default(80)' is not handlebars: write {{default port 80}}");
  }, TEST_TIMEOUT_MS);
});

describe('other input errors', () => {
  it.each(EACH_COMMAND)('a task-level become that is not a boolean: lvs %s exits 4 naming file:line and become; no login', async (command) => {
    const { playbook } = project([
      '- name: pages',
      '  hosts: all',
      '  tasks:',
      '    - name: page',
      '      become: maybe', // line 5
      '      sysctl: { name: net.ipv4.ip_forward, value: 1 }',
    ]);
    const result = await lvs(command, playbook);
    expect({ exitCode: result.exitCode, traffic: result.traffic }).toEqual({ exitCode: 4, traffic: NO_TRAFFIC });
    expect(result.stderr).toMatch(new RegExp(`${escape(playbook)}:5\\b`));
    expect(result.stderr).toMatch(/\bbecome\b/);
  }, TEST_TIMEOUT_MS);

  it.each(EACH_COMMAND)('an unknown task: lvs %s exits 4 naming file:line and the task; no login', async (command) => {
    const { playbook } = project([
      '- name: pages',
      '  hosts: all',
      '  tasks:',
      '    - name: page', // line 4
      '      no_such_task: { x: 1 }',
    ]);
    const result = await lvs(command, playbook);
    expect({ exitCode: result.exitCode, traffic: result.traffic }).toEqual({ exitCode: 4, traffic: NO_TRAFFIC });
    expect(result.stderr).toMatch(new RegExp(`${escape(playbook)}:5\\b`));
    expect(result.stderr).toContain('no_such_task');
  }, TEST_TIMEOUT_MS);
});

describe('the sshd logs those checks read', () => {
  it('show the logins of a good playbook (so a login above would have been seen)', async () => {
    const { playbook } = project(
      ['- name: pages', '  hosts: all', '  tasks:', '    - name: page', '      template:', '        src: page.hbs', '        dest: /var/tmp/lvs-compile-page'],
      { 'page.hbs': 'managed by lvs\nhost {{ inventory_hostname }}\n' },
    );
    const result = await lvs('run', playbook);
    expect(result.exitCode).toBe(0);
    for (const host of HOSTS) {
      expect(result.traffic[host]).toMatchObject({ connections: 1, logins: 1 });
      expect((await lab.onHost(host, 'cat /var/tmp/lvs-compile-page')).stdout).toBe(`managed by lvs\nhost ${host}\n`);
    }
  }, TEST_TIMEOUT_MS);
});
