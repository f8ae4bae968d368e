/**
 * The cluster checks on the shipped LVS-NAT, LVS-DR and LVS-TUN clusters and on copies
 * broken one rule at a time. Declarations come from the real loading path (playbook,
 * inventory, extra vars, rendering, argument checks), as `lvs validate` makes them; no
 * host is involved. Each case lists every finding expected, with the host, the variable
 * and the playbook position it points at.
 */
import { defineTask, noop, sh, type ClusterSettings, type Fact } from '../../../src';
import { templateDirs } from '../../../src/cli/run-options';
import { compileRun } from '../../../src/engine/compile/compile';
import { InputErrors } from '../../../src/errors';
import { loadInventories } from '../../../src/engine/inventory';
import { loadPlaybook } from '../../../src/engine/playbook';
import { createRegistry, type TaskRegistry } from '../../../src/engine/registry';
import { checkTopology } from '../../../src/topology/cluster-checks';
import { describeFinding, type Finding } from '../../../src/topology/findings';
import { declarationsOf } from '../../../src/topology/declarations';
import { copyCluster, REPO_ROOT, type ClusterCopy, type ClusterEdits, type ClusterName } from '../../support/cluster-copy';

const registry = createRegistry({ projectDir: REPO_ROOT });
const SERVICE_ENTRY = 'real_servers: "{{ real_servers }}"';

interface CheckOptions {
  extraVars?: Record<string, unknown>;
  limit?: string;
  /** The built-in tasks unless given: a registry with a plugin's task in it. */
  tasks?: TaskRegistry;
}

function findingsOf(cluster: ClusterCopy, options: CheckOptions = {}): Finding[] {
  const tasks = options.tasks ?? registry;
  const inventory = loadInventories([cluster.inventory]);
  const playbook = loadPlaybook(cluster.playbook, tasks);
  const run = compileRun({
    playbook,
    inventory,
    registry: tasks,
    extraVars: options.extraVars ?? {},
    limit: options.limit,
    tags: [],
    skipTags: [],
    check: true,
    templateDirs: templateDirs(),
  });
  return checkTopology(declarationsOf(run));
}

/** `severity host key line:column`, sorted: what each case compares in full. */
function summary(findings: Finding[], cluster: ClusterCopy): string[] {
  return findings
    .map((finding) => {
      expect(finding.position.file).toBe(cluster.playbook);
      return `${finding.severity} ${finding.host} ${finding.key} ${finding.position.line}:${finding.position.column}`;
    })
    .sort();
}

const copies: ClusterCopy[] = [];
function broken(name: ClusterName, edits: ClusterEdits = {}): ClusterCopy {
  const cluster = copyCluster(name, edits);
  copies.push(cluster);
  return cluster;
}
afterAll(() => copies.forEach((cluster) => cluster.remove()));

/** Deletes a whole task: its `- name:` line and the lines up to the next task or play. */
function withoutTask(taskName: string, body: string): ClusterEdits {
  return { replace: [[`    - name: ${taskName}\n${body}`, '']] };
}

interface Case {
  rule: string;
  cluster: ClusterName;
  edits?: ClusterEdits;
  options?: CheckOptions;
  /** Each finding as [severity, host, key, needle on its line, key on that line]. */
  expected: [Finding['severity'], string, string, string, string?][];
  /** A phrase every finding's message must hold. */
  message: RegExp;
}

const RS = ['rs1', 'rs2'];
const DIRECTORS = ['director', 'director2'];
const KEEPALIVED_TASK = '    - name: keepalived holds the VIP on the master and keeps the virtual service\n';

