/**
 * ipvs_member with owner keepalived, each plan with its no-op twin: the weight is read from
 * and written to the server's line in keepalived.conf (as the keepalived task renders it),
 * applied by a reload and waited for in the IPVS table; a server keepalived's check took out
 * of the table counts by its config weight. The table and connection facts go through the
 * real parsers, as in ipvs_member.test.ts.
 */
import { createHash } from 'node:crypto';
import type { Plan } from '../../../src/api';
import type { RemoteFile } from '../../../src/facts/file';
import { parseIpvsState } from '../../../src/facts/ipvs';
import { parseMemberActivity } from '../../../src/facts/ipvs-connections';
import type { ServiceStatus } from '../../../src/facts/service';
import { writeFileAtomically } from '../../../src/changes/file';
import { sh } from '../../../src/shell/quote';
import ipvsMember from '../../../src/tasks/ipvs_member';
import { PAIR_INSTANCE, pairService, renderedConfig } from '../fixtures/keepalived-pair';
import { acceptedArguments, argumentProblems, context } from './plan-with-fixtures';

const CONFIG = '/etc/keepalived/keepalived.conf';
/** The file lvs-dr-ha.yml has the keepalived task write, with these weights of rs1 and rs2, and a fwmark service. */
const rendered = (rs1: number, rs2 = 1) =>
  renderedConfig({
    vrrp_instances: [PAIR_INSTANCE],
    virtual_servers: [pairService(rs1, rs2), { fwmark: 10, persistent: 900, real_servers: [{ address: '192.168.2.13', weight: 1 }, { address: '192.168.2.14', weight: 1 }] }],
    lvs_sync_daemon: { interface: 'eth0', instance: 'VI_1' },
  });

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const file = (content: string): RemoteFile => ({ exists: true, content, mode: '640', owner: 'root', group: 'root', sha256: sha256(content) });

/** The kernel table keepalived made: rs1 at `rs1` (absent: its check took it out), rs2 at 1. */
function rules(rs1: number | 'absent', rs2 = 1): string {
  const lines = ['-A -t 192.168.2.100:80 -s rr'];
  if (rs1 !== 'absent') lines.push(`-a -t 192.168.2.100:80 -r 192.168.2.11:80 -g -w ${rs1}`);
  lines.push(`-a -t 192.168.2.100:80 -r 192.168.2.12:80 -g -w ${rs2}`, '-A -f 10 -s rr -p 900', '-a -f 10 -r 192.168.2.13:0 -g -w 1', '-a -f 10 -r 192.168.2.14:0 -g -w 1');
  return `${lines.join('\n')}\n`;
}

const HEADING = 'IPVS connection entries\npro expire state       source             virtual            destination\n';
const ESTABLISHED = `${HEADING}TCP 01:00  ESTABLISHED 192.168.2.200:52144 192.168.2.100:80   192.168.2.11:80\n`;
const COUNTERS = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
const SYSV: ServiceStatus = { init: 'sysv', exists: true, running: true, enabled: true, boot: 'links' };

interface Host {
  table?: string;
  config?: RemoteFile;
  connections?: string;
  status?: ServiceStatus;
}

function plan(input: Record<string, unknown>, host: Host = {}): Plan {
  const args = acceptedArguments(ipvsMember, { owner: 'keepalived', ...input });
  expect(Object.keys(ipvsMember.facts(args as never, context)).sort()).toEqual(['activity', 'config', 'status', 'table']);
  const table = parseIpvsState({ stdout: `ip_vs loaded\nlvs-ipvs-table loaded\n${host.table ?? rules(1)}`, stderr: '', exitCode: 0 }, ['ip_vs'], true);
  const activity = parseMemberActivity({
    stdout: `lvs-ipvs-section counters\n${COUNTERS}lvs-ipvs-section connections\n${host.connections ?? HEADING}lvs-ipvs-section quiescent\n1\n`,
    stderr: '',
    exitCode: 0,
  });
  const facts = { table, activity, config: host.config ?? file(rendered(1)), status: host.status ?? SYSV };
  return ipvsMember.plan(args as never, facts as never, context);
}

const lines = (result: Plan) => result.commands.map((command) => command.run.text);
/** The content a write command puts in the file: the base64 word it decodes. */
const written = (text: string) => Buffer.from(/printf %s (\S+) \| base64 -d/.exec(text)![1], 'base64').toString('utf8');
const write = (content: string, readAs: Pick<RemoteFile, 'exists' | 'sha256'>) =>
  writeFileAtomically(CONFIG, content, { mode: '0640' }, readAs, { validate: (tmp) => sh`keepalived -t -f ${tmp}` }).text;
