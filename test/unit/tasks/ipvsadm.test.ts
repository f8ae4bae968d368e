import Ajv from 'ajv';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { CommandResult, Plan, TaskContext } from '../../../src/api';
import { parseRemoteFile, type RemoteFile } from '../../../src/facts/file';
import { parseIpvsState } from '../../../src/facts/ipvs';
import { parseOsRelease } from '../../../src/facts/service';
import ipvsadm from '../../../src/tasks/ipvsadm';

const IPVS_FIXTURES = join(__dirname, '../fixtures/ipvs');
const SERVICE_FIXTURES = join(__dirname, '../fixtures/services');
const fixtureText = (name: string) => readFileSync(join(IPVS_FIXTURES, name), 'utf8');
const fixtureResult = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as CommandResult;

const ajv = new Ajv({ useDefaults: true, coerceTypes: true, allErrors: true, strict: false });
const validateSchema = ajv.compile(ipvsadm.schema);
const context: TaskContext = { host: 'director', templates: {}, files: {}, expressions: {} };

/** Arguments as the engine hands them over: schema defaults and coercion, then validate(). */
function args(input: Record<string, unknown>): Record<string, unknown> & { state: string } {
  const copy = structuredClone(input);
  if (!validateSchema(copy)) throw new Error(`schema: ${ajv.errorsText(validateSchema.errors)}`);
  const problems = ipvsadm.validate!(copy as never);
  if (problems.length) throw new Error(`validate: ${problems.join('; ')}`);
  return copy as Record<string, unknown> & { state: string };
}

