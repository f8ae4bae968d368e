/**
 * Ansible host patterns (ansible.inventory.manager):
 * - a pattern with a comma is split on commas only; otherwise a pattern that is one address
 *   (`fe80::1`, `[2001:db8::1]:22`, `web[1:3]`) stays whole, and anything else is split on
 *   colons that are not inside brackets (whitespace separates too), keeping IPv6 addresses whole.
 * - Parts apply in a fixed order whatever their place: plain parts (union) first, then `&`
 *   parts (intersection), then `!` parts (exclusion). Only `&`/`!` parts start from 'all'.
 * - A part is a host or group name, `all`/`*`, a glob (`*`, `?`, `[...]`) matched against
 *   group names and then host names, or `~regex` (anchored at the start, as Python's
 *   re.match). A group or glob may end in a subscript: `web[0]`, `web[-1]`, `web[1:]`, `web[0:2]`.
 * - A part that matches no group and no host contributes nothing; `matchPattern` reports it
 *   (Ansible warns "Could not match supplied host pattern, ignoring"). A group that matches
 *   but is empty is not reported. A pattern that cannot be read is an InputError.
 * Results are in Ansible's order: each plain part adds its hosts after those of the parts
 * before it, a group's hosts in the group's own order (see group-hosts.ts).
 */
import { InputError } from '../../errors';
import { parseAddress } from './address';
import type { Inventory } from './types';

export interface PatternMatch {
  hosts: string[];
  /** Parts that matched no group and no host, as Ansible's warning names them (without `&`/`!` or a subscript). */
  unmatched: string[];
}

export function selectHosts(inventory: Inventory, pattern: string): string[] {
  return matchPattern(inventory, pattern).hosts;
}

export function matchPattern(inventory: Inventory, pattern: string): PatternMatch {
  const parts = splitPattern(pattern);
  const plain = parts.filter((part) => !part.startsWith('&') && !part.startsWith('!'));
  const intersections = parts.filter((part) => part.startsWith('&'));
  const exclusions = parts.filter((part) => part.startsWith('!'));
  const unmatched: string[] = [];
  const matching = (part: string): string[] => {
    const found = matchPart(inventory, part.replace(/^[&!]/, ''), pattern);
    if (!found.groupMatched && found.hosts.length === 0) unmatched.push(found.expression);
    return found.hosts;
  };

  const selected = new Set<string>();
  for (const part of plain.length > 0 ? plain : ['all']) {
    // A plain part that names a host is that host, even when a group has the same name.
    if (inventory.hosts.has(part)) selected.add(part);
    else for (const host of matching(part)) selected.add(host);
  }
  for (const part of intersections) {
    const keep = new Set(matching(part));
    for (const host of selected) if (!keep.has(host)) selected.delete(host);
  }
  for (const part of exclusions) for (const host of matching(part)) selected.delete(host);
  return { hosts: [...selected], unmatched };
}

/** Every group's member hosts, descendants' hosts included, in Ansible's order: the `groups` variable. */
export function groupMembers(inventory: Inventory): Record<string, string[]> {
  return Object.fromEntries([...inventory.groups.keys()].map((name) => [name, inventory.groupHosts.get(name) ?? []]));
}

function splitPattern(pattern: string): string[] {
  const text = pattern.trim();
  if (!text) throw new InputError('the host pattern is empty', undefined, 'hosts', 'use all to select every host');
  let parts: string[];
  if (text.includes(',')) parts = text.split(',');
  else if (parseAddress(text, true)) parts = [text];
  else parts = splitOnColons(text, pattern);
  parts = parts.map((part) => part.trim()).filter(Boolean);
  if (parts.length === 0) throw new InputError(`the host pattern '${pattern}' names no hosts or groups`, undefined, 'hosts');
  for (const part of parts) {
    if (part === '&' || part === '!') throw new InputError(`'${part}' in host pattern '${pattern}' must be followed by a name`, undefined, 'hosts');
  }
  return parts;
}

/**
 * Colons and whitespace separate parts, except inside a bracketed expression. Unlike
 * Ansible, colon-separated pieces that together form an IPv6 address are joined again, so
 * `all:!fe80::1` excludes fe80::1 instead of silently excluding nothing.
 */
