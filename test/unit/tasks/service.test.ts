import { readFileSync } from 'fs';
import { join } from 'path';
import type { CommandResult } from '../../../src/api';
import { parseOsRelease, parseServiceStatus, type ServiceStatus } from '../../../src/facts/service';
import service from '../../../src/tasks/service';
import { argumentProblems, commandLines, Parsed, planWith } from './plan-with-fixtures';

interface Fixture extends CommandResult {
  command: string;
}
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/services', `${name}.json`), 'utf8')) as Fixture;

const DEBIAN = new Parsed(parseOsRelease(fixture('os-release-debian12')));
const ROCKY = new Parsed(parseOsRelease(fixture('os-release-rocky94')));
const SYSV = (verb: string, name = 'apache2') => `if command -v service >/dev/null 2>&1; then service ${name} ${verb}; else /etc/init.d/${name} ${verb}; fi`;

/** A SysV fixture captured for apache2, planned as the service task reads it. */
function sysv(name: string) {
  return { os: DEBIAN, status: fixture(name) };
}

function systemd(active: string, enabled: string, load = 'loaded', os = ROCKY) {
  const status: ServiceStatus = parseServiceStatus({ stdout: `init systemd\nload ${load}\nactive ${active}\nenabled ${enabled}\n`, stderr: '', exitCode: 0 }, 'nginx');
  return { os, status: new Parsed(status) };
}

describe('service under SysV (captured apache2 states)', () => {
  it('starts a stopped service; twin: running', () => {
    const result = planWith(service, { name: 'apache2', state: 'started' }, sysv('service-apache2-stopped-sysv'));
    expect(result.changes).toEqual([{ subject: 'apache2 service', before: 'stopped', after: 'running' }]);
    expect(commandLines(result)).toEqual([SYSV('start')]);
    expect(planWith(service, { name: 'apache2', state: 'started' }, sysv('service-apache2-running-sysv')).noop).toBe('apache2 is running (SysV init)');
  });

  it('stops a running one; twin: stopped', () => {
    expect(commandLines(planWith(service, { name: 'apache2', state: 'stopped' }, sysv('service-apache2-running-sysv')))).toEqual([SYSV('stop')]);
    expect(planWith(service, { name: 'apache2', state: 'stopped' }, sysv('service-apache2-stopped-sysv')).changes).toEqual([]);
  });

  it('enables with update-rc.d (K links only before); twin: S links in rc2-5.d', () => {
    const result = planWith(service, { name: 'apache2', enabled: true }, sysv('service-apache2-disabled-sysv'));
    expect(result.changes).toEqual([{ subject: 'apache2 at boot', before: 'disabled', after: 'enabled' }]);
    expect(commandLines(result)).toEqual(['update-rc.d apache2 defaults && update-rc.d apache2 enable']);
    expect(planWith(service, { name: 'apache2', enabled: true }, sysv('service-apache2-stopped-sysv')).noop).toBe('apache2 is stopped, enabled at boot (SysV init)');
  });

  it('restarted and reloaded are actions: changed on every run, running or not', () => {
    const restart = planWith(service, { name: 'apache2', state: 'restarted' }, sysv('service-apache2-running-sysv'));
    expect(restart).toEqual({ changes: [{ subject: 'apache2 service', before: 'running', after: 'restarted' }], commands: [expect.anything()], action: true });
    expect(commandLines(restart)).toEqual([SYSV('restart')]);
    const reload = planWith(service, { name: 'apache2', state: 'reloaded' }, sysv('service-apache2-running-sysv'));
    expect(commandLines(reload)).toEqual([SYSV('reload')]);
    expect(reload.action).toBe(true);
    // Stopped: started instead, as Ansible does.
    const fromStopped = planWith(service, { name: 'apache2', state: 'reloaded' }, sysv('service-apache2-stopped-sysv'));
    expect(commandLines(fromStopped)).toEqual([SYSV('start')]);
    expect(fromStopped.action).toBe(true);
  });

  it('fails for a script the host does not have', () => {
    expect(() => planWith(service, { name: 'httpd', state: 'started' }, sysv('service-httpd-unknown-sysv'))).toThrow(
      "there is no init script /etc/init.d/httpd (the host's PID 1 is not systemd)",
    );
  });
});

describe('service under systemd', () => {
  it('starts and enables; twin: active and enabled', () => {
    const result = planWith(service, { name: 'nginx', state: 'started', enabled: true }, systemd('inactive', 'disabled'));
    expect(commandLines(result)).toEqual(['systemctl start -- nginx', 'systemctl enable -- nginx']);
    expect(result.action).toBeUndefined();
    expect(planWith(service, { name: 'nginx', state: 'started', enabled: true }, systemd('active', 'enabled')).noop).toBe('nginx is running, enabled at boot (systemd)');
  });

  it('stops and disables; twin', () => {
    expect(commandLines(planWith(service, { name: 'nginx', state: 'stopped', enabled: false }, systemd('active', 'enabled')))).toEqual([
      'systemctl stop -- nginx',
      'systemctl disable -- nginx',
    ]);
    expect(planWith(service, { name: 'nginx', state: 'stopped', enabled: false }, systemd('failed', 'disabled')).changes).toEqual([]);
  });

  it('restarts with systemctl, on every run', () => {
    const result = planWith(service, { name: 'nginx', state: 'restarted' }, systemd('active', 'enabled'));
    expect(commandLines(result)).toEqual(['systemctl restart -- nginx']);
    expect(result.action).toBe(true);
  });

  it('enables on Debian under systemd with systemctl too, not update-rc.d', () => {
    expect(commandLines(planWith(service, { name: 'nginx', enabled: true }, systemd('active', 'disabled', 'loaded', DEBIAN)))).toEqual(['systemctl enable -- nginx']);
  });

  it('refuses to change the boot state of a static or masked unit, which enable/disable cannot', () => {
    expect(() => planWith(service, { name: 'nginx', enabled: true }, systemd('active', 'static'))).toThrow('nginx cannot be enabled: systemctl is-enabled says static');
    expect(() => planWith(service, { name: 'nginx', enabled: true }, systemd('inactive', 'masked', 'masked'))).toThrow('systemctl is-enabled says masked');
    // Asking nothing of the boot state, a static unit starts like any other.
    expect(commandLines(planWith(service, { name: 'nginx', state: 'started' }, systemd('inactive', 'static')))).toEqual(['systemctl start -- nginx']);
  });

  it('fails for a unit systemd does not know', () => {
    expect(() => planWith(service, { name: 'nginx', state: 'started' }, systemd('inactive', '', 'not-found'))).toThrow('systemd has no unit nginx');
  });
});

describe('service arguments', () => {
  it('needs state or enabled', () => {
    expect(argumentProblems(service, { name: 'nginx' })).toEqual(['state: give state, enabled or both']);
  });

  it.each(['nginx; id', '$(id)', '-x', '--help', 'a b', '../../bin/sh', 'a/b', 'x\ny', ''])('refuses the name %j', (name) => {
    expect(argumentProblems(service, { name, state: 'started' })).toEqual([expect.stringMatching(/^name: /)]);
  });

  it('takes unit names as systemd writes them', () => {
    for (const name of ['nginx', 'nginx.service', 'getty@tty1.service', 'systemd-networkd', 'php8.2-fpm']) {
      expect(argumentProblems(service, { name, state: 'started' })).toEqual([]);
    }
  });
});
