/**
 * Templates are handlebars, but Ansible users write Jinja2. A Jinja2 construct that handlebars
 * cannot read (`{{ x | default('a') }}`, `{% if %}`, `{{ x if c else y }}`, `is` tests, `~`,
 * `x['k']`) is named, with its handlebars spelling, instead of a parse error or, for
 * `{% ... %}`, instead of being copied into the file as text.
 */
import { parseExpression, type Node } from './jinja-expression';
import { findHelper } from './template-helpers';
import { TemplateError } from './template-error';

const STATEMENT = /\{%-?\s*([a-z]+)\b([^]*?)-?%\}/g;
const JINJA_KEYWORDS = new Set([
  'if', 'elif', 'else', 'endif', 'for', 'endfor', 'set', 'endset', 'raw', 'endraw', 'macro', 'endmacro', 'include', 'import', 'from',
  'block', 'endblock', 'extends', 'filter', 'endfilter', 'with', 'endwith', 'call', 'endcall', 'break', 'continue', 'do',
]);
const MUSTACHE = /\{\{(\{?)([^]*?)\}?\}\}/g;

function quoted(text: string): string {
  return text.includes("'") ? `"${text}"` : `'${text}'`;
}

function isPath(node: Node): boolean {
  return node.kind === 'name' || ((node.kind === 'attribute' || node.kind === 'index') && isPath(node.object) && (node.kind === 'attribute' || node.index.kind === 'literal'));
}

/** A Jinja2 expression in handlebars, as a value (a path, a literal or a subexpression), or undefined when it has no simple spelling. */
function handlebars(node: Node): string | undefined {
  switch (node.kind) {
    case 'literal':
      return typeof node.value === 'string' ? quoted(node.value) : node.value === null ? 'null' : String(node.value);
    case 'name':
      return node.name;
    case 'attribute':
    case 'index': {
      const object = handlebars(node.object);
      const key = node.kind === 'attribute' ? node.name : node.index.kind === 'literal' ? node.index.value : undefined;
      if (object === undefined) return undefined;
      if (isPath(node.object) && typeof key === 'string' && /^[A-Za-z_][\w-]*$/.test(key)) return `${object}.${key}`;
      if (isPath(node.object) && (typeof key === 'number' || (typeof key === 'string' && /^\d+$/.test(key)))) return `${object}.[${key}]`;
      const index = node.kind === 'index' ? handlebars(node.index) : quoted(node.name);
      return index === undefined ? undefined : `(lookup ${object} ${index})`;
    }
    case 'filter': {
      if (!findHelper(node.name)?.filter) return undefined;
      const parts = [node.value, ...node.args].map(handlebars);
      const keywords = node.keywords.map(([key, value]) => {
        const written = handlebars(value);
        return written === undefined ? undefined : `${key}=${written}`;
      });
      if ([...parts, ...keywords].some((part) => part === undefined)) return undefined;
      return `(${[node.name, ...parts, ...keywords].join(' ')})`;
    }
    case 'compare': {
      if (node.rest.length !== 1 || (node.rest[0].op !== '==' && node.rest[0].op !== '!=')) return undefined;
      const [left, right] = [handlebars(node.first), handlebars(node.rest[0].operand)];
      return left === undefined || right === undefined ? undefined : `(${node.rest[0].op === '==' ? 'eq' : 'ne'} ${left} ${right})`;
    }
    case 'test':
      if (node.name === 'defined' && !node.negated) return handlebars(node.value);
      return undefined;
    default:
      return undefined;
  }
}

/** A handlebars value as a mustache: `{{default x 'a'}}`, `{{x.k}}`. */
function mustache(value: string): string {
  return `{{${value.startsWith('(') ? value.slice(1, -1) : value}}}`;
}

/** The handlebars way to test what a Jinja2 `if` tests. */
function ifBlock(condition: string, body: string): string {
  let node: Node | undefined;
  try {
    node = parseExpression(condition);
  } catch {
    node = undefined;
  }
  if (node?.kind === 'test' && (node.name === 'undefined' || (node.name === 'defined' && node.negated))) {
    const value = handlebars(node.value);
    if (value) return `{{#unless ${value}}}${body}{{/unless}}`;
  }
  if (node?.kind === 'not') {
    const value = handlebars(node.operand);
    if (value) return `{{#unless ${value}}}${body}{{/unless}}`;
  }
  const value = node && handlebars(node);
  return `{{#if ${value ?? 'c'}}}${body}{{/if}}${value ? '' : ' (handlebars tests one value: decide the rest in a variable or a when:)'}`;
}

function statementHint(keyword: string, rest: string): string {
  if (keyword === 'if' || keyword === 'elif') return `write ${ifBlock(rest.trim(), '...')}${keyword === 'elif' ? ' (an elif is {{else if c}})' : ''}`;
  if (keyword === 'else' || keyword === 'endif') return 'write {{#if c}}...{{else}}...{{/if}}';
  const loop = /^\s*(\w+)\s+in\s+([^]+?)\s*$/.exec(rest);
  if (keyword === 'for' && loop) {
    const list = (() => {
      try {
        return handlebars(parseExpression(loop[2]));
      } catch {
        return undefined;
      }
    })();
    return `write {{#each ${list ?? loop[2]} as |${loop[1]}|}}...{{${loop[1]}}}...{{/each}}`;
  }
  if (keyword === 'for' || keyword === 'endfor') return 'write {{#each list as |item|}}...{{item}}...{{/each}}';
  if (keyword === 'set') return 'set the variable in vars: (of the play, the task or the inventory) instead';
  return 'handlebars has block helpers ({{#if}}, {{#each}}, {{#with}}) and no other statements';
}

