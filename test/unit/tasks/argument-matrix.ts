/**
 * Every argument of every built-in task, each with arguments that are valid as they stand,
 * for the dash-leading value tests: test/unit/tasks/dash-values.test.ts checks each one
 * through the engine's argument checking, and test/integration/dash-values.test.ts through
 * the CLI against a real host. A new argument must be added here (the unit test compares
 * this list with the schemas).
 */

/** Values a tool would read as an option if they reached it as a leading operand. */
export const DASH_VALUES = ['-x', '--help', '-p /tmp/lvs-evil.conf', '-p/tmp/lvs-evil.conf'];

export interface ArgumentRow {
  task: string;
  /** The argument, dotted inside a list: real_servers.0.address. */
  key: string;
  /** Valid arguments of the task, `key` among them. */
  args: Record<string, unknown>;
  /** Its value becomes a word of a command run on the host. */
  operand: boolean;
}

const sysctl = { name: 'net.ipv4.ip_forward', value: 1 };
const ifaddr = { address: '192.168.2.100/32', dev: 'lo' };
const route = { dest: '192.168.2.100', dev: 'lo' };
const template = { src: 'sysctl.conf.hbs', dest: '/etc/sysctl.d/90-lvs.conf' };
const realServers = [{ address: '172.16.100.101' }];
const ipvsadm = { address: '192.168.0.109', port: 80 };
const vrrpInstance = { name: 'VI_1', interface: 'eth0', virtual_router_id: 51, priority: 150, virtual_ipaddresses: [{ address: '192.168.2.100/24', dev: 'eth0', label: 'eth0:0' }] };
const keepalivedVrrp = { vrrp_instances: [vrrpInstance] };
const keepalivedService = { virtual_servers: [{ address: '192.168.2.100', port: 80, real_servers: [{ address: '192.168.2.11' }] }] };
const withService = (extra: Record<string, unknown>, server: Record<string, unknown> = {}) => ({
  virtual_servers: [{ address: '192.168.2.100', port: 80, ...extra, real_servers: [{ address: '192.168.2.11', ...server }] }],
});
const httpVerify = { url: 'http://192.168.0.109/', servers: ['rs1', 'rs2'] };
const copy = { content: 'hello\n', dest: '/etc/lvs-copy.conf' };
const file = { path: '/etc/lvs-file.conf' };
const link = { path: '/etc/lvs-link.conf', state: 'link', src: '/etc/hosts' };
const lineinfile = { path: '/etc/hosts', line: '10.0.0.11 rs1' };
const blockinfile = { path: '/etc/hosts', block: '10.0.0.11 rs1\n' };
const command = { cmd: 'true' };
const waitFor = { port: 80 };
const packages = { name: ['ipvsadm'] };
const member = { address: '192.168.0.109', port: 80, server: '172.16.100.101', weight: 0 };
const service = { name: 'ssh', state: 'started' };

const row = (task: string, key: string, args: Record<string, unknown>, operand: boolean): ArgumentRow => ({ task, key, args, operand });