function problems(input: Record<string, unknown>): string[] {
  const copy = structuredClone(input);
  if (!validateSchema(copy)) return (validateSchema.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  return ipvsadm.validate!(copy as never);
}

/**
 * The facts of a host whose kernel has these modules and this table, read through the real
 * parser from output in the fact command's format (module lines, marker, ipvsadm -S -n).
 */
function table(rules: string | undefined, modules: Record<string, string> = { ip_vs: 'loaded', ip_vs_rr: 'loaded', ip_vs_wlc: 'loaded' }) {
  return (input: Record<string, unknown> & { state: string }) => {
    const wanted = input.state === 'present' ? ['ip_vs', `ip_vs_${String(input.scheduler)}`] : [];
    const moduleLines = wanted.map((name) => `${name} ${modules[name] ?? 'available'}\n`).join('');
    const marker = rules === undefined ? 'lvs-ipvs-table not-loaded\n' : `lvs-ipvs-table loaded\n${rules}`;
    return parseIpvsState({ stdout: moduleLines + marker, stderr: '', exitCode: 0 }, wanted, input.state === 'present');
  };
}

function plan(input: Record<string, unknown>, rules: string | undefined, modules?: Record<string, string>, extra: Record<string, unknown> = {}): Plan {
  const checked = args(input);
  return ipvsadm.plan(checked as never, { table: table(rules, modules)(checked), ...extra } as never, context);
}

const commands = (result: Plan) => result.commands.map((command) => command.run.text);

const NAT = {
  address: '192.168.0.109',
  port: 80,
  scheduler: 'rr',
  real_servers: [
    { address: '172.16.100.101', forwarding: 'nat' },
    { address: '172.16.100.102', forwarding: 'nat' },
  ],
};
const NAT_RULES = `-A -t 192.168.0.109:80 -s rr
-a -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 1
-a -t 192.168.0.109:80 -r 172.16.100.102:80 -m -w 1
`;

describe('ipvsadm plan: adding a service', () => {
  it('creates the service, then its real servers', () => {
    expect(commands(plan(NAT, ''))).toEqual([
      'ipvsadm -A -t 192.168.0.109:80 -s rr',
      'ipvsadm -a -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 1',
      'ipvsadm -a -t 192.168.0.109:80 -r 172.16.100.102:80 -m -w 1',
    ]);
  });

  it('twin: nothing when the kernel already has it', () => {
    const result = plan(NAT, NAT_RULES);
    expect(result.changes).toEqual([]);
    expect(result.noop).toBe('-t 192.168.0.109:80 (-s rr) has its 2 real servers as listed; modules ip_vs and ip_vs_rr are in the kernel');
  });

  it('leaves other services alone', () => {
    const other = '-A -t 192.168.0.200:80 -s wlc\n-a -t 192.168.0.200:80 -r 10.0.0.1:80 -g -w 1\n';
    expect(plan(NAT, other + NAT_RULES).changes).toEqual([]);
    expect(commands(plan(NAT, other))[0]).toBe('ipvsadm -A -t 192.168.0.109:80 -s rr');
  });

  it('shows the rules it adds as the diff', () => {
    expect(plan(NAT, '').changes[0]).toEqual({ subject: '-t 192.168.0.109:80', before: null, after: '-A -t 192.168.0.109:80 -s rr' });
  });
});

describe('ipvsadm plan: kernel modules', () => {
  it('loads ip_vs and the scheduler module first when they can be loaded (IPVS not loaded yet)', () => {
    const result = plan(NAT, undefined, { ip_vs: 'available', ip_vs_rr: 'available' });
    expect(commands(result).slice(0, 3)).toEqual(['modprobe -- ip_vs', 'modprobe -- ip_vs_rr', 'ipvsadm -A -t 192.168.0.109:80 -s rr']);
    expect(result.changes[0]).toEqual({ subject: 'ip_vs module', before: 'not loaded', after: 'loaded' });
  });

  it('loads only the scheduler module when ip_vs is loaded', () => {
    expect(commands(plan({ ...NAT, scheduler: 'mh' }, NAT_RULES, { ip_vs: 'loaded', ip_vs_mh: 'available' }))).toEqual([
      'modprobe -- ip_vs_mh',
      'ipvsadm -E -t 192.168.0.109:80 -s mh',
    ]);
  });

  it('twin: loads nothing built in, and nothing modprobe cannot find (ipvsadm will say if the scheduler is really missing)', () => {
    expect(plan(NAT, NAT_RULES, { ip_vs: 'builtin', ip_vs_rr: 'builtin' }).changes).toEqual([]);
    expect(plan(NAT, NAT_RULES, { ip_vs: 'builtin', ip_vs_rr: 'missing' }).changes).toEqual([]);
  });

  it('reads the real output of this kernel (no IPVS) as a failure, not a plan', () => {
    const checked = args({ ...NAT, scheduler: 'wlc' });
    const facts = ipvsadm.facts(checked as never, context);
    expect(() => facts.table.parse(fixtureResult(IPVS_FIXTURES, 'state-kernel-without-ipvs'))).toThrow(
      'IPVS is not available in this kernel: modprobe: FATAL: Module ip_vs not found',
    );
  });
});

describe('ipvsadm plan: editing the service', () => {
  it('changes the scheduler with -E', () => {
    const result = plan({ ...NAT, scheduler: 'wlc' }, NAT_RULES);
    expect(commands(result)).toEqual(['ipvsadm -E -t 192.168.0.109:80 -s wlc']);
    expect(result.changes).toEqual([{ subject: '-t 192.168.0.109:80', before: '-A -t 192.168.0.109:80 -s rr', after: '-A -t 192.168.0.109:80 -s wlc' }]);
  });

  it('adds persistence, and twin: the kernel prints -p 300 for it', () => {
    expect(commands(plan({ ...NAT, persistent: 300 }, NAT_RULES))).toEqual(['ipvsadm -E -t 192.168.0.109:80 -s rr -p 300']);
    expect(plan({ ...NAT, persistent: 300 }, NAT_RULES.replace('-s rr', '-s rr -p 300')).changes).toEqual([]);
  });

  it('changes the persistence timeout, and removes persistence that is not asked for', () => {
    expect(commands(plan({ ...NAT, persistent: 60 }, NAT_RULES.replace('-s rr', '-s rr -p 300')))).toEqual(['ipvsadm -E -t 192.168.0.109:80 -s rr -p 60']);
    expect(commands(plan(NAT, NAT_RULES.replace('-s rr', '-s rr -p 300')))).toEqual(['ipvsadm -E -t 192.168.0.109:80 -s rr']);
  });

  it('resets a persistence netmask this task does not declare; twin: the default /32 is not printed', () => {
    expect(commands(plan({ ...NAT, persistent: 300 }, NAT_RULES.replace('-s rr', '-s rr -p 300 -M 255.255.255.0')))).toEqual([
      'ipvsadm -E -t 192.168.0.109:80 -s rr -p 300',
    ]);
    expect(plan({ ...NAT, persistent: 300 }, NAT_RULES.replace('-s rr', '-s rr -p 300 -M 255.255.255.255')).changes).toEqual([]);
  });
});

describe('ipvsadm plan: real servers', () => {
  it('adds a missing real server', () => {
    const result = plan(NAT, NAT_RULES.split('\n').slice(0, 2).join('\n') + '\n');
    expect(commands(result)).toEqual(['ipvsadm -a -t 192.168.0.109:80 -r 172.16.100.102:80 -m -w 1']);
  });

  it('edits a weight with -e, including to 0 (quiescent); twin: weight 0 already', () => {
    const drained = { ...NAT, real_servers: [NAT.real_servers[0], { ...NAT.real_servers[1], weight: 0 }] };
    const result = plan(drained, NAT_RULES);
    expect(commands(result)).toEqual(['ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.102:80 -m -w 0']);
    expect(result.changes).toEqual([
      {
        subject: '-t 192.168.0.109:80 -r 172.16.100.102:80',
        before: '-a -t 192.168.0.109:80 -r 172.16.100.102:80 -m -w 1',
        after: '-a -t 192.168.0.109:80 -r 172.16.100.102:80 -m -w 0',
      },
    ]);
    expect(plan(drained, NAT_RULES.replace('102:80 -m -w 1', '102:80 -m -w 0')).changes).toEqual([]);
  });

  it('changes the forwarding method with -e', () => {
    const routed = { ...NAT, real_servers: NAT.real_servers.map((server) => ({ address: server.address })) };
    expect(commands(plan(routed, NAT_RULES))).toEqual([
      'ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.101:80 -g -w 1',
      'ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.102:80 -g -w 1',
    ]);
  });

  it('clears thresholds set by hand; twin: -x 0 -y 0 are no thresholds', () => {
    expect(commands(plan(NAT, NAT_RULES.replace('101:80 -m -w 1', '101:80 -m -w 1 -x 100 -y 50')))).toEqual([
      'ipvsadm -e -t 192.168.0.109:80 -r 172.16.100.101:80 -m -w 1',
    ]);
    expect(plan(NAT, NAT_RULES.replace('101:80 -m -w 1', '101:80 -m -w 1 -x 0 -y 0')).changes).toEqual([]);
  });

  it('maps a NAT real server to another port', () => {
    const mapped = { ...NAT, real_servers: [{ address: '172.16.100.101', port: 8080, forwarding: 'nat' }] };
    expect(commands(plan(mapped, '-A -t 192.168.0.109:80 -s rr\n'))).toEqual(['ipvsadm -a -t 192.168.0.109:80 -r 172.16.100.101:8080 -m -w 1']);
    expect(plan(mapped, '-A -t 192.168.0.109:80 -s rr\n-a -t 192.168.0.109:80 -r 172.16.100.101:8080 -m -w 1\n').changes).toEqual([]);
  });
});

describe('ipvsadm plan: purge', () => {
  const extra = `${NAT_RULES}-a -t 192.168.0.109:80 -r 172.16.100.103:80 -m -w 1\n`;

  it('removes unlisted real servers of this service with -d when purge is on', () => {
    const result = plan({ ...NAT, purge: true }, extra);
    expect(commands(result)).toEqual(['ipvsadm -d -t 192.168.0.109:80 -r 172.16.100.103:80']);
    expect(result.changes[0].after).toBeNull();
  });

  it('twin: keeps them when purge is off', () => {
    expect(plan(NAT, extra).changes).toEqual([]);
  });

  it('twin: nothing to purge when only listed servers exist', () => {
    expect(plan({ ...NAT, purge: true }, NAT_RULES).changes).toEqual([]);
  });

  it('adds before it deletes, so the service never loses every server at once', () => {
    const replaced = { ...NAT, purge: true, real_servers: [{ address: '172.16.100.109', forwarding: 'nat' }] };
    expect(commands(plan(replaced, NAT_RULES))).toEqual([
      'ipvsadm -a -t 192.168.0.109:80 -r 172.16.100.109:80 -m -w 1',
      'ipvsadm -d -t 192.168.0.109:80 -r 172.16.100.101:80',
      'ipvsadm -d -t 192.168.0.109:80 -r 172.16.100.102:80',
    ]);
  });
});

describe('ipvsadm plan: state absent', () => {
  it('deletes the service (and its real servers) with -D', () => {
    const result = plan({ address: '192.168.0.109', port: 80, state: 'absent' }, NAT_RULES);
    expect(commands(result)).toEqual(['ipvsadm -D -t 192.168.0.109:80']);
    expect(result.changes[0]).toEqual({ subject: '-t 192.168.0.109:80', before: NAT_RULES, after: null });
  });

  it('twin: nothing when the service is not there', () => {
    expect(plan({ address: '192.168.0.109', port: 80, state: 'absent' }, '-A -t 192.168.0.109:443 -s rr\n').noop).toBe(
      '-t 192.168.0.109:80 is not in the IPVS table',
    );
  });

  it('twin: nothing when IPVS is not loaded (real output from this machine)', () => {
    const checked = args({ address: '192.168.0.109', port: 80, state: 'absent' });
    const facts = ipvsadm.facts(checked as never, context);
    const state = facts.table.parse(fixtureResult(IPVS_FIXTURES, 'state-absent-without-modules'));
    expect(ipvsadm.plan(checked as never, { table: state } as never, context).noop).toBe('-t 192.168.0.109:80 is not in the IPVS table (IPVS is not loaded)');
  });

  it('deletes a fwmark service of either address family', () => {
    const rules = '-A -f 5 -s wlc\n-A -f 5 -6 -s wlc\n-A -f 6 -s wlc\n';
    expect(commands(plan({ fwmark: 5, state: 'absent' }, rules))).toEqual(['ipvsadm -D -f 5', 'ipvsadm -D -f 5 -6']);
  });
});

describe('ipvsadm plan: fwmark services', () => {
  const marked = { fwmark: 5, real_servers: [{ address: '10.20.0.11' }, { address: '10.20.0.12', forwarding: 'nat', port: 8080 }] };
  const markedRules = '-A -f 5 -s wlc\n-a -f 5 -r 10.20.0.11:0 -g -w 1\n-a -f 5 -r 10.20.0.12:8080 -m -w 1\n';

  it('adds the service by mark; real servers without a port get port 0 as ipvsadm gives them', () => {
    expect(commands(plan(marked, ''))).toEqual([
      'ipvsadm -A -f 5 -s wlc',
      'ipvsadm -a -f 5 -r 10.20.0.11:0 -g -w 1',
      'ipvsadm -a -f 5 -r 10.20.0.12:8080 -m -w 1',
    ]);
  });

  it('twin: nothing when the kernel has it', () => {
    expect(plan(marked, markedRules).changes).toEqual([]);
  });

  it('is an IPv6 fwmark service (-6) when every real server is IPv6', () => {
    const six = { fwmark: 9, real_servers: [{ address: 'FD00::11' }] };
    expect(commands(plan(six, ''))).toEqual(["ipvsadm -A -f 9 -6 -s wlc", "ipvsadm -a -f 9 -6 -r '[fd00::11]:0' -g -w 1"]);
    expect(plan(six, '-A -f 9 -6 -s wlc\n-a -f 9 -6 -r [fd00::11]:0 -g -w 1\n').changes).toEqual([]);
  });
});

describe('ipvsadm plan: IPv6', () => {
  const six = { address: '2001:DB8::100', port: 80, real_servers: [{ address: '2001:db8:0:0:0:0:0:11' }] };

  it('writes canonical bracketed addresses, quoted for the shell (brackets are glob characters)', () => {
    expect(commands(plan(six, ''))).toEqual([
      "ipvsadm -A -t '[2001:db8::100]:80' -s wlc",
      "ipvsadm -a -t '[2001:db8::100]:80' -r '[2001:db8::11]:80' -g -w 1",
    ]);
  });

  it('twin: matches the kernel’s inet_ntop form whatever the spelling in the arguments', () => {
    expect(plan(six, '-A -t [2001:db8::100]:80 -s wlc\n-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -g -w 1\n').changes).toEqual([]);
  });
});

describe('ipvsadm plan: tunnels', () => {
  const tun = { address: '192.168.2.200', port: 80, scheduler: 'rr', real_servers: [{ address: '172.16.20.11', forwarding: 'tun' }] };

  it('adds a tunnel real server with -i (ipip, the default, so ipvsadm older than 1.30 understands it too)', () => {
    expect(commands(plan(tun, '-A -t 192.168.2.200:80 -s rr\n'))).toEqual(['ipvsadm -a -t 192.168.2.200:80 -r 172.16.20.11:80 -i -w 1']);
  });

  it('twin: the kernel prints --tun-type ipip for it', () => {
    expect(plan(tun, '-A -t 192.168.2.200:80 -s rr\n-a -t 192.168.2.200:80 -r 172.16.20.11:80 -i -w 1 --tun-type ipip\n').changes).toEqual([]);
  });

  it('turns a GUE tunnel set by hand back into IPIP', () => {
    const rules = '-A -t 192.168.2.200:80 -s rr\n-a -t 192.168.2.200:80 -r 172.16.20.11:80 -i -w 1 --tun-type gue --tun-port 6080\n';
    expect(commands(plan(tun, rules))).toEqual(['ipvsadm -e -t 192.168.2.200:80 -r 172.16.20.11:80 -i -w 1']);
  });

  it('may reach an IPv6 real server from an IPv4 service, as only tunnels can', () => {
    const mixed = { ...tun, real_servers: [{ address: 'fd00::11', forwarding: 'tun' }] };
    expect(commands(plan(mixed, '-A -t 192.168.2.200:80 -s rr\n'))).toEqual(["ipvsadm -a -t 192.168.2.200:80 -r '[fd00::11]:80' -i -w 1"]);
  });
});

describe('ipvsadm plan: save', () => {
  const debian = parseOsRelease(fixtureResult(SERVICE_FIXTURES, 'os-release-debian12'));
  const rocky = parseOsRelease(fixtureResult(SERVICE_FIXTURES, 'os-release-rocky94'));
  const absent: RemoteFile = { exists: false, content: '' };
  const file = (content: string): RemoteFile => parseRemoteFile({ stdout: `644 root root\n${Buffer.from(content).toString('base64')}\n`, stderr: '', exitCode: 0 });
  const defaults = file('# ipvsadm\n\n# if you want to start ipvsadm on boot set this to true\nAUTO="false"\n\n# daemon method (none|master|backup)\nDAEMON="none"\n');

  it('writes the kernel’s dump to /etc/ipvsadm.rules and sets AUTO="true" on Debian', () => {
    const result = plan({ ...NAT, save: true }, NAT_RULES, undefined, { os: debian, debianRules: file('# ipvsadm.rules\n'), rhelRules: absent, debianDefaults: defaults });
    expect(commands(result)).toEqual([
      `{ { lvs_dest=$(readlink -f -- /etc/ipvsadm.rules) || lvs_dest=/etc/ipvsadm.rules; } && { [ -f "$lvs_dest" ] || [ ! -e "$lvs_dest" ] || { echo '/etc/ipvsadm.rules is not a regular file' >&2; false; }; } && ` +
        `lvs_tmp=$(mktemp -- "$lvs_dest.lvs-XXXXXX") && { printf %s '# ipvsadm.rules\n'; if [ -e /proc/net/ip_vs ]; then ipvsadm -S -n; fi; } > "$lvs_tmp" && chmod -- 0644 "$lvs_tmp" && mv -f -- "$lvs_tmp" "$lvs_dest"; } || { lvs_rc=$?; rm -f -- "$lvs_tmp"; exit $lvs_rc; }`,
      expect.stringContaining('{ lvs_dest=$(readlink -f -- /etc/default/ipvsadm) || lvs_dest=/etc/default/ipvsadm; }'),
    ]);
    expect(result.changes.map((change) => change.subject)).toEqual(['/etc/ipvsadm.rules', '/etc/default/ipvsadm']);
    expect(result.changes[0].after).toBe(NAT_RULES);
    expect(result.changes[1].after).toBe(String(defaults.content).replace('AUTO="false"', 'AUTO="true"'));
  });

  it('twin: nothing when the saved rules (with the header, in another order) match and AUTO is true', () => {
    const reordered = `# ipvsadm.rules\n${NAT_RULES.split('\n')[0]}\n${NAT_RULES.split('\n')[2]}\n${NAT_RULES.split('\n')[1]}\n`;
    const result = plan({ ...NAT, save: true }, NAT_RULES, undefined, {
      os: debian,
      debianRules: file(reordered),
      rhelRules: absent,
      debianDefaults: file(defaults.content.replace('AUTO="false"', 'AUTO="true"')),
    });
    expect(result.changes).toEqual([]);
  });

  it('saves the table as it will be after this task’s own commands', () => {
    const result = plan({ ...NAT, scheduler: 'wlc', save: true }, NAT_RULES, undefined, {
      os: debian,
      debianRules: file(`# ipvsadm.rules\n${NAT_RULES}`),
      rhelRules: absent,
      debianDefaults: file('AUTO="true"\n'),
    });
    expect(commands(result)[0]).toBe('ipvsadm -E -t 192.168.0.109:80 -s wlc');
    expect(result.changes[1]).toMatchObject({ subject: '/etc/ipvsadm.rules', after: NAT_RULES.replace('-s rr', '-s wlc') });
  });

  it('writes /etc/sysconfig/ipvsadm on RHEL-like hosts, without a header', () => {
    const result = plan({ ...NAT, save: true }, NAT_RULES, undefined, { os: rocky, debianRules: absent, rhelRules: absent, debianDefaults: absent });
    expect(commands(result)).toEqual([
      `{ { lvs_dest=$(readlink -f -- /etc/sysconfig/ipvsadm) || lvs_dest=/etc/sysconfig/ipvsadm; } && { [ -f "$lvs_dest" ] || [ ! -e "$lvs_dest" ] || { echo '/etc/sysconfig/ipvsadm is not a regular file' >&2; false; }; } && ` +
        `lvs_tmp=$(mktemp -- "$lvs_dest.lvs-XXXXXX") && { printf %s ''; if [ -e /proc/net/ip_vs ]; then ipvsadm -S -n; fi; } > "$lvs_tmp" && chmod -- 0644 "$lvs_tmp" && mv -f -- "$lvs_tmp" "$lvs_dest"; } || { lvs_rc=$?; rm -f -- "$lvs_tmp"; exit $lvs_rc; }`,
    ]);
  });

  it('twin on RHEL: the saved file holds the table', () => {
    expect(plan({ ...NAT, save: true }, NAT_RULES, undefined, { os: rocky, debianRules: absent, rhelRules: file(NAT_RULES), debianDefaults: absent }).changes).toEqual([]);
  });

  it('rewrites a saved file it cannot read back', () => {
    const result = plan({ ...NAT, save: true }, NAT_RULES, undefined, { os: rocky, debianRules: absent, rhelRules: file('-A -t web:http -s rr\n'), debianDefaults: absent });
    expect(result.changes.map((change) => change.subject)).toEqual(['/etc/sysconfig/ipvsadm']);
  });

  it('reads only the table when save is off', () => {
    expect(Object.keys(ipvsadm.facts(args(NAT) as never, context))).toEqual(['table']);
    expect(Object.keys(ipvsadm.facts(args({ ...NAT, save: true }) as never, context))).toEqual(['table', 'os', 'debianRules', 'rhelRules', 'debianDefaults']);
  });
});

describe('ipvsadm arguments', () => {
  it('fills ipvsadm’s defaults: tcp, wlc, dr, weight 1, present, no purge, no save', () => {
    expect(args({ address: '10.0.0.1', port: 80, real_servers: [{ address: '10.0.0.11' }] })).toEqual({
      protocol: 'tcp',
      address: '10.0.0.1',
      port: 80,
      scheduler: 'wlc',
      real_servers: [{ address: '10.0.0.11', forwarding: 'dr', weight: 1 }],
      state: 'present',
      purge: false,
      save: false,
    });
  });

  it('coerces numbers given as strings on the command line', () => {
    expect(args({ fwmark: '5', persistent: '600' })).toMatchObject({ fwmark: 5, persistent: 600 });
  });

  it.each([
    [{ address: '10.0.0.1; touch /tmp/x', port: 80 }, '/address must match pattern'],
    [{ address: '$(id)', port: 80 }, '/address must match pattern'],
    [{ address: '10.0.0.1', port: '80`id`' }, '/port must be integer'],
    [{ fwmark: '1; id' }, '/fwmark must be integer'],
    [{ address: '10.0.0.1', port: 80, scheduler: 'rr;id' }, '/scheduler must be equal to one of the allowed values'],
    [{ address: '10.0.0.1', port: 80, real_servers: [{ address: "10.0.0.2'" }] }, '/real_servers/0/address must match pattern'],
    [{ address: '10.0.0.1', port: 80, real_servers: [{ address: '10.0.0.2', weight: 65536 }] }, '/real_servers/0/weight must be <= 65535'],
    [{ address: '10.0.0.1', port: 80, real_servers: [{ address: '10.0.0.2', forwarding: 'masq' }] }, '/real_servers/0/forwarding must be equal to one of the allowed values'],
    [{ address: '10.0.0.1', port: 80, persistent: 0 }, '/persistent must be >= 1'],
    [{ address: '10.0.0.1', port: 65536 }, '/port must be <= 65535'],
    [{ address: '10.0.0.1', port: 80, clear: true }, ' must NOT have additional properties'],
  ])('the schema rejects %j', (input, message) => {
    expect(problems(input)).toContainEqual(expect.stringContaining(message));
  });

  it.each([
    [{ fwmark: 5, address: '10.0.0.1' }, 'fwmark: identifies the service on its own; leave out address and port'],
    [{ port: 80 }, 'address: is required unless fwmark is given'],
    [{ address: '10.0.0.1' }, 'port: is required unless fwmark is given'],
    [{ address: '1.2.3', port: 80 }, 'address: "1.2.3" is not an IPv4 or IPv6 address'],
    [{ address: '10.0.0.1', port: 0 }, 'port: 0 (every port) needs persistent, as ipvsadm requires'],
    [
      { address: '10.0.0.1', port: 80, real_servers: [{ address: '10.0.0.11', port: 8080 }] },
      "real_servers.0.port: only nat can map to a port other than the service's 80; dr and tun keep the packet's port",
    ],
    [
      { address: '10.0.0.1', port: 80, real_servers: [{ address: '10.0.0.11', port: 8080, forwarding: 'tun' }] },
      "real_servers.0.port: only nat can map to a port other than the service's 80; dr and tun keep the packet's port",
    ],
    [
      { fwmark: 3, real_servers: [{ address: '10.0.0.11', port: 80 }] },
      "real_servers.0.port: with forwarding dr a fwmark service's packets keep their own port; only nat can set one",
    ],
    [
      { address: '10.0.0.1', port: 80, real_servers: [{ address: '10.0.0.11' }, { address: '10.0.0.11', port: 80 }] },
      'real_servers.1: 10.0.0.11:80 is already real_servers.0',
    ],
    [
      { address: '2001:db8::1', port: 80, real_servers: [{ address: '10.0.0.11' }] },
      'real_servers.0.address: an IPv6 service can only reach an IPv4 real server through a tunnel (forwarding: tun)',
    ],
    [{ address: '10.0.0.1', port: 80, real_servers: [{ address: '10.0.0.300' }] }, 'real_servers.0.address: "10.0.0.300" is not an IPv4 or IPv6 address'],
    [{ address: '10.0.0.1', port: 80, state: 'absent', real_servers: [{ address: '10.0.0.11' }] }, 'real_servers: must be empty when state is absent (the service goes with all its real servers)'],
  ])('validate rejects %j', (input, message) => {
    expect(problems(input)).toContain(message);
  });

  it('accepts the same port spelled out, port 0 with persistence, and weight 0', () => {
    expect(problems({ address: '10.0.0.1', port: 80, real_servers: [{ address: '10.0.0.11', port: 80, weight: 0 }] })).toEqual([]);
    expect(problems({ address: '10.0.0.1', port: 0, persistent: 300, real_servers: [{ address: '10.0.0.11' }] })).toEqual([]);
  });

  it('its example is valid', () => {
    expect(problems({ ...ipvsadm.example })).toEqual([]);
  });
});

describe('ipvsadm never clears the table', () => {
  it('no plan above or below uses -C', () => {
    const plans = [
      plan(NAT, ''),
      plan({ ...NAT, purge: true, real_servers: [] }, NAT_RULES),
      plan({ address: '192.168.0.109', port: 80, state: 'absent' }, NAT_RULES),
      plan({ ...NAT, scheduler: 'sh', persistent: 30 }, NAT_RULES),
    ];
    for (const result of plans) for (const command of commands(result)) expect(command).not.toMatch(/\s-C\b/);
    expect(commands(plans[1])).toEqual(['ipvsadm -d -t 192.168.0.109:80 -r 172.16.100.101:80', 'ipvsadm -d -t 192.168.0.109:80 -r 172.16.100.102:80']);
  });

  it('reads rules of the lab VM as a whole table without touching other services', () => {
    const lab = fixtureText('save-lab-vm-nat-dr-tun.txt');
    expect(commands(plan({ address: '10.9.9.9', port: 80, scheduler: 'rr' }, lab))).toEqual(['ipvsadm -A -t 10.9.9.9:80 -s rr']);
  });
});
