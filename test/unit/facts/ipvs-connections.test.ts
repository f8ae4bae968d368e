/**
 * The connection entries and counters of ipvsadm, read by the plan's parser and by the wait
 * script's awk filter on the host: both are held to the same fixtures, the script run in a
 * real sh against a stand-in ipvsadm that prints them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceKey } from '../../../src/facts/ipvs';
import { describeEntries, entriesOf, parseConnectionEntries, parseMemberActivity, parseServiceCounters, stillGoing } from '../../../src/facts/ipvs-connections';
import { batchScript } from '../../../src/engine/execute/batch';
import { idleWaitCommand, type IdleWait } from '../../../src/tasks/ipvs-idle-script';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/ipvs', name), 'utf8');
const TCP = fixture('connections-nat-tcp.txt');
const MIXED = fixture('connections-udp-persistence-fwmark.txt');

const tcp80: ServiceKey = { kind: 'address', protocol: 'tcp', family: 4, address: '192.168.0.109', port: 80 };
const udp53: ServiceKey = { kind: 'address', protocol: 'udp', family: 4, address: '192.168.0.109', port: 53 };
const persistent80: ServiceKey = { kind: 'address', protocol: 'tcp', family: 4, address: '192.168.0.110', port: 80 };
const everyPort: ServiceKey = { kind: 'address', protocol: 'tcp', family: 4, address: '192.168.0.111', port: 0 };
const mark10: ServiceKey = { kind: 'fwmark', fwmark: 10, family: 4 };
const ipv6: ServiceKey = { kind: 'address', protocol: 'tcp', family: 6, address: '2001:db8::109', port: 80 };

/** [what, table, service, server address, server port, what is left] */
const CASES: [string, string, ServiceKey, string, number, string][] = [
  ['TCP: ESTABLISHED and SYN_RECV are left; FIN_WAIT, TIME_WAIT, CLOSE, the other server and port 443 are not', TCP, tcp80, '172.16.100.101', 80, '1 ESTABLISHED, 1 SYN_RECV'],
  ['TCP: only finished connections left is idle', fixture('connections-nat-tcp-drained.txt'), tcp80, '172.16.100.101', 80, ''],
  ['UDP: an entry is traffic, whatever ActiveConn says', MIXED, udp53, '172.16.100.101', 53, '1 UDP'],
  ['a persistent service: its template is left after its connection finished', MIXED, persistent80, '172.16.100.101', 80, '1 persistence template'],
  ['a port-0 service: its template has ports 0, its connections any port', MIXED, everyPort, '172.16.100.101', 0, '1 ESTABLISHED, 1 persistence template'],
  ['a fwmark service: its template is protocol IP with the mark as address', MIXED, mark10, '172.16.100.103', 0, '1 persistence template'],
  ['IPv6 in brackets', MIXED, ipv6, '2001:db8:1::101', 80, '1 ESTABLISHED'],
];

describe('parseConnectionEntries', () => {
  it('reads every entry, with its expiry in seconds and templates told apart', () => {
    const entries = parseConnectionEntries(MIXED);
    expect(entries).toHaveLength(9);
    expect(entries[0]).toEqual({
      protocol: 'UDP',
      expiresSeconds: 298,
      state: 'UDP',
      source: { address: '192.168.0.10', port: 53001 },
      virtual: { address: '192.168.0.109', port: 53 },
      destination: { address: '172.16.100.101', port: 53 },
      template: false,
    });
    expect(entries.filter((entry) => entry.template).map((entry) => `${entry.protocol} ${entry.virtual.address}:${entry.virtual.port}`)).toEqual(['TCP 192.168.0.110:80', 'TCP 192.168.0.111:0', 'IP 0.0.0.10:0']);
    expect(entries[8].destination).toEqual({ address: '2001:db8:1::101', port: 80 });
  });

  it('reads an empty table (the headings only)', () => {
    expect(parseConnectionEntries('IPVS connection entries\npro expire state       source             virtual            destination\n')).toEqual([]);
  });

  it('refuses a line it cannot read', () => {
    expect(() => parseConnectionEntries('IPVS connection entries\nTCP soon ESTABLISHED a b c\n')).toThrow('cannot read "TCP soon ESTABLISHED a b c"');
  });

  it.each(CASES)('%s', (_what, table, key, address, port, left) => {
    expect(describeEntries(stillGoing(entriesOf(parseConnectionEntries(table), key, { address, port })))).toBe(left);
  });
});

describe('parseServiceCounters', () => {
  it('reads Weight, ActiveConn and InActConn per service and server, fwmark and IPv6 included', () => {
    const counters = parseServiceCounters(fixture('list-counters.txt'));
    expect([...counters.keys()]).toEqual(['-t 192.168.0.109:80', '-u 192.168.0.109:53', '-t 192.168.0.110:80', '-f 10', '-t [2001:db8::109]:80']);
    expect(counters.get('-t 192.168.0.109:80')).toEqual([
      { server: '172.16.100.101:80', weight: 1, active: 2, inactive: 2 },
      { server: '172.16.100.102:80', weight: 1, active: 1, inactive: 0 },
    ]);
    // A UDP server's ActiveConn is 0 however busy it is: only its entries count.
    expect(counters.get('-u 192.168.0.109:53')?.[0]).toEqual({ server: '172.16.100.101:53', weight: 1, active: 0, inactive: 1 });
    expect(counters.get('-f 10')).toEqual([{ server: '172.16.100.103:0', weight: 1, active: 0, inactive: 1 }]);
    expect(counters.get('-t [2001:db8::109]:80')).toEqual([{ server: '[2001:db8:1::101]:80', weight: 1, active: 1, inactive: 0 }]);
  });
});

