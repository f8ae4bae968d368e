/**
 * Host addresses as Ansible reads them in inventories, host lists and host patterns: a host
 * name, an IPv4 address or an IPv6 address, each optionally followed by a port, and each
 * possibly holding `[begin:end(:step)]` ranges. A port follows a name or IPv4 address as
 * `:22`; an IPv6 address takes a port only in brackets, `[2001:db8::1]:22`, because a bare
 * `2001:db8::1:22` is itself a valid address. Rules follow ansible.parsing.utils.addresses.
 */

export interface ParsedAddress {
  host: string;
  port?: number;
}

const NUMERIC_RANGE = /\[[0-9]+:[0-9]+(?::[0-9]+)?\]/g;
const HEX_RANGE = /\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\]/gi;
const ALPHANUMERIC_RANGE = /\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]/gi;

const BRACKETED_WITH_PORT = /^\[(.+)\]:([0-9]+)$/;
/** Anything without a bare colon (ranges may hold colons), then `:port`. */
const NAME_WITH_PORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;

/** Returns the host and port, or undefined when the text is not a host identifier. */
export function parseAddress(text: string, allowRanges: boolean): ParsedAddress | undefined {
  let host = text;
  let port: number | undefined;
  const withPort = BRACKETED_WITH_PORT.exec(text) ?? NAME_WITH_PORT.exec(text);
  if (withPort) {
    host = withPort[1];
    port = Number(withPort[2]);
  }
  if (!isIPv4(host) && !isIPv6(host) && !isHostName(host)) return undefined;
  if (!allowRanges && host.includes('[')) return undefined;
  return port === undefined ? { host } : { host, port };
}

/** A range stands in for one component while the shape of the address is checked. */
function isIPv4(text: string): boolean {
  const parts = text.replace(NUMERIC_RANGE, '0').split('.');
  return parts.length === 4 && parts.every((part) => /^[0-9]{1,3}$/.test(part) && Number(part) <= 255);
}

function isIPv6(text: string): boolean {
  const address = text.replace(HEX_RANGE, '0');
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const all = groups.flat();
  let width = all.length;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isIPv4(last)) return false;
    all.pop();
    width += 1; // an embedded IPv4 address fills two groups
  }
  if (!all.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return false;
  return halves.length === 2 ? width <= 7 : width === 8;
}

/** DNS-like labels that may also hold underscores and ranges, and end in neither `-` nor `_`. */
function isHostName(text: string): boolean {
  const labels = text.replace(ALPHANUMERIC_RANGE, 'a').split('.');
  return labels.every((label) => /^[\p{L}\p{N}\p{M}_][\p{L}\p{N}\p{M}_-]*$/u.test(label) && !/[-_]$/.test(label));
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Thrown when a pattern stands for more hosts than allowed, before any name is made. */
export class TooManyHosts extends Error {
  constructor(readonly count: number) {
    super(`expands to ${Number.isFinite(count) ? count : 'more hosts than a number can hold'}${Number.isFinite(count) ? ' hosts' : ''}`);
  }
}

/** One `[begin:end:step]` range: how many items it has, and the items, made only when asked. */
interface HostRange {
  count: number;
  items(): string[];
}

/**
 * Expands `web[01:03].example.com`, `db-[a:c]` and `[1:9:2]` steps into host names. A begin
 * with a leading zero sets the width of every number, so begin and end must be equally long.
 * Throws an Error with Ansible's wording when a range is malformed, and TooManyHosts when the
 * pattern stands for more than `limit` names: the count is known before any name is made.
 */
export function expandHostRanges(pattern: string, limit = Number.POSITIVE_INFINITY): string[] {
  const parts = rangeParts(pattern);
  const count = parts.reduce((product, part) => product * (typeof part === 'string' ? 1 : part.count), 1);
  if (count > limit) throw new TooManyHosts(count);
  let names = [''];
  for (const part of parts) {
    if (typeof part === 'string') names = names.map((name) => name + part);
    else names = names.flatMap((name) => part.items().map((item) => name + item));
  }
  return names;
}

/** The text between ranges, and the ranges. */
function rangeParts(pattern: string): Array<string | HostRange> {
  const parts: Array<string | HostRange> = [];
  let rest = pattern;
  for (let open = rest.indexOf('['); open >= 0; open = rest.indexOf('[')) {
    const close = rest.indexOf(']', open);
    if (close < 0) throw new Error(`unclosed host range in "${pattern}"`);
    parts.push(rest.slice(0, open), hostRange(rest.slice(open + 1, close)));
    rest = rest.slice(close + 1);
  }
  parts.push(rest);
  return parts;
}

function hostRange(text: string): HostRange {
  const bounds = text.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error('host range must be begin:end or begin:end:step');
  const begin = bounds[0] || '0';
  const [, end, stepText] = bounds;
  if (!end) throw new Error('host range must specify end value');
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new Error(`host range step must be a positive integer, got "${stepText}"`);
  if (LETTERS.includes(begin) && begin.length === 1 && end.length === 1 && LETTERS.includes(end)) {
    const first = LETTERS.indexOf(begin);
    const last = LETTERS.indexOf(end);
    if (first > last) throw new Error('host range must have begin <= end');
    return steps(first, last, step, (index) => LETTERS[index]);
  }
  if (!/^[0-9]+$/.test(begin) || !/^[0-9]+$/.test(end)) {
    throw new Error(`host range [${begin}:${end}] must be numbers or single letters`);
  }
  const padded = begin.length > 1 && begin.startsWith('0');
  if (padded && begin.length !== end.length) throw new Error('host range must specify equal-length begin and end formats');
  if (Number(begin) > Number(end)) throw new Error('host range must have begin <= end');
  const width = padded ? begin.length : 0;
  return steps(Number(begin), Number(end), step, (number) => String(number).padStart(width, '0'));
}

function steps(first: number, last: number, step: number, name: (value: number) => string): HostRange {
  const count = Math.floor((last - first) / step) + 1;
  return { count, items: () => Array.from({ length: count }, (_, index) => name(first + index * step)) };
}
