/**
 * The package task against a real sshd host whose /usr, /etc and /var (so the dpkg
 * database) are private overlays: a tiny real .deb, built in the host with dpkg-deb, is
 * installed from its path (deb: and name:), removed, and upgraded from a file: repository
 * in the host, through apt and dpkg. The host itself is checked (dpkg-query, the file), and
 * so is this machine, which must never see the package.
 */
import * as fs from 'fs';
import { randomBytes } from 'crypto';
import { lvsTask, onHost as onLabHost } from './lvs-task';
import { runProcess } from '../../support/run-process';
import { startHosts, type TestLab } from '../../support/netns-hosts';

const HOST = 'pkg1';
const PACKAGE = 'lvs-test-hello';
const FILE = `/usr/share/${PACKAGE}/hello.txt`;
const DEB = `/var/tmp/${PACKAGE}_1.0_all.deb`;
const REPO = '/var/tmp/lvs-repo';
let lab: TestLab;

const pkg = (words: string[], check = false) => lvsTask(lab, HOST, 'package', words, { check });
const onHost = (command: string) => onLabHost(lab, HOST, command);

/** dpkg's view inside the host: "install ok installed 1.0", or "" when it does not know the package. */
async function dpkgStatus(): Promise<string> {
  const result = await lab.onHost(HOST, `dpkg-query -W -f='\${Status} \${Version}' ${PACKAGE} 2>/dev/null`);
  return result.stdout.trim();
}

/** Builds PACKAGE at `version` inside the host, with one file under /usr/share, into `dir`. */
async function buildDeb(version: string, dir: string): Promise<void> {
  const root = `/var/tmp/build-${version}`;
  await onHost(`set -e
mkdir -p ${root}/DEBIAN ${root}/usr/share/${PACKAGE} ${dir}
printf 'Package: ${PACKAGE}\\nVersion: ${version}\\nArchitecture: all\\nMaintainer: lvs tests <root@localhost>\\nDescription: one file for the package task tests\\n' > ${root}/DEBIAN/control
echo 'hello ${version}' > ${root}${FILE}
dpkg-deb --build --root-owner-group ${root} ${dir}/${PACKAGE}_${version}_all.deb >/dev/null`);
}

/** This machine's own dpkg database and /usr: they must never know the test package. */
async function machineHasPackage(): Promise<boolean> {
  const query = await runProcess('dpkg-query', ['-W', PACKAGE], { timeoutMs: 30_000 });
  return query.exitCode === 0 || fs.existsSync(`/usr/share/${PACKAGE}`);
}

beforeAll(async () => {
  if (await machineHasPackage()) throw new Error(`this machine already has ${PACKAGE}: remove it before running this test`);
  lab = await startHosts([HOST], { privateUsr: true });
  await buildDeb('1.0', '/var/tmp');
});

afterAll(async () => {
  await lab?.destroy();
  if (await machineHasPackage()) throw new Error(`${PACKAGE} leaked into this machine's own system`);
});

describe('package from a local .deb (deb:)', () => {
  it('installs it: changed; dpkg in the host has it and the file is in the host, not on this machine', async () => {
    const run = await pkg([`deb=${DEB}`]);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([{ subject: `package ${PACKAGE}`, before: 'absent', after: `1.0 from ${DEB}` }]);
    expect(await dpkgStatus()).toBe('install ok installed 1.0');
    expect(await onHost(`cat ${FILE}`)).toBe('hello 1.0\n');
    expect(fs.existsSync(FILE)).toBe(false);
    expect(await machineHasPackage()).toBe(false);
  });

  it('again: ok', async () => {
    const run = await pkg([`deb=${DEB}`]);
    expect(run.host?.status).toBe('ok');
    expect(run.host?.noop).toBe(`${PACKAGE} 1.0 from ${DEB} is installed`);
  });

  it('--check state=absent: reports the removal, and the host keeps the package', async () => {
    const run = await pkg([`name=${PACKAGE}`, 'state=absent'], true);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([{ subject: `package ${PACKAGE}`, before: '1.0', after: 'absent' }]);
    expect(await dpkgStatus()).toBe('install ok installed 1.0');
  });

  it('state=absent: changed, the package and its file are gone; again: ok', async () => {
    const run = await pkg([`name=${PACKAGE}`, 'state=absent']);
    expect(run.host?.status).toBe('changed');
    expect(await dpkgStatus()).not.toContain('installed');
    expect((await lab.onHost(HOST, `test -e ${FILE}`)).exitCode).toBe(1);
    const again = await pkg([`name=${PACKAGE}`, 'state=removed']);
    expect(again.host?.status).toBe('ok');
    expect(again.host?.noop).toBe(`${PACKAGE} is absent`);
  });

  it('a file that is not there fails the task, naming it', async () => {
    const run = await pkg(['deb=/var/tmp/missing_1.0_all.deb']);
    expect(run.host?.status).toBe('failed');
    expect(run.host?.msg).toContain('/var/tmp/missing_1.0_all.deb is not a readable .deb package file on the host');
  });
});

