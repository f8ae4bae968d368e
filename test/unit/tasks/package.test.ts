import type { PackageState } from '../../../src/facts/packages';
import packageTask from '../../../src/tasks/package';
import { argumentProblems, commandLines, Parsed, planWith } from './plan-with-fixtures';

const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';
const DEB = '/var/tmp/lvs-test-hello_1.0_all.deb';

/** A Debian host at 1000 s past the epoch whose lists were refreshed at 400 s. */
function debian(overrides: Partial<PackageState> = {}): Parsed<PackageState> {
  return new Parsed({ tools: ['apt-get'], database: 'dpkg', now: 1000, listsUpdatedAt: 400, installed: {}, files: [], ...overrides });
}

function rocky(overrides: Partial<PackageState> = {}): Parsed<PackageState> {
  return new Parsed({ tools: ['dnf', 'yum'], database: 'rpm', now: 1000, installed: {}, files: [], ...overrides });
}

const plan = (input: Record<string, unknown>, state: Parsed<PackageState>) => planWith(packageTask, input, { packages: state });

describe('package with apt', () => {
  it('installs a missing package; twin: installed, at whatever version', () => {
    const result = plan({ name: 'ipvsadm' }, debian());
    expect(result.changes).toEqual([{ subject: 'package ipvsadm', before: 'absent', after: 'installed' }]);
    expect(commandLines(result)).toEqual([`${APT} install -- ipvsadm`]);
    expect(result.action).toBeUndefined();
    expect(plan({ name: ['ipvsadm'], state: 'installed' }, debian({ installed: { ipvsadm: { version: '1:1.31-1' } } })).noop).toBe('ipvsadm 1:1.31-1 is installed');
  });

  it('installs only what is missing of a list, in one command, with install_recommends as asked', () => {
    const result = plan({ name: ['ipvsadm', 'keepalived', 'curl'], install_recommends: false }, debian({ installed: { curl: { version: '7.88.1-10' } } }));
    expect(commandLines(result)).toEqual([`${APT} --no-install-recommends install -- ipvsadm keepalived`]);
    expect(commandLines(plan({ name: 'ipvsadm', install_recommends: true }, debian()))).toEqual([`${APT} --install-recommends install -- ipvsadm`]);
  });

  it('latest upgrades to a newer candidate; twin: installed is the candidate; never a downgrade', () => {
    const older = debian({ installed: { dpkg: { version: '1.21.22' } }, candidates: { dpkg: '1.21.23' } });
    const result = plan({ name: 'dpkg', state: 'latest' }, older);
    expect(result.changes).toEqual([{ subject: 'package dpkg', before: '1.21.22', after: '1.21.23' }]);
    expect(commandLines(result)).toEqual([`${APT} install -- dpkg`]);
    expect(plan({ name: 'dpkg', state: 'latest' }, debian({ installed: { dpkg: { version: '1.21.23' } }, candidates: { dpkg: '1.21.23' } })).noop).toBe(
      'dpkg 1.21.23 is installed, the newest version',
    );
    // A local build newer than every list: apt would not downgrade it, so neither does the plan.
    expect(plan({ name: 'dpkg', state: 'latest' }, debian({ installed: { dpkg: { version: '1.22.0' } }, candidates: { dpkg: '1.21.23' } })).changes).toEqual([]);
  });

  it('latest of a package no list has fails, unless the lists are refreshed first', () => {
    const none = debian({ candidates: { 'lvs-nothing': null } });
    expect(() => plan({ name: 'lvs-nothing', state: 'latest' }, none)).toThrow('lvs-nothing: no package list has it (apt-cache policy shows no candidate); refresh the lists with update_cache');
    expect(commandLines(plan({ name: 'lvs-nothing', state: 'latest', update_cache: true }, none))).toEqual([
      `${APT} update && mkdir -p -- /var/lib/apt/periodic && touch -- /var/lib/apt/periodic/update-success-stamp`,
      `${APT} install -- lvs-nothing`,
    ]);
  });

  it('removes an installed package (state absent or removed); twin: not installed', () => {
    const result = plan({ name: 'apache2', state: 'removed' }, debian({ installed: { apache2: { version: '2.4.62-1' } } }));
    expect(result.changes).toEqual([{ subject: 'package apache2', before: '2.4.62-1', after: 'absent' }]);
    expect(commandLines(result)).toEqual([`${APT} remove -- apache2`]);
    expect(plan({ name: 'apache2', state: 'absent' }, debian()).noop).toBe('apache2 is absent');
  });

  it('installs a .deb file (deb:, or a path as a name) unless its package is installed at its version', () => {
    const file = { path: DEB, package: 'lvs-test-hello', version: '1.0' };
    const result = plan({ deb: DEB }, debian({ files: [file] }));
    expect(result.changes).toEqual([{ subject: 'package lvs-test-hello', before: 'absent', after: `1.0 from ${DEB}` }]);
    expect(commandLines(result)).toEqual([`${APT} install -- ${DEB}`]);
    expect(commandLines(plan({ name: DEB }, debian({ files: [file], installed: { 'lvs-test-hello': { version: '0.9' } } })))).toEqual([`${APT} install -- ${DEB}`]);
    expect(plan({ deb: DEB }, debian({ files: [file], installed: { 'lvs-test-hello': { version: '1.0' } } })).noop).toBe(`lvs-test-hello 1.0 from ${DEB} is installed`);
  });

  it('cache_valid_time: refreshes lists older than the window (then re-plans empty); twin: fresh enough', () => {
    const stale = plan({ name: 'ipvsadm', cache_valid_time: 300 }, debian({ installed: { ipvsadm: { version: '1.31' } } }));
    expect(stale.changes).toEqual([{ subject: 'package lists', before: 'refreshed 600 s ago', after: 'refreshed' }]);
    expect(commandLines(stale)).toEqual([`${APT} update && mkdir -p -- /var/lib/apt/periodic && touch -- /var/lib/apt/periodic/update-success-stamp`]);
    expect(stale.action).toBeUndefined();
    expect(plan({ name: 'ipvsadm', cache_valid_time: 600 }, debian({ installed: { ipvsadm: { version: '1.31' } } })).noop).toBe(
      'the package lists were refreshed 600 s ago (within 600 s); ipvsadm 1.31 is installed',
    );
    // cache_valid_time 0 is a window too: lists refreshed this second are fresh.
    expect(plan({ update_cache: true, cache_valid_time: 0 }, debian({ listsUpdatedAt: 1000 })).changes).toEqual([]);
    expect(plan({ update_cache: true, cache_valid_time: 0 }, debian({ listsUpdatedAt: undefined })).changes).toEqual([
      { subject: 'package lists', before: 'never refreshed', after: 'refreshed' },
    ]);
  });

  it('update_cache without a window refreshes on every run: an action plan', () => {
    const result = plan({ update_cache: true }, debian({ listsUpdatedAt: 999 }));
    expect(result.changes).toEqual([{ subject: 'package lists', before: 'refreshed 1 s ago', after: 'refreshed' }]);
    expect(result.action).toEqual({ check: 'report' });
  });

  it('latest after a refresh asks apt for the package even when it is at the old candidate (a new one may come with the lists)', () => {
    const state = debian({ installed: { dpkg: { version: '1.21.23' } }, candidates: { dpkg: '1.21.23' } });
    expect(commandLines(plan({ name: 'dpkg', state: 'latest', cache_valid_time: 60 }, state))).toEqual([
      `${APT} update && mkdir -p -- /var/lib/apt/periodic && touch -- /var/lib/apt/periodic/update-success-stamp`,
      `${APT} install -- dpkg`,
    ]);
  });
});

