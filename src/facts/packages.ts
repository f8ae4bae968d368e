/**
 * What the package task reads, in one command: which package tools the host has, the
 * host's clock, each named package's state in the package database (dpkg or rpm), its
 * candidate version when `latest` is asked for, the age of apt's package lists, and the
 * package name and version inside each local package file.
 */
import type { CommandResult, Fact } from '../api';
import { joinCommands, sh, type ShellCommand } from '../shell/quote';

export type PackageDatabase = 'dpkg' | 'rpm';
export type PackageTool = 'apt-get' | 'dnf' | 'yum';

export interface InstalledPackage {
  version: string;
}

export interface PackageFile {
  /** The file as the arguments name it. */
  path: string;
  package: string;
  version: string;
}

export interface PackageState {
  /** The package tools found on the host's PATH. */
  tools: PackageTool[];
  database: PackageDatabase;
  /** The host's clock (seconds since the epoch), which the package lists' age is measured by. */
  now: number;
  /**
   * When apt's package lists were last refreshed: the mtime of update-success-stamp (which
   * APT's Post-Invoke-Success hooks and this task's refresh write), else of /var/lib/apt/lists,
   * as Ansible's apt module reads it. Undefined on rpm hosts.
   */
  listsUpdatedAt?: number;
  /** The named packages (and those inside the local files) that are installed, by name. */
  installed: Record<string, InstalledPackage>;
  /**
   * With `latest` on dpkg hosts: the version apt would install for each named package
   * (apt-cache policy's Candidate), `null` when no package list has it.
   */
  candidates?: Record<string, string | null>;
  /** With `latest` on rpm hosts: the version of each pending upgrade (`dnf list upgrades`); a package not here is newest. */
  upgrades?: Record<string, string>;
  /** The local package files, in the order given. */
  files: PackageFile[];
}

export interface PackageQuery {
  names: string[];
  files: string[];
  /** Read candidate versions as well. */
  latest: boolean;
}

export const APT_UPDATE_STAMP = '/var/lib/apt/periodic/update-success-stamp';
const APT_LISTS = '/var/lib/apt/lists';
const TOOLS: PackageTool[] = ['apt-get', 'dnf', 'yum'];

const DPKG_INSTALLED = 'installed ${Package} ${db:Status-Abbrev} ${Version}\\n';
// rpm's own `package NAME is not installed` lines have no `installed ` prefix, so they are skipped.
const RPM_INSTALLED = 'installed %{NAME} ii %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n';

function dpkgFile(path: string, index: number): ShellCommand {
  return sh`if lvs_package=$(dpkg-deb -W --showformat=${'${Package}'} -- ${path} 2>/dev/null); then
  dpkg-deb -W --showformat=${`file ${index} \${Package} \${Version}\\n`} -- ${path}
  dpkg-query -W -f=${DPKG_INSTALLED} -- "$lvs_package" 2>/dev/null
else echo ${`file ${index} unreadable`}; fi`;
}