const cases: Case[] = [
  {
    rule: 'NAT: a real server whose default route bypasses the DIP',
    cluster: 'nat',
    edits: { replace: [['via: "{{ dip }}"', 'via: 172.16.100.1']] },
    expected: RS.map((host) => ['error', host, 'route default', 'via: 172.16.100.1', 'via']),
    message: /default route must go via 172\.16\.100\.100, but it goes via 172\.16\.100\.1$/,
  },
  {
    rule: 'NAT: a real server with no default route',
    cluster: 'nat',
    edits: withoutTask('replies go back through the director', '      route: { dest: default, via: "{{ dip }}", dev: eth0 }\n'),
    expected: RS.map((host) => ['error', host, 'route default', SERVICE_ENTRY]),
    message: /has none in the playbook$/,
  },
  {
    rule: 'NAT: a director that does not forward',
    cluster: 'nat',
    edits: { replace: [['sysctl: { name: net.ipv4.ip_forward, value: 1 }', 'sysctl: { name: net.ipv4.ip_forward, value: 0 }']] },
    expected: [['error', 'director', 'net.ipv4.ip_forward', 'net.ipv4.ip_forward, value: 0', 'value']],
    message: /needs the director to forward.*\(it is 0\)$/,
  },
  {
    rule: 'NAT: a director with no ip_forward task',
    cluster: 'nat',
    edits: withoutTask('forward packets (persisted in /etc/sysctl.conf)', '      sysctl: { name: net.ipv4.ip_forward, value: 1 }\n'),
    expected: [['error', 'director', 'net.ipv4.ip_forward', 'ipvsadm:']],
    message: /not set by the playbook/,
  },
  {
    rule: 'DR: the VIP on lo with the segment prefix instead of /32',
    cluster: 'dr',
    edits: { replace: [['address: "{{ vip }}/32", dev: lo', 'address: "{{ vip }}/{{ segment_prefix }}", dev: lo']] },
    expected: RS.map((host) => ['error', host, 'ifaddr', 'address: "{{ vip }}/{{ segment_prefix }}", dev: lo', 'address']),
    message: /must be on lo as a \/32 .*\(it is 192\.168\.2\.100\/24 on lo\)$/,
  },
  {
    rule: 'DR: no VIP on the real servers',
    cluster: 'dr',
    edits: withoutTask('VIP on lo:0, a /32 (netmask 255.255.255.255)', '      ifaddr: { address: "{{ vip }}/32", dev: lo, label: "lo:0" }\n'),
    expected: RS.map((host) => ['error', host, 'ifaddr', SERVICE_ENTRY]),
    message: /the VIP 192\.168\.2\.100 must be on lo as a \/32/,
  },
  {
    rule: 'DR: arp_ignore set on all but not on the interface',
    cluster: 'dr',
    edits: { replace: [['arp_ignore", value: 1 }\n      loop: [all, eth0]', 'arp_ignore", value: 1 }\n      loop: [all]']] },
    expected: RS.map((host) => ['error', host, 'net.ipv4.conf.eth0.arp_ignore', SERVICE_ENTRY]),
    message: /must not answer ARP for the VIP: set it to 1 \(it is not set by the playbook\)$/,
  },
  {
    rule: 'DR: arp_announce 1 on all and the interface',
    cluster: 'dr',
    edits: { replace: [['arp_announce", value: 2 }', 'arp_announce", value: 1 }']] },
    expected:
      RS.flatMap((host) => ['all', 'eth0'].map((dev) => ['error', host, `net.ipv4.conf.${dev}.arp_announce`, 'arp_announce", value: 1', 'value'] as [Finding['severity'], string, string, string, string])),
    message: /set it to 2 \(it is 1\)$/,
  },
  {
    rule: 'DR: a real server on another subnet than the director',
    cluster: 'dr',
    edits: { hostVars: { rs2: { rip: '192.168.3.12' } } },
    expected: [['error', 'rs2', 'real_servers.1.address', SERVICE_ENTRY]],
    message: /needs the director and real server 192\.168\.3\.12 on one network/,
  },
  {
    rule: 'TUN: no ipip module on the real servers',
    cluster: 'tun',
    edits: withoutTask("ipip decapsulates the director's tunnelled packets (it creates tunl0)", '      kmod: { name: ipip, persist: true }\n'),
    expected: RS.map((host) => ['error', host, 'kmod ipip', SERVICE_ENTRY]),
    message: /need the ipip module/,
  },
  {
    rule: 'TUN: tunl0 left down',
    cluster: 'tun',
    edits: { replace: [['link: { dev: tunl0 }', 'link: { dev: tunl0, state: down }']] },
    expected: RS.map((host) => ['error', host, 'link tunl0', SERVICE_ENTRY]),
    message: /need tunl0 up/,
  },
  {
    rule: 'TUN: rp_filter off on tunl0 but not on all',
    cluster: 'tun',
    edits: { replace: [['rp_filter", value: 0 }\n      loop: [all, tunl0]', 'rp_filter", value: 0 }\n      loop: [tunl0]']] },
    expected: RS.map((host) => ['error', host, 'net.ipv4.conf.all.rp_filter', SERVICE_ENTRY]),
    message: /larger of conf\/all and conf\/tunl0/,
  },
  {
    rule: 'TUN: rp_filter 1 on all and tunl0',
    cluster: 'tun',
    edits: { replace: [['rp_filter", value: 0 }', 'rp_filter", value: 1 }']] },
    expected:
      RS.flatMap((host) => ['all', 'tunl0'].map((dev) => ['error', host, `net.ipv4.conf.${dev}.rp_filter`, 'rp_filter", value: 1', 'value'] as [Finding['severity'], string, string, string, string])),
    message: /set it to 0 \(it is 1\)$/,
  },
  {
    rule: 'TUN: no accept_local on a director that is the real servers\' gateway',
    cluster: 'tun',
    edits: withoutTask('accept replies from the VIP routed through this gateway', '      sysctl: { name: "net.ipv4.conf.{{ item }}.accept_local", value: 1 }\n      loop: [all, eth1]\n'),
    expected: ['all', 'eth1'].map((dev) => ['error', 'director', `net.ipv4.conf.${dev}.accept_local`, SERVICE_ENTRY]),
    message: /drops them as martians/,
  },
  {
    rule: 'TUN: accept_local only on all, not on the interface the replies arrive on',
    cluster: 'tun',
    edits: { replace: [['accept_local", value: 1 }\n      loop: [all, eth1]', 'accept_local", value: 1 }\n      loop: [all]']] },
    expected: [['error', 'director', 'net.ipv4.conf.eth1.accept_local', SERVICE_ENTRY]],
    message: /drops them as martians/,
  },
  {
    rule: 'any: a real server that is neither a host nor in a network of the inventory',
    cluster: 'nat',
    options: { extraVars: { real_servers: [{ address: '172.16.100.101', forwarding: 'nat' }, { address: '10.9.9.9', forwarding: 'nat' }] } },
    expected: [['error', 'director', 'real_servers.1.address', SERVICE_ENTRY]],
    message: /real server 10\.9\.9\.9 is neither a host of the inventory nor in one of its networks$/,
  },
  {
    rule: 'any: a real server in a network of the cluster that no host holds (a warning)',
    cluster: 'dr',
    options: { extraVars: { real_servers: [{ address: '192.168.2.11' }, { address: '192.168.2.13' }] } },
    expected: [['warning', 'director', 'real_servers.1.address', SERVICE_ENTRY]],
    message: /real server 192\.168\.2\.13 is in a network of the cluster, but no host checked here holds it/,
  },
  {
    rule: 'any: real servers left out by --limit can only be warned about',
    cluster: 'tun',
    options: { limit: 'director' },
    expected: [0, 1].map((index) => ['warning', 'director', `real_servers.${index}.address`, SERVICE_ENTRY]),
    message: /left out by --limit/,
  },
  {
    rule: 'DR: the real servers\' VIP set with persist: false (a warning: gone after a reboot)',
    cluster: 'dr',
    edits: { replace: [['address: "{{ vip }}/32", dev: lo, label: "lo:0" }', 'address: "{{ vip }}/32", dev: lo, label: "lo:0", persist: false }']] },
    expected: RS.map((host) => ['warning', host, 'persist', 'label: "lo:0", persist: false', 'persist']),
    message: /^the VIP 192\.168\.2\.100 on lo is set with persist: false, so rs\d loses it at its next reboot/,
  },
  {
    rule: 'DR: the director\'s VIP set with persist: false (a warning)',
    cluster: 'dr',
    edits: { replace: [['dev: eth0, label: "eth0:0" }', 'dev: eth0, label: "eth0:0", persist: false }']] },
    expected: [['warning', 'director', 'persist', 'label: "eth0:0", persist: false', 'persist']],
    message: /^the VIP 192\.168\.2\.100 on eth0 is set with persist: false, so director loses it/,
  },
  {
    rule: 'TUN: the host route to the VIP and tunl0 up set with persist: false (warnings)',
    cluster: 'tun',
    edits: {
      replace: [
        ['route: { dest: "{{ vip }}", dev: "lo:0" }', 'route: { dest: "{{ vip }}", dev: "lo:0", persist: false }'],
        ['link: { dev: tunl0 }', 'link: { dev: tunl0, persist: false }'],
      ],
    },
    expected: RS.flatMap((host) => [
      ['warning', host, 'persist', 'dev: "lo:0", persist: false', 'persist'],
      ['warning', host, 'persist', 'dev: tunl0, persist: false', 'persist'],
    ] as [Finding['severity'], string, string, string, string][]),
    message: /^(its route|tunl0 up) is set with persist: false/,
  },
  {
    rule: 'NAT: the real servers\' default route set with persist: false (a warning)',
    cluster: 'nat',
    edits: { replace: [['via: "{{ dip }}", dev: eth0 }', 'via: "{{ dip }}", dev: eth0, persist: false }']] },
    expected: RS.map((host) => ['warning', host, 'persist', 'dev: eth0, persist: false', 'persist']),
    message: /^its route is set with persist: false/,
  },
  {
    rule: 'HA: one virtual service kept by both ipvsadm and keepalived on a director',
    cluster: 'dr-ha',
    edits: { replace: [[KEEPALIVED_TASK, `    - name: the same service by hand\n      ipvsadm: { address: "{{ vip }}", port: 80, real_servers: "{{ real_servers }}" }\n${KEEPALIVED_TASK}`]] },
    expected: DIRECTORS.map((host) => ['error', host, 'virtual_servers.0.address', '            address: "{{ vip }}"', 'address']),
    message: /^the virtual service tcp 192\.168\.2\.100:80 is kept by both ipvsadm \(.*lvs-dr-ha\.yml:\d+\) and keepalived: each would undo/,
  },
  {
    rule: 'HA: the VRRP VIP also put on the directors by an ifaddr task (a warning)',
    cluster: 'dr-ha',
    edits: { replace: [[KEEPALIVED_TASK, `    - name: VIP by hand\n      ifaddr: { address: "{{ vip }}/{{ segment_prefix }}", dev: eth0, label: "eth0:0" }\n${KEEPALIVED_TASK}`]] },
    expected: DIRECTORS.map((host) => ['warning', host, 'address', 'ifaddr: { address: "{{ vip }}/{{ segment_prefix }}", dev: eth0, label', 'address']),
    message: /^192\.168\.2\.100 is a VIP of VRRP instance VI_1 on director2?, which keepalived moves to the master director; a static address/,
  },
  {
    rule: 'HA: the directors of a pair with different virtual_router_ids',
    cluster: 'dr-ha',
    edits: { hostVars: { director2: { virtual_router_id: 52 } } },
    expected: [['error', 'director2', 'vrrp_instances.0.virtual_router_id', 'virtual_router_id: "{{ virtual_router_id }}"', 'virtual_router_id']],
    message: /^VRRP instance VI_1 has virtual_router_id 52 on director2 but 51 on director: the directors of a pair need the same one$/,
  },
  {
    rule: 'HA: the directors of a pair with one priority',
    cluster: 'dr-ha',
    edits: { hostVars: { director2: { vrrp_priority: 150 } } },
    expected: [['error', 'director2', 'vrrp_instances.0.priority', 'priority: "{{ vrrp_priority }}"', 'priority']],
    message: /^VRRP instance VI_1 has priority 150 on both director and director2/,
  },
  {
    rule: 'HA: the directors of a pair with different VIPs (another prefix)',
    cluster: 'dr-ha',
    edits: { hostVars: { director2: { segment_prefix: 25 } } },
    expected: [['error', 'director2', 'vrrp_instances.0.virtual_ipaddresses', 'virtual_ipaddresses:', 'virtual_ipaddresses']],
    message: /^VRRP instance VI_1 moves 192\.168\.2\.100\/25 on director2 but 192\.168\.2\.100\/24 on director: the directors of a pair need the same VIPs$/,
  },
  {
    rule: 'HA: the directors of a pair with different real servers',
    cluster: 'dr-ha',
    edits: { hostVars: { director2: { real_servers: [{ address: '192.168.2.11', forwarding: 'dr' }] } } },
    expected: [['error', 'director2', 'virtual_servers.0.address', '            address: "{{ vip }}"', 'address']],
    message: /^the virtual service tcp 192\.168\.2\.100:80 has real servers 192\.168\.2\.11 dr on director2 but 192\.168\.2\.11 dr, 192\.168\.2\.12 dr on director: a failover of VI_1 would change what is served$/,
  },
  {
    rule: 'HA: no LVS sync daemon on either director (a warning)',
    cluster: 'dr-ha',
    edits: { replace: [['        lvs_sync_daemon: { interface: eth0, instance: "{{ vrrp_instance }}" }\n', '']] },
    expected: DIRECTORS.map((host) => ['warning', host, 'lvs_sync_daemon', '      keepalived:', 'keepalived']),
    message: /^no director of VRRP instance VI_1 runs the LVS sync daemon, so a failover drops every open connection/,
  },
  ...(['nat', 'dr', 'tun'] as const).map(
    (name): Case => ({
      rule: `any: ${name.toUpperCase()}: a VIP that no ifaddr puts on the director`,
      cluster: name,
      edits: { replace: [name === 'nat' ? ['{{ vip }}/{{ vip_prefix }}", dev: eth0 }', '{{ vip }}/{{ vip_prefix }}", dev: eth0, state: absent }'] : ['dev: eth0, label: "eth0:0" }', 'dev: eth0, label: "eth0:0", state: absent }']] },
      expected: [['error', 'director', 'address', 'address: "{{ vip }}"', 'address']],
      message: /the VIP 192\.168\.\d+\.\d+ is on no interface of director/,
    }),
  ),
];

