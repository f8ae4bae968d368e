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
 * - A part that matches nothing contributes nothing (Ansible warns); `matchPattern` reports
 *   such parts so the caller can warn. A pattern that cannot be read is an InputError.
 * Results are in inventory order, not in pattern order.
 */
import { InputError } from '../../errors';
import { parseAddress } from './address';
import type { Inventory } from './types';

export interface PatternMatch {
  hosts: string[];
  /** Parts that matched no host, as written (without `&`/`!`). */
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
  const members = groupMembers(inventory);
  const unmatched: string[] = [];
  const matching = (part: string): Set<string> => {
    const found = matchPart(inventory, members, part.replace(/^[&!]/, ''), pattern);
    if (found.size === 0) unmatched.push(part.replace(/^[&!]/, ''));
    return found;
  };

  const selected = new Set<string>();
  for (const part of plain.length > 0 ? plain : ['all']) for (const host of matching(part)) selected.add(host);
  for (const part of intersections) {
    const keep = matching(part);
    for (const host of selected) if (!keep.has(host)) selected.delete(host);
  }
  for (const part of exclusions) for (const host of matching(part)) selected.delete(host);
  return { hosts: [...inventory.hosts.keys()].filter((host) => selected.has(host)), unmatched };
}

/**
 * Every group's member hosts, descendants' hosts included, in inventory order: what Ansible
 * exposes as the `groups` variable ('all' and empty groups included).
 */
export function groupMembers(inventory: Inventory): Record<string, string[]> {
  const members: Record<string, string[]> = Object.fromEntries([...inventory.groups.keys()].map((name) => [name, []]));
  for (const host of inventory.hosts.values()) for (const group of host.groups) (members[group] ??= []).push(host.name);
  return members;
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

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+):([0-9]*))\]$/;

function matchPart(inventory: Inventory, members: Record<string, string[]>, part: string, pattern: string): Set<string> {
  if (inventory.hosts.has(part)) return new Set([part]);
  const subscript = part.startsWith('~') ? null : SUBSCRIPT.exec(part);
  const expression = subscript ? subscript[1] : part;
  const matches = compileMatcher(expression, pattern);

  const hosts = new Set<string>();
  const matchedGroups = [...inventory.groups.keys()].filter(matches);
  for (const group of matchedGroups) for (const host of members[group]) hosts.add(host);
  // Host names are tried when no group matched, and always for globs and regexes.
  if (matchedGroups.length === 0 || expression.startsWith('~') || /[.?*[]/.test(expression)) {
    for (const host of inventory.hosts.keys()) if (matches(host)) hosts.add(host);
  }
  const ordered = [...inventory.hosts.keys()].filter((host) => hosts.has(host));
  if (!subscript) return new Set(ordered);
  return new Set(applySubscript(ordered, subscript, part));
}

function applySubscript(hosts: string[], subscript: RegExpExecArray, part: string): string[] {
  const [, , single, start, end] = subscript;
  if (single !== undefined) {
    const index = Number(single) < 0 ? hosts.length + Number(single) : Number(single);
    const host = hosts[index];
    if (host === undefined) throw new InputError(`no host matches the subscripted pattern '${part}': ${hosts.length} host(s) matched`, undefined, 'hosts');
    return [host];
  }
  const last = end === '' ? hosts.length - 1 : Number(end);
  return hosts.slice(Number(start), last + 1);
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