/** The content of a mustache with its quoted strings blanked, so that what is inside them is not read as syntax. */
function unquoted(content: string): string {
  return content.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, (text) => `'${' '.repeat(text.length - 2)}'`);
}

function expressionHint(content: string): string | undefined {
  try {
    const value = handlebars(parseExpression(content));
    return value ? mustache(value) : undefined;
  } catch {
    return undefined;
  }
}

/** Why one mustache's content is Jinja2 and how handlebars writes it, with the offset of the construct in the content. */
function jinjaInMustache(content: string): { message: string; at: number } | undefined {
  const blanked = unquoted(content);
  const whole = () => expressionHint(content.trim());
  const hint = (fallback: string) => {
    const written = whole();
    return written ? `write ${written}` : fallback;
  };
  const pipe = blanked.indexOf('|');
  if (pipe >= 0) {
    const next = blanked.indexOf('|', pipe + 1);
    const filter = content.slice(pipe, next < 0 ? undefined : next).trim();
    const name = /^\|\s*(\w+)/.exec(filter)?.[1] ?? '';
    const known = findHelper(name);
    return {
      message: `Jinja2 filter '${filter}' is not handlebars: ${hint(known ? `call the helper first: {{${name} value ...}}` : `lvs has no helper '${name}' (see lvs helpers)`)}`,
      at: pipe,
    };
  }
  const inline = /\bif\b[^]*\belse\b|\bif\b/.exec(blanked);
  if (inline) return { message: `Jinja2 inline if '${content.trim()}' is not handlebars: write {{#if c}}x{{else}}y{{/if}}`, at: inline.index };
  const test = /\bis\b/.exec(blanked);
  if (test) {
    const written = ifBlock(content.trim(), '...');
    return { message: `Jinja2 test '${content.slice(test.index).trim()}' is not handlebars: write ${written}`, at: test.index };
  }
  const tilde = blanked.indexOf('~');
  if (tilde >= 0) return { message: `Jinja2 '~' (joining strings) is not handlebars: write the parts side by side, {{a}}{{b}}`, at: tilde };
  const subscript = /[\w\])]\[/.exec(blanked);
  if (subscript) {
    return { message: `Jinja2 subscript '${content.trim()}' is not handlebars: ${hint('write {{x.k}}, {{x.[0]}} or {{lookup x k}}')}`, at: subscript.index + 1 };
  }
  const comparison = /==|!=|<=|>=|<|>/.exec(blanked);
  if (comparison) {
    return { message: `Jinja2 comparison '${content.trim()}' is not handlebars: ${hint('write {{eq a b}} or {{ne a b}}, in a block {{#if (eq a b)}}...{{/if}}')}`, at: comparison.index };
  }
  const logic = /\b(and|or|not)\b/.exec(blanked);
  if (logic) return { message: `Jinja2 '${logic[1]}' is not handlebars: nest {{#if a}}{{#if b}}...{{/if}}{{/if}} or {{#unless a}}, or decide it in a when:`, at: logic.index };
  const call = /[\w\]]\(/.exec(blanked);
  if (call) return { message: `Jinja2 call '${content.trim()}' is not handlebars: lvs templates call no functions or methods (helpers: lvs helpers)`, at: call.index + 1 };
  return undefined;
}

function position(template: string, offset: number): { line: number; column: number } {
  const before = template.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length };
}

/** The first Jinja2 construct in a template, as the error to raise, or undefined. */
export function jinjaConstruct(template: string): TemplateError | undefined {
  if (!template.includes('{')) return undefined;
  for (const statement of template.matchAll(STATEMENT)) {
    if (!JINJA_KEYWORDS.has(statement[1])) continue;
    const shown = statement[0].length > 60 ? `${statement[0].slice(0, 57)}...` : statement[0];
    return new TemplateError(`Jinja2 statement '${shown}' is not handlebars: ${statementHint(statement[1], statement[2])}`, undefined, position(template, statement.index));
  }
  for (const found of template.matchAll(MUSTACHE)) {
    let content = found[2];
    const start = found.index + 2 + found[1].length;
    // An escaped \{{ is text; comments, partials, else and block ends hold no expression.
    if (template[found.index - 1] === '\\' || /^~?\s*([!>/]|else\b)/.test(content)) continue;
    // Whitespace control (~), a block's sigil and helper name, and block parameters (as |x|) are handlebars.
    content = content
      .replace(/^~/, ' ')
      .replace(/~$/, ' ')
      .replace(/^(\s*)[#^&]\s*[\w-]*/, (text) => ' '.repeat(text.length))
      .replace(/\bas\s+\|[\w\s]+\|/, (text) => ' '.repeat(text.length));
    const fault = jinjaInMustache(content);
    if (fault) return new TemplateError(fault.message, undefined, position(template, start + fault.at));
  }
  return undefined;
}
