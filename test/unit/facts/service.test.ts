import { readFileSync } from 'fs';
import { join } from 'path';
import type { CommandResult } from '../../../src/api';
import { daemonFreshness, installedPackages, osRelease, parseDaemonFreshness, parseInstalledPackages, parseOsRelease, parseServiceStatus, serviceStatus } from '../../../src/facts/service';
import { enableCommand, serviceCommand } from '../../../src/changes/service';

interface Fixture extends CommandResult {
  command: string;
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(__dirname, '../fixtures/services', `${name}.json`), 'utf8')) as Fixture;
}

describe('fixtures match the fact commands that produced them', () => {
  // capture.sh keeps copies of the commands: a changed command needs a new capture.
  it.each([
    ['os-release-debian12', osRelease().command.text],
    ['packages-apache2-installed', installedPackages(['apache2', 'httpd']).command.text],
    ['service-apache2-running-sysv', serviceStatus('apache2').command.text],
    ['service-httpd-unknown-sysv', serviceStatus('httpd').command.text],
    ['freshness-apache2-running', daemonFreshness('/var/run/apache2/apache2.pid', '/etc/apache2').command.text],
  ])('%s', (name, command) => {
    expect(fixture(name).command).toBe(command);
  });
});

describe('parseOsRelease', () => {
  it('reads Debian 12 as the debian family', () => {
    expect(parseOsRelease(fixture('os-release-debian12'))).toEqual({ id: 'debian', idLike: [], family: 'debian' });
  });

  it('reads Rocky Linux through its quoted ID_LIKE as the rhel family', () => {
    expect(parseOsRelease(fixture('os-release-rocky94'))).toEqual({ id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], family: 'rhel' });
  });

  it('reads Ubuntu (ID_LIKE=debian) as debian and an unrelated distribution as unknown', () => {
    expect(parseOsRelease({ stdout: 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n', stderr: '', exitCode: 0 }).family).toBe('debian');
    expect(parseOsRelease({ stdout: 'NAME="Alpine Linux"\nID=alpine\n', stderr: '', exitCode: 0 })).toEqual({ id: 'alpine', idLike: [], family: 'unknown' });
  });

  it('fails when the file cannot be read', () => {
    expect(() => parseOsRelease({ stdout: '', stderr: 'cat: /usr/lib/os-release: No such file or directory\n', exitCode: 1 })).toThrow(
      'cannot read os-release: cat: /usr/lib/os-release: No such file or directory',
    );
  });
});

describe('parseInstalledPackages', () => {
  it('reads dpkg: apache2 installed ("ii"), httpd not ("un")', () => {
    expect(parseInstalledPackages(fixture('packages-apache2-installed'), ['apache2', 'httpd'])).toEqual({ apache2: true, httpd: false });
  });

  it('reads rpm: "NAME installed" for installed packages, its "not installed" sentence for the others', () => {
    const result = { stdout: 'manager rpm\npackage apache2 is not installed\nhttpd installed\n', stderr: '', exitCode: 0 };
    expect(parseInstalledPackages(result, ['apache2', 'httpd'])).toEqual({ apache2: false, httpd: true });
  });

  it('fails on a host with neither package manager', () => {
    expect(() => parseInstalledPackages({ stdout: 'manager none\n', stderr: '', exitCode: 0 }, ['apache2'])).toThrow('neither dpkg nor rpm');
  });

  it('passes odd package names to the shell as quoted words', () => {
    expect(installedPackages(['a$(id)']).command.text).toContain(`-W -f='\${Package} \${db:Status-Abbrev}\\n' 'a$(id)' 2>/dev/null`);
  });
});

describe('parseServiceStatus', () => {
  it('reads a running SysV service enabled at boot (status 0, S links in rc2-5.d)', () => {
    expect(parseServiceStatus(fixture('service-apache2-running-sysv'), 'apache2')).toEqual({ init: 'sysv', exists: true, running: true, enabled: true, boot: 'links' });
  });

  it('reads a stopped one (LSB status 3)', () => {
    expect(parseServiceStatus(fixture('service-apache2-stopped-sysv'), 'apache2')).toEqual({ init: 'sysv', exists: true, running: false, enabled: true, boot: 'links' });
  });

  it('reads one disabled by update-rc.d (K links only)', () => {
    expect(parseServiceStatus(fixture('service-apache2-disabled-sysv'), 'apache2')).toEqual({ init: 'sysv', exists: true, running: false, enabled: false, boot: 'no links' });
  });

  it('reads a service the host does not have as missing, stopped and disabled', () => {
    expect(parseServiceStatus(fixture('service-httpd-unknown-sysv'), 'httpd')).toEqual({ init: 'sysv', exists: false, running: false, enabled: false, boot: 'no links' });
  });

  it('counts only S links of runlevels 2-5 for the script itself (not rcS.d, not apache2-foo, not K links)', () => {
    const links = (...paths: string[]) => ({ stdout: `init sysv\nscript yes\nstatus 3\n${paths.map((path) => `link ${path}\n`).join('')}`, stderr: '', exitCode: 0 });
    expect(parseServiceStatus(links('/etc/rcS.d/S01web', '/etc/rc1.d/S01web', '/etc/rc2.d/K01web'), 'web').enabled).toBe(false);
    expect(parseServiceStatus(links('/etc/rc.d/rc3.d/S85web'), 'web').enabled).toBe(true);
    expect(parseServiceStatus(links('/etc/rc2.d/S01web-extra'), 'web').enabled).toBe(false);
  });

  it.each([
    ['service-sshd-running-systemd', 'lvs-test-sshd', { init: 'systemd', exists: true, running: true, enabled: true, boot: 'enabled' }],
    ['service-fixture-disabled-systemd', 'lvs-fixture', { init: 'systemd', exists: true, running: false, enabled: false, boot: 'disabled' }],
    ['service-apache2-masked-systemd', 'apache2', { init: 'systemd', exists: true, running: false, enabled: false, boot: 'masked' }],
    ['service-journald-static-systemd', 'systemd-journald', { init: 'systemd', exists: true, running: true, enabled: false, boot: 'static' }],
    ['service-unknown-systemd', 'lvs-no-such-unit', { init: 'systemd', exists: false, running: false, enabled: false, boot: 'unknown' }],
  ])('reads %s, captured in a systemd test host', (name, unit, status) => {
    expect(fixture(name).command).toBe(serviceStatus(unit).command.text);
    expect(parseServiceStatus(fixture(name), unit)).toEqual(status);
  });

  it('reads systemctl show LoadState / is-active / is-enabled under systemd', () => {
    const result = (load: string, active: string, enabled: string) => ({ stdout: `init systemd\nload ${load}\nactive ${active}\nenabled ${enabled}\n`, stderr: '', exitCode: 0 });
    expect(parseServiceStatus(result('loaded', 'active', 'enabled'), 'ssh')).toEqual({ init: 'systemd', exists: true, running: true, enabled: true, boot: 'enabled' });
    expect(parseServiceStatus(result('loaded', 'inactive', 'disabled'), 'ssh')).toEqual({ init: 'systemd', exists: true, running: false, enabled: false, boot: 'disabled' });
    expect(parseServiceStatus(result('masked', 'failed', 'masked'), 'ssh')).toEqual({ init: 'systemd', exists: true, running: false, enabled: false, boot: 'masked' });
    expect(parseServiceStatus(result('loaded', 'active', 'static'), 'systemd-journald')).toMatchObject({ enabled: false, boot: 'static' });
    // For a unit it does not know, is-enabled prints its complaint on stderr only.
    expect(parseServiceStatus(result('not-found', 'inactive', ''), 'nosuch')).toEqual({ init: 'systemd', exists: false, running: false, enabled: false, boot: 'unknown' });
  });

  it('fails on output it does not recognise', () => {
    expect(() => parseServiceStatus({ stdout: '', stderr: 'sh: 1: syntax error\n', exitCode: 2 }, 'x')).toThrow('cannot read service status: sh: 1: syntax error');
  });
});

describe('parseDaemonFreshness', () => {
  it('reads a stopped server: no start time, the configuration time still', () => {
    expect(parseDaemonFreshness(fixture('freshness-apache2-stopped'))).toEqual({ running: false, configChangedAt: 1794473921 });
  });

  it('reads a running server that started after its configuration', () => {
    const freshness = parseDaemonFreshness(fixture('freshness-apache2-running'));
    expect(freshness.running).toBe(true);
    expect(freshness.startedAt).toBeGreaterThan(freshness.configChangedAt as number);
  });

  it('reads a running server whose configuration changed after it started', () => {
    const freshness = parseDaemonFreshness(fixture('freshness-apache2-config-newer'));
    expect(freshness.running).toBe(true);
    expect(freshness.configChangedAt).toBeGreaterThan(freshness.startedAt as number);
  });
});

describe('service commands', () => {
  it('use systemctl under systemd', () => {
    expect(serviceCommand('systemd', 'httpd', 'restart').text).toBe('systemctl restart -- httpd');
    expect(serviceCommand('systemd', 'nginx.service', 'reload').text).toBe('systemctl reload -- nginx.service');
    expect(enableCommand('systemd', 'rhel', 'httpd', true).text).toBe('systemctl enable -- httpd');
    expect(enableCommand('systemd', 'debian', 'apache2', false).text).toBe('systemctl disable -- apache2');
  });

  it('use service (or the init script) under SysV', () => {
    expect(serviceCommand('sysv', 'apache2', 'start').text).toBe(
      'if command -v service >/dev/null 2>&1; then service apache2 start; else /etc/init.d/apache2 start; fi',
    );
  });

  it('enable with update-rc.d defaults then enable on Debian (defaults alone keeps K links), chkconfig on RHEL', () => {
    expect(enableCommand('sysv', 'debian', 'apache2', true).text).toBe('update-rc.d apache2 defaults && update-rc.d apache2 enable');
    expect(enableCommand('sysv', 'debian', 'apache2', false).text).toBe('update-rc.d apache2 disable');
    expect(enableCommand('sysv', 'rhel', 'httpd', false).text).toBe('chkconfig httpd off');
  });

  it('quote service names', () => {
    expect(serviceCommand('systemd', 'web;id', 'stop').text).toBe("systemctl stop -- 'web;id'");
    expect(serviceStatus('a b').command.text).toContain("service 'a b' status");
  });
});
