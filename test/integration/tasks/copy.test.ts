/**
 * The copy task against a real sshd host: content, a binary src file and a directory tree
 * from the playbook's files/ folder, checked on the host itself (sha256sum there); bad
 * input stops lvs before it logs in.
 */
import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { sshdActivity, startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsPlaybook, lvsTask, onHost } from './lvs-task';

const HOST = 'copy1';
const DEST = '/etc/lvs-copy.conf';
let lab: TestLab;
let dir: string;
const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x0d, 0x80, 0x27, 0x24, 0x28, 0x00]);
const copy = (words: string[], check = false) => lvsTask(lab, HOST, 'copy', words, { check });
const play = (args: Record<string, string>) =>
  `- hosts: ${HOST}\n  tasks:\n    - name: copy it\n      copy:\n${Object.entries(args).map(([key, value]) => `        ${key}: ${JSON.stringify(value)}\n`).join('')}`;

beforeAll(async () => {
  lab = await startHosts([HOST]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-copy-'));
  mkdirSync(join(dir, 'files/site/conf.d'), { recursive: true });
  writeFileSync(join(dir, 'files/blob.bin'), BINARY);
  writeFileSync(join(dir, 'files/site/index.html'), '<h1>site</h1>\n');
  writeFileSync(join(dir, 'files/site/conf.d/a.conf'), 'a = 1\n');
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await lab?.destroy();
});

describe('copy', () => {
  it('writes content: changed, the host holds it with mode 0644', async () => {
    const run = await copy(['content=listen 80', `dest=${DEST}`]);
    expect(run.host?.status).toBe('changed');
    expect(await onHost(lab, HOST, `cat ${DEST}`)).toBe('listen 80');
    expect((await onHost(lab, HOST, `stat -c %a ${DEST}`)).trim()).toBe('644');
  });

  it('again: ok', async () => {
    const run = await copy(['content=listen 80', `dest=${DEST}`]);
    expect(run.host?.status).toBe('ok');
    expect(run.host?.noop).toMatch(new RegExp(`^${DEST} already holds the content \\(9 bytes\\), mode 644 root:root$`));
  });

  it('--check with new content: the change reported (and --diff shows it), the host untouched', async () => {
    const run = await copy(['content=listen 8080', `dest=${DEST}`], true);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([{ subject: DEST, before: 'listen 80', after: 'listen 8080' }]);
    const shown = await lvsPlaybook(lab, HOST, dir, play({ content: 'a\nlisten 8080\n', dest: DEST }), { check: true, diff: true });
    expect(shown.stdout).toContain(`${HOST} |     --- ${DEST} (before)\n${HOST} |     +++ ${DEST} (after)\n`);
    expect(shown.stdout).toContain(`${HOST} |     - listen 80\n`);
    expect(shown.stdout).toContain(`${HOST} |     + listen 8080\n`);
    expect(await onHost(lab, HOST, `cat ${DEST}`)).toBe('listen 80');
  });

  it('new content with backup: replaced, the old file kept under Ansible\'s backup name', async () => {
    expect((await copy(['content=listen 81', `dest=${DEST}`, 'backup=true'])).host?.status).toBe('changed');
    const backups = (await onHost(lab, HOST, `ls /etc | grep -E '^lvs-copy\\.conf\\.[0-9]+\\.[0-9]{4}-[0-9]{2}-[0-9]{2}@[0-9:]{8}~$'`)).trim().split('\n');
    expect(backups).toHaveLength(1);
    expect(await onHost(lab, HOST, `cat /etc/${backups[0]}`)).toBe('listen 80');
    expect(await onHost(lab, HOST, `cat ${DEST}`)).toBe('listen 81');
  });

  it('a binary src file from files/ arrives byte for byte, with the mode asked for; again: ok', async () => {
    const yaml = play({ src: 'blob.bin', dest: '/var/tmp/lvs blob.bin', mode: '0600', owner: 'nobody' });
    expect((await lvsPlaybook(lab, HOST, dir, yaml)).host?.status).toBe('changed');
    const sum = createHash('sha256').update(BINARY).digest('hex');
    expect(await onHost(lab, HOST, "sha256sum < '/var/tmp/lvs blob.bin'")).toBe(`${sum}  -\n`);
    expect((await onHost(lab, HOST, "stat -c '%a %U' '/var/tmp/lvs blob.bin'")).trim()).toBe('600 nobody');
    expect((await lvsPlaybook(lab, HOST, dir, yaml)).host?.status).toBe('ok');
  });

  it('a directory src/ copies the tree into dest; again: ok; a file changed on the host is put back alone', async () => {
    const yaml = play({ src: 'site/', dest: '/var/www/lvs-site' });
    expect((await lvsPlaybook(lab, HOST, dir, yaml)).host?.status).toBe('changed');
    expect(await onHost(lab, HOST, 'cd /var/www/lvs-site && find . | sort && cat conf.d/a.conf index.html')).toBe('.\n./conf.d\n./conf.d/a.conf\n./index.html\na = 1\n<h1>site</h1>\n');
    expect((await lvsPlaybook(lab, HOST, dir, yaml)).host?.status).toBe('ok');
    await onHost(lab, HOST, 'echo edited > /var/www/lvs-site/index.html');
    const fixed = await lvsPlaybook(lab, HOST, dir, yaml);
    expect(fixed.host?.diff).toEqual([{ subject: '/var/www/lvs-site/index.html', before: 'edited\n', after: '<h1>site</h1>\n' }]);
    expect(await onHost(lab, HOST, 'cat /var/www/lvs-site/index.html')).toBe('<h1>site</h1>\n');
  });

  it('a destination full of shell syntax is one quoted path: the file gets that name, nothing else runs', async () => {
    const dest = "/var/tmp/lvs-odd; touch lvs-pwned; $(touch lvs-pwned) `touch lvs-pwned` 'q' -x";
    expect((await copy(['content=x', `dest=${dest}`])).host?.status).toBe('changed');
    expect((await lab.onHost(HOST, `test -f '${dest.replace(/'/g, `'\\''`)}'`)).exitCode).toBe(0);
    expect(await onHost(lab, HOST, 'ls -1 / /root /tmp /var/tmp | grep -cx lvs-pwned || true')).toBe('0\n');
  });

  it('a src that is not in files/ or beside the playbook is bad input at its file:line, and lvs never logs in', async () => {
    const before = lab.readSshdLog(HOST).length;
    const run = await lvsPlaybook(lab, HOST, dir, play({ src: 'nope.conf', dest: DEST }));
    expect(run.exitCode).toBe(4);
    expect(run.stderr.trim()).toBe(`ERROR: ${run.file}:5:9: ${HOST}: copy it: file 'nope.conf' not found; looked in ${dir}/files/nope.conf, ${dir}/nope.conf`);
    expect(sshdActivity(lab.readSshdLog(HOST).slice(before)).logins).toBe(0);
  });
});
