/**
 * The state the benchmark play manages on a host: how to read it, how to wipe it back to
 * a clean host, and how to drift it. Both playbooks must agree with DESIRED; the harness
 * reads every host after every run and compares.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { parse as parseYaml } from 'yaml';
import { sh } from '../src/shell/quote';

export const SYSCTL_FILE = '/etc/sysctl.d/90-lvs-bench.conf';
export const TEMPLATE_DEST = '/etc/lvs-bench.conf';
export const VIP = '10.255.0.1';
export const VIP_LABEL = 'lo:0';
export const SERVICE_ROUTE = '10.255.1.1';
/** The drifted sysctl and its wrong value. */
export const DRIFT_SYSCTL = { key: 'net.ipv4.conf.all.arp_announce', value: '0' };

export const DESIRED_SYSCTLS: Record<string, string> = {
  'net.ipv4.conf.all.arp_ignore': '1',
  'net.ipv4.conf.all.arp_announce': '2',
  'net.ipv4.conf.lo.arp_ignore': '1',
  'net.ipv4.conf.lo.arp_announce': '2',
};

/** Tasks in the play, i.e. the changed count of a converge on one clean host. */
export const TASKS_PER_HOST = Object.keys(DESIRED_SYSCTLS).length + 3;
/** A drifted host has one sysctl and the address to fix. */
export const CHANGES_PER_DRIFTED_HOST = 2;

export interface HostState {
  /** Live values, `sysctl -n`. */
  live: Record<string, string>;
  /** key = value pairs of the persisted file, whitespace normalised; null when absent. */
  persisted: Record<string, string> | null;
  /** `ip -o -4 addr show dev lo to VIP/32`, whitespace normalised; '' when absent. */
  address: string;
  /** `ip route show exact ROUTE/32 table main`; '' when absent. */
  route: string;
  /** `MODE SHA256` of the template's destination; '' when absent. */
  file: string;
}

export interface Runner {
  onHost(name: string, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }>;
}

const READ_STATE = sh`
for key in ${Object.keys(DESIRED_SYSCTLS)}; do echo "live $key $(sysctl -n "$key")"; done
if [ -f ${SYSCTL_FILE} ]; then echo "persisted $(base64 -w0 ${SYSCTL_FILE})"; fi
echo "address $(ip -o -4 addr show dev lo to ${`${VIP}/32`})"
echo "route $(ip route show exact ${`${SERVICE_ROUTE}/32`} table main)"
if [ -f ${TEMPLATE_DEST} ]; then echo "file $(stat -c %a ${TEMPLATE_DEST}) $(sha256sum < ${TEMPLATE_DEST} | cut -d' ' -f1)"; fi
`.text;

/** key = value lines, comments and blanks skipped, spaces around '=' and inside values normalised. */
export function parseSysctlFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const separator = trimmed.indexOf('=');
    if (separator < 0) continue;
    values[trimmed.slice(0, separator).trim()] = trimmed.slice(separator + 1).trim().split(/\s+/).join(' ');
  }
  return values;
}

/** Reduces `ip -o addr` output to the parts that are state: drops the lifetimes. */
function normaliseAddress(line: string): string {
  return line.replace(/\\\s+valid_lft.*$/, '').replace(/^\d+:\s+/, '').split(/\s+/).join(' ').trim();
}

export function parseHostState(stdout: string): HostState {
  const state: HostState = { live: {}, persisted: null, address: '', route: '', file: '' };
  for (const line of stdout.split('\n')) {
    const [kind, ...rest] = line.split(' ');
    const value = rest.join(' ').trim();
    if (kind === 'live') state.live[rest[0]] = rest.slice(1).join(' ').trim();
    else if (kind === 'persisted') state.persisted = parseSysctlFile(Buffer.from(value, 'base64').toString('utf8'));
    else if (kind === 'address') state.address = normaliseAddress(value);
    else if (kind === 'route') state.route = value.split(/\s+/).join(' ');
    else if (kind === 'file') state.file = value;
  }
  return state;
}

export async function readHostState(runner: Runner, host: string): Promise<HostState> {
  const result = await runner.onHost(host, READ_STATE);
  if (result.exitCode !== 0) throw new Error(`${host}: reading state failed (${result.exitCode}): ${result.stderr}`);
  return parseHostState(result.stdout);
}

/** The rendered template's sha256, computed here from the lvs playbook's own variables. */
export function expectedTemplateSha256(benchDir: string): string {
  const play = (parseYaml(readFileSync(path.join(benchDir, 'lvs', 'playbook.yml'), 'utf8')) as Array<{ vars: object }>)[0];
  const source = readFileSync(path.join(benchDir, 'lvs', 'templates', 'bench.conf.hbs'), 'utf8');
  const rendered = Handlebars.create().compile(source, { strict: true, noEscape: true })(play.vars);
  return createHash('sha256').update(rendered).digest('hex');
}

/**
 * What is wrong with a host's state compared with the converged state, one message per
 * difference; empty when converged. The address and route must exist with these
 * properties; their full text is kept in HostState so the two tools can be compared exactly.
 */
export function convergenceErrors(state: HostState, templateSha256: string): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(DESIRED_SYSCTLS)) {
    if (state.live[key] !== value) errors.push(`live ${key} is ${state.live[key]}, want ${value}`);
    if (state.persisted?.[key] !== value) errors.push(`${SYSCTL_FILE}: ${key} is ${state.persisted?.[key]}, want ${value}`);
  }
  if (!state.address.includes(`inet ${VIP}/32`) || !state.address.endsWith(` ${VIP_LABEL}`)) {
    errors.push(`address: "${state.address}", want ${VIP}/32 labelled ${VIP_LABEL}`);
  }
  if (!/ dev lo( |$)/.test(state.route) || !state.route.startsWith(SERVICE_ROUTE)) {
    errors.push(`route: "${state.route}", want ${SERVICE_ROUTE} dev lo`);
  }
  if (state.file !== `644 ${templateSha256}`) errors.push(`${TEMPLATE_DEST}: "${state.file}", want "644 ${templateSha256}"`);
  return errors;
}

/** What is left of the play on a host that should be clean. */
export function cleanErrors(state: HostState, defaults: Record<string, string>): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(DESIRED_SYSCTLS)) {
    if (state.live[key] !== defaults[key]) errors.push(`live ${key} is ${state.live[key]}, default ${defaults[key]}`);
  }
  if (state.persisted !== null) errors.push(`${SYSCTL_FILE} exists`);
  if (state.address !== '') errors.push(`address present: ${state.address}`);
  if (state.route !== '') errors.push(`route present: ${state.route}`);
  if (state.file !== '') errors.push(`${TEMPLATE_DEST} exists`);
  return errors;
}

/** Back to a host the play never touched, including Ansible's remote temp directory. */
export function resetCommand(defaults: Record<string, string>): string {
  const assignments = Object.entries(defaults).map(([key, value]) => `${key}=${value}`);
  return sh`
rm -f ${SYSCTL_FILE} ${TEMPLATE_DEST}
rm -rf /root/.ansible
ip addr del ${`${VIP}/32`} dev lo 2>/dev/null
ip route del ${`${SERVICE_ROUTE}/32`} dev lo 2>/dev/null
sysctl -q -w ${assignments}
`.text;
}

/** Someone ran sysctl -w by hand and removed the VIP: both must be put back. */
export const DRIFT_COMMAND = sh`sysctl -q -w ${`${DRIFT_SYSCTL.key}=${DRIFT_SYSCTL.value}`} && ip addr del ${`${VIP}/32`} dev lo`.text;
