/**
 * The blockinfile task against a real sshd host: the file is checked on the host itself; a
 * block full of shell syntax goes in as it is; bad arguments stop lvs before it logs in.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { sshdActivity, startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsPlaybook, onHost } from './lvs-task';

const HOST = 'block1';
const PATH = '/etc/lvs-hosts';
let lab: TestLab;
let dir: string;
const BLOCK = "10.0.0.11 rs1\n10.0.0.12 rs2 # $(touch /var/tmp/lvs-pwned) 'q' \\\\\n";
const play = (block: string, extra = '') =>
  `- hosts: ${HOST}\n  tasks:\n    - name: real servers\n      blockinfile:\n        path: ${PATH}\n        insertafter: "^127"\n        block: ${JSON.stringify(block)}\n${extra}`;
const content = () => onHost(lab, HOST, `cat ${PATH}`);
const MARKED = (block: string) => `# BEGIN ANSIBLE MANAGED BLOCK\n${block}# END ANSIBLE MANAGED BLOCK\n`;

beforeAll(async () => {
  lab = await startHosts([HOST]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-blockinfile-'));
  await onHost(lab, HOST, `printf '127.0.0.1 localhost\\n::1 localhost\\n' > ${PATH}`);
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await lab?.destroy();
});

describe('blockinfile', () => {
  it('inserts the marked block after the matching line: changed, the host holds it, nothing else ran', async () => {
    const run = await lvsPlaybook(lab, HOST, dir, play(BLOCK));
    expect(run.host?.status).toBe('changed');
    expect(await content()).toBe(`127.0.0.1 localhost\n${MARKED(BLOCK)}::1 localhost\n`);
    expect((await lab.onHost(HOST, 'test -e /var/tmp/lvs-pwned')).exitCode).toBe(1);
  });

  it('again: ok', async () => {
    const run = await lvsPlaybook(lab, HOST, dir, play(BLOCK));
    expect(run.host?.status).toBe('ok');
    expect(run.host?.noop).toBe(`${PATH} holds the block marked "# BEGIN ANSIBLE MANAGED BLOCK"`);
  });

  it('--check with a new block: the change reported, the host untouched; --diff shows the lines', async () => {
    const run = await lvsPlaybook(lab, HOST, dir, play('10.0.0.13 rs3\n'), { check: true });
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff[0].after).toBe(`127.0.0.1 localhost\n${MARKED('10.0.0.13 rs3\n')}::1 localhost\n`);
    const shown = await lvsPlaybook(lab, HOST, dir, play('10.0.0.13 rs3\n'), { check: true, diff: true });
    const lines = shown.stdout.split('\n').map((line) => line.replace(/^block1 \|     /, ''));
    expect(lines).toEqual(expect.arrayContaining([`--- ${PATH} (before)`, `+++ ${PATH} (after)`, '- 10.0.0.11 rs1', '+ 10.0.0.13 rs3']));
    expect(await content()).toBe(`127.0.0.1 localhost\n${MARKED(BLOCK)}::1 localhost\n`);
  });

  it('a new block replaces the old one in place, with a backup of the file; state absent takes it out', async () => {
    expect((await lvsPlaybook(lab, HOST, dir, play('10.0.0.13 rs3\n', '        backup: true\n'))).host?.status).toBe('changed');
    expect(await content()).toBe(`127.0.0.1 localhost\n${MARKED('10.0.0.13 rs3\n')}::1 localhost\n`);
    const backups = (await onHost(lab, HOST, `ls /etc | grep -E '^lvs-hosts\\.[0-9]+\\.[0-9]{4}-[0-9]{2}-[0-9]{2}@[0-9:]{8}~$'`)).trim().split('\n');
    expect(backups).toHaveLength(1);
    expect(await onHost(lab, HOST, `cat /etc/${backups[0]}`)).toBe(`127.0.0.1 localhost\n${MARKED(BLOCK)}::1 localhost\n`);
    expect((await lvsPlaybook(lab, HOST, dir, play('', '        state: absent\n'))).host?.status).toBe('changed');
    expect(await content()).toBe('127.0.0.1 localhost\n::1 localhost\n');
  });

  it('a marker without {mark} and a bad insertafter are bad input at their file:line, and lvs never logs in', async () => {
    const before = lab.readSshdLog(HOST).length;
    const yaml = `- hosts: ${HOST}\n  tasks:\n    - name: bad\n      blockinfile:\n        path: ${PATH}\n        block: x\n        marker: "# lvs"\n        insertafter: "[127"\n`;
    const run = await lvsPlaybook(lab, HOST, dir, yaml);
    expect(run.exitCode).toBe(4);
    expect(run.stderr.trim()).toBe(
      `ERROR: ${run.file}:7:9: ${HOST}: bad: marker: the opening and closing markers must differ (put {mark} in marker, and give marker_begin and marker_end different values); insertafter: not a valid regular expression: /[127/: Unterminated character class`,
    );
    expect(sshdActivity(lab.readSshdLog(HOST).slice(before)).logins).toBe(0);
  });
});
