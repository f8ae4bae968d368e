/**
 * The one way a value reaches a remote shell. Every command lvs sends is a ShellCommand
 * built with `sh`, which single-quotes each interpolated value (POSIX sh rules), so no
 * value can end a word, start a command substitution or add a command.
 *
 * A command also carries what outputs show of it: the same line, except that a value
 * wrapped in `unshown` (file content, say) appears as its description instead.
 */

/** Only this module holds it, so only `sh` and what is built on it can make a ShellCommand. */
const MINT: unique symbol = Symbol('ShellCommand');

export class ShellCommand {
  /**
   * Throws unless called by this module: a command pasted together from strings would skip
   * the quoting, and a plugin written in JavaScript could do that at run time.
   */
  constructor(
    token: typeof MINT,
    readonly text: string,
    /** The line as --json, --diff and errors print it. */
    readonly shown: string,
  ) {
    if (token !== MINT) throw new TypeError('a ShellCommand is built with sh`...` (from lvs), not with new');
  }
  toString(): string {
    return this.text;
  }
}

/** A value that goes into the command as a quoted word but is shown as `description`. */
export class Unshown {
  constructor(
    readonly value: string,
    readonly description: string,
  ) {}
}

export function unshown(value: string, description: string): Unshown {
  return new Unshown(value, description);
}

/** A whole command as one quoted word, for `sh -c ${asWord(command)}`; shown as its shown form, quoted. */
class CommandWord {
  constructor(readonly command: ShellCommand) {}
}

export function asWord(command: ShellCommand): CommandWord {
  return new CommandWord(command);
}

type Word = string | number | ShellCommand | Unshown | CommandWord;
export type ShellValue = Word | ReadonlyArray<Word>;

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one value as a single shell word: `it's` becomes `'it'\''s'`. */
export function quote(value: string | number): string {
  const text = String(value);
  if (SAFE_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function render(value: ShellValue): { text: string; shown: string } {
  if (value instanceof ShellCommand) return { text: value.text, shown: value.shown };
  if (value instanceof Unshown) return { text: quote(value.value), shown: `<${value.description}>` };
  if (value instanceof CommandWord) return { text: quote(value.command.text), shown: quote(value.command.shown) };
  if (Array.isArray(value)) {
    const words = value.map((item) => render(item as ShellValue));
    return { text: words.map((word) => word.text).join(' '), shown: words.map((word) => word.shown).join(' ') };
  }
  const text = quote(value as string | number);
  return { text, shown: text };
}

/**
 * Tagged template for shell lines: the literal parts are trusted code, every `${value}` is
 * quoted (arrays become several quoted words, a nested ShellCommand is inserted as is).
 *   sh`sysctl -w ${`${key}=${value}`}`
 */
export function sh(literals: TemplateStringsArray, ...values: ShellValue[]): ShellCommand {
  let text = literals[0];
  let shown = literals[0];
  values.forEach((value, index) => {
    const rendered = render(value);
    text += rendered.text + literals[index + 1];
    shown += rendered.shown + literals[index + 1];
  });
  return new ShellCommand(MINT, text, shown);
}

/** Joins commands with a separator such as ' && ' (stop at the first failure) or '\n'. */
export function joinCommands(commands: ShellCommand[], separator: ' && ' | '\n' | '; '): ShellCommand {
  return new ShellCommand(MINT, commands.map((command) => command.text).join(separator), commands.map((command) => command.shown).join(separator));
}
