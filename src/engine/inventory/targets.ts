/**
 * The hosts a run targets, with what ansible-playbook says about patterns that match nothing:
 * a part of a play's `hosts:` or of `--limit` that matches no group and no host is warned
 * about and ignored ("Could not match supplied host pattern, ignoring: X"); a play whose
 * pattern selects no host is skipped ("skipping: no hosts matched"); a `--limit` that leaves a non-empty
 * inventory with no host at all stops the run before anything else (Ansible's exit 1).
 */
import { InputError } from '../../errors';
import { matchPattern } from './patterns';
import type { Inventory } from './types';

/** Ansible exits 1 for it (an AnsibleError), not 4 as for other bad input. */
export class NoHostsToTarget extends InputError {
  override readonly exitCode: number = 1;
  constructor(limit: string) {
    super('Specified inventory, host pattern and/or --limit leaves us with no hosts to target.', undefined, '--limit', `'${limit}' matches no host of the inventory`);
  }
}

export function unmatchedWarning(part: string): string {
  return `Could not match supplied host pattern, ignoring: ${part}`;
}

/** The hosts `--limit` keeps; throws NoHostsToTarget when it keeps none of a non-empty inventory. */
export function limitedHosts(inventory: Inventory, limit: string, warn: (warning: string) => void): Set<string> {
  const match = matchPattern(inventory, limit);
  match.unmatched.forEach((part) => warn(unmatchedWarning(part)));
  if (match.hosts.length === 0 && inventory.hosts.size > 0) throw new NoHostsToTarget(limit);
  return new Set(match.hosts);
}

/**
 * A play's hosts in Ansible's order, those `--limit` keeps. Warns of parts that match nothing
 * and of a play whose own pattern selects no host (a typo, most often). A play that only
 * `--limit` leaves without hosts is skipped quietly: that is what the limit asked for.
 */
export function playHosts(inventory: Inventory, play: { name: string; hosts: string }, limited: Set<string> | undefined, warn: (warning: string) => void): string[] {
  const match = matchPattern(inventory, play.hosts);
  match.unmatched.forEach((part) => warn(unmatchedWarning(part)));
  if (match.hosts.length === 0) warn(`play '${play.name}': skipping: no hosts matched`);
  return limited ? match.hosts.filter((host) => limited.has(host)) : match.hosts;
}
