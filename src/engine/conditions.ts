/**
 * `when:` conditions, in the bare-expression style Ansible users write:
 *   when: inventory_hostname == 'rs1'
 *   when: result.changed and not (mode in ['nat', 'tun'])
 *   when: vip is defined
 * A list of conditions means all of them. Only comparisons, `in`, `is [not] defined`,
 * `and`/`or`/`not`, literals and variable paths exist: nothing can call code.
 */
import { TemplateError } from './templating';

type Token = { kind: 'op' | 'word' | 'string' | 'number'; text: string };

const TOKEN = /\s*(?:(==|!=|<=|>=|<|>|\(|\)|\[|\]|,)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([A-Za-z_][\w]*(?:\.[\w]+)*))/y;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match) throw new TemplateError(`cannot read condition '${expression}' at '${expression.slice(start).trim()}'`);
    if (match[1]) tokens.push({ kind: 'op', text: match[1] });
    else if (match[2]) tokens.push({ kind: 'string', text: match[2].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (match[3]) tokens.push({ kind: 'number', text: match[3] });
    else tokens.push({ kind: 'word', text: match[4] });
  }
  return tokens;
}

/** What a path that names no variable evaluates to; only `is defined` may look at it. */
class Undefined {
  constructor(readonly path: string) {}
}

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly vars: Record<string, unknown>,
    private readonly source: string,
  ) {}

  parse(): unknown {
    const value = this.or();
    if (this.position < this.tokens.length) this.fail(`unexpected '${this.tokens[this.position].text}'`);
    return value;
  }

  private fail(message: string): never {
    throw new TemplateError(`condition '${this.source}': ${message}`);
  }

  private peek(text: string): boolean {
    const token = this.tokens[this.position];
    return token !== undefined && (token.kind === 'op' || token.kind === 'word') && token.text === text;
  }

  private accept(text: string): boolean {
    if (!this.peek(text)) return false;
    this.position++;
    return true;
  }

  private or(): unknown {
    let value = this.and();
    while (this.accept('or')) {
      const right = this.and();
      value = truthy(value) || truthy(right);
    }
    return value;
  }

  private and(): unknown {
    let value = this.not();
    while (this.accept('and')) {
      const right = this.not();
      value = truthy(value) && truthy(right);
    }
    return value;
  }

  private not(): unknown {
    if (this.accept('not')) return !truthy(this.not());
    return this.comparison();
  }

  private comparison(): unknown {
    const left = this.primary();
    if (this.accept('is')) {
      const negate = this.accept('not');
      if (this.accept('defined')) return !(left instanceof Undefined) !== negate;
      if (this.accept('undefined')) return left instanceof Undefined !== negate;
      this.fail("expected 'defined' or 'undefined' after 'is'");
    }
    const negatedIn = this.peek('not') && this.tokens[this.position + 1]?.text === 'in';
    if (negatedIn) this.position++;
    if (this.accept('in')) {
      const container = this.defined(this.primary());
      const found = Array.isArray(container)
        ? container.some((item) => equal(item, left))
        : typeof container === 'string'
          ? container.includes(String(this.defined(left)))
          : container !== null && typeof container === 'object' && String(left) in container;
      return found !== negatedIn;
    }
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (!this.accept(op)) continue;
      const a = this.defined(left);
      const b = this.defined(this.primary());
      switch (op) {
        case '==':
          return equal(a, b);
        case '!=':
          return !equal(a, b);
        case '<':
          return (a as number) < (b as number);
        case '>':
          return (a as number) > (b as number);
        case '<=':
          return (a as number) <= (b as number);
        default:
          return (a as number) >= (b as number);
      }
    }
    return this.defined(left);
  }

  private defined(value: unknown): unknown {
    if (value instanceof Undefined) {
      throw new TemplateError(`undefined variable '${value.path}' in condition '${this.source}' (test it with 'is defined')`, value.path);
    }
    return value;
  }

  private primary(): unknown {
    const token = this.tokens[this.position++];
    if (!token) this.fail('ends too early');
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.text === '(') {
      const value = this.or();
      if (!this.accept(')')) this.fail("missing ')'");
      return value;
    }
    if (token.text === '[') {
      const items: unknown[] = [];
      while (!this.accept(']')) {
        items.push(this.defined(this.primary()));
        if (!this.peek(']') && !this.accept(',')) this.fail("expected ',' or ']'");
      }
      return items;
    }
    if (token.kind !== 'word') this.fail(`unexpected '${token.text}'`);
    const literal = LITERALS.get(token.text);
    if (literal !== undefined) return literal.value;
    return this.variable(token.text);
  }

  private variable(path: string): unknown {
    let value: unknown = this.vars;
    for (const segment of path.split('.')) {
      if (value === null || typeof value !== 'object' || !(segment in (value as object))) return new Undefined(path);
      value = (value as Record<string, unknown>)[segment];
    }
    return value;
  }
}

const LITERALS = new Map<string, { value: unknown }>([
  ['true', { value: true }],
  ['True', { value: true }],
  ['false', { value: false }],
  ['False', { value: false }],
  ['none', { value: null }],
  ['None', { value: null }],
  ['null', { value: null }],
]);

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Ansible's truthiness, including the strings YAML users write for booleans. */
export function truthy(value: unknown): boolean {
  if (typeof value === 'string') return !['', 'false', 'no', 'off', '0', 'n'].includes(value.trim().toLowerCase());
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

export function evaluateCondition(condition: unknown, vars: Record<string, unknown>): boolean {
  if (Array.isArray(condition)) return condition.every((item) => evaluateCondition(item, vars));
  if (typeof condition === 'boolean') return condition;
  if (typeof condition !== 'string') throw new TemplateError('a condition must be a string, a boolean or a list of them');
  if (condition.includes('{{')) throw new TemplateError(`condition '${condition}' must be a bare expression: write it without {{ }}`);
  return truthy(new Parser(tokenize(condition), vars, condition).parse());
}