describe('checkTopology', () => {
  it.each(['nat', 'dr', 'tun', 'dr-ha'] as const)('finds nothing wrong with the shipped %s cluster', (name) => {
    expect(findingsOf(broken(name)).map(describeFinding)).toEqual([]);
  });

  it.each(cases.map((entry) => [entry.rule, entry] as const))('%s', (_rule, entry) => {
    const cluster = broken(entry.cluster, entry.edits);
    const findings = findingsOf(cluster, entry.options);
    const expected = entry.expected.map(([severity, host, key, needle, onLine]) => `${severity} ${host} ${key} ${cluster.positionOf(needle, onLine)}`);
    expect(summary(findings, cluster)).toEqual(expected.sort());
    for (const finding of findings) expect(finding.message).toMatch(entry.message);
  });

  it('needs no accept_local when the real servers\' gateway is another router', () => {
    const cluster = broken('tun', {
      replace: [
        ['ifaddr: { address: "{{ gateway }}/{{ server_prefix }}", dev: eth1 }', 'ifaddr: { address: "172.16.20.1/{{ server_prefix }}", dev: eth1 }'],
        ['      sysctl: { name: "net.ipv4.conf.{{ item }}.accept_local", value: 1 }\n      loop: [all, eth1]\n', ''],
        ['    - name: accept replies from the VIP routed through this gateway\n', ''],
      ],
    });
    expect(findingsOf(cluster).map(describeFinding)).toEqual([]);
  });

  it.each([
    ['dr', 'dr'],
    ['tun', 'tun'],
  ] as const)('rejects a %s real server whose port is not the VIP port, at the service entry', (name, forwarding) => {
    const cluster = broken(name);
    let error: unknown;
    try {
      findingsOf(cluster, { extraVars: { real_servers: [{ address: '10.0.0.1', forwarding, port: 8080 }] } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputErrors);
    expect((error as InputErrors).errors.map((item) => item.describe())).toEqual([
      `${cluster.playbook}:${cluster.positionOf(SERVICE_ENTRY)}: director: virtual service and its real servers: real_servers.0.port: only nat can map to a port other than the service's 80; dr and tun keep the packet's port`,
    ]);
  });

  it('lets a NAT real server use another port than the VIP', () => {
    const cluster = broken('nat');
    const realServers = [
      { address: '172.16.100.101', forwarding: 'nat', port: 8080 },
      { address: '172.16.100.102', forwarding: 'nat', port: 8080 },
    ];
    expect(findingsOf(cluster, { extraVars: { real_servers: realServers } }).map(describeFinding)).toEqual([]);
  });

  it('prints a finding as severity, file:line:column, host, variable and message', () => {
    const cluster = broken('nat', { replace: [['via: "{{ dip }}"', 'via: 172.16.100.1']] });
    const [first] = findingsOf(cluster);
    expect(describeFinding(first)).toBe(
      `ERROR: ${cluster.playbook}:${cluster.positionOf('via: 172.16.100.1', 'via')}: rs1: route default: LVS-NAT replies must return through the director: rs1's default route must go via 172.16.100.100, but it goes via 172.16.100.1`,
    );
  });
});

/**
 * A plugin's task, defined the way a plugin defines it: the VIP on lo, as a DR or TUN real
 * server needs it. It takes part in the checks only through its cluster hook.
 */
interface LoopbackVipArgs {
  address: string;
  prefix: number;
}

function loopbackVipTask(cluster?: (args: LoopbackVipArgs) => ClusterSettings) {
  return defineTask<LoopbackVipArgs, { lo: Fact<string> }>({
    name: 'loopback_vip',
    description: 'Puts the VIP on lo, so a real server accepts the packets the director sends it (test plugin).',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['address'],
      properties: {
        address: { type: 'string', pattern: '^[0-9.]{7,15}$', description: 'The VIP.' },
        prefix: { type: 'integer', minimum: 0, maximum: 32, default: 32, description: 'Its prefix length on lo.' },
      },
    },
    example: { address: '192.168.2.100', prefix: 32 },
    facts: () => ({ lo: { command: sh`ip -o -4 addr show dev lo`, parse: (result) => result.stdout } }),
    plan(args, facts) {
      const wanted = `${args.address}/${args.prefix}`;
      if (facts.lo.includes(` ${wanted} `)) return noop(`${wanted} is on lo`);
      return { changes: [{ subject: 'lo', before: null, after: wanted }], commands: [{ run: sh`ip addr add ${wanted} dev lo` }] };
    },
    cluster,
  });
}

const declaringVip = loopbackVipTask((args) => ({ addresses: [{ address: `${args.address}/${args.prefix}`, device: 'lo', present: true, argument: 'address' }] }));

function registryWith(module: ReturnType<typeof loopbackVipTask>): TaskRegistry {
  const tasks = createRegistry({ projectDir: REPO_ROOT });
  tasks.register(module, 'plugin loopback-vip-test');
  return tasks;
}

const LO_VIP_TASK = '      ifaddr: { address: "{{ vip }}/32", dev: lo, label: "lo:0" }\n';
/** The DR cluster with the real servers' VIP put on lo by the plugin's task instead of ifaddr. */
const withLoopbackVip = (args: string): ClusterEdits => ({ replace: [[LO_VIP_TASK, `      loopback_vip: ${args}\n`]] });

describe('a plugin task with a cluster hook', () => {
  it('satisfies the DR rule with the address it declares', () => {
    expect(findingsOf(broken('dr', withLoopbackVip('{ address: "{{ vip }}" }')), { tasks: registryWith(declaringVip) }).map(describeFinding)).toEqual([]);
  });

  it('violates the rule with the address it declares, at the argument it names', () => {
    const cluster = broken('dr', withLoopbackVip('{ address: "{{ vip }}", prefix: 24 }'));
    const findings = findingsOf(cluster, { tasks: registryWith(declaringVip) });
    expect(summary(findings, cluster)).toEqual(RS.map((host) => `error ${host} ifaddr ${cluster.positionOf('loopback_vip:', 'address')}`));
    for (const finding of findings) expect(finding.message).toMatch(/must be on lo as a \/32 .*\(it is 192\.168\.2\.100\/24 on lo\)$/);
  });

  it('takes no part without the hook: the checks know no task by name', () => {
    const cluster = broken('dr', withLoopbackVip('{ address: "{{ vip }}" }'));
    const findings = findingsOf(cluster, { tasks: registryWith(loopbackVipTask()) });
    expect(summary(findings, cluster)).toEqual(RS.map((host) => `error ${host} ifaddr ${cluster.positionOf(SERVICE_ENTRY)}`));
    for (const finding of findings) expect(finding.message).toMatch(/the VIP 192\.168\.2\.100 must be on lo as a \/32 so rs\d accepts packets for it$/);
  });
});