describe('package with dnf or yum', () => {
  it('auto picks dnf on an rpm host: install, upgrade, remove; twins', () => {
    expect(commandLines(plan({ name: 'httpd' }, rocky()))).toEqual(['dnf -y install -- httpd']);
    const pending = rocky({ installed: { httpd: { version: '2.4.57-5.el9' } }, upgrades: { httpd: '2.4.57-8.el9' } });
    const upgrade = plan({ name: 'httpd', state: 'latest' }, pending);
    expect(upgrade.changes).toEqual([{ subject: 'package httpd', before: '2.4.57-5.el9', after: '2.4.57-8.el9' }]);
    expect(commandLines(upgrade)).toEqual(['dnf -y upgrade -- httpd']);
    expect(plan({ name: 'httpd', state: 'latest' }, rocky({ installed: { httpd: { version: '2.4.57-8.el9' } }, upgrades: {} })).noop).toBe(
      'httpd 2.4.57-8.el9 is installed, the newest version',
    );
    expect(commandLines(plan({ name: 'httpd', state: 'absent' }, rocky({ installed: { httpd: { version: '2.4.57-8.el9' } } })))).toEqual(['dnf -y remove -- httpd']);
  });

  it('yum when there is no dnf, or when use says so; update_cache is dnf makecache, on every run', () => {
    expect(commandLines(plan({ name: 'httpd' }, rocky({ tools: ['yum'] })))).toEqual(['yum -y install -- httpd']);
    expect(commandLines(plan({ name: 'httpd', use: 'yum' }, rocky()))).toEqual(['yum -y install -- httpd']);
    const refresh = plan({ update_cache: true, cache_valid_time: 3600 }, rocky());
    expect(commandLines(refresh)).toEqual(['dnf -y makecache']);
    expect(refresh.action).toEqual({ check: 'report' });
  });

  it('installs an .rpm file given as a name', () => {
    const file = { path: '/tmp/ipvsadm-1.31-6.el9.x86_64.rpm', package: 'ipvsadm', version: '1.31-6.el9' };
    expect(commandLines(plan({ name: file.path }, rocky({ files: [file] })))).toEqual([`dnf -y install -- ${file.path}`]);
  });
});