const RELOAD = 'if command -v service >/dev/null 2>&1; then service keepalived reload; else /etc/init.d/keepalived reload; fi';
/** The weight wait's parameters, after the script. */
const waitParameters = (text: string) => text.slice(text.lastIndexOf(' weight_wait ') + 1);

const DRAIN = { address: '192.168.2.100', port: 80, server: '192.168.2.11', weight: 0 };

describe('ipvs_member owner keepalived: draining', () => {
  it('writes weight 0 in keepalived.conf (checked by keepalived -t), reloads, and waits for the table to show it', () => {
    const before = file(rendered(1));
    const result = plan({ ...DRAIN, wait_idle: 60 }, { config: before, connections: ESTABLISHED });
    expect(result.changes).toEqual([{ subject: `${CONFIG}: -t 192.168.2.100:80 -r 192.168.2.11:80 weight`, before: 1, after: 0 }]);
    expect(lines(result)[0]).toBe(write(rendered(0), before));
    expect(written(lines(result)[0])).toBe(rendered(0));
    expect(lines(result)[0]).toContain(`[ "\${lvs_sum%% *}" = ${before.sha256} ]`);
    expect(lines(result)[1]).toBe(RELOAD);
    expect(waitParameters(lines(result)[2])).toBe("weight_wait 0 192.168.2.11:80 '192.168.2.11:80 of -t 192.168.2.100:80' 10 -t 192.168.2.100:80");
    expect(result.commands[2]).toEqual(expect.objectContaining({ waitsUpTo: 15 }));
    expect(lines(result)[3]).toContain("wait_idle TCP 192.168.2.100 80 192.168.2.11 80 60 1 fail '192.168.2.11:80 of -t 192.168.2.100:80'");
    expect(result.action).toBeUndefined();
  });

  it('twin: drained in the file and in the table, no connections left, is a no-op', () => {
    const result = plan({ ...DRAIN, wait_idle: 60 }, { config: file(rendered(0)), table: rules(0) });
    expect(result.commands).toEqual([]);
    expect(result.noop).toBe(`192.168.2.11:80 of -t 192.168.2.100:80 has weight 0 in ${CONFIG}, no connections left`);
  });

  it('0 in the file while the table still shows 1 only waits for keepalived, as a read-only action', () => {
    const result = plan(DRAIN, { config: file(rendered(0)), table: rules(1) });
    expect(result.changes).toEqual([]);
    expect(lines(result)).toHaveLength(1);
    expect(waitParameters(lines(result)[0])).toBe("weight_wait 0 192.168.2.11:80 '192.168.2.11:80 of -t 192.168.2.100:80' 10 -t 192.168.2.100:80");
    expect(result.action).toEqual({ check: 'run' });
    expect(result.noop).toBe(`192.168.2.11:80 of -t 192.168.2.100:80 has weight 0 in ${CONFIG}; waited for keepalived to set it in the IPVS table`);
  });

  it('the same, with connections left: both waits run', () => {
    const result = plan({ ...DRAIN, wait_idle: 60 }, { config: file(rendered(0)), table: rules(1), connections: ESTABLISHED });
    expect(lines(result)).toHaveLength(2);
    expect(waitParameters(lines(result)[0])).toMatch(/^weight_wait 0 /);
    expect(lines(result)[1]).toContain(" wait_idle TCP 192.168.2.100 80 192.168.2.11 80 60 1 fail ");
    expect(result.noop).toBe(`192.168.2.11:80 of -t 192.168.2.100:80 has weight 0 in ${CONFIG}; waited for keepalived to set it in the IPVS table, then for 1 ESTABLISHED to go`);
  });

  it("a server keepalived's check took out of the table counts by its config weight", () => {
    const result = plan(DRAIN, { config: file(rendered(1)), table: rules('absent') });
    expect(written(lines(result)[0])).toBe(rendered(0));
    expect(plan(DRAIN, { config: file(rendered(0)), table: rules('absent') }).noop).toBe(
      `192.168.2.11:80 of -t 192.168.2.100:80 has weight 0 in ${CONFIG}, not in the IPVS table (keepalived's health check took it out), no connections left`,
    );
  });

  it('reloads through systemctl under systemd, as the keepalived task does', () => {
    expect(lines(plan(DRAIN, { status: { ...SYSV, init: 'systemd' } }))[1]).toBe('systemctl reload -- keepalived');
  });

  it('drains a fwmark service\'s server, the mark naming the service in the wait', () => {
    const result = plan({ fwmark: 10, server: '192.168.2.13', weight: 0 });
    expect(written(lines(result)[0])).toBe(rendered(1).replace('real_server 192.168.2.13 {\n        weight 1', 'real_server 192.168.2.13 {\n        weight 0'));
    expect(waitParameters(lines(result)[2])).toBe("weight_wait 0 192.168.2.13:0 '192.168.2.13:0 of -f 10' 10 -f 10");
  });
});

