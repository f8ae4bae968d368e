import { readFileSync } from 'fs';
import { join } from 'path';
import type { CommandResult } from '../../../src/api';
import { compareDebianVersions } from '../../../src/facts/debian-version';
import { packageState, parsePackageState, type PackageQuery } from '../../../src/facts/packages';

interface Fixture extends CommandResult {
  command: string;
}

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/packages', `${name}.json`), 'utf8')) as Fixture;

// What capture.sh asked for (its scratch dir is fixed so that these commands match).
const SCRATCH = '/tmp/lvs-package-fixtures';
const LATEST: PackageQuery = { names: ['dpkg', 'lvs-no-such-package'], files: [], latest: true };
const FILES: PackageQuery = { names: [], files: [`${SCRATCH}/lvs-test-hello_1.0_all.deb`, `${SCRATCH}/dpkg_1.21.22_all.deb`, `${SCRATCH}/missing.deb`], latest: false };

describe('the package fact', () => {
  it.each([
    ['packages-dpkg-latest', LATEST],
    ['packages-dpkg-files', FILES],
  ])('%s was captured from the command the fact runs', (name, query) => {
    expect(fixture(name).command).toBe(packageState(query).command.text);
  });

  it('reads dpkg-query and apt-cache policy: installed version, candidate, none for a name no list has, the lists time', () => {
    const state = parsePackageState(fixture('packages-dpkg-latest'), LATEST);
    expect(state).toEqual({
      tools: ['apt-get'],
      database: 'dpkg',
      now: 1796174033,
      listsUpdatedAt: 1796161555,
      installed: { dpkg: { version: '1.21.22' } },
      candidates: { dpkg: '1.21.23' },
      files: [],
    });
    expect(state.candidates?.['lvs-no-such-package']).toBeUndefined();
  });

  it('reads the package and version inside each .deb, and the installed state of that package', () => {
    const files = { ...fixture('packages-dpkg-files'), stdout: fixture('packages-dpkg-files').stdout.replace('file 2 unreadable\n', '') };
    const state = parsePackageState(files, FILES);
    expect(state.files).toEqual([
      { path: FILES.files[0], package: 'lvs-test-hello', version: '1.0' },
      { path: FILES.files[1], package: 'dpkg', version: '1.21.22' },
    ]);
    expect(state.installed).toEqual({ dpkg: { version: '1.21.22' } });
  });

  it('fails on a path that is not a readable .deb, naming it', () => {
    expect(() => parsePackageState(fixture('packages-dpkg-files'), FILES)).toThrow(`${SCRATCH}/missing.deb is not a readable .deb package file on the host`);
  });

  it('counts only dpkg state "installed" (ii, iU is not; rc is a removed package with its conffiles)', () => {
    const stdout = 'tools apt-get \nnow 100\ndatabase dpkg\ninstalled a ii  1.0\ninstalled b rc  2.0\ninstalled c iF  3.0\ninstalled d hi  4.0\n';
    const state = parsePackageState({ stdout, stderr: '', exitCode: 0 }, { names: ['a', 'b', 'c', 'd'], files: [], latest: false });
    expect(state.installed).toEqual({ a: { version: '1.0' }, d: { version: '4.0' } });
    expect(state.listsUpdatedAt).toBeUndefined();
  });

  it('reads rpm: installed with epoch, pending upgrades from dnf list upgrades (a long name wraps), rpm -qp of a file', () => {
    const stdout = [
      'tools dnf ',
      'now 1700000000',
      'database rpm',
      'installed httpd ii 2.4.57-5.el9',
      'package keepalived is not installed',
      'installed NetworkManager ii 1:1.46.0-8.el9',
      'upgrade Available Upgrades',
      'upgrade httpd.x86_64                     2.4.57-8.el9                  appstream',
      'upgrade NetworkManager.x86_64',
      'upgrade                                  1:1.46.0-19.el9               baseos',
      'file 0 ipvsadm 1.31-6.el9',
      'installed ipvsadm ii 1.31-6.el9',
      '',
    ].join('\n');
    const state = parsePackageState({ stdout, stderr: '', exitCode: 0 }, { names: ['httpd', 'keepalived', 'NetworkManager'], files: ['/tmp/ipvsadm.rpm'], latest: true });
    expect(state).toEqual({
      tools: ['dnf'],
      database: 'rpm',
      now: 1700000000,
      installed: { httpd: { version: '2.4.57-5.el9' }, NetworkManager: { version: '1:1.46.0-8.el9' }, ipvsadm: { version: '1.31-6.el9' } },
      upgrades: { httpd: '2.4.57-8.el9', NetworkManager: '1:1.46.0-19.el9' },
      files: [{ path: '/tmp/ipvsadm.rpm', package: 'ipvsadm', version: '1.31-6.el9' }],
    });
  });

  it('fails on a host with neither dpkg nor rpm, and on output it does not know', () => {
    const query = { names: ['x1'], files: [], latest: false };
    expect(() => parsePackageState({ stdout: 'tools \nnow 1\ndatabase none\n', stderr: '', exitCode: 0 }, query)).toThrow('the host has neither dpkg nor rpm');
    expect(() => parsePackageState({ stdout: '', stderr: 'sh: 1: syntax error\n', exitCode: 2 }, query)).toThrow('cannot read the package state: sh: 1: syntax error');
  });

  it('quotes names and paths as single words, after --', () => {
    const command = packageState({ names: ['a$(id)'], files: ["/tmp/it's.deb"], latest: true }).command.text;
    expect(command).toContain("dpkg-query -W -f='installed ${Package} ${db:Status-Abbrev} ${Version}\\n' -- 'a$(id)' 2>/dev/null");
    expect(command).toContain("apt-cache policy -- 'a$(id)'");
    expect(command).toContain("dpkg-deb -W --showformat='${Package}' -- '/tmp/it'\\''s.deb'");
  });
});

describe('compareDebianVersions (deb-version(7))', () => {
  it.each([
    ['1.0', '1.1', -1],
    ['1.10', '1.9', 1],
    ['1:0.1', '2.0', 1],
    ['1.0~rc1', '1.0', -1],
    ['1.0', '1.0-1', -1],
    ['1.0-1', '1.0-1', 0],
    ['2.4.57-5', '2.4.57-5+deb12u1', -1],
    ['1.21.22', '1.21.23', -1],
    ['1.0a', '1.0+', -1],
    ['0:1.0', '1.0', 0],
  ])('%s against %s: %i', (left, right, sign) => {
    expect(Math.sign(compareDebianVersions(left, right))).toBe(sign);
    expect(Math.sign(compareDebianVersions(right, left))).toBe(sign === 0 ? 0 : -sign);
  });
});
