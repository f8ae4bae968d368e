/**
 * Packages installed, at their newest version, or removed, with apt on Debian-like hosts and
 * dnf or yum on RHEL-like ones, from the package lists or from package files on the host;
 * and the package lists refreshed, at most once in a freshness window. Ansible's
 * `package`/`apt` arguments and meanings.
 */
import { defineTask, noop, type Change, type PlannedCommand } from '../api';
import { compareDebianVersions } from '../facts/debian-version';
import { packageState, type PackageState, type PackageTool } from '../facts/packages';
import { installCommand, refreshListsCommand, removeCommand, upgradeCommand } from '../changes/packages';
import { DEB_FILE, PACKAGE_OR_FILE } from './patterns';

type PackageStateArg = 'present' | 'installed' | 'latest' | 'absent' | 'removed';
type Manager = 'auto' | 'apt' | 'dnf' | 'yum';

interface PackageArgs {
  name?: string[];
  deb?: string;
  state: PackageStateArg;
  update_cache: boolean;
  cache_valid_time?: number;
  install_recommends?: boolean;
  use: Manager;
}

const isFile = (name: string) => name.startsWith('/');
const wanted = (state: PackageStateArg) => (state === 'installed' ? 'present' : state === 'removed' ? 'absent' : state);
const localFiles = (args: PackageArgs) => [...(args.deb === undefined ? [] : [args.deb]), ...(args.name ?? []).filter(isFile)];
const packageNames = (args: PackageArgs) => (args.name ?? []).filter((name) => !isFile(name));
/** Ansible: giving cache_valid_time asks for the refresh as well. */
const refreshes = (args: PackageArgs) => args.update_cache || args.cache_valid_time !== undefined;

const TOOL_OF: Record<Exclude<Manager, 'auto'>, PackageTool> = { apt: 'apt-get', dnf: 'dnf', yum: 'yum' };

function chooseTool(args: PackageArgs, state: PackageState): PackageTool {
  if (args.use !== 'auto') {
    const tool = TOOL_OF[args.use];
    const fits = state.database === (tool === 'apt-get' ? 'dpkg' : 'rpm');
    if (!fits || !state.tools.includes(tool)) throw new Error(`use: ${args.use} was asked for, but the host has ${fits ? `no ${tool}` : `a ${state.database} package database`}`);
    return tool;
  }
  const candidates: PackageTool[] = state.database === 'dpkg' ? ['apt-get'] : ['dnf', 'yum'];
  const tool = candidates.find((candidate) => state.tools.includes(candidate));
  if (!tool) throw new Error(`the host has a ${state.database} package database but none of ${candidates.join(', ')}`);
  return tool;
}

function listsAge(state: PackageState): number | undefined {
  return state.listsUpdatedAt === undefined ? undefined : Math.max(0, state.now - state.listsUpdatedAt);
}

/** Whether the lists need refreshing, and the words for it. */
function refreshPlan(args: PackageArgs, state: PackageState): { change?: Change; fresh?: string; action: boolean } {
  if (!refreshes(args)) return { action: false };
  const age = listsAge(state);
  const windowed = args.cache_valid_time !== undefined && state.database === 'dpkg';
  if (windowed && age !== undefined && age <= args.cache_valid_time!) {
    return { fresh: `the package lists were refreshed ${age} s ago (within ${args.cache_valid_time} s)`, action: false };
  }
  const before = age === undefined ? 'never refreshed' : `refreshed ${age} s ago`;
  // Without a window the refresh is asked for on every run: the command is the change.
  return { change: { subject: 'package lists', before, after: 'refreshed' }, action: !windowed };
}

