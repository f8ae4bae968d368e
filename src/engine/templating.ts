/**
 * Handlebars rendering of task arguments, variables and template files, per host.
 *
 * - Strict: a variable that is not defined is an error naming it, never an empty string.
 * - Escaping is deliberate: HTML-escaping only for HTML templates (*.html.hbs, *.htm.hbs);
 *   arguments, variables and every other file (sysctl.conf, ipvsadm rules) are verbatim.
 * - An argument that is exactly one `{{ path }}` keeps the variable's type (number, list,
 *   map), as Ansible's native types do, so `real_servers: "{{ real_servers }}"` is a list.
 * - Variables may refer to other variables (`vip_cidr: "{{ vip }}/32"`); they are resolved
 *   lazily, and a cycle is an error.
 */
import Handlebars from 'handlebars';

export class TemplateError extends Error {
  constructor(
    message: string,
    /** The undefined variable, when that is the cause. */
    readonly variable?: string,
    /** Where in the template, when handlebars knows (1-based line, 0-based column). */
    readonly location?: { line: number; column?: number },
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const handlebars = Handlebars.create();
// {{log x}} would print x (a secret, perhaps) on stdout, past every redaction and into --json.
handlebars.unregisterHelper('log');
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
handlebars.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
handlebars.registerHelper('join', (list: unknown, separator: unknown) =>
  Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ',') : list,
);

type Compiled = (context: unknown) => string;
const compiledCache = new Map<string, Compiled>();

function compile(template: string, escapeHtml: boolean): Compiled {
  const key = `${escapeHtml ? 'h' : 'v'}:${template}`;
  let compiled = compiledCache.get(key);
  if (!compiled) {
    compiled = handlebars.compile(template, { strict: true, noEscape: !escapeHtml });
    compiledCache.set(key, compiled);
  }
  return compiled;
}

const SINGLE_EXPRESSION = /^\s*\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}\s*$/;

export function isTemplated(value: string): boolean {
  return value.includes('{{');
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

/** Renders one template string against a context; throws TemplateError. */
export function renderString(template: string, context: Record<string, unknown>, escapeHtml = false): string {
  try {
    return compile(template, escapeHtml)(context);
  } catch (error) {
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

function lookup(context: Record<string, unknown>, path: string): unknown {
  let value: unknown = context;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(segment in (value as object))) {
      throw new TemplateError(`undefined variable '${path}'`, path);
    }
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Renders every string inside a value (deeply), keeping types for single expressions. */
export function renderValue(value: unknown, context: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (!isTemplated(value)) return value;
    const single = SINGLE_EXPRESSION.exec(value);
    return single ? lookup(context, single[1]) : renderString(value, context);
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
  const known = (key: string | symbol): key is string => typeof key === 'string' && (key in fixed || key in vars);
  const view: Record<string, unknown> = new Proxy(resolved, {
    has: (_target, key) => known(key),
    ownKeys: () => [...new Set([...Reflect.ownKeys(vars), ...Reflect.ownKeys(fixed)])],
    getOwnPropertyDescriptor: (_target, key) => (known(key) ? { configurable: true, enumerable: true, writable: false, value: view[key] } : undefined),
    get: (_target, key) => {
      if (!known(key)) return undefined;
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
    has: (_target, key) => key in extra || key in base,
    ownKeys: () => [...new Set([...Reflect.ownKeys(extra), ...Reflect.ownKeys(base)])],
    getOwnPropertyDescriptor: (_target, key) =>
      key in extra || key in base
        ? { configurable: true, enumerable: true, writable: false, value: key in extra ? extra[key as string] : base[key as string] }
        : undefined,
    get: (_target, key) => (typeof key === 'string' && key in extra ? extra[key] : base[key as string]),
  });
}