describe('ipvs_member owner keepalived: the depool threshold counts the weights in keepalived.conf', () => {
  it('refuses to drain rs1 when rs2 has weight 0 in the file, though the table still shows 1', () => {
    expect(() => plan(DRAIN, { config: file(rendered(1, 0)), table: rules(1, 1) })).toThrow(
      'refusing to drain 192.168.2.11:80: only 0 other real servers of -t 192.168.2.100:80 have a weight above 0, and min_pooled is 1',
    );
  });

  it('twin: drains rs1 when rs2 has weight 1 in the file, though the table shows 0', () => {
    expect(plan(DRAIN, { config: file(rendered(1, 1)), table: rules(1, 0) }).changes).toHaveLength(1);
  });
});

describe('ipvs_member owner keepalived: restoring', () => {
  it('ramps up in steps, each a write, a reload and a wait, each write checking the file is the one the step before wrote', () => {
    const before = file(rendered(0));
    const result = plan({ ...DRAIN, weight: 4, ramp: { steps: 2, interval: 5 } }, { config: before, table: rules(0) });
    expect(result.changes).toEqual([{ subject: `${CONFIG}: -t 192.168.2.100:80 -r 192.168.2.11:80 weight`, before: 0, after: 4 }]);
    const [write2, reload2, wait2, sleep, write4, reload4, wait4] = lines(result);
    expect(lines(result)).toHaveLength(7);
    expect(write2).toBe(write(rendered(2), before));
    expect([reload2, reload4, sleep]).toEqual([RELOAD, RELOAD, 'sleep 5']);
    expect(waitParameters(wait2)).toMatch(/^weight_wait 2 192\.168\.2\.11:80 /);
    expect(write4).toBe(write(rendered(4), { exists: true, sha256: sha256(rendered(2)) }));
    expect(waitParameters(wait4)).toMatch(/^weight_wait 4 192\.168\.2\.11:80 /);
  });

  it('twin: back at the weight in the file and the table is a no-op', () => {
    expect(plan({ ...DRAIN, weight: 4, ramp: { steps: 2, interval: 5 } }, { config: file(rendered(4)), table: rules(4) }).noop).toBe(`192.168.2.11:80 of -t 192.168.2.100:80 has weight 4 in ${CONFIG}`);
  });

  it('restoring to the rendered weight leaves the file as the keepalived task renders it, so its next run is a no-op', () => {
    expect(written(lines(plan({ ...DRAIN, weight: 1 }, { config: file(rendered(0)), table: rules(0) }))[0])).toBe(rendered(1));
  });
});

describe('ipvs_member owner keepalived: what it cannot do', () => {
  it('names the file and the keepalived task when the service or the server is not in it', () => {
    expect(() => plan({ ...DRAIN, protocol: 'udp' }, { table: `${rules(1)}-A -u 192.168.2.100:80 -s rr\n` })).toThrow(`-u 192.168.2.100:80 is not a virtual_server in ${CONFIG} (the keepalived task declares it)`);
    expect(() => plan(DRAIN, { table: rules(1), config: file(rendered(1).replace('real_server 192.168.2.11 80', 'real_server 192.168.2.21 80')) })).toThrow(
      `192.168.2.11:80 is not a real_server of -t 192.168.2.100:80 in ${CONFIG} (its real servers there: 192.168.2.21:80, 192.168.2.12:80); the keepalived task declares it`,
    );
    expect(() => plan(DRAIN, { config: { exists: false, content: '' } })).toThrow(`${CONFIG} is not there, so keepalived keeps no -t 192.168.2.100:80 (the keepalived task declares it)`);
    expect(() => plan({ ...DRAIN, port: 443 })).toThrow('-t 192.168.2.100:443 is not in the IPVS table (the keepalived task declares it)');
  });

  it('reads keepalived.conf and the init system only with owner keepalived', () => {
    expect(Object.keys(ipvsMember.facts(acceptedArguments(ipvsMember, DRAIN) as never, context)).sort()).toEqual(['activity', 'table']);
    expect(argumentProblems(ipvsMember, { ...DRAIN, owner: 'ipvsadm-e' })).toEqual([expect.stringMatching(/^owner: /)]);
  });
});
