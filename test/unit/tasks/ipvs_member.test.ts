/**
 * ipvs_member plans, each with its no-op twin: a drain with its wait, an already drained
 * server, the depool threshold, a ramp back up; the facts read through the real parsers from
 * output in the fact commands' formats.
 */
import type { Plan } from '../../../src/api';
import { parseIpvsState } from '../../../src/facts/ipvs';
import { parseMemberActivity } from '../../../src/facts/ipvs-connections';
import ipvsMember, { rampWeights } from '../../../src/tasks/ipvs_member';
import { acceptedArguments, argumentProblems, context } from './plan-with-fixtures';

const NAT_RULES = `-A -t 192.168.0.109:80 -s rr
-a -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 1
-a -t 192.168.0.109:80 -r 172.16.100.102:80 -m -w 1
`;
const HEADING = 'IPVS connection entries\npro expire state       source             virtual            destination\n';
const entry = (state: string, source: string, server = '172.16.100.101:80', virtual = '192.168.0.109:80') =>
  `TCP 01:00  ${state.padEnd(11)} ${source.padEnd(18)} ${virtual.padEnd(18)} ${server}\n`;
const ESTABLISHED = HEADING + entry('ESTABLISHED', '192.168.0.10:52144') + entry('TIME_WAIT', '192.168.0.10:52100');
const FINISHED = HEADING + entry('TIME_WAIT', '192.168.0.10:52100') + entry('ESTABLISHED', '192.168.0.11:40000', '172.16.100.102:80');

/** `ipvsadm -L -n` for the rules, with these ActiveConn counts per server. */
function counters(rules: string, active: Record<string, number> = {}): string {
  const lines = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
  for (const words of rules.trim().split('\n').map((line) => line.split(' '))) {
    if (words[0] === '-A') lines.push(`${words[1] === '-f' ? 'FWM' : words[1] === '-u' ? 'UDP' : 'TCP'}  ${words[2]} ${words[4]}${words.includes('-p') ? ` persistent ${words[words.indexOf('-p') + 1]}` : ''}`);
    else lines.push(`  -> ${words[4].padEnd(28)} ${(words[5] === '-m' ? 'Masq' : 'Route').padEnd(7)} ${words[7].padEnd(6)} ${String(active[words[4]] ?? 0).padEnd(10)} 0`);
  }
  return `${lines.join('\n')}\n`;
}

interface Host {
  rules?: string;
  connections?: string;
  active?: Record<string, number>;
  quiescent?: string;
  reuse?: string;
}

function plan(input: Record<string, unknown>, host: Host = {}): Plan {
  const args = acceptedArguments(ipvsMember, input);
  const rules = host.rules ?? NAT_RULES;
  const loaded = host.rules !== '';
  const table = parseIpvsState({ stdout: `ip_vs ${loaded ? 'loaded' : 'available'}\nlvs-ipvs-table ${loaded ? `loaded\n${rules}` : 'not-loaded\n'}`, stderr: '', exitCode: 0 }, ['ip_vs'], true);
  const stdout = loaded
    ? `lvs-ipvs-section counters\n${counters(rules, host.active)}lvs-ipvs-section connections\n${host.connections ?? HEADING}lvs-ipvs-section quiescent\n${host.quiescent ?? '0'}\nlvs-ipvs-section reuse\n${host.reuse ?? '1'}\n`
    : '';
  const activity = parseMemberActivity({ stdout, stderr: '', exitCode: 0 });
  return ipvsMember.plan(args as never, { table, activity } as never, context);
}

const lines = (result: Plan) => result.commands.map((command) => command.run.text);
/** The wait command's parameters, after the script. */
const waitParameters = (text: string) => text.slice(text.lastIndexOf(' wait_idle ') + 1);

const DRAIN = { address: '192.168.0.109', port: 80, server: '172.16.100.101', weight: 0, wait_idle: 60 };
const withRs1 = (weight: number) => NAT_RULES.replace('172.16.100.101:80 -m -w 1', `172.16.100.101:80 -m -w ${weight}`);

