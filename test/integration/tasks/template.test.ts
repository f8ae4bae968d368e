/**
 * The template task against a real sshd host: the shipped index.html.hbs is rendered for
 * the host and written; the file is then checked on the host itself.
 */
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { renderString } from '../../../src/engine/templating';
import { lvsTask } from './lvs-task';
import { startHosts, type TestLab } from '../../support/netns-hosts';

const HOST = 'tpl1';
const DEST = '/var/www/html/lvs-template-test.html';
let lab: TestLab;


const template = (words: string[], check = false) => lvsTask(lab, HOST, 'template', words, { check });

async function onHost(command: string): Promise<string> {
  return (await lab.onHost(HOST, command)).stdout;
}

beforeAll(async () => {
  lab = await startHosts([HOST]);
});

afterAll(async () => {
  await lab?.destroy();
});

describe('template', () => {
  it('writes the rendered page: changed, and the host holds it with mode 0644', async () => {
    const run = await template(['src=index.html.hbs', `dest=${DEST}`]);
    expect(run.host?.status).toBe('changed');
    const written = await onHost(`cat ${DEST}`);
    expect(written).toContain(`<h1>${HOST}</h1>`);
    const source = readFileSync(join(__dirname, '../../../templates/index.html.hbs'), 'utf8');
    expect(written).toBe(renderString(source, { inventory_hostname: HOST }, true));
    expect((await onHost(`stat -c %a ${DEST}`)).trim()).toBe('644');
  });

  it('again: ok', async () => {
    const run = await template(['src=index.html.hbs', `dest=${DEST}`]);
    expect(run.host?.status).toBe('ok');
  });

  it('--check with a new mode: reports it and leaves the file alone', async () => {
    const run = await template(['src=index.html.hbs', `dest=${DEST}`, 'mode=0600'], true);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([{ subject: `${DEST} mode`, before: '644', after: '0600' }]);
    expect((await onHost(`stat -c %a ${DEST}`)).trim()).toBe('644');
  });

  it('a new mode: fixed in place, content untouched', async () => {
    const inode = (await onHost(`stat -c %i ${DEST}`)).trim();
    const run = await template(['src=index.html.hbs', `dest=${DEST}`, 'mode=0600']);
    expect(run.host?.status).toBe('changed');
    expect((await onHost(`stat -c '%a %i' ${DEST}`)).trim()).toBe(`600 ${inode}`);
  });

  it('a destination full of shell syntax is one quoted path: the file gets that name, nothing else runs', async () => {
    const marker = `lvs-pwned-${randomBytes(4).toString('hex')}`;
    const dest = `/var/tmp/lvs-odd; touch ${marker}; $(touch ${marker}) \`touch ${marker}\``;
    const run = await template(['src=index.html.hbs', `dest=${dest}`]);
    expect(run.host?.status).toBe('changed');
    expect((await lab.onHost(HOST, `test -f '${dest.replace(/'/g, `'\\''`)}'`)).exitCode).toBe(0);
    expect(await onHost(`ls -1 / /root /tmp /var/tmp | grep -cx ${marker} || true`)).toBe("0\n");
  });

  it('a hostile mode is refused before anything runs', async () => {
    const marker = `/var/tmp/lvs-pwned-${randomBytes(4).toString('hex')}`;
    const run = await template(['src=index.html.hbs', `dest=${DEST}`, `mode=0644; touch ${marker}`]);
    expect(run.exitCode).toBe(4);
    expect((await lab.onHost(HOST, `test -e ${marker}`)).exitCode).toBe(1);
  });

  it('a dest with .. segments is refused before anything runs: nothing is written outside /etc', async () => {
    const run = await template(['src=index.html.hbs', 'dest=/etc/../var/tmp/lvs-climbed.html']);
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toMatch(/^ERROR: <command line>: tpl1: template: dest: does not match the expected form /);
    expect((await lab.onHost(HOST, 'test -e /var/tmp/lvs-climbed.html')).exitCode).toBe(1);
  });

  it('a dest that is a directory fails with that said, twice, and nothing is left in or beside it', async () => {
    const dir = '/var/tmp/lvs-dest-dir';
    await onHost(`mkdir -p ${dir}`);
    for (let round = 0; round < 2; round += 1) {
      const run = await template(['src=index.html.hbs', `dest=${dir}`]);
      expect(run.exitCode).toBe(2);
      expect(run.host?.status).toBe('failed');
      expect(run.host?.msg).toBe(`dest ${dir} is a directory, which lvs does not replace with a file`);
    }
    expect(await onHost(`ls -A ${dir}; ls -d ${dir}*`)).toBe(`${dir}\n`);
  });

  it('a dest that is a symbolic link: its target is written atomically and the link kept', async () => {
    await onHost('printf old > /etc/lvs-page-target.html && ln -s lvs-page-target.html /etc/lvs-page-link.html');
    const run = await template(['src=index.html.hbs', 'dest=/etc/lvs-page-link.html', 'mode=0640']);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff[0]).toMatchObject({ subject: '/etc/lvs-page-link.html', before: 'old' });
    expect((await onHost('readlink /etc/lvs-page-link.html')).trim()).toBe('lvs-page-target.html');
    expect(await onHost('cat /etc/lvs-page-target.html')).toContain(`<h1>${HOST}</h1>`);
    expect((await onHost('stat -c %a /etc/lvs-page-target.html')).trim()).toBe('640');
    expect(await onHost('ls -d /etc/lvs-page-*')).toBe('/etc/lvs-page-link.html\n/etc/lvs-page-target.html\n');
    expect((await template(['src=index.html.hbs', 'dest=/etc/lvs-page-link.html', 'mode=0640'])).host?.status).toBe('ok');
  });
});
