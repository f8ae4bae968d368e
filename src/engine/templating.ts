/**
 * Handlebars rendering of task arguments, variables and template files, per host.
 *
 * - Strict: a variable that is not defined is an error naming it, never an empty string. A
 *   helper's arguments are looked up leniently, to an Undefined that names the path, so that
 *   `{{default x 'a'}}` works where x is undefined and every other helper names x in an error.
 * - Escaping is deliberate: HTML-escaping only for HTML templates (*.html.hbs, *.htm.hbs);
 *   arguments, variables and every other file (sysctl.conf, ipvsadm rules) are verbatim.
 * - An argument that is exactly one `{{ path }}` keeps the variable's type (number, list,
 *   map), as Ansible's native types do, so `real_servers: "{{ real_servers }}"` is a list; so
 *   does one helper call, so `port: "{{int http_port}}"` is a number.
 * - Variables may refer to other variables (`vip_cidr: "{{ vip }}/32"`); they are resolved
 *   lazily, and a cycle is an error.
 * - Jinja2 syntax is refused with its handlebars spelling (jinja-syntax.ts).
 */
import Handlebars from 'handlebars';
import { jinjaConstruct } from './jinja-syntax';
import { Undefined } from './jinja-values';
import { callHelper, TEMPLATE_HELPERS, type TemplateHelper } from './template-helpers';
import { TemplateError } from './template-error';

export { TemplateError } from './template-error';