describe('package by name from a local file (name: PATH), then latest from a file: repository', () => {
  it('installs from the path given as a name: changed, then ok', async () => {
    const run = await pkg([`name=${DEB}`, 'state=installed']);
    expect(run.host?.status).toBe('changed');
    expect(await dpkgStatus()).toBe('install ok installed 1.0');
    expect((await pkg([`name=${DEB}`])).host?.status).toBe('ok');
  });

  it('state=latest with cache_valid_time: refreshes the host-only lists and upgrades to 1.1; again: ok', async () => {
    await buildDeb('1.1', REPO);
    // The host's own /etc/apt names only its own repository, so apt-get update reads no network.
    await onHost(`set -e
cd ${REPO} && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null > Packages
rm -f /etc/apt/sources.list.d/*
echo 'deb [trusted=yes] file:${REPO} ./' > /etc/apt/sources.list`);
    const run = await pkg([`name=${PACKAGE}`, 'state=latest', 'cache_valid_time=3600']);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff[0]).toMatchObject({ subject: 'package lists', after: 'refreshed' });
    expect(await dpkgStatus()).toBe('install ok installed 1.1');
    expect(await onHost(`cat ${FILE}`)).toBe('hello 1.1\n');

    const again = await pkg([`name=${PACKAGE}`, 'state=latest', 'cache_valid_time=3600']);
    expect(again.host?.status).toBe('ok');
    expect(again.host?.noop).toMatch(new RegExp(`^the package lists were refreshed \\d+ s ago \\(within 3600 s\\); ${PACKAGE} 1\\.1 is installed, the newest version$`));
  });

  it('--check state=absent: reported, the host keeps 1.1', async () => {
    const run = await pkg([`name=${PACKAGE}`, 'state=absent'], true);
    expect(run.host?.status).toBe('changed');
    expect(run.host?.diff).toEqual([{ subject: `package ${PACKAGE}`, before: '1.1', after: 'absent' }]);
    expect(await dpkgStatus()).toBe('install ok installed 1.1');
  });

  it('update_cache alone refreshes on every run (the command is the change), and is not called unidempotent', async () => {
    const first = await pkg(['update_cache=true']);
    expect(first.host?.status).toBe('changed');
    expect((await pkg(['update_cache=true'])).host?.status).toBe('changed');
  });
});

describe('hostile package names', () => {
  it.each([`${PACKAGE};touch /var/tmp/pwned-MARK`, '-oAPT::Get::Fix-Broken=true', `$(touch /var/tmp/pwned-MARK)`, '/var/tmp/../etc/x.deb'])(
    'name=%s is refused before anything runs',
    async (name) => {
      const mark = randomBytes(4).toString('hex');
      const run = await pkg([`name=${name.replace('MARK', mark)}`]);
      expect(run.exitCode).toBe(4);
      expect(run.stderr).toContain('package: name.0: ');
      expect((await lab.onHost(HOST, `test -e /var/tmp/pwned-${mark}`)).exitCode).toBe(1);
    },
  );
});
