/**
 * Jinja2 expressions, read (never run) the way Jinja2 parses them: `when:` conditions are
 * evaluated from this tree, and a Jinja2 `{{ x | default('a') }}` in a template is read with it
 * to show its handlebars spelling. Only literals, names, attribute and item access, operators,
 * filters and tests exist: there are no calls, so nothing can run code.
 */
import { TemplateError } from './template-error';

export type Node = { at: number } & (
  | { kind: 'literal'; value: unknown }
  | { kind: 'name'; name: string }
  | { kind: 'attribute'; object: Node; name: string }
  | { kind: 'index'; object: Node; index: Node }
  | { kind: 'list'; items: Node[] }
  | { kind: 'dict'; entries: [Node, Node][] }
  | { kind: 'not'; operand: Node }
  | { kind: 'sign'; sign: '-' | '+'; operand: Node }
  | { kind: 'logical'; op: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'compare'; first: Node; rest: { op: CompareOp; operand: Node; at: number }[] }
  | { kind: 'arithmetic'; op: ArithmeticOp; left: Node; right: Node }
  | { kind: 'filter'; name: string; value: Node; args: Node[]; keywords: [string, Node][] }
  | { kind: 'test'; name: string; negated: boolean; value: Node; args: Node[] }
  | { kind: 'conditional'; test: Node; then: Node; otherwise?: Node }
);
export type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'not in';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '//' | '%' | '~';

interface Token {
  kind: 'op' | 'name' | 'string' | 'number';
  text: string;
  value?: unknown;
  at: number;
}

/** An expression that cannot be read, with the 0-based offset of the fault in it. */
export class ExpressionSyntaxError extends TemplateError {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {
    super(reason);
    this.name = 'ExpressionSyntaxError';
  }
}

const TOKEN = /\s*(?:(==|!=|<=|>=|\/\/|[<>()[\]{},:.|~+\-*/%=])|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\d+(?:_\d+)*(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*))/y;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const start = TOKEN.lastIndex;
    if (/^\s*$/.test(expression.slice(start))) break;
    const match = TOKEN.exec(expression);
    if (!match) {
      const at = start + (/^\s*/.exec(expression.slice(start))?.[0].length ?? 0);
      throw new ExpressionSyntaxError(`cannot read '${expression.slice(at)}'`, at);
    }
    const at = match.index + match[0].length - (match[1] ?? match[2] ?? match[3] ?? match[4]).length;
    if (match[1]) tokens.push({ kind: 'op', text: match[1], at });
    else if (match[2]) tokens.push({ kind: 'string', text: match[2], value: match[2].slice(1, -1).replace(/\\(.)/g, (_all, char: string) => ESCAPES[char] ?? char), at });
    else if (match[3]) tokens.push({ kind: 'number', text: match[3], value: Number(match[3].replace(/_/g, '')), at });
    else tokens.push({ kind: 'name', text: match[4], at });
  }
  return tokens;
}

const LITERALS = new Map<string, unknown>([
  ['true', true],
  ['True', true],
  ['false', false],
  ['False', false],
  ['none', null],
  ['None', null],
  ['null', null],
]);

/** Words that are operators or literals, never variable names. */
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', ...LITERALS.keys()]);