/** Each of these must be refused whatever it is set to from DASH_VALUES. */
export const REFUSED: ArgumentRow[] = [
  row('sysctl', 'name', sysctl, true),
  row('sysctl', 'state', sysctl, false),
  row('sysctl', 'sysctl_file', { ...sysctl, sysctl_file: '/etc/sysctl.d/90-lvs.conf' }, true),
  row('sysctl', 'reload', { ...sysctl, reload: true }, false),
  row('ifaddr', 'address', ifaddr, true),
  row('ifaddr', 'dev', ifaddr, true),
  row('ifaddr', 'label', { ...ifaddr, label: 'lo:0' }, true),
  row('ifaddr', 'broadcast', { address: '10.0.0.5/24', dev: 'eth0', broadcast: '10.0.0.255' }, true),
  row('ifaddr', 'state', { ...ifaddr, state: 'present' }, false),
  row('ifaddr', 'persist', { ...ifaddr, persist: true }, false),
  row('ifaddr', 'persist_with', { ...ifaddr, persist_with: 'ifupdown' }, false),
  row('route', 'dest', route, true),
  row('route', 'via', { dest: 'default', via: '10.0.0.1' }, true),
  row('route', 'dev', route, true),
  row('route', 'metric', { ...route, metric: 100 }, true),
  row('route', 'state', { ...route, state: 'present' }, false),
  row('route', 'persist', { ...route, persist: true }, false),
  row('route', 'persist_with', { ...route, persist_with: 'ifupdown' }, false),
  row('link', 'dev', { dev: 'tunl0' }, true),
  row('link', 'state', { dev: 'tunl0', state: 'up' }, true),
  row('link', 'persist', { dev: 'tunl0', persist: true }, false),
  row('link', 'persist_with', { dev: 'tunl0', persist_with: 'ifupdown' }, false),
  row('kmod', 'name', { name: 'ipip' }, true),
  row('kmod', 'state', { name: 'ipip', state: 'present' }, false),
  row('kmod', 'persist', { name: 'ipip', persist: true }, false),
  // src and index_template name files on the controller, not on the host.
  row('template', 'src', template, false),
  row('template', 'dest', template, true),
  row('template', 'mode', { ...template, mode: '0644' }, true),
  row('template', 'owner', { ...template, owner: 'root' }, true),
  row('template', 'group', { ...template, group: 'root' }, true),
  // src names a file on the controller, not on the host.
  row('copy', 'src', { src: 'motd', dest: '/etc/motd' }, false),
  row('copy', 'dest', copy, true),
  row('copy', 'mode', { ...copy, mode: '0644' }, true),
  row('copy', 'owner', { ...copy, owner: 'root' }, true),
  row('copy', 'group', { ...copy, group: 'root' }, true),
  row('copy', 'backup', { ...copy, backup: true }, false),
  row('copy', 'force', { ...copy, force: true }, false),
  row('file', 'path', file, true),
  row('file', 'state', { ...file, state: 'touch' }, false),
  // ln gets it after --, but a link to "-x" is refused all the same.
  row('file', 'src', link, true),
  row('file', 'mode', { ...file, mode: '0644' }, true),
  row('file', 'owner', { ...file, owner: 'root' }, true),
  row('file', 'group', { ...file, group: 'root' }, true),
  row('file', 'recurse', { path: '/etc/lvs-dir', state: 'directory', mode: '0755', recurse: true }, false),
  row('file', 'force', { ...link, force: true }, false),
  row('file', 'access_time', { ...file, state: 'touch', access_time: 'preserve' }, false),
  row('file', 'modification_time', { ...file, state: 'touch', modification_time: 'preserve' }, false),
  row('lineinfile', 'path', lineinfile, true),
  row('lineinfile', 'state', { ...lineinfile, state: 'absent' }, false),
  row('lineinfile', 'create', { ...lineinfile, create: true }, false),
  row('lineinfile', 'backrefs', { ...lineinfile, regexp: '^10', backrefs: true }, false),
  row('lineinfile', 'firstmatch', { ...lineinfile, firstmatch: true }, false),
  row('lineinfile', 'backup', { ...lineinfile, backup: true }, false),
  row('lineinfile', 'mode', { ...lineinfile, mode: '0644' }, true),
  row('lineinfile', 'owner', { ...lineinfile, owner: 'root' }, true),
  row('lineinfile', 'group', { ...lineinfile, group: 'root' }, true),
  row('blockinfile', 'path', blockinfile, true),
  // A marker without {mark} is refused, so these are too.
  row('blockinfile', 'marker', { ...blockinfile, marker: '# {mark} LVS' }, false),
  row('blockinfile', 'state', { ...blockinfile, state: 'absent' }, false),
  row('blockinfile', 'create', { ...blockinfile, create: true }, false),
  row('blockinfile', 'backup', { ...blockinfile, backup: true }, false),
  row('blockinfile', 'append_newline', { ...blockinfile, append_newline: true }, false),
  row('blockinfile', 'prepend_newline', { ...blockinfile, prepend_newline: true }, false),
  row('blockinfile', 'mode', { ...blockinfile, mode: '0644' }, true),
  row('blockinfile', 'owner', { ...blockinfile, owner: 'root' }, true),
  row('blockinfile', 'group', { ...blockinfile, group: 'root' }, true),
  row('httpd', 'index_template', { index_template: 'index.html.hbs' }, false),
  row('httpd', 'state', { state: 'started' }, false),
  row('httpd', 'enabled', { enabled: true }, false),
  row('ipvsadm', 'protocol', { ...ipvsadm, protocol: 'udp' }, false),
  row('ipvsadm', 'address', ipvsadm, true),
  row('ipvsadm', 'port', ipvsadm, true),
  row('ipvsadm', 'fwmark', { fwmark: 1 }, true),
  // ip_vs_<scheduler> is a modprobe operand and -s takes it.
  row('ipvsadm', 'scheduler', { ...ipvsadm, scheduler: 'rr' }, true),
  row('ipvsadm', 'persistent', { ...ipvsadm, persistent: 300 }, true),
  row('ipvsadm', 'real_servers.0.address', { ...ipvsadm, real_servers: realServers }, true),
  row('ipvsadm', 'real_servers.0.port', { ...ipvsadm, real_servers: [{ address: '172.16.100.101', port: 8080, forwarding: 'nat' }] }, true),
  row('ipvsadm', 'real_servers.0.forwarding', { ...ipvsadm, real_servers: [{ address: '172.16.100.101', forwarding: 'dr' }] }, false),
  row('ipvsadm', 'real_servers.0.weight', { ...ipvsadm, real_servers: [{ address: '172.16.100.101', weight: 2 }] }, true),
  row('ipvsadm', 'state', { ...ipvsadm, state: 'present' }, false),
  row('ipvsadm', 'purge', { ...ipvsadm, purge: true }, false),
  row('ipvsadm', 'save', { ...ipvsadm, save: true }, false),
  row('ipvs_member', 'protocol', { ...member, protocol: 'udp' }, false),
  row('ipvs_member', 'address', member, true),
  row('ipvs_member', 'port', member, true),
  row('ipvs_member', 'fwmark', { server: '172.16.100.101', weight: 0, fwmark: 1 }, true),
  row('ipvs_member', 'server', member, true),
  row('ipvs_member', 'weight', member, true),
  row('ipvs_member', 'wait_idle', { ...member, wait_idle: 30 }, true),
  row('ipvs_member', 'poll', { ...member, poll: 2 }, true),
  row('ipvs_member', 'on_timeout', { ...member, on_timeout: 'continue' }, true),
  row('ipvs_member', 'ramp', { ...member, weight: 2, ramp: { steps: 2, interval: 1 } }, true),
  row('ipvs_member', 'min_pooled', { ...member, min_pooled: 0 }, false),
  row('ipvs_member', 'owner', { ...member, owner: 'ipvsadm' }, false),
  // keepalived's values become lines of keepalived.conf, written base64-encoded: none is a command's word.
  row('keepalived', 'router_id', { ...keepalivedVrrp, router_id: 'dir1' }, false),
  row('keepalived', 'auth_pass', { ...keepalivedVrrp, auth_pass: 'secret1' }, false),
  row('keepalived', 'enabled', { ...keepalivedVrrp, enabled: true }, false),
  row('keepalived', 'lvs_sync_daemon', { ...keepalivedVrrp, lvs_sync_daemon: { interface: 'eth0' } }, false),
  row('keepalived', 'vrrp_instances.0.name', keepalivedVrrp, false),
  row('keepalived', 'vrrp_instances.0.interface', keepalivedVrrp, false),
  row('keepalived', 'vrrp_instances.0.virtual_router_id', keepalivedVrrp, false),
  row('keepalived', 'vrrp_instances.0.priority', keepalivedVrrp, false),
  row('keepalived', 'vrrp_instances.0.state', { vrrp_instances: [{ ...vrrpInstance, state: 'BACKUP' }] }, false),
  row('keepalived', 'vrrp_instances.0.advert_int', { vrrp_instances: [{ ...vrrpInstance, advert_int: 1 }] }, false),
  row('keepalived', 'vrrp_instances.0.virtual_ipaddresses.0.address', keepalivedVrrp, false),
  row('keepalived', 'vrrp_instances.0.virtual_ipaddresses.0.dev', keepalivedVrrp, false),
  row('keepalived', 'vrrp_instances.0.virtual_ipaddresses.0.label', keepalivedVrrp, false),
  row('keepalived', 'vrrp_instances.0.nopreempt', { vrrp_instances: [{ ...vrrpInstance, state: 'BACKUP', nopreempt: true }] }, false),
  row('keepalived', 'vrrp_instances.0.preempt_delay', { vrrp_instances: [{ ...vrrpInstance, state: 'BACKUP', preempt_delay: 5 }] }, false),
  row('keepalived', 'vrrp_instances.0.garp_master_delay', { vrrp_instances: [{ ...vrrpInstance, garp_master_delay: 1 }] }, false),
  row('keepalived', 'virtual_servers.0.protocol', withService({ protocol: 'udp' }), false),
  row('keepalived', 'virtual_servers.0.address', keepalivedService, false),
  row('keepalived', 'virtual_servers.0.port', keepalivedService, false),
  row('keepalived', 'virtual_servers.0.fwmark', { virtual_servers: [{ fwmark: 1 }] }, false),
  row('keepalived', 'virtual_servers.0.scheduler', withService({ scheduler: 'rr' }), false),
  row('keepalived', 'virtual_servers.0.persistent', withService({ persistent: 300 }), false),
  row('keepalived', 'virtual_servers.0.real_servers.0.address', keepalivedService, false),
  row('keepalived', 'virtual_servers.0.real_servers.0.port', withService({}, { port: 8080, forwarding: 'nat' }), false),
  row('keepalived', 'virtual_servers.0.real_servers.0.forwarding', withService({}, { forwarding: 'dr' }), false),
  row('keepalived', 'virtual_servers.0.real_servers.0.weight', withService({}, { weight: 2 }), false),
  row('keepalived', 'virtual_servers.0.real_servers.0.health_check', withService({}, { health_check: { type: 'TCP_CHECK' } }), false),
  row('keepalived', 'virtual_servers.0.health_check', withService({ health_check: { type: 'TCP_CHECK' } }), false),
  row('keepalived', 'virtual_servers.0.quorum', withService({ quorum: 1 }), false),
  row('keepalived', 'virtual_servers.0.sorry_server', withService({ sorry_server: { address: '192.168.2.50' } }), false),
  row('keepalived', 'virtual_servers.0.inhibit_on_failure', withService({ inhibit_on_failure: true }), false),
  row('http_verify', 'url', httpVerify, true),
  row('http_verify', 'requests', { ...httpVerify, requests: 4 }, true),
  row('http_verify', 'expect', { ...httpVerify, expect: 'each' }, false),
  row('http_verify', 'timeout', { ...httpVerify, timeout: 5 }, true),
  row('command', 'stdin_add_newline', { ...command, stdin_add_newline: false }, false),
  row('command', 'environment', { ...command, environment: { A: '1' } }, false),
  row('shell', 'executable', { ...command, executable: '/bin/bash' }, true),
  row('shell', 'stdin_add_newline', { ...command, stdin_add_newline: false }, false),
  row('shell', 'environment', { ...command, environment: { A: '1' } }, false),
  row('debug', 'verbosity', { verbosity: 1 }, false),
  row('assert', 'quiet', { that: ['true'], quiet: true }, false),
  row('wait_for', 'host', { ...waitFor, host: 'localhost' }, true),
  row('wait_for', 'port', waitFor, true),
  row('wait_for', 'state', { ...waitFor, state: 'stopped' }, false),
  row('wait_for', 'timeout', { ...waitFor, timeout: 5 }, true),
  row('wait_for', 'delay', { ...waitFor, delay: 1 }, true),
  row('wait_for', 'sleep', { ...waitFor, sleep: 1 }, true),
  row('wait_for', 'connect_timeout', { ...waitFor, connect_timeout: 1 }, true),
  row('wait_for', 'active_connection_states.0', { ...waitFor, state: 'drained', active_connection_states: ['ESTABLISHED'] }, false),
  row('wait_for', 'exclude_hosts.0', { ...waitFor, state: 'drained', exclude_hosts: ['10.0.0.1'] }, true),
  row('package', 'name.0', packages, true),
  row('package', 'deb', { deb: '/var/tmp/x.deb' }, true),
  row('package', 'state', { ...packages, state: 'present' }, false),
  row('package', 'update_cache', { ...packages, update_cache: true }, false),
  row('package', 'cache_valid_time', { ...packages, cache_valid_time: 3600 }, false),
  row('package', 'install_recommends', { ...packages, install_recommends: false }, false),
  row('package', 'use', { ...packages, use: 'apt' }, false),
  row('service', 'name', service, true),
  row('service', 'state', service, false),
  row('service', 'enabled', { ...service, enabled: true }, false),
];

