/**
 * The host's distribution family, its installed packages and the state of a service, plus
 * the commands that change a service's state under systemd or SysV init.
 */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';

/** Which packaging and service conventions a host follows. */
export type OsFamily = 'debian' | 'rhel' | 'unknown';

export interface OsRelease {
  id: string;
  idLike: string[];
  family: OsFamily;
}

const DEBIAN_LIKE = ['debian', 'ubuntu'];
const RHEL_LIKE = ['rhel', 'fedora', 'centos'];

/** /etc/os-release (os-release(5)), falling back to /usr/lib/os-release as the spec says. */
export function osRelease(): Fact<OsRelease> {
  return {
    command: sh`if [ -r /etc/os-release ]; then cat /etc/os-release; else cat /usr/lib/os-release; fi`,
    parse: parseOsRelease,
  };
}

function unquoteOsReleaseValue(raw: string): string {
  const value = raw.trim();
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return (quoted ? quoted[2] : value).replace(/\\(["'$`\\])/g, '$1');
}

export function parseOsRelease(result: CommandResult): OsRelease {
  if (result.exitCode !== 0) throw new Error(`cannot read os-release: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const fields = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) fields.set(match[1], unquoteOsReleaseValue(match[2]));
  }
  const id = (fields.get('ID') ?? 'linux').toLowerCase();
  const idLike = (fields.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const lineage = [id, ...idLike];
  const family: OsFamily = lineage.some((name) => DEBIAN_LIKE.includes(name))
    ? 'debian'
    : lineage.some((name) => RHEL_LIKE.includes(name))
      ? 'rhel'
      : 'unknown';
  return { id, idLike, family };
}

/**
 * Whether each package is installed, asking dpkg or rpm, whichever the host has. A package
 * the database does not know is simply not installed.
 */
export function installedPackages(names: string[]): Fact<Record<string, boolean>> {
  return {
    command: sh`if command -v dpkg-query >/dev/null 2>&1; then
  echo 'manager dpkg'; dpkg-query -W -f=${'${Package} ${db:Status-Abbrev}\\n'} ${names} 2>/dev/null; true
elif command -v rpm >/dev/null 2>&1; then
  echo 'manager rpm'; rpm -q --qf ${'%{NAME} installed\\n'} ${names}; true
else
  echo 'manager none'
fi`,
    parse: (result) => parseInstalledPackages(result, names),
  };
}

export function parseInstalledPackages(result: CommandResult, names: string[]): Record<string, boolean> {
  const lines = result.stdout.split('\n');
  const manager = /^manager (\S+)$/.exec(lines[0]?.trim() ?? '')?.[1];
  if (result.exitCode !== 0 || !manager) throw new Error(`cannot query packages: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  if (manager === 'none') throw new Error('the host has neither dpkg nor rpm, so its packages cannot be checked');
  const installed = new Set<string>();
  for (const line of lines.slice(1)) {
    // dpkg: "apache2 ii " (want=install, state=installed); rpm: "httpd installed".
    const [name, status] = line.trim().split(/\s+/);
    if (manager === 'dpkg' ? status === 'ii' : status === 'installed') installed.add(name);
  }
  return Object.fromEntries(names.map((name) => [name, installed.has(name)]));
}

export type InitSystem = 'systemd' | 'sysv';

export interface ServiceStatus {
  /** systemd when PID 1 is systemd (sd_booted(3): /run/systemd/system exists), SysV otherwise. */
  init: InitSystem;
  /** systemd knows the unit (its LoadState is not not-found), or /etc/init.d has the script. */
  exists: boolean;
  running: boolean;
  /** Starts at boot: `systemctl is-enabled` says enabled, or an S link in /etc/rc[2-5].d. */
  enabled: boolean;
  /**
   * What decides `enabled`, for messages: `systemctl is-enabled`'s word (enabled, disabled,
   * static, masked, ...), or under SysV `links` (S links in the runlevels 2-5) or `no links`.
   */
  boot: string;
}

/**
 * Under systemd, `systemctl is-active`/`is-enabled` and the unit's LoadState. Under SysV the
 * init script's `status` exit code, which LSB defines as 0 for running (3 not running, 1
 * dead with a pid file, 4 unknown), and the start/kill links that update-rc.d or chkconfig
 * leave in the runlevel directories (Debian's /etc/rcN.d or RHEL's /etc/rc.d/rcN.d).
 */
export function serviceStatus(name: string): Fact<ServiceStatus> {
  const script = `/etc/init.d/${name}`;
  return {
    command: sh`if [ -d /run/systemd/system ]; then
  echo init systemd
  echo "load $(systemctl show -p LoadState --value -- ${name} 2>/dev/null)"
  echo "active $(systemctl is-active -- ${name} 2>/dev/null)"
  echo "enabled $(systemctl is-enabled -- ${name} 2>/dev/null)"
else
  echo init sysv
  if [ -f ${script} ]; then echo script yes; else echo script no; fi
  if command -v service >/dev/null 2>&1; then service ${name} status >/dev/null 2>&1; else ${script} status >/dev/null 2>&1; fi
  echo "status $?"
  for lvs_link in /etc/rc[0-6S].d/[SK][0-9][0-9]${name} /etc/rc.d/rc[0-6].d/[SK][0-9][0-9]${name}; do [ -e "$lvs_link" ] && echo "link $lvs_link"; done
  true
fi`,
    parse: (result) => parseServiceStatus(result, name),
  };
}

const SYSTEMD_ENABLED = ['enabled', 'enabled-runtime', 'alias'];

/** An S link of runlevel 2 to 5 for the script: /etc/rc2.d/S01NAME, /etc/rc.d/rc3.d/S85NAME. */
function startsAtBoot(links: string[], name: string): boolean {
  return links.some((link) => {
    const match = /\/rc([0-6S])\.d\/S[0-9]{2}(.+)$/.exec(link);
    return match !== null && '2345'.includes(match[1]) && match[2] === name;
  });
}

export function parseServiceStatus(result: CommandResult, name: string): ServiceStatus {
  const fields = new Map<string, string>();
  const links: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const match = /^(\w+) ?(.*)$/.exec(line.trim());
    if (!match) continue;
    if (match[1] === 'link') links.push(match[2].trim());
    else fields.set(match[1], match[2].trim());
  }
  const init = fields.get('init');
  if (result.exitCode !== 0 || (init !== 'systemd' && init !== 'sysv')) {
    throw new Error(`cannot read service status: ${result.stderr.trim() || result.stdout.trim() || `exit ${result.exitCode}`}`);
  }
  if (init === 'systemd') {
    const load = fields.get('load') ?? '';
    const boot = fields.get('enabled') || 'unknown';
    return { init, exists: load !== '' && load !== 'not-found', running: fields.get('active') === 'active', enabled: SYSTEMD_ENABLED.includes(boot), boot };
  }
  const enabled = startsAtBoot(links, name);
  return { init, exists: fields.get('script') === 'yes', running: fields.get('status') === '0', enabled, boot: enabled ? 'links' : 'no links' };
}

export interface DaemonFreshness {
  /** The process named in the pid file is alive. */
  running: boolean;
  /** When the pid file was written (seconds since the epoch): the daemon's start. */
  startedAt?: number;
  /** The newest modification time of any file under the configuration directory. */
  configChangedAt?: number;
}

/**
 * Whether a daemon started after its configuration last changed. The pid file is written
 * by the daemon once it has read its configuration, so its mtime is a start time with
 * nanosecond precision (the /proc start time is only whole seconds after boot).
 */
export function daemonFreshness(pidFile: string, configDir: string): Fact<DaemonFreshness> {
  return {
    command: sh`if [ -f ${pidFile} ] && kill -0 "$(cat -- ${pidFile})" 2>/dev/null; then stat -c 'started %.9Y' -- ${pidFile}; else echo 'started none'; fi
find -L -- ${configDir} -type f -printf 'config %T@\\n' 2>/dev/null | sort -k2 -n | tail -n 1`,
    parse: parseDaemonFreshness,
  };
}

export function parseDaemonFreshness(result: CommandResult): DaemonFreshness {
  if (result.exitCode !== 0) throw new Error(`cannot read the daemon's start time: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const started = /^started (\S+)$/m.exec(result.stdout)?.[1];
  const config = /^config (\S+)$/m.exec(result.stdout)?.[1];
  const freshness: DaemonFreshness = { running: started !== undefined && started !== 'none' };
  if (freshness.running) freshness.startedAt = Number(started);
  if (config !== undefined) freshness.configChangedAt = Number(config);
  return freshness;
}

