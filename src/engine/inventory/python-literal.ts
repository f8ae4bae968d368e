/**
 * The part of Python's `ast.literal_eval` that INI inventories rely on. Ansible passes every
 * host variable and every `[group:vars]` value through it and keeps the raw text when it fails, so `port=22` is a
 * number, `flag=True` a boolean, `mode=0644` a string (a leading zero is a syntax error in
 * Python 3) and `name=web` a string. Supported: int and float literals with an optional sign,
 * quoted strings (adjacent ones concatenate), True, False, None, and lists, tuples, sets and
 * dicts of these. Tuples and sets become arrays; dict keys become strings. Like Python's
 * parser, it gives up beyond 200 nested brackets ("too many nested parentheses"), and the
 * text stays a string.
 */

/** Returns `{ value }` when the whole text is a literal, undefined when Python would reject it. */
export function parsePythonLiteral(text: string): { value: unknown } | undefined {
  const reader = new LiteralReader(text);
  try {
    reader.skipSpace();
    const value = reader.value();
    reader.skipSpace();
    return reader.atEnd() ? { value } : undefined;
  } catch (error) {
    if (error === NOT_A_LITERAL) return undefined;
    throw error;
  }
}

/** One instance, thrown for every text that is not a literal: a new Error per host variable made loading a large inventory slow. */
const NOT_A_LITERAL = new Error('not a Python literal');
/** CPython's MAXLEVEL, the deepest bracket nesting its tokenizer accepts. */
const MAX_NESTING = 200;

const DIGITS = '[0-9](?:_?[0-9])*';
const EXPONENT = `[eE][+-]?${DIGITS}`;
const END_OF_NUMBER = '(?![0-9a-zA-Z_.])';
const PREFIXED_INTEGER = new RegExp(`^0(?:[xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)${END_OF_NUMBER}`);
/** A float needs a point or an exponent; `0644` is neither a float nor an int in Python 3. */
const FLOAT = new RegExp(`^(?:(?:${DIGITS})?\\.${DIGITS}(?:${EXPONENT})?|${DIGITS}\\.(?:${EXPONENT})?|${DIGITS}${EXPONENT})${END_OF_NUMBER}`);
const DECIMAL = new RegExp(`^(?:[1-9](?:_?[0-9])*|0(?:_?0)*)${END_OF_NUMBER}`);
const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

