import { readFileSync } from 'fs';
import { join } from 'path';
import type { CommandResult } from '../../../src/api';
import { parseOsRelease } from '../../../src/facts/service';
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

/** A fixture captured in a systemd test host (capture-systemd.sh) for one unit. */
function systemd(name: string, os = ROCKY) {
  return { os, status: fixture(name) };
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
    expect(restart).toEqual({ changes: [{ subject: 'apache2 service', before: 'running', after: 'restarted' }], commands: [expect.anything()], action: { check: 'report' } });
    expect(commandLines(restart)).toEqual([SYSV('restart')]);
    const reload = planWith(service, { name: 'apache2', state: 'reloaded' }, sysv('service-apache2-running-sysv'));
    expect(commandLines(reload)).toEqual([SYSV('reload')]);
    expect(reload.action).toEqual({ check: 'report' });
    // Stopped: started instead, as Ansible does.
    const fromStopped = planWith(service, { name: 'apache2', state: 'reloaded' }, sysv('service-apache2-stopped-sysv'));
    expect(commandLines(fromStopped)).toEqual([SYSV('start')]);
    expect(fromStopped.action).toEqual({ check: 'report' });
  });

  it('fails for a script the host does not have', () => {
    expect(() => planWith(service, { name: 'httpd', state: 'started' }, sysv('service-httpd-unknown-sysv'))).toThrow(
      "there is no init script /etc/init.d/httpd (the host's PID 1 is not systemd)",
    );
  });
});

describe('service under systemd (captured in a systemd test host)', () => {
  const SSHD = 'lvs-test-sshd';
  const UNIT = 'lvs-fixture';

  it('starts and enables a disabled unit; twin: active and enabled', () => {
    const result = planWith(service, { name: UNIT, state: 'started', enabled: true }, systemd('service-fixture-disabled-systemd'));
    expect(result.changes).toEqual([
      { subject: `${UNIT} service`, before: 'stopped', after: 'running' },
      { subject: `${UNIT} at boot`, before: 'disabled', after: 'enabled' },
    ]);
    expect(commandLines(result)).toEqual([`systemctl start -- ${UNIT}`, `systemctl enable -- ${UNIT}`]);
    expect(result.action).toBeUndefined();
    expect(planWith(service, { name: SSHD, state: 'started', enabled: true }, systemd('service-sshd-running-systemd')).noop).toBe(`${SSHD} is running, enabled at boot (systemd)`);
  });

  it('stops and disables; twin', () => {
    expect(commandLines(planWith(service, { name: SSHD, state: 'stopped', enabled: false }, systemd('service-sshd-running-systemd')))).toEqual([
      `systemctl stop -- ${SSHD}`,
      `systemctl disable -- ${SSHD}`,
    ]);
    expect(planWith(service, { name: UNIT, state: 'stopped', enabled: false }, systemd('service-fixture-disabled-systemd')).changes).toEqual([]);
  });

  it('restarts with systemctl, on every run', () => {
    const result = planWith(service, { name: SSHD, state: 'restarted' }, systemd('service-sshd-running-systemd'));
    expect(commandLines(result)).toEqual([`systemctl restart -- ${SSHD}`]);
    expect(result.action).toEqual({ check: 'report' });
  });

  it('enables on Debian under systemd with systemctl too, not update-rc.d', () => {
    expect(commandLines(planWith(service, { name: UNIT, enabled: true }, systemd('service-fixture-disabled-systemd', DEBIAN)))).toEqual([`systemctl enable -- ${UNIT}`]);
  });

  it('refuses to change the boot state of a static or masked unit, which enable/disable cannot', () => {
    expect(() => planWith(service, { name: 'systemd-journald', enabled: true }, systemd('service-journald-static-systemd'))).toThrow(
      'systemd-journald cannot be enabled: systemctl is-enabled says static',
    );
    expect(() => planWith(service, { name: 'apache2', enabled: true }, systemd('service-apache2-masked-systemd'))).toThrow('apache2 cannot be enabled: systemctl is-enabled says masked');
    // Asking nothing of the boot state, a static unit is managed like any other.
    expect(commandLines(planWith(service, { name: 'systemd-journald', state: 'restarted' }, systemd('service-journald-static-systemd')))).toEqual([
      'systemctl restart -- systemd-journald',
    ]);
  });

  it('fails for a unit systemd does not know', () => {
    expect(() => planWith(service, { name: 'lvs-no-such-unit', state: 'started' }, systemd('service-unknown-systemd'))).toThrow('systemd has no unit lvs-no-such-unit');
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