function own(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/** The value of a helper's argument: a missing segment, and all below it, is an Undefined naming the path. */
function argumentValue(context: unknown, parts: string[]): unknown {
  let value = context;
  for (const [index, part] of parts.entries()) {
    if (value === null || value === undefined || typeof value !== 'object' || !own(value, part)) {
      const above = value instanceof Undefined ? value.path : parts.slice(0, index).join('.');
      return new Undefined(parts.slice(index).reduce((path, segment) => (path ? `${path}.${segment}` : segment), above));
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Not callable from a template: a helper name needs no spaces. */
const ARGUMENT_VALUE = 'lvs argument value';
const CAPTURE = 'lvs capture';

interface CompilerInternals {
  options: { strict?: boolean; compat?: boolean };
  pushContext(): void;
  popStack(): unknown;
  push(code: unknown): void;
  quotedString(text: string): string;
  lookupOnContext(parts: string[], falsy: boolean, strict: boolean, scoped: boolean): void;
}

const handlebars = Handlebars.create();
const BaseCompiler = (handlebars as unknown as { JavaScriptCompiler: new () => CompilerInternals }).JavaScriptCompiler;

/**
 * In strict mode handlebars checks a mustache's own path, but gives a helper `undefined` for a
 * missing argument and fails with a TypeError below one: helper arguments are looked up here
 * instead. (A JavaScriptCompiler subclass is handlebars' documented way to change lookups.)
 */
class UndefinedAwareCompiler extends BaseCompiler {
  lookupOnContext(parts: string[], falsy: boolean, strict: boolean, scoped: boolean): void {
    if (!this.options.strict || strict || this.options.compat) return super.lookupOnContext(parts, falsy, strict, scoped);
    this.pushContext();
    const context = this.popStack();
    this.push([`container.helpers[${this.quotedString(ARGUMENT_VALUE)}](`, context, `, [${parts.map((part) => this.quotedString(part)).join(', ')}])`]);
  }
}
(UndefinedAwareCompiler.prototype as unknown as { compiler: unknown }).compiler = UndefinedAwareCompiler;
(handlebars as unknown as { JavaScriptCompiler: unknown }).JavaScriptCompiler = UndefinedAwareCompiler;
handlebars.registerHelper(ARGUMENT_VALUE, argumentValue);

// {{log x}} would print x (a secret, perhaps) on stdout, past every redaction and into --json.
handlebars.unregisterHelper('log');

// Handlebars' own helpers see a missing argument as they always have: undefined ({{#if x}} is false).
for (const name of ['if', 'unless', 'each', 'with', 'lookup']) {
  const builtIn = handlebars.helpers[name];
  handlebars.registerHelper(name, function (this: unknown, ...args: unknown[]) {
    return (builtIn as (...values: unknown[]) => unknown).apply(this, args.map((arg) => (arg instanceof Undefined ? undefined : arg)));
  });
}

type HelperOptions = { hash?: Record<string, unknown>; loc?: { start: { line: number; column: number } }; data?: { capture?: { value?: unknown } } };

function asHandlebarsHelper(helper: TemplateHelper) {
  return (...args: unknown[]) => {
    const options = args.pop() as HelperOptions;
    try {
      return callHelper(helper, args, options.hash);
    } catch (error) {
      if (!(error instanceof TemplateError) || error.location || !options.loc) throw error;
      throw new TemplateError(error.message, error.variable, { line: options.loc.start.line, column: options.loc.start.column });
    }
  };
}
for (const helper of TEMPLATE_HELPERS) handlebars.registerHelper(helper.name, asHandlebarsHelper(helper));

// Keeps the value of a single helper call for renderValue, which renders `{{[lvs capture] (call)}}`.
handlebars.registerHelper(CAPTURE, (value: unknown, options: HelperOptions) => {
  options.data!.capture!.value = value;
  return '';
});

type Compiled = (context: unknown, options?: { data: unknown }) => string;
const compiledCache = new Map<string, Compiled>();

function compile(template: string, escapeHtml: boolean): Compiled {
  const key = `${escapeHtml ? 'h' : 'v'}:${template}`;
  let compiled = compiledCache.get(key);
  if (!compiled) {
    const jinja = jinjaConstruct(template);
    if (jinja) throw jinja;
    compiled = handlebars.compile(template, { strict: true, noEscape: !escapeHtml });
    compiledCache.set(key, compiled);
  }
  return compiled;
}

const SINGLE_EXPRESSION = /^\s*\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}\s*$/;

/** Whether a value is a template: `{%` too, so that a Jinja2 statement is refused rather than kept as text. */
export function isTemplated(value: string): boolean {
  return value.includes('{{') || value.includes('{%');
}

export function isHtmlTemplate(name: string): boolean {
  return /\.html?\.hbs$/i.test(name) || /\.html?$/i.test(name);
}

/**
 * The variable path a strict-mode error is about. Handlebars names only the missing
 * segment (and, for a segment looked up in a string or below a missing one, fails with a
 * TypeError), so the whole path is found in the template itself.
 */
function undefinedPath(template: string, error: { lineNumber?: number; column?: number; message: string }): string | undefined {
  const name =
    /"([^"]+)" not defined/.exec(error.message)?.[1] ??
    /Cannot use 'in' operator to search for '([^']+)'/.exec(error.message)?.[1] ??
    /Cannot read properties of (?:undefined|null) \(reading '([^']+)'\)/.exec(error.message)?.[1];
  if (!name) return undefined;
  if (error.lineNumber !== undefined) {
    const line = template.split('\n')[error.lineNumber - 1] ?? '';
    const expression = /^[\w.@/-]+/.exec(line.slice(error.column ?? 0))?.[0];
    if (expression?.split(/[./]/).includes(name)) return expression;
  }
  for (const match of template.matchAll(/\{\{[#^/]?\s*(?:[\w-]+\s+)*?([\w@-]+(?:[./][\w@-]+)*)/g)) {
    if (match[1].split(/[./]/).includes(name)) return match[1];
  }
  return name;
}

function render(template: string, context: Record<string, unknown>, escapeHtml: boolean, data?: unknown): string {
  try {
    return compile(template, escapeHtml)(context, data === undefined ? undefined : { data });
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    const failure = error as { lineNumber?: number; column?: number; message: string };
    const path = undefinedPath(template, failure);
    // Runtime errors carry lineNumber; parse errors only say "Parse error on line N".
    const line = failure.lineNumber ?? Number(/^Parse error on line (\d+)/.exec(failure.message)?.[1] ?? NaN);
    const location = Number.isNaN(line) ? undefined : { line, column: failure.column };
    if (path) throw new TemplateError(`undefined variable '${path}'`, path, location);
    // A parse error's own lines 2-3 quote the source around the fault, which may be a secret's value: left out.
    const [first, ...rest] = failure.message.split('\n');
    throw new TemplateError(`template error: ${[first, rest.at(-1)].filter(Boolean).join(' ')}`, undefined, location);
  }
}

/** Renders one template string against a context; throws TemplateError. */
export function renderString(template: string, context: Record<string, unknown>, escapeHtml = false): string {
  return render(template, context, escapeHtml);
}

function lookup(context: Record<string, unknown>, path: string): unknown {
  const value = argumentValue(context, path.split('.'));
  if (value instanceof Undefined) throw new TemplateError(`undefined variable '${path}'`, path);
  return value;
}

const ONE_MUSTACHE = /^\s*\{\{~?([^{}#/^!>&~][^{}]*?)~?\}\}\s*$/;

const helperCalls = new Map<string, string | undefined>();

/** The inside of a value that is one helper call (`{{int port}}`), or undefined. */
function singleHelperCall(value: string): string | undefined {
  if (helperCalls.has(value)) return helperCalls.get(value);
  const inside = ONE_MUSTACHE.exec(value)?.[1];
  let call: string | undefined;
  if (inside && !jinjaConstruct(value)) {
    try {
      const statements = handlebars.parse(value).body.filter((node) => !(node.type === 'ContentStatement' && /^\s*$/.test((node as hbs.AST.ContentStatement).value)));
      const [only] = statements as hbs.AST.MustacheStatement[];
      if (statements.length === 1 && only.type === 'MustacheStatement' && (only.params.length > 0 || only.hash)) call = inside;
    } catch {
      // A parse error is reported by rendering the value.
    }
  }
  helperCalls.set(value, call);
  return call;
}

/** One helper call's value, unconverted: a number, a list or a boolean stays one. */
function callValue(call: string, context: Record<string, unknown>): unknown {
  const capture: { value?: unknown } = {};
  render(`{{[${CAPTURE}] (${call})}}`, context, false, { capture });
  return capture.value instanceof handlebars.SafeString ? capture.value.toString() : capture.value === undefined ? '' : capture.value;
}

/** Renders every string inside a value (deeply), keeping types for single expressions. */
export function renderValue(value: unknown, context: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (!isTemplated(value)) return value;
    const single = SINGLE_EXPRESSION.exec(value);
    if (single) return lookup(context, single[1]);
    const call = singleHelperCall(value);
    return call === undefined ? renderString(value, context) : callValue(call, context);
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, context)]));
  }
  return value;
}

/**
 * Returns a view of `vars` in which every templated value is rendered on first use
 * against the view itself, so variables can be built from other variables. `fixed` values
 * (what lvs sets: inventory_hostname, hostvars, ...) win and are data, never rendered.
 */
export function resolveVariables(vars: Record<string, unknown>, fixed: Record<string, unknown> = {}): Record<string, unknown> {
  const resolved: Record<string, unknown> = { ...fixed };
  const resolving = new Set<string>();
  const known = (key: string | symbol): key is string => typeof key === 'string' && (own(fixed, key) || own(vars, key));
  const view: Record<string, unknown> = new Proxy(resolved, {
    has: (_target, key) => known(key),
    ownKeys: () => [...new Set([...Reflect.ownKeys(vars), ...Reflect.ownKeys(fixed)])],
    getOwnPropertyDescriptor: (_target, key) => (known(key) ? { configurable: true, enumerable: true, writable: false, value: view[key] } : undefined),
    get: (_target, key) => {
      // Only what `has` admits is a variable; Object's own methods stay readable, for String(view) in handlebars' messages.
      if (!known(key)) return Reflect.get(resolved, key);
      if (key in resolved) return resolved[key];
      if (resolving.has(key)) throw new TemplateError(`variable '${key}' refers to itself (${[...resolving, key].join(' -> ')})`, key);
      resolving.add(key);
      try {
        resolved[key] = renderValue(vars[key], view);
      } finally {
        resolving.delete(key);
      }
      return resolved[key];
    },
  });
  return view;
}

/** A view of `base` with `extra` on top (loop items, registered results), resolved as `base`. */
export function layerVariables(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(extra, {
    has: (_target, key) => typeof key === 'string' && (own(extra, key) || own(base, key)),
    ownKeys: () => [...new Set([...Reflect.ownKeys(extra), ...Reflect.ownKeys(base)])],
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === 'string' && (own(extra, key) || own(base, key))
        ? { configurable: true, enumerable: true, writable: false, value: own(extra, key) ? extra[key] : base[key] }
        : undefined,
    get: (_target, key) => (typeof key === 'string' && own(extra, key) ? extra[key] : Reflect.get(base, key)),
  });
}
