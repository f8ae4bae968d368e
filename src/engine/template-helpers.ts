/**
 * The handlebars helpers lvs gives templates and arguments, with Ansible's (Jinja2's) meaning,
 * in one table: handlebars calls them (`{{default port 80}}`), `when:` conditions read them as
 * filters (`port | default(80) > 0`), and `lvs helpers` documents them from here.
 */
import { Document, isPair, isScalar, visit, type YAMLMap, type YAMLSeq } from 'yaml';
import { isMapping, pythonEqual, pythonStr, pythonTruthy, typeName, Undefined } from './jinja-values';
import { regexReplace } from './python-regex';
import { TemplateError } from './template-error';

export interface TemplateHelper {
  name: string;
  /** One line: what it gives. */
  summary: string;
  /** The same thing in an Ansible playbook. */
  jinja: string;
  /** The arguments after the value, by Jinja2's names (a handlebars hash or a keyword argument may name them). */
  parameters: string[];
  /** How many arguments a call must give, the value included. */
  required: number;
  /** Shown by `lvs helpers`, and rendered by the unit tests to check that it gives `gives`. */
  example: { template: string; vars: Record<string, unknown>; gives: unknown };
  /** A Jinja2 filter of the same name, which conditions read (eq and ne are handlebars only: Jinja2 writes ==). */
  filter: boolean;
  /** Only `default` may be given an undefined variable; every other helper names it in an error. */
  takesUndefined?: boolean;
  apply: (...args: unknown[]) => unknown;
}

function fail(helper: string, message: string): never {
  throw new TemplateError(`${helper}: ${message}`);
}

/** Python's int(text, base): optional sign, digits of the base, single underscores between them. */
function parseInteger(text: string, base: number): number | undefined {
  const match = /^([+-]?)(?:0([xob]))?([0-9a-z]+(?:_[0-9a-z]+)*)$/i.exec(text.trim());
  if (!match) return undefined;
  const prefix = match[2]?.toLowerCase();
  if (prefix && { x: 16, o: 8, b: 2 }[prefix] !== base) return undefined;
  const digits = match[3].replace(/_/g, '').toLowerCase();
  if ([...digits].some((digit) => !(parseInt(digit, 36) < base))) return undefined;
  return (match[1] === '-' ? -1 : 1) * parseInt(digits, base);
}

/** Python's float(text), which also reads inf and nan. */
function parseFloating(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  const special = /^([+-]?)(inf|infinity|nan)$/.exec(trimmed);
  if (special) return special[2] === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:e[+-]?\d+)?$/.test(trimmed)) return undefined;
  return Number(trimmed.replace(/_/g, ''));
}

/** Jinja2's int filter: int(value), else int(float(value)) (so '42.23' gives 42), else the default. */
function toInteger(value: unknown, fallback: unknown = 0, base: unknown = 10): unknown {
  if (typeof base !== 'number' || !Number.isInteger(base) || base < 2 || base > 36) fail('int', `base must be an integer from 2 to 36, got ${pythonStr(base)}`);
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  if (typeof value !== 'string') return fallback;
  const integer = parseInteger(value, base);
  if (integer !== undefined) return integer;
  const floating = base === 10 ? parseFloating(value) : undefined;
  return floating !== undefined && Number.isFinite(floating) ? Math.trunc(floating) : fallback;
}

function toFloat(value: unknown, fallback: unknown = 0): unknown {
  if (typeof value === 'boolean' || typeof value === 'number') return Number(value);
  return (typeof value === 'string' ? parseFloating(value) : undefined) ?? fallback;
}

const BOOL_TRUE = new Set(['yes', 'on', 'true', '1']);
const BOOL_FALSE = new Set(['no', 'off', 'false', '0']);

/** Ansible's bool filter: the YAML words and 0/1, in any case; anything else is False unless it equals 1. */
function toBool(value: unknown): boolean {
  const word = typeof value === 'string' ? value.toLowerCase() : typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value)) ? String(value) : undefined;
  if (word !== undefined && BOOL_TRUE.has(word)) return true;
  if (word !== undefined && BOOL_FALSE.has(word)) return false;
  return value === 1;
}

/** What Python iterates over: a list's items, a string's characters, a mapping's keys. */
function iterate(helper: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isMapping(value)) return Object.keys(value);
  return fail(helper, `expects a list, a string or a mapping, got ${typeName(value)} ${pythonStr(value)}`);
}

