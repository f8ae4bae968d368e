/**
 * Splits a line into words the way Python's `shlex.split(line, comments=...)` does in POSIX
 * mode, which is how Ansible reads INI host lines and `ansible_ssh_*_args`. Single quotes keep
 * everything; inside double quotes a backslash escapes only `"` and `\`; outside quotes it
 * escapes any character. With comments on, `#` outside quotes ends the line even in the
 * middle of a word (`pass=ab#cd` gives `pass=ab`), a well-known INI inventory trap. With
 * templates on, a `{{ ... }}` is copied into its word as it is, spaces and quotes included,
 * as Ansible's key=value parser keeps Jinja2 expressions whole.
 */

export interface Word {
  text: string;
  /** 1-based column where the word starts. */
  column: number;
  /** The word as written in the line, quotes and escapes included. */
  written: string;
}

export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

export function splitShellWords(line: string, options: { comments: boolean; templates?: boolean }): Word[] {
  const words: Word[] = [];
  let current: Word | undefined;
  let index = 0;
  const startWord = () => (current ??= { text: '', column: index + 1, written: '' });
  const endWord = () => {
    if (current) words.push({ ...current, written: line.slice(current.column - 1, index) });
    current = undefined;
  };

  while (index < line.length) {
    const char = line[index];
    if (WHITESPACE.has(char)) {
      endWord();
      index += 1;
    } else if (options.templates && line.startsWith('{{', index)) {
      const end = line.indexOf('}}', index + 2);
      if (end < 0) throw new ShellSyntaxError('no closing }} for the template', index + 1);
      startWord().text += line.slice(index, end + 2);
      index = end + 2;
    } else if (char === '#' && options.comments) {
      break;
    } else if (char === "'" || char === '"') {
      const word = startWord();
      const end = readQuoted(line, index, word);
      index = end + 1;
    } else if (char === '\\') {
      if (index + 1 >= line.length) throw new ShellSyntaxError('no escaped character after the final backslash', index + 1);
      startWord().text += line[index + 1];
      index += 2;
    } else {
      startWord().text += char;
      index += 1;
    }
  }
  endWord();
  return words;
}

/** Appends the quoted text starting at `open` to the word; returns the index of the closing quote. */
function readQuoted(line: string, open: number, word: Word): number {
  const quote = line[open];
  let index = open + 1;
  while (index < line.length) {
    const char = line[index];
    if (char === quote) return index;
    if (quote === '"' && char === '\\' && (line[index + 1] === '"' || line[index + 1] === '\\')) {
      word.text += line[index + 1];
      index += 2;
    } else {
      word.text += char;
      index += 1;
    }
  }
  throw new ShellSyntaxError('no closing quotation', open + 1);
}