export interface AcceptedRow {
  task: string;
  key: string;
  args: Record<string, unknown>;
  /** Why a leading dash is a value here and can never be read as an option. */
  why: string;
}

/** Free text that may start with a dash: none of it is a leading operand of a command. */
export const ACCEPTED: AcceptedRow[] = [
  {
    task: 'sysctl',
    key: 'value',
    args: sysctl,
    why: 'it goes after KEY= in the one word that sysctl -w takes, and -1 is a real value (kernel.perf_event_paranoid)',
  },
  { task: 'copy', key: 'content', args: copy, why: 'it is file content, written base64-encoded' },
  { task: 'lineinfile', key: 'line', args: lineinfile, why: 'it is file content, written base64-encoded' },
  { task: 'lineinfile', key: 'regexp', args: lineinfile, why: 'it is matched on the controller, in the plan' },
  { task: 'lineinfile', key: 'search_string', args: lineinfile, why: 'it is matched on the controller, in the plan' },
  { task: 'lineinfile', key: 'insertafter', args: lineinfile, why: 'it is matched on the controller, in the plan' },
  { task: 'lineinfile', key: 'insertbefore', args: lineinfile, why: 'it is matched on the controller, in the plan' },
  { task: 'blockinfile', key: 'block', args: blockinfile, why: 'it is file content, written base64-encoded' },
  { task: 'blockinfile', key: 'marker_begin', args: blockinfile, why: 'it is file content, written base64-encoded' },
  { task: 'blockinfile', key: 'marker_end', args: blockinfile, why: 'it is file content, written base64-encoded' },
  { task: 'blockinfile', key: 'insertafter', args: blockinfile, why: 'it is matched on the controller, in the plan' },
  { task: 'blockinfile', key: 'insertbefore', args: blockinfile, why: 'it is matched on the controller, in the plan' },
  { task: 'httpd', key: 'index_content', args: { index_content: 'hello\n' }, why: 'it is file content, written base64-encoded' },
  { task: 'http_verify', key: 'servers.0', args: httpVerify, why: 'it is text looked for in the pages, on the controller' },
  ...(['command', 'shell'] as const).flatMap((task) => [
    { task, key: 'cmd', args: command, why: 'it is the command the user runs: a dash there is theirs to give' },
    { task, key: 'chdir', args: { ...command, chdir: '/tmp' }, why: 'it follows cd --' },
    { task, key: 'creates', args: { ...command, creates: '/x' }, why: 'it is a glob in a variable, set after set --, tested with [ -e ]' },
    { task, key: 'removes', args: { ...command, removes: '/x' }, why: 'it is a glob in a variable, set after set --, tested with [ -e ]' },
    { task, key: 'stdin', args: { ...command, stdin: 'x' }, why: 'printf prints it as the operand of %s' },
  ]),
  { task: 'command', key: 'argv.0', args: { argv: ['true'] }, why: 'it is the command the user runs: a dash there is theirs to give' },
  { task: 'debug', key: 'msg', args: { msg: 'hello' }, why: 'it is a message, shown on the controller' },
  { task: 'debug', key: 'var', args: { var: 'x' }, why: 'it is an expression, evaluated on the controller' },
  { task: 'assert', key: 'that.0', args: { that: ['true'] }, why: 'it is a condition, evaluated on the controller' },
  { task: 'assert', key: 'fail_msg', args: { that: ['true'], fail_msg: 'x' }, why: 'it is a message, shown on the controller' },
  { task: 'assert', key: 'msg', args: { that: ['true'], msg: 'x' }, why: 'it is a message, shown on the controller' },
  { task: 'assert', key: 'success_msg', args: { that: ['true'], success_msg: 'x' }, why: 'it is a message, shown on the controller' },
  { task: 'wait_for', key: 'path', args: { path: '/x' }, why: 'the wait tests it with [ -e ] and gives it to grep after --' },
  { task: 'wait_for', key: 'search_regex', args: { path: '/x', search_regex: 'x' }, why: 'grep takes it after --' },
  { task: 'wait_for', key: 'msg', args: { ...waitFor, msg: 'x' }, why: "it is a message the wait prints as printf's operand" },
];

/** A copy of `args` with the dotted `key` set to `value`. */
export function withValue(args: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(args);
  const path = key.split('.');
  let target = copy as Record<string, unknown>;
  for (const part of path.slice(0, -1)) target = target[part] as Record<string, unknown>;
  target[path[path.length - 1]] = value;
  return copy;
}
