/**
 * The one way a value reaches a remote shell. Every command lvs sends is a ShellCommand
 * built with `sh`, which single-quotes each interpolated value (POSIX sh rules), so no
 * value can end a word, start a command substitution or add a command.
 */

export class ShellCommand {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type ShellValue = string | number | ShellCommand | ReadonlyArray<string | number | ShellCommand>;

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one value as a single shell word: `it's` becomes `'it'\''s'`. */
export function quote(value: string | number): string {
  const text = String(value);
  if (SAFE_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function render(value: ShellValue): string {
  if (value instanceof ShellCommand) return value.text;
  if (Array.isArray(value)) return value.map((item) => render(item as ShellValue)).join(' ');
  return quote(value as string | number);
}

/**
 * Tagged template for shell lines: the literal parts are trusted code, every `${value}` is
 * quoted (arrays become several quoted words, a nested ShellCommand is inserted as is).
 *   sh`sysctl -w ${`${key}=${value}`}`
 */
export function sh(literals: TemplateStringsArray, ...values: ShellValue[]): ShellCommand {
  let text = literals[0];
  values.forEach((value, index) => {
    text += render(value) + literals[index + 1];
  });
  return new ShellCommand(text);
}

/** Joins commands into one line that stops at the first failure. */
export function andThen(...commands: ShellCommand[]): ShellCommand {
  return new ShellCommand(commands.map((command) => command.text).join(' && '));
}