describe('ipvs_member: draining', () => {
  it('sets weight 0 with ipvsadm -e, keeping the forwarding, then waits with progress', () => {
    const result = plan(DRAIN, { connections: ESTABLISHED, active: { '172.16.100.101:80': 1 } });
    expect(result.changes).toEqual([{ subject: '-t 192.168.0.109:80 -r 172.16.100.101:80 weight', before: 1, after: 0 }]);
    expect(lines(result)[0]).toBe('ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 0');
    expect(waitParameters(lines(result)[1])).toBe("wait_idle TCP 192.168.0.109 80 172.16.100.101 80 60 1 fail '172.16.100.101:80 of -t 192.168.0.109:80'");
    expect(result.commands[1]).toMatchObject({ output: true, progress: true, waitsUpTo: 71 });
    expect(result.action).toBeUndefined();
  });

  it('twin: a server at weight 0 with only finished connections is a no-op', () => {
    const result = plan(DRAIN, { rules: withRs1(0), connections: FINISHED });
    expect(result.commands).toEqual([]);
    expect(result.noop).toBe('172.16.100.101:80 of -t 192.168.0.109:80 has weight 0, no connections left');
  });

  it('a server at weight 0 with a connection left only waits, as a read-only action that --check runs too', () => {
    const result = plan(DRAIN, { rules: withRs1(0), connections: ESTABLISHED, active: { '172.16.100.101:80': 1 } });
    expect(result.changes).toEqual([]);
    expect(result.action).toEqual({ check: 'run' });
    expect(lines(result)).toHaveLength(1);
    expect(result.noop).toBe('172.16.100.101:80 of -t 192.168.0.109:80 has weight 0; waited for 1 ESTABLISHED to go');
  });

  it('ActiveConn alone keeps a server from being idle, even with no entry seen', () => {
    expect(plan(DRAIN, { rules: withRs1(0), active: { '172.16.100.101:80': 1 } }).action).toEqual({ check: 'run' });
  });

  it('without wait_idle, only sets the weight; its twin says what is left', () => {
    expect(lines(plan({ ...DRAIN, wait_idle: undefined }))).toEqual(['ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 0']);
    expect(plan({ ...DRAIN, wait_idle: undefined }, { rules: withRs1(0), connections: ESTABLISHED }).noop).toBe('172.16.100.101:80 of -t 192.168.0.109:80 has weight 0, 1 ESTABLISHED left');
  });

  it('passes on_timeout and poll to the wait, and the service port for a server given without one', () => {
    const result = plan({ ...DRAIN, server: '172.16.100.101:80', on_timeout: 'continue', poll: 2 });
    expect(waitParameters(lines(result)[1])).toBe("wait_idle TCP 192.168.0.109 80 172.16.100.101 80 60 2 continue '172.16.100.101:80 of -t 192.168.0.109:80'");
  });
});

describe('ipvs_member: the depool threshold', () => {
  const lastPooled = withRs1(1).replace('172.16.100.102:80 -m -w 1', '172.16.100.102:80 -m -w 0');

  it('refuses to drain the last server with a weight above 0', () => {
    expect(() => plan(DRAIN, { rules: lastPooled })).toThrow(
      'refusing to drain 172.16.100.101:80: only 0 other real servers of -t 192.168.0.109:80 have a weight above 0, and min_pooled is 1 (min_pooled: 0 drains the last one)',
    );
  });

  it('twin: a last server already drained is a no-op, not a refusal', () => {
    expect(plan(DRAIN, { rules: withRs1(0).replace('172.16.100.102:80 -m -w 1', '172.16.100.102:80 -m -w 0') }).noop).toBe(
      '172.16.100.101:80 of -t 192.168.0.109:80 has weight 0, no connections left',
    );
  });

  it('drains the last one when min_pooled is 0', () => {
    expect(lines(plan({ ...DRAIN, min_pooled: 0 }, { rules: lastPooled }))[0]).toBe('ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 0');
  });

  it('a higher threshold counts the other pooled servers', () => {
    expect(() => plan({ ...DRAIN, min_pooled: 2 })).toThrow('only 1 other real server of -t 192.168.0.109:80 has a weight above 0, and min_pooled is 2');
  });
});

describe('ipvs_member: restoring', () => {
  const RESTORE = { address: '192.168.0.109', port: 80, server: '172.16.100.101', weight: 4 };

  it('ramps up in steps with a sleep between them', () => {
    const result = plan({ ...RESTORE, ramp: { steps: 2, interval: 5 } }, { rules: withRs1(0) });
    expect(result.changes).toEqual([{ subject: '-t 192.168.0.109:80 -r 172.16.100.101:80 weight', before: 0, after: 4 }]);
    expect(lines(result)).toEqual(['ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 2', 'sleep 5', 'ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 4']);
    expect(result.commands[1].waitsUpTo).toBe(5);
  });

  it('twin: a server already at the weight is a no-op', () => {
    expect(plan({ ...RESTORE, ramp: { steps: 2, interval: 5 } }, { rules: withRs1(4) }).noop).toBe('172.16.100.101:80 of -t 192.168.0.109:80 has weight 4');
  });

  it('sets a lower weight at once, ramp or not', () => {
    expect(lines(plan({ ...RESTORE, weight: 2, ramp: { steps: 4, interval: 1 } }, { rules: withRs1(4) }))).toEqual(['ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 2']);
  });

  it('ramp weights rise evenly, never repeat, and end at the weight', () => {
    expect(rampWeights(0, 4, 4)).toEqual([1, 2, 3, 4]);
    expect(rampWeights(0, 1, 3)).toEqual([1]);
    expect(rampWeights(0, 10, 3)).toEqual([3, 7, 10]);
    expect(rampWeights(2, 3, 5)).toEqual([3]);
  });
});