describe('package refuses', () => {
  it('a manager the host does not have, or whose database it lacks', () => {
    expect(() => plan({ name: 'x1', use: 'dnf' }, debian())).toThrow('use: dnf was asked for, but the host has a dpkg package database');
    expect(() => plan({ name: 'x1', use: 'dnf' }, rocky({ tools: ['yum'] }))).toThrow('use: dnf was asked for, but the host has no dnf');
    expect(() => plan({ name: 'x1' }, debian({ tools: [] }))).toThrow('the host has a dpkg package database but none of apt-get');
    expect(() => plan({ name: 'x1', install_recommends: true }, rocky())).toThrow('install_recommends: is for apt, and this host uses dnf');
  });

  it('arguments that make no sense, before any host is touched', () => {
    expect(argumentProblems(packageTask, {})).toEqual(['name: give the packages to manage (or deb, or update_cache)']);
    expect(argumentProblems(packageTask, { deb: DEB, state: 'absent' })).toEqual([
      'deb: a package file can only be installed; to remove its package, give the package name with state absent',
    ]);
    expect(argumentProblems(packageTask, { name: ['curl', DEB], state: 'removed' })).toEqual(['name.1: a package file can only be installed; give the package name to remove it']);
    expect(argumentProblems(packageTask, { deb: DEB, use: 'dnf' })).toEqual(['deb: is for apt, not dnf; give an .rpm file in name']);
    expect(argumentProblems(packageTask, { deb: DEB, name: 'curl' })).toEqual([
      'deb: cannot be given together with name (as in Ansible): give the file as a name, or the names in another task',
    ]);
    expect(argumentProblems(packageTask, { name: 'x1', cache_valid_time: -1 })).toEqual(['cache_valid_time: must be >= 0']);
  });

  it.each([
    ['a shell command', 'curl; touch /tmp/x'],
    ['a command substitution', '$(id)'],
    ['an option', '-oAPT::Get::AllowUnauthenticated=true'],
    ['a newline', 'curl\nid'],
    ['one character', 'a'],
    ['a version pin', 'curl=7.88'],
    ['a relative path', 'x.deb'],
    ['a path that climbs', '/var/tmp/../../etc/x.deb'],
    ['a path to something else', '/etc/shadow'],
    ['a space', 'curl wget'],
  ])('%s as a package name', (_what, name) => {
    expect(argumentProblems(packageTask, { name })).toEqual([expect.stringMatching(/^name\.0: does not match the expected form /)]);
  });

  it('a deb that is not an absolute .deb path', () => {
    expect(argumentProblems(packageTask, { deb: 'x.deb' })).toEqual([expect.stringMatching(/^deb: does not match the expected form /)]);
    expect(argumentProblems(packageTask, { deb: '/tmp/x.rpm' })).toEqual([expect.stringMatching(/^deb: does not match the expected form /)]);
  });

  it('accepts names in Debian and RPM spellings', () => {
    for (const name of ['libstdc++6', 'python3.11', 'NetworkManager', 'perl-Net_SSLeay', 'g++', '0ad']) expect(argumentProblems(packageTask, { name })).toEqual([]);
  });
});
