/**
 * Ansible's `key=value` argument form, used by `lvs task NAME k=v ...` and by the
 * free-form module lines of a playbook (`sysctl: name=net.ipv4.ip_forward value=1`).
 * Values are strings; the task schema coerces them. Quotes group words: `msg="a b"`.
 */
import { InputError } from '../errors';

export function parseKeyValueWords(words: string[], where = 'arguments'): Record<string, string> {
  const args: Record<string, string> = {};
  for (const word of words) {
    const separator = word.indexOf('=');
    if (separator <= 0) throw new InputError(`expected key=value, got '${word}'`, undefined, where);
    const key = word.slice(0, separator);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InputError(`'${key}' is not a valid argument name`, undefined, where);
    if (key in args) throw new InputError(`argument '${key}' is given twice`, undefined, where);
    args[key] = word.slice(separator + 1);
  }
  return args;
}

/**
 * Splits a line into words, honouring single and double quotes (no escapes inside single)
 * and keeping a `{{ template }}` in one word whatever spaces it holds.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (!quote && line.startsWith('{{', index)) {
      const end = line.indexOf('}}', index);
      if (end < 0) throw new InputError(`unterminated {{ in '${line}'`);
      current += line.slice(index, end + 2);
      started = true;
      index = end + 1;
    } else if (quote) {
      if (char === quote) quote = null;
      else if (char === '\\' && quote === '"' && index + 1 < line.length) current += line[++index];
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (quote) throw new InputError(`unterminated ${quote} quote in '${line}'`);
  if (started) words.push(current);
  return words;
}
