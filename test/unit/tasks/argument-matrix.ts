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
const httpVerify = { url: 'http://192.168.0.109/', servers: ['rs1', 'rs2'] };
const packages = { name: ['ipvsadm'] };
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
  row('http_verify', 'url', httpVerify, true),
  row('http_verify', 'requests', { ...httpVerify, requests: 4 }, true),
  row('http_verify', 'expect', { ...httpVerify, expect: 'each' }, false),
  row('http_verify', 'timeout', { ...httpVerify, timeout: 5 }, true),
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
  { task: 'httpd', key: 'index_content', args: { index_content: 'hello\n' }, why: 'it is file content, written base64-encoded' },
  { task: 'http_verify', key: 'servers.0', args: httpVerify, why: 'it is text looked for in the pages, on the controller' },
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
