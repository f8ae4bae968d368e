/**
 * keepalived.conf(5) of keepalived 2.2 from structured arguments: one keyword per line
 * inside blocks (keepalived misreads a one-line `authentication { ... }` block), every free
 * string double-quoted. keepalived's tokenizer ends a word at `#`, `!`, `{` or `}` unless
 * it is quoted, and it has no escape for `"` inside a quoted string (`\"` is "Unmatched
 * quote") nor processes `\` in a password: the task's schema refuses `"`, `\` and control
 * characters in those strings, and quoting makes everything else literal.
 */
import { canonicalAddress } from '../net/ip-address';
import type { Forwarding } from '../facts/ipvs';
import { effectivePort, type RealServerArgs, type VirtualServiceArgs } from '../tasks/virtual-service';

export interface VirtualAddressArgs {
  /** With its prefix length: 192.168.2.100/24. */
  address: string;
  dev?: string;
  label?: string;
}

export interface VrrpInstanceArgs {
  name: string;
  interface: string;
  virtual_router_id: number;
  priority: number;
  state: 'MASTER' | 'BACKUP';
  advert_int: number;
  virtual_ipaddresses: VirtualAddressArgs[];
  nopreempt: boolean;
  preempt_delay?: number;
  garp_master_delay?: number;
}

export interface HealthCheckArgs {
  type: 'HTTP_GET' | 'TCP_CHECK';
  /** HTTP_GET only. */
  path: string;
  status_code: number;
  connect_timeout?: number;
  delay_loop?: number;
  retry?: number;
  delay_before_retry?: number;
}

export interface KeepalivedRealServerArgs extends RealServerArgs {
  health_check?: HealthCheckArgs;
}

export interface SorryServerArgs {
  address: string;
  port?: number;
  forwarding: Forwarding;
}

export interface KeepalivedVirtualServerArgs extends VirtualServiceArgs<KeepalivedRealServerArgs> {
  /** The check of every real server that has none of its own. */
  health_check?: HealthCheckArgs;
  quorum?: number;
  sorry_server?: SorryServerArgs;
  inhibit_on_failure: boolean;
}

export interface SyncDaemonArgs {
  interface: string;
  /** The VRRP instance whose state the sync daemon follows (master or backup). */
  instance?: string;
  sync_id?: number;
}

export interface KeepalivedConfigArgs {
  router_id?: string;
  auth_pass?: string;
  vrrp_instances: VrrpInstanceArgs[];
  virtual_servers: KeepalivedVirtualServerArgs[];
  lvs_sync_daemon?: SyncDaemonArgs;
}

/** What the diff shows instead of the password. */
export const AUTH_PASS_SHOWN = '<auth_pass>';

const LVS_METHOD: Record<Forwarding, string> = { dr: 'DR', nat: 'NAT', tun: 'TUN' };

/** A string as one keepalived word, whatever it holds besides `"` and `\`, which the schema refuses. */
function quoted(value: string): string {
  return `"${value}"`;
}

/** keepalived writes IPv6 addresses bare, as ip does; the canonical form keeps the file stable. */
function address(value: string): string {
  return canonicalAddress(value) ?? value;
}

/** Lines of a block's body; a nested block's lines come indented already. */
type Body = string[];

function block(header: string, body: Body): string[] {
  return [`${header} {`, ...body.map((line) => `    ${line}`), '}'];
}

function globalDefs(args: KeepalivedConfigArgs): Body {
  const body: Body = [];
  if (args.router_id !== undefined) body.push(`router_id ${quoted(args.router_id)}`);
  const sync = args.lvs_sync_daemon;
  if (sync) {
    const words = ['lvs_sync_daemon', sync.interface];
    if (sync.instance !== undefined) words.push(sync.instance);
    if (sync.sync_id !== undefined) words.push('id', String(sync.sync_id));
    body.push(words.join(' '));
  }
  return body;
}

