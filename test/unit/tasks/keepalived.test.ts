/**
 * The keepalived task's plan: facts in (os-release, the package, the service's boot links,
 * the pid file, the config file), changes and commands out, each case with its no-op twin.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { CommandResult, Plan } from '../../../src/api';
import { parseOsRelease, type ServiceStatus } from '../../../src/facts/service';
import type { RemoteFile } from '../../../src/facts/file';
import keepalived from '../../../src/tasks/keepalived';
import { writeFileAtomically } from '../../../src/changes/file';
import { sh } from '../../../src/shell/quote';
import { acceptedArguments, argumentProblems, context } from './plan-with-fixtures';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/services', `${name}.json`), 'utf8')) as CommandResult;

const CONFIG = '/etc/keepalived/keepalived.conf';
const INPUT = {
  vrrp_instances: [{ name: 'VI_1', interface: 'eth0', virtual_router_id: 51, priority: 150, state: 'MASTER', virtual_ipaddresses: [{ address: '192.168.2.100/24', label: 'eth0:0' }] }],
};
const RENDERED = `# Written by lvs (the keepalived task); changes made here are replaced.

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.168.2.100/24 label eth0:0
    }
}
`;
const SERVICE = (action: string) => `if command -v service >/dev/null 2>&1; then service keepalived ${action}; else /etc/init.d/keepalived ${action}; fi`;
const START = `${SERVICE('start')} && for lvs_try in 1 2 3 4 5 6 7 8 9 10; do [ -s /run/keepalived.pid ] && break; sleep 0.5; done && [ -s /run/keepalived.pid ]`;
const ENABLE = 'update-rc.d keepalived defaults && update-rc.d keepalived enable';

const file = (content: string): RemoteFile => ({ exists: true, content, mode: '640', owner: 'root', group: 'root', sha256: 'ab'.repeat(32) });
const ABSENT: RemoteFile = { exists: false, content: '' };
const ENABLED: ServiceStatus = { init: 'sysv', exists: true, running: false, enabled: true, boot: 'links' };

interface Host {
  installed?: boolean;
  running?: boolean;
  status?: ServiceStatus;
  config?: RemoteFile;
}

function plan(input: Record<string, unknown>, host: Host = {}): Plan {
  const args = acceptedArguments(keepalived, input);
  const facts = {
    os: parseOsRelease(fixture('os-release-debian12')),
    packages: { keepalived: host.installed ?? true },
    status: host.status ?? ENABLED,
    daemon: { running: host.running ?? true },
    config: host.config ?? file(RENDERED),
  };
  return keepalived.plan(args as never, facts as never, context);
}

const commands = (result: Plan) => result.commands.map((command) => command.run.text);
const write = (content: string, readAs?: RemoteFile) =>
  `mkdir -p -- /etc/keepalived && ${writeFileAtomically(CONFIG, content, { mode: '0640' }, readAs, { validate: (tmp) => sh`keepalived -t -f ${tmp}` }).text}`;

describe('keepalived plan (Debian, SysV init)', () => {
  it('twin: nothing to do when it runs, starts at boot and the file is as rendered', () => {
    const result = plan(INPUT);
    expect(result.changes).toEqual([]);
    expect(result.noop).toBe('keepalived is installed and running, enabled at boot; /etc/keepalived/keepalived.conf is up to date');
  });

  it('a missing package: installed (lists fetched when apt cannot), the file written, started, enabled', () => {
    const result = plan(INPUT, { installed: false, running: false, config: ABSENT, status: { ...ENABLED, exists: false, enabled: false, boot: 'no links' } });
    expect(result.changes).toEqual([
      { subject: 'keepalived package', before: 'absent', after: 'installed' },
      { subject: CONFIG, before: null, after: RENDERED },
      { subject: 'keepalived service', before: 'not installed', after: 'running' },
      { subject: 'keepalived at boot', before: 'not installed', after: 'enabled' },
    ]);
    const apt = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';
    expect(commands(result)).toEqual([
      `${apt} install -- keepalived || { ${apt} update && mkdir -p -- /var/lib/apt/periodic && touch -- /var/lib/apt/periodic/update-success-stamp && ${apt} install -- keepalived; }`,
      write(RENDERED),
      START,
      ENABLE,
    ]);
  });

  it('the validating write: keepalived -t on the temporary file comes before the mv that replaces the file', () => {
    const [line] = commands(plan(INPUT, { config: ABSENT }));
    expect(line).toContain('{ keepalived -t -f "$lvs_tmp"; } && mv -f -- "$lvs_tmp" "$lvs_dest"');
  });

  it('a changed priority on a running daemon: the file rewritten (if still as read), then a reload, never a restart', () => {
    const old = RENDERED.replace('priority 150', 'priority 100');
    const result = plan(INPUT, { config: file(old) });
    expect(result.changes).toEqual([
      { subject: CONFIG, before: old, after: RENDERED },
      { subject: 'keepalived service', before: 'running', after: 'reloaded' },
    ]);
    expect(commands(result)).toEqual([write(RENDERED, file(old)), SERVICE('reload')]);
  });

  it('a stopped daemon with its file in place is started, not reloaded; twin above', () => {
    const result = plan(INPUT, { running: false });
    expect(result.changes).toEqual([{ subject: 'keepalived service', before: 'stopped', after: 'running' }]);
    expect(commands(result)).toEqual([START]);
  });

  it('enabled: false takes it out of boot; twin: already out', () => {
    expect(commands(plan({ ...INPUT, enabled: false }))).toEqual(['update-rc.d keepalived disable']);
    expect(plan({ ...INPUT, enabled: false }, { status: { ...ENABLED, enabled: false, boot: 'no links' } }).changes).toEqual([]);
  });

  it('the diff never holds the password: a marker on both sides', () => {
    const input = { ...INPUT, auth_pass: 'hunter2' };
    const old = file(RENDERED.replace('    advert_int 1\n', '    advert_int 1\n    authentication {\n        auth_type PASS\n        auth_pass "oldpass"\n    }\n'));
    const result = plan(input, { config: old });
    expect(JSON.stringify(result.changes)).not.toMatch(/hunter2|oldpass/);
    expect(result.changes[0].before).toContain('        auth_pass <auth_pass>\n');
    expect(result.changes[0].after).toContain('        auth_pass "<auth_pass>"\n');
    // The file itself gets the password.
    expect(commands(result)[0]).toBe(write(RENDERED.replace('    advert_int 1\n', '    advert_int 1\n    authentication {\n        auth_type PASS\n        auth_pass "hunter2"\n    }\n'), old));
  });

  it('refuses a directory where the file goes', () => {
    expect(() => plan(INPUT, { config: { exists: false, content: '', otherType: 'directory' } })).toThrow(`${CONFIG} is a directory, which lvs does not replace with a file`);
  });

  it('under systemd: systemctl start and reload', () => {
    const systemd: ServiceStatus = { init: 'systemd', exists: true, running: false, enabled: true, boot: 'enabled' };
    expect(commands(plan(INPUT, { status: systemd, running: false }))[0]).toMatch(/^systemctl start -- keepalived && for lvs_try/);
    expect(commands(plan(INPUT, { status: systemd, config: file('old\n') }))[1]).toBe('systemctl reload -- keepalived');
  });
});

describe('keepalived arguments', () => {
  const problems = (input: Record<string, unknown>) => argumentProblems(keepalived, { ...INPUT, ...input });
  const service = { address: '192.168.2.100', port: 80, real_servers: [{ address: '192.168.2.11' }] };

  it.each([
    [{ vrrp_instances: [{ ...INPUT.vrrp_instances[0], nopreempt: true }] }, 'vrrp_instances.0.nopreempt: needs state BACKUP (keepalived ignores it for a MASTER)'],
    [{ vrrp_instances: [{ ...INPUT.vrrp_instances[0], preempt_delay: 5 }] }, 'vrrp_instances.0.preempt_delay: needs state BACKUP (keepalived ignores it for a MASTER)'],
    [{ vrrp_instances: [INPUT.vrrp_instances[0], INPUT.vrrp_instances[0]] }, 'vrrp_instances.1.name: VI_1 is already vrrp_instances.0'],
    [{ lvs_sync_daemon: { interface: 'eth0', instance: 'VI_2' } }, 'lvs_sync_daemon.instance: there is no vrrp_instance named VI_2'],
    [{ virtual_servers: [service, service] }, 'virtual_servers.1: tcp 192.168.2.100:80 is already virtual_servers.0'],
    [{ virtual_servers: [{ ...service, real_servers: [{ address: '192.168.2.11', port: 8080 }] }] }, "virtual_servers.0.real_servers.0.port: only nat can map to a port other than the service's 80; dr and tun keep the packet's port"],
    [{ virtual_servers: [{ address: '192.168.2.100' }] }, 'virtual_servers.0.port: is required unless fwmark is given'],
    [{ vrrp_instances: [], virtual_servers: [] }, 'vrrp_instances: give vrrp_instances, virtual_servers or both'],
  ])('%j: %s', (input, problem) => {
    expect(problems(input)).toEqual([problem]);
  });

  it('twin: the example is fine', () => {
    expect(argumentProblems(keepalived, keepalived.example as never)).toEqual([]);
  });
});
