/**
 * The lineinfile task against a real sshd host: the file is read and checked on the host
 * itself; hostile values go into the file as they are; bad arguments stop lvs before it logs in.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { sshdActivity, startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsPlaybook, lvsTask, onHost } from './lvs-task';

const HOST = 'line1';
const PATH = '/etc/lvs app.conf';
let lab: TestLab;
let dir: string;
const lineinfile = (words: string[], check = false) => lvsTask(lab, HOST, 'lineinfile', [`path=${PATH}`, ...words], { check });
const content = () => onHost(lab, HOST, `cat '${PATH}'`);

beforeAll(async () => {
  lab = await startHosts([HOST]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-lineinfile-'));
  await onHost(lab, HOST, `printf '# app\\nport=80\\nhost=a\\n' > '${PATH}' && chmod 0640 '${PATH}'`);
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await lab?.destroy();
});

describe('lineinfile', () => {
  it('replaces the line the regexp matches: changed, the host holds it, the mode kept', async () => {
    const run = await lineinfile(['regexp=^port=', 'line=port=8080']);
    expect(run.host?.status).toBe('changed');
    expect(await content()).toBe('# app\nport=8080\nhost=a\n');
    expect((await onHost(lab, HOST, `stat -c %a '${PATH}'`)).trim()).toBe('640');
  });

  it('again: ok, with the no-op reason', async () => {
    const run = await lineinfile(['regexp=^port=', 'line=port=8080']);
    expect(run.host?.status).toBe('ok');
    expect(run.host?.noop).toBe(`${PATH} holds "port=8080"`);
  });

  it('--check with a new line: the change reported, the host untouched', async () => {
    const run = await lineinfile(['regexp=^port=', 'line=port=9090'], true);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([{ subject: PATH, before: '# app\nport=8080\nhost=a\n', after: '# app\nport=9090\nhost=a\n' }]);
    expect(await content()).toBe('# app\nport=8080\nhost=a\n');
  });

  it('--check --diff shows the lines before and after', async () => {
    const yaml = `- hosts: ${HOST}\n  tasks:\n    - lineinfile:\n        path: ${JSON.stringify(PATH)}\n        regexp: ^port=\n        line: port=9090\n`;
    const run = await lvsPlaybook(lab, HOST, dir, yaml, { check: true, diff: true });
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n').map((line) => line.replace(/^line1 \|     /, ''));
    expect(lines).toEqual(expect.arrayContaining([`--- ${PATH} (before)`, `+++ ${PATH} (after)`, '  # app', '- port=8080', '+ port=9090', '  host=a']));
    expect(await content()).toBe('# app\nport=8080\nhost=a\n');
  });

  it('a line full of shell syntax and backslashes, backrefs, inserted after a match: written as it is, nothing run', async () => {
    const line = "note=$(touch /var/tmp/lvs-pwned) `touch /var/tmp/lvs-pwned` 'q' \\\\ \\1";
    expect((await lineinfile([`line=${line}`, 'insertafter=^# app'])).host?.status).toBe('changed');
    expect((await lineinfile(['regexp=^host=(a)$', 'line=host=\\1b', 'backrefs=true'])).host?.status).toBe('changed');
    expect(await content()).toBe(`# app\n${line}\nport=8080\nhost=ab\n`);
    expect((await lab.onHost(HOST, 'test -e /var/tmp/lvs-pwned')).exitCode).toBe(1);
  });

  it('state absent removes the matching lines; a missing file fails without create, and create makes it', async () => {
    expect((await lineinfile(['state=absent', 'regexp=^note='])).host?.status).toBe('changed');
    expect(await content()).toBe('# app\nport=8080\nhost=ab\n');
    const missing = await lvsTask(lab, HOST, 'lineinfile', ['path=/etc/lvs-new/app.conf', 'line=a=1']);
    expect(missing.exitCode).toBe(2);
    expect(missing.host?.msg).toBe('/etc/lvs-new/app.conf does not exist (create=true makes it)');
    expect((await lvsTask(lab, HOST, 'lineinfile', ['path=/etc/lvs-new/app.conf', 'line=a=1', 'create=true'])).host?.status).toBe('changed');
    expect(await onHost(lab, HOST, 'cat /etc/lvs-new/app.conf')).toBe('a=1\n');
  });

  it('a regexp that is not one is bad input at its file:line, and lvs never logs in', async () => {
    const before = lab.readSshdLog(HOST).length;
    const yaml = `- hosts: ${HOST}\n  tasks:\n    - name: port\n      lineinfile:\n        path: /etc/x\n        regexp: "port=("\n        line: port=1\n`;
    const run = await lvsPlaybook(lab, HOST, dir, yaml);
    expect(run.exitCode).toBe(4);
    expect(run.stderr.trim()).toBe(`ERROR: ${run.file}:6:9: ${HOST}: port: regexp: not a valid regular expression: /port=(/: Unterminated group`);
    expect(sshdActivity(lab.readSshdLog(HOST).slice(before)).logins).toBe(0);
  });
});
