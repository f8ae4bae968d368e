/**
 * The regular expressions of lineinfile and blockinfile. Ansible's are Python's; these are
 * JavaScript's, with the Python spellings playbooks use most taken as well: named groups
 * `(?P<name>...)`, `(?P=name)`, and inline flags at the start (`(?i)`, `(?m)`, `(?s)`).
 */

const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;
const TAKEN_FLAGS = new Set(['i', 'm', 's']);

/** The RegExp for a Python-style pattern; throws an Error saying what is wrong with it. */
export function compileRegexp(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const leading = LEADING_FLAGS.exec(source);
  if (leading) {
    for (const flag of leading[1]) {
      if (!TAKEN_FLAGS.has(flag)) throw new Error(`the inline flag (?${flag}) is not supported (only i, m and s are)`);
      if (!flags.includes(flag)) flags += flag;
    }
    source = source.slice(leading[0].length);
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new Error((error as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}

/** "key: ..." when `pattern` is not a regular expression, for a task's validate(). */
export function regexpProblem(key: string, pattern: string | undefined): string[] {
  if (pattern === undefined) return [];
  try {
    compileRegexp(pattern);
    return [];
  } catch (error) {
    return [`${key}: not a valid regular expression: ${(error as Error).message}`];
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/**
 * Python's match.expand(template): `\1` to `\99` and `\g<1>` or `\g<name>` become the
 * groups (an unmatched one is empty), `\n`, `\t` and `\\` their characters; any other
 * backslash stays as written.
 */
export function expandBackrefs(template: string, match: RegExpExecArray): string {
  return template.replace(/\\(?:g<(\w+)>|(\d{1,2})|(.))/gs, (whole, named: string | undefined, numbered: string | undefined, other: string | undefined) => {
    if (named !== undefined) return (/^\d+$/.test(named) ? match[Number(named)] : match.groups?.[named]) ?? '';
    if (numbered !== undefined) return match[Number(numbered)] ?? '';
    return ESCAPES[other!] ?? whole;
  });
}

/** A file's lines as Python's readlines() gives them: each with its `\n`, the last one perhaps without. */
export function splitLines(content: string): string[] {
  return content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}