describe('ipvs_member: what it cannot do', () => {
  it('fails clearly when IPVS is not loaded, the service is missing, or the server is not one of its servers', () => {
    expect(() => plan(DRAIN, { rules: '' })).toThrow('IPVS is not loaded on this host, so it has no service -t 192.168.0.109:80');
    expect(() => plan({ ...DRAIN, port: 443 })).toThrow('-t 192.168.0.109:443 is not in the IPVS table (the ipvsadm task adds it)');
    expect(() => plan({ ...DRAIN, server: '172.16.100.109' })).toThrow(
      '172.16.100.109:80 is not a real server of -t 192.168.0.109:80 (its real servers: 172.16.100.101:80, 172.16.100.102:80); ipvs_member changes a weight, the ipvsadm task adds servers',
    );
  });

  it('warns of persistence templates when expire_quiescent_template is 0, and not when it is 1', () => {
    const persistent = NAT_RULES.replace('-s rr', '-s rr -p 300');
    expect(plan(DRAIN, { rules: persistent }).result).toEqual({ weight: 0, warnings: [expect.stringContaining('net.ipv4.vs.expire_quiescent_template is 0')] });
    expect(plan(DRAIN, { rules: persistent, quiescent: '1' }).result).toEqual({ weight: 0 });
  });

  it('warns that a drained DR or TUN server still gets clients reusing a port in FIN_WAIT unless conn_reuse_mode has bit 2, and not under NAT', () => {
    const viaDr = NAT_RULES.replace(/ -m /g, ' -g ');
    const warned = plan(DRAIN, { rules: viaDr }).result;
    expect(warned).toEqual({ weight: 0, warnings: [expect.stringContaining('net.ipv4.vs.conn_reuse_mode is 1: under DR the director keeps an ended connection in FIN_WAIT')] });
    expect(plan(DRAIN, { rules: viaDr, reuse: '3' }).result).toEqual({ weight: 0 });
    expect(plan(DRAIN, { rules: viaDr, reuse: '2' }).result).toEqual({ weight: 0 });
    expect(plan(DRAIN, { reuse: '1' }).result).toEqual({ weight: 0 });
    expect(plan({ ...DRAIN, weight: 1, wait_idle: undefined }, { rules: viaDr }).result).toEqual({ weight: 1 });
  });

  it('rejects bad arguments before any host is touched', () => {
    expect(argumentProblems(ipvsMember, { ...DRAIN, weight: 1 })).toEqual(['wait_idle: only with weight 0, which drains the server']);
    expect(argumentProblems(ipvsMember, { ...DRAIN, wait_idle: undefined, ramp: { steps: 2, interval: 1 } })).toEqual(['ramp: only with a weight above 0']);
    expect(argumentProblems(ipvsMember, { ...DRAIN, server: '172.16.100.101:80; reboot' })).toEqual([expect.stringMatching(/^server: /)]);
    expect(argumentProblems(ipvsMember, { ...DRAIN, server: '$(id)' })).toEqual([expect.stringMatching(/^server: /)]);
    expect(argumentProblems(ipvsMember, { ...DRAIN, server: '2001:db8::1' })).toEqual(['server: an IPv4 service\'s real server given as IPv6; ipvs_member finds a tunnel\'s server by its address family']);
    expect(argumentProblems(ipvsMember, { server: '172.16.100.101', weight: 0 })).toEqual(['address: is required unless fwmark is given', 'port: is required unless fwmark is given']);
  });

  it('names an IPv6 server in brackets and a fwmark service by its mark', () => {
    const v6 = '-A -t [2001:db8::109]:80 -s rr\n-a -t [2001:db8::109]:80 -r [2001:db8:1::101]:80 -g -w 1\n-a -t [2001:db8::109]:80 -r [2001:db8:1::102]:80 -g -w 1\n';
    expect(lines(plan({ address: '2001:db8::109', port: 80, server: '2001:db8:1::101', weight: 0 }, { rules: v6 }))).toEqual(['ipvsadm -e -t \'[2001:db8::109]:80\' -r \'[2001:db8:1::101]:80\' -g -w 0']);
    const mark = '-A -f 10 -s rr -p 900\n-a -f 10 -r 172.16.100.103:0 -g -w 1\n-a -f 10 -r 172.16.100.104:0 -g -w 1\n';
    const drained = plan({ fwmark: 10, server: '172.16.100.103', weight: 0, wait_idle: 30 }, { rules: mark, quiescent: '1' });
    expect(lines(drained)[0]).toBe('ipvsadm -e -f 10 -r 172.16.100.103:0 -g -w 0');
    expect(waitParameters(lines(drained)[1])).toBe("wait_idle '' '' '' 172.16.100.103 '' 30 1 fail '172.16.100.103:0 of -f 10'");
  });
});