class LiteralReader {
  private index = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.index >= this.text.length;
  }

  /** Python's tokenizer drops a `#` comment up to the end of its line: `1234 # anything` is 1234. */
  skipSpace(): void {
    for (;;) {
      while (/[ \t\r\n]/.test(this.text[this.index] ?? '')) this.index += 1;
      if (this.text[this.index] !== '#') return;
      const newline = this.text.indexOf('\n', this.index);
      this.index = newline < 0 ? this.text.length : newline;
    }
  }

  value(): unknown {
    const rest = this.text.slice(this.index);
    const char = rest[0];
    if (char === undefined) throw NOT_A_LITERAL;
    if (char === '[') return this.nested(() => this.sequence('[', ']'));
    if (char === '(') return this.nested(() => this.parenthesised());
    if (char === '{') return this.nested(() => this.braces());
    if (char === '-' || char === '+') {
      this.index += 1;
      this.skipSpace();
      const number = this.number();
      return char === '-' ? -number : number;
    }
    if (/^[rRuU]?['"]/.test(rest)) return this.strings();
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    if (name !== undefined) {
      const constants: Record<string, unknown> = { True: true, False: false, None: null };
      if (!(name in constants)) throw NOT_A_LITERAL;
      this.index += name.length;
      return constants[name];
    }
    return this.number();
  }

  private nested<T>(read: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_NESTING) throw NOT_A_LITERAL;
    try {
      return read();
    } finally {
      this.depth -= 1;
    }
  }

  private number(): number {
    const rest = this.text.slice(this.index);
    const match = PREFIXED_INTEGER.exec(rest) ?? FLOAT.exec(rest) ?? DECIMAL.exec(rest);
    if (!match) throw NOT_A_LITERAL;
    this.index += match[0].length;
    const digits = match[0].replace(/_/g, '');
    return /^0[xob]/i.test(digits) ? Number(digits.toLowerCase()) : Number(digits);
  }

  private strings(): string {
    let result = '';
    do {
      result += this.string();
      this.skipSpace();
    } while (/^[rRuU]?['"]/.test(this.text.slice(this.index)));
    return result;
  }

  private string(): string {
    const raw = /[rR]/.test(this.text[this.index]);
    if (/[rRuU]/.test(this.text[this.index])) this.index += 1;
    const quote = this.text[this.index];
    this.index += 1;
    let result = '';
    while (this.index < this.text.length) {
      const char = this.text[this.index];
      if (char === quote) {
        this.index += 1;
        return result;
      }
      if (char === '\n') throw NOT_A_LITERAL;
      if (char === '\\' && this.index + 1 < this.text.length) {
        const next = this.text[this.index + 1];
        if (raw) {
          result += char + next;
          this.index += 2;
          continue;
        }
        result += this.escape(next);
        continue;
      }
      result += char;
      this.index += 1;
    }
    throw NOT_A_LITERAL;
  }

  /** Decodes the escape whose letter is `next`; advances past it. Unknown escapes stay as written. */
  private escape(next: string): string {
    if (next in SIMPLE_ESCAPES) {
      this.index += 2;
      return SIMPLE_ESCAPES[next];
    }
    const rest = this.text.slice(this.index);
    const coded = /^\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{1,3}))/.exec(rest);
    if (coded) {
      this.index += coded[0].length;
      const [, hex, short, long, octal] = coded;
      const codePoint = octal !== undefined ? parseInt(octal, 8) : parseInt(hex ?? short ?? long, 16);
      if (codePoint > 0x10ffff) throw NOT_A_LITERAL;
      return String.fromCodePoint(codePoint);
    }
    if (/^\\[xuUN]/.test(rest)) throw NOT_A_LITERAL;
    this.index += 2;
    return `\\${next}`;
  }

  private sequence(open: string, close: string): unknown[] {
    this.expect(open);
    this.skipSpace();
    if (this.text[this.index] === close) {
      this.index += 1;
      return [];
    }
    const first = this.value();
    this.skipSpace();
    return this.itemsAfter(first, close);
  }

  /**
   * The rest of a sequence whose first item has been read, up to its `close`. Each item is
   * read once: going back to read it again, as a set or a tuple, took 2^depth for `{{{...}}}`.
   */
  private itemsAfter(first: unknown, close: string): unknown[] {
    const items = [first];
    while (this.text[this.index] !== close) {
      this.expect(',');
      this.skipSpace();
      if (this.text[this.index] === close) break;
      items.push(this.value());
      this.skipSpace();
    }
    this.index += 1;
    return items;
  }

  /** `()` and `(a,)` are tuples; `(a)` is just `a`. */
  private parenthesised(): unknown {
    this.expect('(');
    this.skipSpace();
    if (this.text[this.index] === ')') {
      this.index += 1;
      return [];
    }
    const first = this.value();
    this.skipSpace();
    if (this.text[this.index] === ')') {
      this.index += 1;
      return first;
    }
    return this.itemsAfter(first, ')');
  }

  /** `{}` is an empty dict; `{a: b}` a dict; `{a, b}` a set. */
  private braces(): unknown {
    this.expect('{');
    this.skipSpace();
    if (this.text[this.index] === '}') {
      this.index += 1;
      return {};
    }
    const first = this.value();
    this.skipSpace();
    return this.text[this.index] === ':' ? this.dictFrom(first) : this.itemsAfter(first, '}');
  }

  /** The rest of a dict whose first key has been read. */
  private dictFrom(firstKey: unknown): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    let key = firstKey;
    for (;;) {
      if (typeof key === 'object' && key !== null) throw NOT_A_LITERAL;
      this.expect(':');
      this.skipSpace();
      result[String(key)] = this.value();
      this.skipSpace();
      if (this.text[this.index] === '}') break;
      this.expect(',');
      this.skipSpace();
      if (this.text[this.index] === '}') break;
      key = this.value();
      this.skipSpace();
    }
    this.index += 1;
    return result;
  }

  private expect(char: string): void {
    if (this.text[this.index] !== char) throw NOT_A_LITERAL;
    this.index += 1;
  }
}