describe('parseMemberActivity', () => {
  it('says IPVS is not loaded when the command printed nothing', () => {
    expect(parseMemberActivity({ stdout: '', stderr: '', exitCode: 0 })).toEqual({ loaded: false, counters: new Map(), connections: [] });
  });

  it('reads the sections and expire_quiescent_template', () => {
    const stdout = `lvs-ipvs-section counters\n${fixture('list-counters.txt')}lvs-ipvs-section connections\n${TCP}lvs-ipvs-section quiescent\n0\n`;
    const activity = parseMemberActivity({ stdout, stderr: '', exitCode: 0 });
    expect(activity.connections).toHaveLength(7);
    expect(activity.counters.size).toBe(5);
    expect(activity.expireQuiescentTemplate).toBe('0');
  });
});

/**
 * A directory with an `ipvsadm` that prints table.1, table.2, ... on successive calls (the
 * last one again after that), or with no tables fails as it does on a kernel without IPVS.
 */
function fakeIpvsadm(tables: string[]): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-fake-ipvsadm-'));
  tables.forEach((table, index) => writeFileSync(join(dir, `table.${index + 1}`), table));
  writeFileSync(
    join(dir, 'ipvsadm'),
    `#!/bin/sh
[ "$*" = "-L -n -c" ] || { echo "unexpected: $*" >&2; exit 9; }
${tables.length ? '' : `echo "Can't initialize ipvs: Protocol not available" >&2; exit 1`}
dir=$(dirname "$0"); n=$(cat "$dir/n" 2>/dev/null || echo 1)
[ -e "$dir/table.$n" ] || n=${tables.length}
cat "$dir/table.$n"; echo $((n + 1)) >"$dir/n"
`,
  );
  chmodSync(join(dir, 'ipvsadm'), 0o755);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function waitFor(key: ServiceKey, address: string, port: number, overrides: Partial<IdleWait> = {}): IdleWait {
  const byAddress = key.kind === 'address';
  return {
    protocol: byAddress ? key.protocol.toUpperCase() : '',
    virtualAddress: byAddress ? key.address : '',
    virtualPort: byAddress && key.port ? String(key.port) : '',
    serverAddress: address,
    serverPort: port ? String(port) : '',
    timeout: 0,
    poll: 1,
    onTimeout: 'continue',
    label: 'rs',
    ...overrides,
  };
}

/** Runs the wait as the engine does, in a batch with its progress framed, against the fake ipvsadm. */
function runWait(wait: IdleWait, tables: string[]) {
  const fake = fakeIpvsadm(tables);
  try {
    const batch = batchScript([idleWaitCommand(wait)], { progress: [0] });
    const run = spawnSync('sh', ['-s'], { input: batch.script, encoding: 'utf8', env: { ...process.env, PATH: `${fake.dir}:${process.env.PATH}` }, timeout: 20_000 });
    const progress = run.stdout.split('\n').flatMap((line) => batch.progress(line)?.text ?? []);
    return { result: batch.parse(run.stdout)[0], progress };
  } finally {
    fake.remove();
  }
}

describe('the wait_idle script on the host', () => {
  it.each(CASES)('agrees with the parser: %s', (_what, table, key, address, port, left) => {
    const { result } = runWait(waitFor(key, address, port), [table]);
    expect(result.exitCode).toBe(0);
    const count = left === '' ? 0 : left.split(', ').reduce((total, part) => total + Number(part.split(' ')[0]), 0);
    // Seconds as the host's clock counts them: a loaded machine can cross a second or two.
    expect(result.stdout).toMatch(new RegExp(`^${left === '' ? 'rs idle after \\d+s' : `rs not idle after \\d+s: ${count} left \\(${left}\\); going on as on_timeout says`}\n$`));
  });

  it('shows the count going down as progress, then how long it took', () => {
    const drained = fixture('connections-nat-tcp-drained.txt');
    const { result, progress } = runWait(waitFor(tcp80, '172.16.100.101', 80, { timeout: 30 }), [TCP, TCP.replace(/.*SYN_RECV.*\n/, ''), drained]);
    expect(progress).toEqual([expect.stringMatching(/^2 left \(1 ESTABLISHED, 1 SYN_RECV\), \d+s of 30s$/), expect.stringMatching(/^1 left \(1 ESTABLISHED\), [1-9]\d*s of 30s$/)]);
    expect(result).toEqual({ exitCode: 0, stdout: expect.stringMatching(/^rs idle after [2-9]\d*s\n$/), stderr: '' });
  });

  it('fails at its deadline with what was left, when on_timeout is fail', () => {
    const { result, progress } = runWait(waitFor(tcp80, '172.16.100.101', 80, { timeout: 1, onTimeout: 'fail' }), [TCP]);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.every((line) => line.startsWith('2 left (1 ESTABLISHED, 1 SYN_RECV), '))).toBe(true);
    expect(result).toEqual({ exitCode: 1, stdout: '', stderr: expect.stringMatching(/^rs not idle after [1-9]\d*s: 2 left \(1 ESTABLISHED, 1 SYN_RECV\)\n$/) });
  });

  it('fails at once, with ipvsadm\'s message, when ipvsadm cannot read the table', () => {
    const { result } = runWait(waitFor(tcp80, '172.16.100.101', 80, { timeout: 30 }), []);
    expect(result).toEqual({ exitCode: 2, stdout: '', stderr: "Can't initialize ipvs: Protocol not available\n" });
  });
});