function rpmFile(path: string, index: number): ShellCommand {
  return sh`if lvs_package=$(rpm -qp --qf '%{NAME}' -- ${path} 2>/dev/null); then
  rpm -qp --qf ${`file ${index} %{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n`} -- ${path}
  rpm -q --qf ${RPM_INSTALLED} -- "$lvs_package"
else echo ${`file ${index} unreadable`}; fi`;
}

function dpkgQueries(query: PackageQuery): ShellCommand[] {
  const commands = [
    sh`echo database dpkg`,
    sh`if [ -e ${APT_UPDATE_STAMP} ]; then stat -c 'lists %Y' -- ${APT_UPDATE_STAMP}; elif [ -d ${APT_LISTS} ]; then stat -c 'lists %Y' -- ${APT_LISTS}; fi`,
  ];
  if (query.names.length) commands.push(sh`dpkg-query -W -f=${DPKG_INSTALLED} -- ${query.names} 2>/dev/null`);
  // apt-cache policy prints a block per package it knows: "NAME:" then indented fields.
  if (query.latest && query.names.length) commands.push(sh`apt-cache policy -- ${query.names} 2>/dev/null | sed 's/^/policy /'`);
  commands.push(...query.files.map(dpkgFile));
  return commands;
}

function rpmQueries(query: PackageQuery): ShellCommand[] {
  const commands = [sh`echo database rpm`];
  if (query.names.length) commands.push(sh`rpm -q --qf ${RPM_INSTALLED} -- ${query.names}`);
  if (query.latest && query.names.length) {
    // "NAME.ARCH  [EPOCH:]VERSION-RELEASE  REPO" for each pending upgrade.
    commands.push(
      sh`{ if command -v dnf >/dev/null 2>&1; then dnf -q list upgrades -- ${query.names}; else yum -q list updates -- ${query.names}; fi; } 2>/dev/null | sed 's/^/upgrade /'`,
    );
  }
  commands.push(...query.files.map(rpmFile));
  return commands;
}

/** The package state for `query`; one command, whichever database the host has. */
export function packageState(query: PackageQuery): Fact<PackageState> {
  const probe = joinCommands(
    [
      sh`echo "tools $(for lvs_tool in ${TOOLS}; do command -v "$lvs_tool" >/dev/null 2>&1 && printf '%s ' "$lvs_tool"; done)"`,
      sh`echo "now $(date +%s)"`,
      sh`if command -v dpkg-query >/dev/null 2>&1; then`,
      joinCommands(dpkgQueries(query), '\n'),
      sh`elif command -v rpm >/dev/null 2>&1; then`,
      joinCommands(rpmQueries(query), '\n'),
      sh`else echo database none; fi`,
      sh`true`,
    ],
    '\n',
  );
  return { command: probe, parse: (result) => parsePackageState(result, query) };
}

/** apt-cache policy's blocks: "NAME:" at the start of a line, then "  Candidate: VERSION". */
function parsePolicy(lines: string[]): Record<string, string | null> {
  const candidates: Record<string, string | null> = {};
  let current: string | undefined;
  for (const line of lines) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      current = header[1];
      continue;
    }
    const candidate = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (candidate && current !== undefined) candidates[current] = candidate[1] === '(none)' ? null : candidate[1];
  }
  return candidates;
}

/** `dnf list upgrades` lines: NAME.ARCH VERSION REPO (a long name pushes the rest onto the next line). */
function parseUpgrades(lines: string[], names: string[]): Record<string, string> {
  const fields = lines.join(' ').trim().split(/\s+/).filter(Boolean);
  const upgrades: Record<string, string> = {};
  for (let index = 0; index + 1 < fields.length; index++) {
    const name = fields[index].replace(/\.[^.]+$/, '');
    if (names.includes(name) && /^[0-9]/.test(fields[index + 1])) upgrades[name] = fields[index + 1];
  }
  return upgrades;
}

export function parsePackageState(result: CommandResult, query: PackageQuery): PackageState {
  if (result.exitCode !== 0) throw new Error(`cannot read the package state: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const lines = result.stdout.split('\n');
  const tagged = (tag: string) => lines.filter((line) => line.startsWith(`${tag} `)).map((line) => line.slice(tag.length + 1));
  const database = tagged('database')[0]?.trim();
  const now = Number(tagged('now')[0]);
  if (database !== 'dpkg' && database !== 'rpm') {
    if (database === 'none') throw new Error('the host has neither dpkg nor rpm, so its packages cannot be managed');
    throw new Error(`cannot read the package state: ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
  }
  if (!Number.isFinite(now)) throw new Error(`cannot read the host's clock: ${JSON.stringify(tagged('now')[0] ?? '')}`);
  const tools = (tagged('tools')[0] ?? '').split(/\s+/).filter((tool): tool is PackageTool => (TOOLS as string[]).includes(tool));

  const installed: Record<string, InstalledPackage> = {};
  for (const line of tagged('installed')) {
    // dpkg's abbreviated status: want, state, error flag ("ii", "rc", "iF"); installed is state i.
    const [name, status, version] = line.trim().split(/\s+/);
    if (status?.[1] === 'i' && version) installed[name] = { version };
  }

  const files: PackageFile[] = [];
  for (const line of tagged('file')) {
    const [index, name, version] = line.trim().split(/\s+/);
    const path = query.files[Number(index)];
    if (path === undefined) continue;
    if (name === 'unreadable' || !version) throw new Error(`${path} is not a readable ${database === 'dpkg' ? '.deb' : '.rpm'} package file on the host`);
    files.push({ path, package: name, version });
  }

  const state: PackageState = { tools, database, now, installed, files };
  const lists = tagged('lists')[0];
  if (lists !== undefined) state.listsUpdatedAt = Number(lists);
  if (query.latest && database === 'dpkg') state.candidates = parsePolicy(tagged('policy'));
  if (query.latest && database === 'rpm') state.upgrades = parseUpgrades(tagged('upgrade'), query.names);
  return state;
}
