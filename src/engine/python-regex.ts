/**
 * Ansible's regex_replace is Python's re.sub. Python patterns are read by JavaScript's engine
 * after the few spellings that differ are rewritten; the replacement is expanded by hand, as
 * Python does (\1, \g<1>, \g<name>, \n), so a `$` in it is just a dollar sign.
 */
import { TemplateError } from './template-error';

/** Bounds on what one call reads: JavaScript has no regex timeout, so keep the work small. */
const MAX_PATTERN = 2_000;
const MAX_INPUT = 200_000;

function translatePattern(helper: string, pattern: string): { source: string; flags: string } {
  let flags = '';
  const source = pattern.replace(/^\(\?([aiLmsux]+)\)/, (_all, letters: string) => {
    if (/[xLu]/.test(letters)) throw new TemplateError(`${helper}: the inline flag (?${letters}) is not supported`);
    flags += letters.replace(/a/g, '');
    return '';
  });
  let out = '';
  let inClass = false;
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === '\\') {
      const next = source[index + 1] ?? '';
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'Z') out += '(?![\\s\\S])';
      else out += char + next;
      index++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      out += char;
      continue;
    }
    if (char === '[') inClass = true;
    if (source.startsWith('(?P<', index)) {
      out += '(?<';
      index += 3;
      continue;
    }
    const backReference = /^\(\?P=(\w+)\)/.exec(source.slice(index));
    if (backReference) {
      out += `\\k<${backReference[1]}>`;
      index += backReference[0].length - 1;
      continue;
    }
    out += char;
  }
  return { source: out, flags };
}

type Part = string | { group: string | number };

function parseReplacement(replacement: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  for (let index = 0; index < replacement.length; index++) {
    const char = replacement[index];
    if (char !== '\\') {
      literal += char;
      continue;
    }
    const rest = replacement.slice(index + 1);
    const named = /^g<(\w+)>/.exec(rest);
    const numbered = /^\d{1,2}/.exec(rest);
    const escape = { n: '\n', t: '\t', r: '\r', '\\': '\\' }[rest[0] ?? ''];
    if (named || numbered) {
      if (literal) parts.push(literal);
      literal = '';
      const name = named ? named[1] : numbered![0];
      parts.push({ group: /^\d+$/.test(name) ? Number(name) : name });
      index += (named ?? numbered)![0].length;
    } else if (escape !== undefined) {
      literal += escape;
      index++;
    } else {
      literal += char;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

/** A Python pattern as a JavaScript RegExp, within the bounds above. */
function compilePattern(helper: string, value: string, pattern: string, extraFlags: string, wrap = (source: string) => source): RegExp {
  if (pattern.length > MAX_PATTERN) throw new TemplateError(`${helper}: the pattern is longer than ${MAX_PATTERN} characters`);
  if (value.length > MAX_INPUT) throw new TemplateError(`${helper}: the value is longer than ${MAX_INPUT} characters`);
  const { source, flags } = translatePattern(helper, pattern);
  try {
    return new RegExp(wrap(source), [...new Set(flags + extraFlags)].join(''));
  } catch (error) {
    throw new TemplateError(`${helper}: invalid pattern '${pattern}': ${(error as Error).message}`);
  }
}

/** re.sub(pattern, replacement, value, count) with Ansible's ignorecase and multiline. */
export function regexReplace(value: string, pattern: string, replacement: string, options: { ignorecase: boolean; multiline: boolean; count: number }): string {
  const regex = compilePattern('regex_replace', value, pattern, `g${options.ignorecase ? 'i' : ''}${options.multiline ? 'm' : ''}`);
  const parts = parseReplacement(replacement);
  let done = 0;
  return value.replace(regex, (...match) => {
    const whole = match[0] as string;
    if (options.count > 0 && done >= options.count) return whole;
    done++;
    const hasNamed = typeof match.at(-1) === 'object';
    const named = hasNamed ? (match.at(-1) as Record<string, string | undefined>) : {};
    const groups = match.slice(0, hasNamed ? -3 : -2) as (string | undefined)[];
    return parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const known = typeof part.group === 'number' ? part.group < groups.length : part.group in named;
        if (!known) throw new TemplateError(`regex_replace: the replacement names group ${part.group}, which the pattern does not have`);
        return (typeof part.group === 'number' ? groups[part.group] : named[part.group]) ?? '';
      })
      .join('');
  });
}

/** re.match (anchored at the start of the value, whatever the flags) or re.search, as Ansible's match and search tests use them. */
export function regexSearch(value: string, pattern: string, anchored: boolean): boolean {
  const name = anchored ? 'match' : 'search';
  return compilePattern(name, value, pattern, '', (source) => (anchored ? `(?<![\\s\\S])(?:${source})` : source)).test(value);
}
