/**
 * Ansible's `key=value` argument form, used by `lvs task NAME k=v ...` and by the
 * free-form module lines of a playbook (`sysctl: name=net.ipv4.ip_forward value=1`).
 * Values are strings; the task schema coerces them. Quotes group words: `msg="a b"`.
 */
import type { FreeForm } from '../api';
import { InputError } from '../errors';
import { ShellSyntaxError, splitShellWords, type Word } from '../shell/words';

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

/**
 * Ansible's free form (`command: touch /x creates=/x`): each word NAME=value whose NAME, as
 * written, is one of the options sets that argument (`'creates=/x'`, quoted, does not, as in
 * Ansible); the rest of the line, as written, goes to the free-form argument. A line whose
 * quotes do not pair (a heredoc holding an apostrophe) has no options: it is all free form.
 */
export function parseFreeForm(line: string, freeForm: FreeForm, where = 'arguments'): Record<string, string> {
  let words: Word[];
  try {
    words = splitShellWords(line, { comments: false, templates: true });
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    return { [freeForm.argument]: line };
  }
  const args: Record<string, string> = {};
  let rest = line;
  // From the last word back, so that the columns of the words before stay right.
  for (const word of words.reverse()) {
    const key = word.written.slice(0, Math.max(0, word.written.indexOf('=')));
    if (!freeForm.options.includes(key)) continue;
    if (key in args) throw new InputError(`argument '${key}' is given twice`, undefined, where);
    args[key] = word.text.slice(key.length + 1);
    rest = rest.slice(0, word.column - 1) + rest.slice(word.column - 1 + word.written.length);
  }
  const text = rest.trim();
  return text ? { ...args, [freeForm.argument]: text } : args;
}