const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parseAll(): Node {
    const node = this.expression();
    const left = this.tokens[this.position];
    if (left) this.fail(`unexpected '${left.text}'`, left.at);
    return node;
  }

  private fail(reason: string, at = this.tokens[this.position]?.at ?? this.length): never {
    throw new ExpressionSyntaxError(reason, at);
  }

  private peek(text: string, ahead = 0): boolean {
    const token = this.tokens[this.position + ahead];
    return token !== undefined && (token.kind === 'op' || token.kind === 'name') && token.text === text;
  }

  private accept(text: string): Token | undefined {
    if (!this.peek(text)) return undefined;
    return this.tokens[this.position++];
  }

  private expect(text: string, what: string): void {
    if (!this.accept(text)) this.fail(this.tokens[this.position] ? `expected ${what}, found '${this.tokens[this.position].text}'` : `ends too early: expected ${what}`);
  }

  private next(): Token {
    const token = this.tokens[this.position++];
    if (!token) this.fail('ends too early');
    return token;
  }

  private expression(): Node {
    const then = this.or();
    const at = this.tokens[this.position]?.at ?? this.length;
    if (!this.accept('if')) return then;
    const test = this.or();
    const otherwise = this.accept('else') ? this.expression() : undefined;
    return { kind: 'conditional', test, then, otherwise, at };
  }

  private or(): Node {
    let left = this.and();
    for (let token = this.accept('or'); token; token = this.accept('or')) left = { kind: 'logical', op: 'or', left, right: this.and(), at: token.at };
    return left;
  }

  private and(): Node {
    let left = this.not();
    for (let token = this.accept('and'); token; token = this.accept('and')) left = { kind: 'logical', op: 'and', left, right: this.not(), at: token.at };
    return left;
  }

  private not(): Node {
    const token = this.peek('not') && !this.peek('in', 1) ? this.accept('not') : undefined;
    return token ? { kind: 'not', operand: this.not(), at: token.at } : this.compare();
  }

  private compare(): Node {
    const first = this.sum();
    const rest: { op: CompareOp; operand: Node; at: number }[] = [];
    for (;;) {
      const token = this.tokens[this.position];
      if (!token) break;
      let op: CompareOp | undefined;
      if (token.kind === 'op' && COMPARE.has(token.text)) op = token.text as CompareOp;
      else if (this.peek('in')) op = 'in';
      else if (this.peek('not') && this.peek('in', 1)) op = 'not in';
      if (!op) break;
      this.position += op === 'not in' ? 2 : 1;
      rest.push({ op, operand: this.sum(), at: token.at });
    }
    return rest.length ? { kind: 'compare', first, rest, at: first.at } : first;
  }

  private binary(operators: string[], operand: () => Node): Node {
    let left = operand();
    for (;;) {
      const token = this.tokens[this.position];
      if (!token || token.kind !== 'op' || !operators.includes(token.text)) return left;
      this.position++;
      left = { kind: 'arithmetic', op: token.text as ArithmeticOp, left, right: operand(), at: token.at };
    }
  }

  private sum(): Node {
    return this.binary(['+', '-'], () => this.concat());
  }

  private concat(): Node {
    return this.binary(['~'], () => this.product());
  }

  private product(): Node {
    return this.binary(['*', '/', '//', '%'], () => this.unary());
  }

  private unary(): Node {
    const token = this.tokens[this.position];
    if (token?.kind === 'op' && (token.text === '-' || token.text === '+')) {
      this.position++;
      return this.filters({ kind: 'sign', sign: token.text, operand: this.postfix(this.primary()), at: token.at });
    }
    return this.filters(this.postfix(this.primary()));
  }

  private arguments(): { args: Node[]; keywords: [string, Node][] } {
    const args: Node[] = [];
    const keywords: [string, Node][] = [];
    if (!this.accept('(')) return { args, keywords };
    while (!this.accept(')')) {
      const token = this.tokens[this.position];
      if (token?.kind === 'name' && this.peek('=', 1)) {
        this.position += 2;
        keywords.push([token.text, this.expression()]);
      } else {
        if (keywords.length) this.fail('a positional argument after a keyword argument');
        args.push(this.expression());
      }
      if (!this.peek(')')) this.expect(',', "',' or ')'");
    }
    return { args, keywords };
  }

  private filters(value: Node): Node {
    for (;;) {
      const token = this.accept('|') ?? this.accept('is');
      if (!token) return value;
      const negated = token.text === 'is' && Boolean(this.accept('not'));
      const name = this.next();
      if (name.kind !== 'name') this.fail(`expected a ${token.text === '|' ? 'filter' : 'test'} name after '${token.text}'`, name.at);
      const { args, keywords } = this.arguments();
      if (token.text === '|') value = this.postfix({ kind: 'filter', name: name.text, value, args, keywords, at: name.at });
      else {
        if (keywords.length) this.fail(`test '${name.text}' takes no keyword arguments`, name.at);
        value = { kind: 'test', name: name.text, negated, value, args, at: name.at };
      }
    }
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.accept('.')) {
        const name = this.next();
        if (name.kind !== 'name' && name.kind !== 'number') this.fail(`expected a name after '.'`, name.at);
        node = { kind: 'attribute', object: node, name: name.text, at: node.at };
      } else if (this.accept('[')) {
        if (this.peek(':') || this.peek(']')) this.fail('slices ([a:b]) are not read');
        const index = this.expression();
        if (this.peek(':')) this.fail('slices ([a:b]) are not read');
        this.expect(']', "']'");
        node = { kind: 'index', object: node, index, at: node.at };
      } else if (this.peek('(')) {
        this.fail('calls are not read: a condition cannot run a method or function (use a filter, e.g. `x | length`)');
      } else {
        return node;
      }
    }
  }

  private sequence(close: string, item: () => void): void {
    while (!this.accept(close)) {
      item();
      if (!this.peek(close)) this.expect(',', `',' or '${close}'`);
    }
  }

  private primary(): Node {
    const token = this.next();
    if (token.kind === 'string' || token.kind === 'number') return { kind: 'literal', value: token.value, at: token.at };
    if (token.kind === 'name') {
      if (LITERALS.has(token.text)) return { kind: 'literal', value: LITERALS.get(token.text), at: token.at };
      if (KEYWORDS.has(token.text)) this.fail(`unexpected '${token.text}'`, token.at);
      return { kind: 'name', name: token.text, at: token.at };
    }
    if (token.text === '(') {
      if (this.accept(')')) return { kind: 'list', items: [], at: token.at };
      const first = this.expression();
      if (this.accept(')')) return first;
      // A tuple, (80, 443): read as the list Python would compare it like.
      const items = [first];
      this.expect(',', "')'");
      this.sequence(')', () => items.push(this.expression()));
      return { kind: 'list', items, at: token.at };
    }
    if (token.text === '[') {
      const items: Node[] = [];
      this.sequence(']', () => items.push(this.expression()));
      return { kind: 'list', items, at: token.at };
    }
    if (token.text === '{') {
      const entries: [Node, Node][] = [];
      this.sequence('}', () => {
        const key = this.expression();
        this.expect(':', "':'");
        entries.push([key, this.expression()]);
      });
      return { kind: 'dict', entries, at: token.at };
    }
    return this.fail(`unexpected '${token.text}'`, token.at);
  }
}

const parsed = new Map<string, Node>();

/** The tree of a Jinja2 expression; throws ExpressionSyntaxError. */
export function parseExpression(expression: string): Node {
  let node = parsed.get(expression);
  if (!node) {
    node = new Parser(tokenize(expression), expression.length).parseAll();
    parsed.set(expression, node);
  }
  return node;
}

/** An expression written back, for messages (`hostvars[h].rip`). */
export function describe(node: Node): string {
  switch (node.kind) {
    case 'literal':
      return typeof node.value === 'string' ? `'${node.value}'` : node.value === null ? 'none' : String(node.value);
    case 'name':
      return node.name;
    case 'attribute':
      return `${describe(node.object)}.${node.name}`;
    case 'index':
      return `${describe(node.object)}[${describe(node.index)}]`;
    case 'filter':
      return `${describe(node.value)} | ${node.name}${node.args.length || node.keywords.length ? `(${[...node.args.map(describe), ...node.keywords.map(([key, value]) => `${key}=${describe(value)}`)].join(', ')})` : ''}`;
    default:
      return '(...)';
  }
}