function vrrpInstance(instance: VrrpInstanceArgs, authPass: string | undefined): string[] {
  const body: Body = [
    `state ${instance.state}`,
    `interface ${instance.interface}`,
    `virtual_router_id ${instance.virtual_router_id}`,
    `priority ${instance.priority}`,
    `advert_int ${instance.advert_int}`,
  ];
  if (instance.nopreempt) body.push('nopreempt');
  if (instance.preempt_delay !== undefined) body.push(`preempt_delay ${instance.preempt_delay}`);
  if (instance.garp_master_delay !== undefined) body.push(`garp_master_delay ${instance.garp_master_delay}`);
  if (authPass !== undefined) body.push(...block('authentication', ['auth_type PASS', `auth_pass ${quoted(authPass)}`]));
  const addresses = instance.virtual_ipaddresses.map((vip) => {
    const [host, prefix] = vip.address.split('/');
    const words = [prefix === undefined ? address(host) : `${address(host)}/${prefix}`];
    if (vip.dev !== undefined) words.push('dev', vip.dev);
    if (vip.label !== undefined) words.push('label', vip.label);
    return words.join(' ');
  });
  body.push(...block('virtual_ipaddress', addresses));
  return block(`vrrp_instance ${instance.name}`, body);
}

function healthCheck(check: HealthCheckArgs): string[] {
  const body: Body = [];
  if (check.type === 'HTTP_GET') body.push(...block('url', [`path ${quoted(check.path)}`, `status_code ${check.status_code}`]));
  if (check.connect_timeout !== undefined) body.push(`connect_timeout ${check.connect_timeout}`);
  if (check.retry !== undefined) body.push(`retry ${check.retry}`);
  if (check.delay_before_retry !== undefined) body.push(`delay_before_retry ${check.delay_before_retry}`);
  if (check.delay_loop !== undefined) body.push(`delay_loop ${check.delay_loop}`);
  return block(check.type, body);
}

/** `ADDRESS PORT`, the port left out for a fwmark service's real server given none. */
function serverWords(host: string, port: number | undefined): string {
  return port === undefined || port === 0 ? address(host) : `${address(host)} ${port}`;
}

function virtualServer(service: KeepalivedVirtualServerArgs): string[] {
  const header = service.fwmark !== undefined ? `virtual_server fwmark ${service.fwmark}` : `virtual_server ${serverWords(service.address!, service.port)}`;
  const body: Body = [`lvs_sched ${service.scheduler}`];
  if (service.fwmark === undefined) body.push(`protocol ${service.protocol.toUpperCase()}`);
  if (service.persistent !== undefined) body.push(`persistence_timeout ${service.persistent}`);
  if (service.quorum !== undefined) body.push(`quorum ${service.quorum}`);
  if (service.inhibit_on_failure) body.push('inhibit_on_failure');
  if (service.sorry_server) {
    const sorry = service.sorry_server;
    body.push(`sorry_server ${serverWords(sorry.address, sorry.port ?? service.port)}`, `sorry_server_lvs_method ${LVS_METHOD[sorry.forwarding]}`);
  }
  for (const server of service.real_servers) {
    const lines: Body = [`weight ${server.weight}`, `lvs_method ${LVS_METHOD[server.forwarding]}`];
    const check = server.health_check ?? service.health_check;
    if (check) lines.push(...healthCheck(check));
    body.push(...block(`real_server ${serverWords(server.address, effectivePort(service, server))}`, lines));
  }
  return block(header, body);
}

/**
 * The whole file. `authPass` is the password to write, or AUTH_PASS_SHOWN for the text the
 * diff shows.
 */
export function renderKeepalivedConfig(args: KeepalivedConfigArgs, authPass = args.auth_pass): string {
  const sections: string[][] = [['# Written by lvs (the keepalived task); changes made here are replaced.']];
  const defs = globalDefs(args);
  if (defs.length) sections.push(block('global_defs', defs));
  for (const instance of args.vrrp_instances) sections.push(vrrpInstance(instance, args.auth_pass === undefined ? undefined : authPass));
  for (const service of args.virtual_servers) sections.push(virtualServer(service));
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

/** The file's text with every auth_pass value replaced, for the diff of the file found on a host. */
export function hidePasswords(text: string): string {
  return text.replace(/^(\s*auth_pass\s+).*$/gm, `$1${AUTH_PASS_SHOWN}`);
}