export default defineTask({
  name: 'package',
  description: 'Installs, upgrades or removes packages with apt, dnf or yum, from the package lists or from package files on the host.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: {
        type: 'array',
        items: { type: 'string', pattern: PACKAGE_OR_FILE },
        minItems: 1,
        description:
          'The packages (one name or a list): names as the package manager knows them (Debian rules: lowercase letters, digits, + - and .; RPM names may also have upper case and _), or absolute paths of .deb or .rpm files on the host to install from.',
      },
      deb: { type: 'string', pattern: DEB_FILE, description: 'A .deb file on the host to install (with apt, so its dependencies come from the package lists).' },
      state: {
        type: 'string',
        enum: ['present', 'installed', 'latest', 'absent', 'removed'],
        default: 'present',
        description:
          "present (or installed): installed, at whatever version; latest: installed at the newest version the package lists have (apt-cache policy's candidate, or dnf's pending upgrade); absent (or removed): not installed (apt-get remove keeps configuration files).",
      },
      update_cache: { type: 'boolean', default: false, description: 'Refresh the package lists (apt-get update, dnf makecache) before anything else; changed on every run unless cache_valid_time is given.' },
      cache_valid_time: {
        type: 'integer',
        minimum: 0,
        description:
          "With apt: refresh the package lists only when their last refresh is older than this many seconds (read from update-success-stamp or /var/lib/apt/lists, against the host's clock). Giving it implies update_cache.",
      },
      install_recommends: {
        type: 'boolean',
        description: "With apt: true installs recommended packages too, false does not; not given, apt's own setting decides (Debian's default installs them).",
      },
      use: { type: 'string', enum: ['auto', 'apt', 'dnf', 'yum'], default: 'auto', description: 'The package manager; auto picks apt on a dpkg host, dnf (else yum) on an rpm host.' },
    },
  },
  example: { name: ['ipvsadm', 'keepalived'], state: 'present', update_cache: true, cache_valid_time: 3600, use: 'auto' },
  validate(args) {
    const problems: string[] = [];
    if (!args.name && args.deb === undefined && !refreshes(args)) problems.push('name: give the packages to manage (or deb, or update_cache)');
    if (args.name && args.deb !== undefined) problems.push('deb: cannot be given together with name (as in Ansible): give the file as a name, or the names in another task');
    if (wanted(args.state) === 'absent') {
      if (args.deb !== undefined) problems.push('deb: a package file can only be installed; to remove its package, give the package name with state absent');
      (args.name ?? []).forEach((name, index) => {
        if (isFile(name)) problems.push(`name.${index}: a package file can only be installed; give the package name to remove it`);
      });
    }
    if (args.use !== 'auto' && args.use !== 'apt') {
      if (args.deb !== undefined) problems.push(`deb: is for apt, not ${args.use}; give an .rpm file in name`);
      if (args.install_recommends !== undefined) problems.push(`install_recommends: is for apt, not ${args.use}`);
    }
    return problems;
  },
  facts: (args: PackageArgs) => ({
    packages: packageState({ names: packageNames(args), files: localFiles(args), latest: wanted(args.state) === 'latest' }),
  }),
  plan(args, facts) {
    const state = facts.packages;
    const tool = chooseTool(args, state);
    if (tool !== 'apt-get' && args.install_recommends !== undefined) throw new Error(`install_recommends: is for apt, and this host uses ${tool}`);
    const desired = wanted(args.state);
    const refresh = refreshPlan(args, state);
    const changes: Change[] = refresh.change ? [refresh.change] : [];
    const install: string[] = [];
    const upgrade: string[] = [];
    const remove: string[] = [];
    const settled: string[] = refresh.fresh ? [refresh.fresh] : [];

    for (const name of packageNames(args)) {
      const installed = state.installed[name];
      if (desired === 'absent') {
        if (installed) {
          changes.push({ subject: `package ${name}`, before: installed.version, after: 'absent' });
          remove.push(name);
        } else settled.push(`${name} is absent`);
        continue;
      }
      if (!installed) {
        const candidate = state.candidates?.[name];
        if (desired === 'latest' && state.database === 'dpkg' && candidate === null && !refresh.change) {
          throw new Error(`${name}: no package list has it (apt-cache policy shows no candidate); refresh the lists with update_cache`);
        }
        changes.push({ subject: `package ${name}`, before: 'absent', after: desired === 'latest' && candidate ? candidate : 'installed' });
        install.push(name);
        continue;
      }
      const newer = desired !== 'latest' ? undefined : state.database === 'dpkg' ? dpkgNewer(state.candidates?.[name], installed.version) : state.upgrades?.[name];
      if (newer) {
        changes.push({ subject: `package ${name}`, before: installed.version, after: newer });
        upgrade.push(name);
      } else {
        // A refresh can bring a newer version: the upgrade is asked for after it, so the re-plan finds none.
        if (desired === 'latest' && refresh.change) upgrade.push(name);
        settled.push(`${name} ${installed.version} is installed${desired === 'latest' ? ', the newest version' : ''}`);
      }
    }

    for (const file of state.files) {
      const installed = state.installed[file.package];
      if (installed?.version === file.version) {
        settled.push(`${file.package} ${file.version} from ${file.path} is installed`);
        continue;
      }
      changes.push({ subject: `package ${file.package}`, before: installed ? installed.version : 'absent', after: `${file.version} from ${file.path}` });
      install.push(file.path);
    }

    if (changes.length === 0) return noop(settled.join('; '));
    const options = { recommends: args.install_recommends };
    const commands: PlannedCommand[] = [];
    if (refresh.change) commands.push({ run: refreshListsCommand(tool) });
    // apt-get install also upgrades: one command, one dependency resolution.
    const installs = tool === 'apt-get' ? [...install, ...upgrade] : install;
    if (installs.length) commands.push({ run: installCommand(tool, installs, options) });
    if (tool !== 'apt-get' && upgrade.length) commands.push({ run: upgradeCommand(tool, upgrade) });
    if (remove.length) commands.push({ run: removeCommand(tool, remove) });
    return { changes, commands, ...(refresh.action ? { action: { check: 'report' as const } } : {}) };
  },
});

/** The candidate when it is newer than what is installed: apt never downgrades on its own. */
function dpkgNewer(candidate: string | null | undefined, installed: string): string | undefined {
  return candidate && compareDebianVersions(candidate, installed) > 0 ? candidate : undefined;
}
