import Ajv from 'ajv';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { CommandResult, Plan, TaskContext } from '../../../src/api';
import { isHtmlTemplate, renderString } from '../../../src/engine/templating';
import { type RemoteFile } from '../../../src/facts/file';
import { parseDaemonFreshness, parseInstalledPackages, parseOsRelease, parseServiceStatus, type ServiceStatus } from '../../../src/facts/service';
import httpd from '../../../src/tasks/httpd';
import { writeFileAtomically } from '../../../src/changes/file';

const FIXTURES = join(__dirname, '../fixtures/services');
const TEMPLATES = join(__dirname, '../../../templates');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as CommandResult;

const ajv = new Ajv({ useDefaults: true, coerceTypes: true, allErrors: true, strict: false });
const validateSchema = ajv.compile(httpd.schema);

const PAGE = renderString(readFileSync(join(TEMPLATES, 'index.html.hbs'), 'utf8'), { inventory_hostname: 'rs1' }, isHtmlTemplate('index.html.hbs'));
const context: TaskContext = { host: 'rs1', templates: { 'index.html.hbs': PAGE }, files: {}, expressions: {} };
const INDEX = '/var/www/html/index.html';
const START = 'if command -v service >/dev/null 2>&1; then service apache2 start; else /etc/init.d/apache2 start; fi';

function args(input: Record<string, unknown>) {
  const copy = structuredClone(input);
  if (!validateSchema(copy)) throw new Error(ajv.errorsText(validateSchema.errors));
  const problems = httpd.validate!(copy as never);
  if (problems.length) throw new Error(problems.join('; '));
  return copy;
}

/** A Debian host as captured: apache2 installed, page in place, SysV init. */
function debianHost(overrides: { service?: string; freshness?: string; page?: RemoteFile; installed?: boolean; rhelService?: ServiceStatus } = {}) {
  const packages = parseInstalledPackages(fixture('packages-apache2-installed'), ['apache2', 'httpd']);
  return {
    os: parseOsRelease(fixture('os-release-debian12')),
    packages: overrides.installed === false ? { ...packages, apache2: false } : packages,
    debianService: parseServiceStatus(fixture(overrides.service ?? 'service-apache2-running-sysv'), 'apache2'),
    rhelService: parseServiceStatus(fixture('service-httpd-unknown-sysv'), 'httpd'),
    debianFreshness: parseDaemonFreshness(fixture(overrides.freshness ?? 'freshness-apache2-running')),
    rhelFreshness: { running: false },
    page: overrides.page ?? { exists: true, content: PAGE, mode: '644', owner: 'root', group: 'root' },
  };
}

function plan(input: Record<string, unknown>, facts: ReturnType<typeof debianHost>): Plan {
  return httpd.plan(args(input) as never, facts as never, context);
}

const commands = (result: Plan) => result.commands.map((command) => command.run.text);

describe('httpd plan on Debian with SysV init', () => {
  it('starts a stopped server', () => {
    const result = plan({}, debianHost({ service: 'service-apache2-stopped-sysv', freshness: 'freshness-apache2-stopped' }));
    expect(commands(result)).toEqual([START]);
    expect(result.changes).toEqual([{ subject: 'apache2 service', before: 'stopped', after: 'running' }]);
  });

  it('twin: nothing when it runs and the page is the rendered template', () => {
    expect(plan({}, debianHost()).noop).toBe('apache2 is installed and running; /var/www/html/index.html is up to date');
  });

  it('writes the page when it differs (the Debian default page, say)', () => {
    const result = plan({}, debianHost({ page: { exists: true, content: '<html>It works!</html>', mode: '644', owner: 'root', group: 'root' } }));
    expect(commands(result)).toEqual([writeFileAtomically(INDEX, PAGE, { mode: '0644' }).text]);
    expect(result.changes).toEqual([{ subject: INDEX, before: '<html>It works!</html>', after: PAGE }]);
  });

  it('writes index_content verbatim, not escaped; twin: already there', () => {
    const content = '<h1>web1 & "friends"</h1> $(id)\n';
    const result = plan({ index_content: content }, debianHost({ page: { exists: false, content: '' } }));
    expect(result.changes).toEqual([{ subject: INDEX, before: null, after: content }]);
    // Read as absent, so written only if still absent.
    expect(commands(result)).toEqual([writeFileAtomically(INDEX, content, { mode: '0644' }, { exists: false }).text]);
    expect(plan({ index_content: content }, debianHost({ page: { exists: true, content, mode: '644', owner: 'root', group: 'root' } })).changes).toEqual([]);
  });

  it('stops a running server; twin: already stopped', () => {
    expect(commands(plan({ state: 'stopped' }, debianHost()))).toEqual([START.replace(/start/g, 'stop')]);
    expect(plan({ state: 'stopped' }, debianHost({ service: 'service-apache2-stopped-sysv', freshness: 'freshness-apache2-stopped' })).noop).toBe(
      'apache2 is installed and stopped; /var/www/html/index.html is up to date',
    );
  });

  it('restarts a server older than its configuration', () => {
    const result = plan({ state: 'restarted' }, debianHost({ freshness: 'freshness-apache2-config-newer' }));
    expect(commands(result)).toEqual([START.replace(/start/g, 'restart')]);
    expect(result.changes).toEqual([{ subject: 'apache2 service', before: 'running with an older configuration', after: 'restarted' }]);
  });

  it('twin: restarted is satisfied by a server started after its configuration last changed (so the re-plan after a restart is empty)', () => {
    expect(plan({ state: 'restarted' }, debianHost()).noop).toBe(
      'apache2 is installed and running since its configuration last changed; /var/www/html/index.html is up to date',
    );
  });

  it('restarted starts a stopped server', () => {
    expect(commands(plan({ state: 'restarted' }, debianHost({ service: 'service-apache2-stopped-sysv', freshness: 'freshness-apache2-stopped' })))).toEqual([START]);
  });

  it('restarted restarts a running server whose pid file is gone (its start time is unknown)', () => {
    expect(commands(plan({ state: 'restarted' }, debianHost({ freshness: 'freshness-apache2-stopped' })))).toEqual([START.replace(/start/g, 'restart')]);
  });

  it('enables at boot with update-rc.d; twin: already enabled', () => {
    const disabled = debianHost({ service: 'service-apache2-disabled-sysv', freshness: 'freshness-apache2-stopped' });
    expect(commands(plan({ enabled: true, state: 'stopped' }, disabled))).toEqual(['update-rc.d apache2 defaults && update-rc.d apache2 enable']);
    expect(plan({ enabled: true }, debianHost()).changes).toEqual([]);
    expect(plan({ enabled: true }, debianHost()).noop).toBe('apache2 is installed and running, enabled at boot; /var/www/html/index.html is up to date');
  });

  it('disables at boot; twin: already disabled', () => {
    expect(commands(plan({ enabled: false }, debianHost()))).toEqual(['update-rc.d apache2 disable']);
    expect(plan({ enabled: false, state: 'stopped' }, debianHost({ service: 'service-apache2-disabled-sysv', freshness: 'freshness-apache2-stopped' })).changes).toEqual([]);
  });

  it('installs apache2 first when missing, then writes the page and starts it', () => {
    const result = plan({ enabled: true }, debianHost({ installed: false, service: 'service-apache2-stopped-sysv', page: { exists: false, content: '' } }));
    expect(commands(result)).toEqual([
      'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -- apache2 || { ' +
        'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold update && mkdir -p -- /var/lib/apt/periodic && touch -- /var/lib/apt/periodic/update-success-stamp && ' +
        'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -- apache2; }',
      writeFileAtomically(INDEX, PAGE, { mode: '0644' }).text,
      START,
      'update-rc.d apache2 defaults && update-rc.d apache2 enable',
    ]);
    expect(result.changes[0]).toEqual({ subject: 'apache2 package', before: 'absent', after: 'installed' });
  });

  it('stops after installing even though the service looked stopped (Debian starts what it installs)', () => {
    const result = plan({ state: 'stopped' }, debianHost({ installed: false, service: 'service-apache2-stopped-sysv' }));
    expect(commands(result)[1]).toBe(START.replace(/start/g, 'stop'));
  });
});

