/**
 * Installing, upgrading and removing packages, and refreshing the package lists, with apt,
 * dnf or yum: never interactive, and, like Ansible's apt module, keeping a locally changed
 * configuration file (dpkg's --force-confdef --force-confold) instead of asking.
 */
import { APT_UPDATE_STAMP, type PackageTool } from '../facts/packages';
import { sh, type ShellCommand } from '../shell/quote';

export interface InstallOptions {
  /** true: --install-recommends; false: --no-install-recommends; undefined: apt's own setting. */
  recommends?: boolean;
}

const APT_GET = sh`DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold`;

function recommendsFlag(options: InstallOptions): string[] {
  if (options.recommends === undefined) return [];
  return [options.recommends ? '--install-recommends' : '--no-install-recommends'];
}

/** Installs (or upgrades to the candidate) packages given by name or as local package files (absolute paths). */
export function installCommand(tool: PackageTool, packages: string[], options: InstallOptions = {}): ShellCommand {
  if (tool === 'apt-get') return sh`${APT_GET} ${[...recommendsFlag(options), 'install', '--', ...packages]}`;
  return sh`${tool} -y install -- ${packages}`;
}

/** Upgrades installed packages with dnf or yum (with apt, installCommand upgrades as well). */
export function upgradeCommand(tool: 'dnf' | 'yum', packages: string[]): ShellCommand {
  return sh`${tool} -y upgrade -- ${packages}`;
}

export function removeCommand(tool: PackageTool, packages: string[]): ShellCommand {
  return tool === 'apt-get' ? sh`${APT_GET} remove -- ${packages}` : sh`${tool} -y remove -- ${packages}`;
}

/**
 * Refreshes the package lists. apt-get update leaves the lists' mtimes alone when nothing
 * changed upstream (it keeps the server's dates), so the refresh is recorded in
 * update-success-stamp, the file APT's own hooks write for the same purpose.
 */
export function refreshListsCommand(tool: PackageTool): ShellCommand {
  if (tool === 'apt-get') return sh`${APT_GET} update && mkdir -p -- ${APT_UPDATE_STAMP.replace(/\/[^/]+$/, '')} && touch -- ${APT_UPDATE_STAMP}`;
  return sh`${tool} -y makecache`;
}