function endItem(helper: 'first' | 'last', value: unknown): unknown {
  const items = iterate(helper, value);
  if (items.length === 0) fail(helper, `the ${typeName(value)} is empty, so it has no ${helper} item (give a default: {{default (${helper} x) ...}})`);
  return helper === 'first' ? items[0] : items[items.length - 1];
}

function replaceText(value: unknown, old: unknown, replacement: unknown, count: unknown): string {
  const parts = pythonStr(value).split(pythonStr(old));
  const limit = count === undefined || count === null ? parts.length : Math.max(0, Number(count));
  return parts.slice(0, limit + 1).join(pythonStr(replacement)) + (parts.length > limit + 1 ? pythonStr(old) + parts.slice(limit + 1).join(pythonStr(old)) : '');
}

/** Python's json.dumps defaults, as Ansible's to_json uses them: ', ' and ': ' between items, non-ASCII escaped. */
function toJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : '-Infinity';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map(toJson).join(', ')}]`;
  if (isMapping(value)) return `{${Object.entries(value).map(([key, item]) => `${toJson(key)}: ${toJson(item)}`).join(', ')}}`;
  return fail('to_json', `cannot write ${typeName(value)} as JSON`);
}

/**
 * PyYAML's yaml.dump as Ansible's to_yaml calls it: keys sorted, a collection of scalars
 * written inline (`[80, 443]`, `{a: 1}`), the others as blocks, list items not indented.
 */
function toYaml(value: unknown): string {
  // YAML 1.1, as PyYAML writes and Ansible reads it: a string such as 'yes' or 'on' is quoted.
  const document = new Document(value, { sortMapEntries: true, version: '1.1' });
  const inline = (_key: unknown, node: YAMLMap | YAMLSeq) => {
    node.flow = node.items.every((item: unknown) => isScalar(isPair(item) ? item.value : item));
  };
  visit(document, { Map: inline, Seq: inline });
  return document.toString({ indentSeq: false, flowCollectionPadding: false, singleQuote: true });
}

function dictToItems(value: unknown, keyName: unknown = 'key', valueName: unknown = 'value'): unknown[] {
  if (!isMapping(value)) fail('dict2items', `expects a mapping, got ${typeName(value)}`);
  return Object.entries(value).map(([key, item]) => ({ [pythonStr(keyName)]: key, [pythonStr(valueName)]: item }));
}

function itemsToDict(value: unknown, keyName: unknown = 'key', valueName: unknown = 'value'): Record<string, unknown> {
  if (!Array.isArray(value)) fail('items2dict', `expects a list of mappings, got ${typeName(value)}`);
  const [key, item] = [pythonStr(keyName), pythonStr(valueName)];
  return Object.fromEntries(
    value.map((entry, index) => {
      if (!isMapping(entry) || !(key in entry) || !(item in entry)) fail('items2dict', `item ${index} is not a mapping with '${key}' and '${item}'`);
      return [pythonStr(entry[key]), entry[item]];
    }),
  );
}

export const TEMPLATE_HELPERS: readonly TemplateHelper[] = [
  {
    name: 'default',
    summary: 'the value, or a fallback when the variable is undefined (with true as third argument, also when it is empty or false)',
    jinja: "{{ x | default('a') }}, {{ x | default('a', true) }}",
    parameters: ['default_value', 'boolean'],
    required: 1,
    example: { template: '{{default http_port 8080}}', vars: {}, gives: 8080 },
    filter: true,
    takesUndefined: true,
    apply: (value, fallback = '', boolean = false) => (value instanceof Undefined || (pythonTruthy(boolean) && !pythonTruthy(value)) ? fallback : value),
  },
  {
    name: 'int',
    summary: "an integer: '80' gives 80, '8.9' gives 8, and what is no number gives the default (0)",
    jinja: '{{ x | int }}, {{ x | int(default) }}',
    parameters: ['default', 'base'],
    required: 1,
    example: { template: '{{int http_port}}', vars: { http_port: '8080' }, gives: 8080 },
    filter: true,
    apply: toInteger,
  },
  {
    name: 'float',
    summary: "a number: '1.5' gives 1.5, and what is no number gives the default (0.0)",
    jinja: '{{ x | float }}',
    parameters: ['default'],
    required: 1,
    example: { template: '{{float weight}}', vars: { weight: '1.5' }, gives: 1.5 },
    filter: true,
    apply: toFloat,
  },
  {
    name: 'bool',
    summary: "a boolean: yes/on/true/1 (any case) give true, no/off/false/0 false, anything else false",
    jinja: '{{ x | bool }}',
    parameters: [],
    required: 1,
    example: { template: '{{bool enabled}}', vars: { enabled: 'yes' }, gives: true },
    filter: true,
    apply: toBool,
  },
  {
    name: 'string',
    summary: "the value as Python prints it: true gives 'True', a list gives \"['a', 'b']\"",
    jinja: '{{ x | string }}',
    parameters: [],
    required: 1,
    example: { template: '{{string port}}', vars: { port: 80 }, gives: '80' },
    filter: true,
    apply: (value) => pythonStr(value),
  },
  {
    name: 'join',
    summary: "the items of a list joined by a separator (none unless given)",
    jinja: "{{ list | join(',') }}",
    parameters: ['d'],
    required: 1,
    example: { template: "{{join ports ','}}", vars: { ports: [80, 443] }, gives: '80,443' },
    filter: true,
    apply: (value, separator = '') => iterate('join', value).map(pythonStr).join(pythonStr(separator)),
  },
  {
    name: 'length',
    summary: 'how many items a list or a mapping has, or characters a string has',
    jinja: '{{ x | length }}',
    parameters: [],
    required: 1,
    example: { template: '{{length real_servers}}', vars: { real_servers: ['rs1', 'rs2'] }, gives: 2 },
    filter: true,
    apply: (value) => iterate('length', value).length,
  },
  {
    name: 'first',
    summary: 'the first item of a list (first character of a string); an empty one is an error',
    jinja: '{{ x | first }}',
    parameters: [],
    required: 1,
    example: { template: '{{first groups.directors}}', vars: { groups: { directors: ['lvs1', 'lvs2'] } }, gives: 'lvs1' },
    filter: true,
    apply: (value) => endItem('first', value),
  },
  {
    name: 'last',
    summary: 'the last item of a list (last character of a string); an empty one is an error',
    jinja: '{{ x | last }}',
    parameters: [],
    required: 1,
    example: { template: '{{last groups.directors}}', vars: { groups: { directors: ['lvs1', 'lvs2'] } }, gives: 'lvs2' },
    filter: true,
    apply: (value) => endItem('last', value),
  },
  {
    name: 'lower',
    summary: 'the value as a string, in lower case',
    jinja: '{{ x | lower }}',
    parameters: [],
    required: 1,
    example: { template: '{{lower scheduler}}', vars: { scheduler: 'WRR' }, gives: 'wrr' },
    filter: true,
    apply: (value) => pythonStr(value).toLowerCase(),
  },
  {
    name: 'upper',
    summary: 'the value as a string, in upper case',
    jinja: '{{ x | upper }}',
    parameters: [],
    required: 1,
    example: { template: '{{upper iface}}', vars: { iface: 'eth0' }, gives: 'ETH0' },
    filter: true,
    apply: (value) => pythonStr(value).toUpperCase(),
  },
  {
    name: 'replace',
    summary: 'the string with every occurrence of a text replaced (or the first COUNT ones)',
    jinja: "{{ x | replace('a', 'b') }}",
    parameters: ['old', 'new', 'count'],
    required: 3,
    example: { template: "{{replace vip '.' '-'}}", vars: { vip: '10.0.0.1' }, gives: '10-0-0-1' },
    filter: true,
    apply: replaceText,
  },
  {
    name: 'regex_replace',
    summary: 'the string with every match of a Python regular expression replaced (\\1 and \\g<name> in the replacement are groups); ignorecase=true, multiline=true, count=N',
    jinja: "{{ x | regex_replace('^eth', 'en') }}",
    parameters: ['pattern', 'replacement', 'ignorecase', 'multiline', 'count'],
    required: 2,
    example: { template: "{{regex_replace vip '^(\\d+)\\.(\\d+)\\..*$' '\\1.\\2.0.0/16'}}", vars: { vip: '10.1.2.3' }, gives: '10.1.0.0/16' },
    filter: true,
    apply: (value, pattern, replacement = '', ignorecase = false, multiline = false, count = 0) =>
      regexReplace(pythonStr(value), pythonStr(pattern), pythonStr(replacement), { ignorecase: pythonTruthy(ignorecase), multiline: pythonTruthy(multiline), count: Number(count) || 0 }),
  },
  {
    name: 'to_json',
    summary: "the value as JSON, spaced as Python writes it ({\"a\": [1, 2]})",
    jinja: '{{ x | to_json }}',
    parameters: [],
    required: 1,
    example: { template: '{{to_json ports}}', vars: { ports: [80, 443] }, gives: '[80, 443]' },
    filter: true,
    apply: toJson,
  },
  {
    name: 'to_yaml',
    summary: 'the value as YAML, as Ansible writes it: keys sorted, a list or mapping of plain values inline',
    jinja: '{{ x | to_yaml }}',
    parameters: [],
    required: 1,
    example: { template: '{{to_yaml service}}', vars: { service: { port: 80, servers: ['rs1', 'rs2'] } }, gives: 'port: 80\nservers: [rs1, rs2]\n' },
    filter: true,
    apply: toYaml,
  },
  {
    name: 'dict2items',
    summary: 'a mapping as a list of {key, value} items (other names as second and third arguments)',
    jinja: '{{ x | dict2items }}',
    parameters: ['key_name', 'value_name'],
    required: 1,
    example: { template: '{{dict2items weights}}', vars: { weights: { rs1: 1, rs2: 3 } }, gives: [{ key: 'rs1', value: 1 }, { key: 'rs2', value: 3 }] },
    filter: true,
    apply: dictToItems,
  },
  {
    name: 'items2dict',
    summary: 'a list of {key, value} items as a mapping (other names as second and third arguments)',
    jinja: '{{ x | items2dict }}',
    parameters: ['key_name', 'value_name'],
    required: 1,
    example: { template: "{{items2dict servers 'name' 'weight'}}", vars: { servers: [{ name: 'rs1', weight: 1 }] }, gives: { rs1: 1 } },
    filter: true,
    apply: itemsToDict,
  },
  {
    name: 'mandatory',
    summary: 'the value, or an error with the message given (or naming the variable) when it is undefined: an extra variable a playbook needs',
    jinja: "{{ x | mandatory }}, {{ x | mandatory('give -e x=...') }}",
    parameters: ['msg'],
    required: 1,
    example: { template: '{{mandatory release}}', vars: { release: 'v2' }, gives: 'v2' },
    filter: true,
    takesUndefined: true,
    apply: (value, message) => {
      if (!(value instanceof Undefined)) return value;
      return fail('mandatory', typeof message === 'string' ? message : `Mandatory variable '${value.path}' not defined`);
    },
  },
  {
    name: 'eq',
    summary: "whether two values are equal, as Python compares them ('80' is not 80); for {{#if (eq a b)}}",
    jinja: '{{ a == b }}',
    parameters: ['other'],
    required: 2,
    example: { template: "{{eq lvs_mode 'nat'}}", vars: { lvs_mode: 'nat' }, gives: true },
    filter: false,
    apply: pythonEqual,
  },
  {
    name: 'ne',
    summary: 'whether two values differ, as Python compares them; for {{#if (ne a b)}}',
    jinja: '{{ a != b }}',
    parameters: ['other'],
    required: 2,
    example: { template: "{{ne lvs_mode 'nat'}}", vars: { lvs_mode: 'dr' }, gives: true },
    filter: false,
    apply: (a, b) => !pythonEqual(a, b),
  },
];

const BY_NAME = new Map(TEMPLATE_HELPERS.map((helper) => [helper.name, helper]));

export function findHelper(name: string): TemplateHelper | undefined {
  return BY_NAME.get(name);
}

/**
 * Calls a helper with positional arguments (the value first) and named ones; an undefined
 * variable among them is an error naming it, except as the value of `default`.
 */
export function callHelper(helper: TemplateHelper, positional: unknown[], named: Record<string, unknown> = {}): unknown {
  const args = [...positional];
  const most = helper.parameters.length + 1;
  if (args.length > most) fail(helper.name, `takes at most ${most} argument${most === 1 ? '' : 's'} (${['value', ...helper.parameters].join(', ')}), got ${args.length}`);
  for (const [name, value] of Object.entries(named)) {
    const index = helper.parameters.indexOf(name) + 1;
    if (index === 0) fail(helper.name, `has no argument '${name}' (it takes ${helper.parameters.join(', ') || 'only the value'})`);
    if (index < args.length) fail(helper.name, `'${name}' is given twice`);
    args[index] = value;
  }
  const given = args.filter((value) => value !== undefined).length;
  if (given < helper.required) fail(helper.name, `needs ${['value', ...helper.parameters].slice(0, helper.required).join(', ')}`);
  args.forEach((value, index) => {
    if (value instanceof Undefined && !(index === 0 && helper.takesUndefined)) throw new TemplateError(`undefined variable '${value.path}'`, value.path);
  });
  return helper.apply(...args);
}