describe('httpd plan on RHEL-like hosts with systemd', () => {
  const systemd = (active: string, enabled: string) => parseServiceStatus({ stdout: `init systemd\nload loaded\nactive ${active}\nenabled ${enabled}\n`, stderr: '', exitCode: 0 }, 'httpd');
  const rockyHost = (service: ServiceStatus, installed = true) => ({
    ...debianHost(),
    os: parseOsRelease(fixture('os-release-rocky94')),
    packages: { apache2: false, httpd: installed },
    rhelService: service,
    rhelFreshness: { running: service.running, startedAt: 2, configChangedAt: 1 },
  });

  it('installs httpd with dnf (or yum), then starts and enables it with systemctl', () => {
    expect(commands(plan({ enabled: true }, rockyHost(systemd('inactive', 'disabled'), false)))).toEqual([
      'if command -v dnf >/dev/null 2>&1; then dnf -y install -- httpd; else yum -y install -- httpd; fi',
      'systemctl start -- httpd',
      'systemctl enable -- httpd',
    ]);
  });

  it('twin: nothing when httpd is active and enabled', () => {
    expect(plan({ enabled: true }, rockyHost(systemd('active', 'enabled'))).changes).toEqual([]);
  });

  it('restarts with systemctl', () => {
    const host = { ...rockyHost(systemd('active', 'enabled')), rhelFreshness: { running: true, startedAt: 1, configChangedAt: 2 } };
    expect(commands(plan({ state: 'restarted' }, host))).toEqual(['systemctl restart -- httpd']);
  });
});

describe('httpd arguments', () => {
  const problems = (input: Record<string, unknown>) => {
    const copy = structuredClone(input);
    if (!validateSchema(copy)) return (validateSchema.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
    return httpd.validate!(copy as never);
  };

  it('defaults to started and the shipped index page', () => {
    expect(args({})).toEqual({ state: 'started' });
    expect(args({ enabled: 'false' })).toEqual({ state: 'started', enabled: false });
  });

  it.each([
    [{ index_template: 'a.hbs', index_content: 'x' }, 'index_content: cannot be given together with index_template'],
    [{ index_template: '../../etc/shadow' }, '/index_template must match pattern'],
    [{ state: 'reloaded' }, '/state must be equal to one of the allowed values'],
    [{ enabled: 'yes' }, '/enabled must be boolean'],
    [{ docroot: '/srv' }, ' must NOT have additional properties'],
  ])('rejects %j', (input, message) => {
    expect(problems(input)).toContainEqual(expect.stringContaining(message));
  });

  it('fails to plan on a distribution it cannot install for', () => {
    const host = { ...debianHost(), os: parseOsRelease({ stdout: 'ID=alpine\n', stderr: '', exitCode: 0 }) };
    expect(() => httpd.plan(args({}) as never, host as never, context)).toThrow('cannot tell how to install a web server on alpine');
  });

  it('its example is valid', () => {
    expect(problems({ ...httpd.example })).toEqual([]);
  });
});