function splitOnColons(text: string, pattern: string): string[] {
  const pieces: Array<{ text: string; colonAfter: boolean }> = [];
  let current = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '[') {
      const close = text.indexOf(']', index);
      if (close < 0) throw new InputError(`unclosed '[' in host pattern '${pattern}'`, undefined, 'hosts');
      current += text.slice(index, close + 1);
      index = close;
    } else if (char === ']') {
      throw new InputError(`unexpected ']' in host pattern '${pattern}'`, undefined, 'hosts');
    } else if (char === ':' || /\s/.test(char)) {
      pieces.push({ text: current, colonAfter: char === ':' });
      current = '';
    } else {
      current += char;
    }
  }
  pieces.push({ text: current, colonAfter: false });
  return joinIPv6Pieces(pieces);
}

/** Joins the longest run of colon-separated pieces that reads as one IPv6 address. */
function joinIPv6Pieces(pieces: Array<{ text: string; colonAfter: boolean }>): string[] {
  const parts: string[] = [];
  for (let start = 0; start < pieces.length; start += 1) {
    let end = start;
    let joined = pieces[start].text;
    for (let candidate = start + 1, text = joined; candidate < pieces.length && pieces[candidate - 1].colonAfter; candidate += 1) {
      text += `:${pieces[candidate].text}`;
      const address = parseAddress(text.replace(/^[&!]/, ''), false);
      if (address && address.port === undefined && address.host.includes(':')) {
        end = candidate;
        joined = text;
      }
    }
    parts.push(joined);
    start = end;
  }
  return parts;
}

/** Ansible's PATTERN_WITH_SUBSCRIPT: `[i]`, `[-i]`, `[a:b]` and `[a:]`. */
const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+):([0-9]*))\]$/;

/**
 * Ansible's _enumerate_matches: the hosts of every matching group (in group order), then,
 * when no group matched or the part is a glob or regex, every matching host; a subscript
 * then picks from that list, duplicates included, as Ansible's does.
 */
function matchPart(inventory: Inventory, part: string, pattern: string): { hosts: string[]; groupMatched: boolean; expression: string } {
  const subscript = part.startsWith('~') ? null : SUBSCRIPT.exec(part);
  const expression = subscript ? subscript[1] : part;
  const matches = compileMatcher(expression, pattern);

  const hosts: string[] = [];
  const matchedGroups = [...inventory.groups.keys()].filter(matches);
  for (const group of matchedGroups) hosts.push(...(inventory.groupHosts.get(group) ?? []));
  if (matchedGroups.length === 0 || expression.startsWith('~') || /[.?*[]/.test(expression)) {
    for (const host of inventory.hosts.keys()) if (matches(host)) hosts.push(host);
  }
  const picked = subscript ? applySubscript(hosts, subscript, part) : hosts;
  return { hosts: [...new Set(picked)], groupMatched: matchedGroups.length > 0, expression };
}

/** `[a:b]` is inclusive; as in Ansible, an end of 0 picks the one host at `a`, and nothing matched is no error. */
function applySubscript(hosts: string[], subscript: RegExpExecArray, part: string): string[] {
  if (hosts.length === 0) return hosts;
  const [, , single, start, end] = subscript;
  const index = Number(single ?? start);
  if (single === undefined && end !== '0') return hosts.slice(index, end === '' ? hosts.length : Number(end) + 1);
  const host = hosts[index < 0 ? hosts.length + index : index];
  if (host === undefined) throw new InputError(`no host matches the subscripted pattern '${part}': ${hosts.length} host(s) matched`, undefined, 'hosts');
  return [host];
}

function compileMatcher(expression: string, pattern: string): (name: string) => boolean {
  if (expression.startsWith('~')) {
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${expression.slice(1)})`);
    } catch (error) {
      throw new InputError(`invalid regular expression in host pattern '${pattern}': ${(error as Error).message}`, undefined, 'hosts');
    }
    return (name) => regex.test(name);
  }
  const glob = globToRegExp(expression);
  return (name) => glob.test(name);
}

/** Python's fnmatch: `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[` is literal; matching is case-sensitive. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index];
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      let close = index + 1;
      if (glob[close] === '!') close += 1;
      if (glob[close] === ']') close += 1;
      close = glob.indexOf(']', close);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let set = glob.slice(index + 1, close).replace(/\\/g, '\\\\').replace(/\]/g, '\\]');
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      else if (set.startsWith('^')) set = `\\${set}`;
      source += `[${set}]`;
      index = close;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
