/**
 * Ansible's `key=value` argument form, used by `lvs task NAME k=v ...` and by the
 * free-form module lines of a playbook (`sysctl: name=net.ipv4.ip_forward value=1`).
 * Values are strings; the task schema coerces them. Quotes group words: `msg="a b"`.
 */
import { InputError } from '../errors';
import { ShellSyntaxError, splitShellWords } from './shell-words';

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

/** The words of a free-form line: shell quoting, with `{{ templates }}` kept whole. */
export function splitWords(line: string): string[] {
  try {
    return splitShellWords(line, { comments: false, templates: true }).map((word) => word.text);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    // The line is not quoted back: its values may be secrets, which cannot be told apart here.
    throw new InputError(`cannot split the words at column ${error.column}: ${error.message}`);
  }
}
