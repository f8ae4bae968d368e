/**
 * The file task against a real sshd host: directories, links, touch and absent, each checked
 * on the host itself; bad input stops lvs before it logs in.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { sshdActivity, startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsPlaybook, lvsTask, onHost } from './lvs-task';

const HOST = 'file1';
const DIR = '/var/lib/lvs app/conf.d';
let lab: TestLab;
let dir: string;
const file = (words: string[], check = false) => lvsTask(lab, HOST, 'file', words, { check });
const stat = async (path: string) => (await onHost(lab, HOST, `stat -c '%a %U %F' '${path}'`)).trim();

beforeAll(async () => {
  lab = await startHosts([HOST]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-file-'));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await lab?.destroy();
});

describe('file', () => {
  it('state directory: made with its parents, the mode and owner asked for: changed', async () => {
    const run = await file([`path=${DIR}`, 'state=directory', 'mode=0750', 'owner=nobody']);
    expect(run.host?.status).toBe('changed');
    expect(await stat(DIR)).toBe('750 nobody directory');
  });

  it('again: ok', async () => {
    const run = await file([`path=${DIR}`, 'state=directory', 'mode=0750', 'owner=nobody']);
    expect(run.host?.status).toBe('ok');
    expect(run.host?.noop).toBe(`${DIR} is a directory, mode 750 nobody:root`);
  });

  it('--check with a new mode: the change reported, the host untouched', async () => {
    const run = await file([`path=${DIR}`, 'state=directory', 'mode=0700'], true);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([{ subject: `${DIR} mode`, before: '750', after: '0700' }]);
    expect(await stat(DIR)).toBe('750 nobody directory');
  });

  it('recurse: everything under the directory gets the owner; again: ok', async () => {
    await onHost(lab, HOST, `touch '${DIR}/a' && mkdir '${DIR}/sub' && touch '${DIR}/sub/b'`);
    const words = [`path=${DIR}`, 'state=directory', 'owner=nobody', 'recurse=true'];
    expect((await file(words)).host?.status).toBe('changed');
    expect(await onHost(lab, HOST, `find '${DIR}' ! -user nobody | wc -l`)).toBe('0\n');
    expect((await file(words)).host?.status).toBe('ok');
  });

  it('state link: a symbolic link to src, then pointed elsewhere; again: ok', async () => {
    const link = '/etc/lvs-current';
    expect((await file([`path=${link}`, 'state=link', 'src=lvs app.conf', 'force=true'])).host?.status).toBe('changed');
    expect(await onHost(lab, HOST, `readlink ${link}`)).toBe('lvs app.conf\n');
    expect((await file([`path=${link}`, 'state=link', 'src=/etc/hostname'])).host?.status).toBe('changed');
    expect(await onHost(lab, HOST, `readlink ${link}`)).toBe('/etc/hostname\n');
    expect((await file([`path=${link}`, 'state=link', 'src=/etc/hostname'])).host?.status).toBe('ok');
  });

  it('state touch: made, then changed on every run (as in Ansible); with both times preserve: ok', async () => {
    const stamp = '/var/tmp/lvs-stamp';
    expect((await file([`path=${stamp}`, 'state=touch'])).host?.status).toBe('changed');
    await onHost(lab, HOST, `touch -d 2001-01-01 ${stamp}`);
    expect((await file([`path=${stamp}`, 'state=touch'])).host?.status).toBe('changed');
    expect(await onHost(lab, HOST, `date -r ${stamp} +%Y`)).not.toBe('2001\n');
    await onHost(lab, HOST, `touch -d 2001-01-01 ${stamp}`);
    expect((await file([`path=${stamp}`, 'state=touch', 'access_time=preserve', 'modification_time=preserve'])).host?.status).toBe('ok');
    expect(await onHost(lab, HOST, `date -r ${stamp} +%Y`)).toBe('2001\n');
  });

  it('state absent: the directory goes with what it holds; again: ok', async () => {
    expect((await file(['path=/var/lib/lvs app', 'state=absent'])).host?.status).toBe('changed');
    expect((await lab.onHost(HOST, "test -e '/var/lib/lvs app'")).exitCode).toBe(1);
    expect((await file(['path=/var/lib/lvs app', 'state=absent'])).host?.status).toBe('ok');
  });

  it('a link without src is bad input at its file:line, and lvs never logs in', async () => {
    const before = lab.readSshdLog(HOST).length;
    const yaml = `- hosts: ${HOST}\n  tasks:\n    - name: link it\n      file:\n        path: /etc/lvs-link\n        state: link\n`;
    const run = await lvsPlaybook(lab, HOST, dir, yaml);
    expect(run.exitCode).toBe(4);
    expect(run.stderr.trim()).toBe(`ERROR: ${run.file}:4:7: ${HOST}: link it: src: is required when state is link`);
    expect(sshdActivity(lab.readSshdLog(HOST).slice(before)).logins).toBe(0);
  });
});
