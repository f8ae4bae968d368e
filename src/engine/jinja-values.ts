/**
 * Values as Ansible's Jinja2 (that is, Python) sees them, so that conditions and helpers give
 * Ansible's answers: `'80' == 80` is False, `True == 1` is True, `'80' < 90` is an error,
 * `str(True)` is 'True'. YAML and JSON data map to Python's types one to one, except that a
 * JavaScript number cannot tell 1.0 from 1 (both are integers here).
 */

/** What a name that names no variable evaluates to: only `is defined`, `default` and `if` may look at it. */
export class Undefined {
  constructor(readonly path: string) {}
}

/** The type of a value in the words an Ansible user knows. */
export function typeName(value: unknown): string {
  if (value === undefined || value instanceof Undefined) return 'undefined';
  if (value === null) return 'none';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'list';
  return 'mapping';
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Undefined);
}

/** Python's bool and int are both numbers: True == 1 and True + 1 == 2. */
function numeric(value: unknown): value is number | boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

export function pythonEqual(a: unknown, b: unknown): boolean {
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => pythonEqual(item, b[index]));
  }
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && pythonEqual(a[key], b[key]));
  }
  return false;
}

/** Python's ordering (-1, 0, 1), or undefined where Python raises TypeError ('<' between str and int). */
export function pythonOrder(a: unknown, b: unknown): number | undefined {
  if (numeric(a) && numeric(b)) return Math.sign(Number(a) - Number(b));
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let index = 0; index < Math.min(a.length, b.length); index++) {
      if (pythonEqual(a[index], b[index])) continue;
      return pythonOrder(a[index], b[index]);
    }
    return Math.sign(a.length - b.length);
  }
  return undefined;
}

export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return value !== 0 && value !== false;
}

function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/[\\\n\r\t]/g, (char) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[char]!);
  return `${quote}${quote === "'" ? escaped.replace(/'/g, "\\'") : escaped}${quote}`;
}

function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(value);
}

/** Python's repr(): how str() shows a list or a mapping, and their items. */
function pythonRepr(value: unknown): string {
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (isMapping(value)) return `{${Object.entries(value).map(([key, item]) => `${reprString(key)}: ${pythonRepr(item)}`).join(', ')}}`;
  return pythonStr(value);
}

/** Python's str(): what Jinja2's `string` filter and `{{ x }}` print. */
export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pythonNumber(value);
  return pythonRepr(value);
}
