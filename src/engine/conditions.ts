/**
 * `when:` conditions, in the bare-expression style Ansible users write, evaluated as Ansible's
 * Jinja2 does:
 *   when: inventory_hostname == groups['directors'][0]
 *   when: result is changed and not (mode in ['nat', 'tun'])
 *   when: vip is defined and vip | length > 0
 * A list of conditions means all of them. `and`/`or` stop at the first operand that decides,
 * so `x is defined and x > 1` is false where x is undefined. Values compare with Python's
 * types ('80' == 80 is False), with two refusals where Ansible would silently surprise: a
 * number compared with a string of digits, and the truth of a string such as 'false' (Ansible
 * takes every non-empty string as true). Only the filters of the helper table exist, and no
 * calls: nothing can run code.
 */
import { describe, ExpressionSyntaxError, parseExpression, type Node } from './jinja-expression';
import { isMapping, pythonEqual, pythonOrder, pythonStr, pythonTruthy, typeName, Undefined } from './jinja-values';
import { regexSearch } from './python-regex';
import { callHelper, findHelper, TEMPLATE_HELPERS } from './template-helpers';
import { TemplateError } from './template-error';

/** Strings that Ansible's `bool` reads as false but a condition would take as true. */
const FALSE_WORDS = new Set(['false', 'no', 'off', 'n', 'f', '0']);

function own(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

function shown(value: unknown): string {
  return `${typeName(value)} ${typeof value === 'string' ? `'${value}'` : pythonStr(value)}`;
}

function looksNumeric(value: unknown): boolean {
  return typeof value === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value);
}

/** A registered result's flag, or for a loop's result (no flag of its own) whether any item (every item, for skipped) has it. */
function resultFlag(test: string, result: unknown, flag: 'changed' | 'failed' | 'skipped'): boolean {
  if (!isMapping(result)) throw new TemplateError(`the '${test}' test expects a registered result (a mapping), got ${typeName(result)}`);
  if (own(result, flag)) return pythonTruthy(result[flag]);
  const items = Array.isArray(result.results) ? result.results.filter(isMapping) : [];
  if (flag === 'skipped') return items.length > 0 && items.every((item) => pythonTruthy(item.skipped));
  return items.some((item) => pythonTruthy(item[flag]));
}

const TESTS: Record<string, (value: unknown, args: unknown[]) => boolean> = {
  defined: (value) => !(value instanceof Undefined),
  undefined: (value) => value instanceof Undefined,
  none: (value) => value === null,
  changed: (value) => resultFlag('changed', value, 'changed'),
  change: (value) => resultFlag('change', value, 'changed'),
  failed: (value) => resultFlag('failed', value, 'failed'),
  failure: (value) => resultFlag('failure', value, 'failed'),
  skipped: (value) => resultFlag('skipped', value, 'skipped'),
  skip: (value) => resultFlag('skip', value, 'skipped'),
  succeeded: (value) => !resultFlag('succeeded', value, 'failed'),
  success: (value) => !resultFlag('success', value, 'failed'),
  successful: (value) => !resultFlag('successful', value, 'failed'),
  truthy: (value) => pythonTruthy(value),
  falsy: (value) => !pythonTruthy(value),
  string: (value) => typeof value === 'string',
  // Jinja2's number test counts booleans, as Python's bool is an int; integer does not.
  number: (value) => typeof value === 'number' || typeof value === 'boolean',
  integer: (value) => typeof value === 'number' && Number.isInteger(value),
  float: (value) => typeof value === 'number' && !Number.isInteger(value),
  boolean: (value) => typeof value === 'boolean',
  mapping: (value) => isMapping(value),
  // A string is a sequence and an iterable in Python, as are lists and mappings.
  sequence: (value) => typeof value === 'string' || Array.isArray(value) || isMapping(value),
  iterable: (value) => typeof value === 'string' || Array.isArray(value) || isMapping(value),
  even: (value) => typeof value === 'number' && value % 2 === 0,
  odd: (value) => typeof value === 'number' && Math.abs(value % 2) === 1,
  divisibleby: (value, [divisor]) => typeof value === 'number' && typeof divisor === 'number' && divisor !== 0 && value % divisor === 0,
  match: (value, [pattern]) => regexSearch(pythonStr(value), pythonStr(pattern), true),
  search: (value, [pattern]) => regexSearch(pythonStr(value), pythonStr(pattern), false),
};
const NEEDS_DEFINED = new Set(Object.keys(TESTS).filter((name) => name !== 'defined' && name !== 'undefined'));

class Evaluation {
  constructor(
    private readonly vars: Record<string, unknown>,
    private readonly source: string,
  ) {}

  /** An error about the node at `at`, naming the condition and the column (1-based). */
  fail(message: string, at: number, variable?: string): never {
    throw new TemplateError(`condition '${this.source}': ${message} (at column ${at + 1})`, variable);
  }

  private defined(value: unknown): unknown {
    if (value instanceof Undefined) {
      // The variable's name places it in the condition; this wording is what lvs has always said.
      throw new TemplateError(`undefined variable '${value.path}' in condition '${this.source}' (test it with 'is defined')`, value.path);
    }
    return value;
  }

  truth(value: unknown, node: Node): boolean {
    this.defined(value);
    if (typeof value === 'string' && FALSE_WORDS.has(value.trim().toLowerCase())) {
      this.fail(`${describe(node)} is the string '${value}', which Ansible takes as true (every non-empty string is true): write '${describe(node)} | bool' to read it as a boolean`, node.at);
    }
    return pythonTruthy(value);
  }

  evaluate(node: Node): unknown {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'name':
        return own(this.vars, node.name) ? this.vars[node.name] : new Undefined(node.name);
      case 'attribute':
        return this.member(this.evaluate(node.object), node.name, this.path(node.object));
      case 'index': {
        const key = this.defined(this.evaluate(node.index));
        return this.member(this.evaluate(node.object), key, this.path(node.object));
      }
      case 'list':
        return node.items.map((item) => this.defined(this.evaluate(item)));
      case 'dict':
        return Object.fromEntries(node.entries.map(([key, value]) => [pythonStr(this.defined(this.evaluate(key))), this.defined(this.evaluate(value))]));
      case 'not':
        return !this.truth(this.evaluate(node.operand), node.operand);
      case 'sign': {
        const value = this.defined(this.evaluate(node.operand));
        if (typeof value !== 'number' && typeof value !== 'boolean') this.fail(`'${node.sign}' needs a number, got ${shown(value)}`, node.at);
        return node.sign === '-' ? -Number(value) : Number(value);
      }
      case 'logical': {
        // Python's and/or give the operand that decided, and never look at the other one.
        const left = this.evaluate(node.left);
        const decided = node.op === 'and' ? !this.truth(left, node.left) : this.truth(left, node.left);
        return decided ? left : this.evaluate(node.right);
      }
      case 'compare':
        return this.compare(node);
      case 'arithmetic':
        return this.arithmetic(node);
      case 'filter':
        return this.filter(node);
      case 'test':
        return this.test(node);
      case 'conditional':
        if (this.truth(this.evaluate(node.test), node.test)) return this.evaluate(node.then);
        return node.otherwise ? this.evaluate(node.otherwise) : new Undefined(describe(node));
    }
  }

  /** A variable path with its keys looked up (`hostvars[h].rip` is hostvars.rs2.rip), to name what is undefined. */
  private path(node: Node): string {
    if (node.kind === 'attribute') return `${this.path(node.object)}.${node.name}`;
    if (node.kind === 'index') {
      const key = this.evaluate(node.index);
      return `${this.path(node.object)}.${key instanceof Undefined ? describe(node.index) : pythonStr(key)}`;
    }
    return describe(node);
  }

  /** Jinja2's `x.k` and `x[k]`: a missing key, index or attribute is undefined, and so is anything below it. */
  private member(object: unknown, key: unknown, objectPath: string): unknown {
    const path = `${object instanceof Undefined ? object.path : objectPath}.${pythonStr(key)}`;
    if (object instanceof Undefined) return new Undefined(path);
    if (Array.isArray(object) || typeof object === 'string') {
      const index = typeof key === 'number' ? key : typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : NaN;
      if (!Number.isInteger(index)) return new Undefined(path);
      const at = index < 0 ? object.length + index : index;
      return at >= 0 && at < object.length ? object[at] : new Undefined(path);
    }
    if (isMapping(object)) {
      const name = pythonStr(key);
      return own(object, name) ? object[name] : new Undefined(path);
    }
    return new Undefined(path);
  }

  private compare(node: Extract<Node, { kind: 'compare' }>): boolean {
    let leftNode = node.first;
    let left = this.defined(this.evaluate(leftNode));
    for (const { op, operand, at } of node.rest) {
      const right = this.defined(this.evaluate(operand));
      if (!this.compareOne(op, left, right, leftNode, operand, at)) return false;
      [left, leftNode] = [right, operand];
    }
    return true;
  }

  private compareOne(op: string, left: unknown, right: unknown, leftNode: Node, rightNode: Node, at: number): boolean {
    const mixed = (a: unknown, b: unknown) => (typeof a === 'number' && looksNumeric(b)) || (typeof b === 'number' && looksNumeric(a));
    /** How to make the string side a number: drop the quotes of a literal, or convert a variable. */
    const fix = (a: unknown, aNode: Node, bNode: Node) => {
      const stringNode = typeof a === 'string' ? aNode : bNode;
      return stringNode.kind === 'literal' ? `write the number without quotes: ${pythonStr(stringNode.value)}` : `convert the string first: '${describe(stringNode)} | int'`;
    };
    if (op === 'in' || op === 'not in') return this.contains(right, left, leftNode, rightNode, at) !== (op === 'not in');
    if (op === '==' || op === '!=') {
      if (mixed(left, right)) {
        this.fail(
          `'${op}' between ${shown(left)} and ${shown(right)}: Ansible compares them as different types (so '80' == 80 is False); ${fix(left, leftNode, rightNode)}`,
          at,
        );
      }
      return pythonEqual(left, right) === (op === '==');
    }
    const order = pythonOrder(left, right);
    if (order === undefined) {
      const hint = typeof left === 'string' || typeof right === 'string' ? `; ${fix(left, leftNode, rightNode)}` : '';
      this.fail(`cannot order ${shown(left)} and ${shown(right)} with '${op}': Ansible (Python) refuses this too${hint}`, at);
    }
    return { '<': order < 0, '>': order > 0, '<=': order <= 0, '>=': order >= 0 }[op as '<'];
  }

  private contains(container: unknown, item: unknown, itemNode: Node, containerNode: Node, at: number): boolean {
    if (Array.isArray(container)) {
      if (container.some((entry) => pythonEqual(entry, item))) return true;
      const alike = container.find((entry) => typeof entry !== typeof item && (typeof entry === 'string' || typeof item === 'string') && pythonStr(entry) === pythonStr(item));
      if (alike !== undefined) {
        this.fail(`${shown(item)} is not in ${describe(containerNode)}, which holds ${shown(alike)}: Ansible compares them as different types; convert one side (| int, | string)`, at);
      }
      return false;
    }
    if (typeof container === 'string') {
      if (typeof item !== 'string') this.fail(`'in' a string needs a string on its left, got ${shown(item)} (write '${describe(itemNode)} | string')`, at);
      return container.includes(item);
    }
    if (isMapping(container)) return own(container, pythonStr(item));
    return this.fail(`'in' needs a list, a string or a mapping on its right, got ${shown(container)}`, containerNode.at);
  }

  private arithmetic(node: Extract<Node, { kind: 'arithmetic' }>): unknown {
    const left = this.defined(this.evaluate(node.left));
    const right = this.defined(this.evaluate(node.right));
    if (node.op === '~') return pythonStr(left) + pythonStr(right);
    const numbers = (typeof left === 'number' || typeof left === 'boolean') && (typeof right === 'number' || typeof right === 'boolean');
    if (node.op === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
    if (node.op === '+' && Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
    if (!numbers) this.fail(`'${node.op}' between ${shown(left)} and ${shown(right)} is an error in Ansible (Python) too`, node.at);
    const [a, b] = [Number(left), Number(right)];
    if ((node.op === '/' || node.op === '//' || node.op === '%') && b === 0) this.fail('division by zero', node.at);
    switch (node.op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return a / b;
      case '//':
        return Math.floor(a / b);
      default:
        // Python's modulo takes the sign of the divisor.
        return ((a % b) + b) % b;
    }
  }

  private filter(node: Extract<Node, { kind: 'filter' }>): unknown {
    const helper = findHelper(node.name);
    if (!helper?.filter) {
      const known = TEMPLATE_HELPERS.filter((one) => one.filter).map((one) => one.name);
      this.fail(`lvs has no filter '${node.name}'; conditions read ${known.join(', ')} (see lvs helpers)`, node.at);
    }
    const value = this.evaluate(node.value);
    const args = node.args.map((arg) => this.evaluate(arg));
    const keywords = Object.fromEntries(node.keywords.map(([key, arg]) => [key, this.evaluate(arg)]));
    try {
      return callHelper(helper, [value, ...args], keywords);
    } catch (error) {
      if (error instanceof TemplateError) this.fail(error.message, node.at, error.variable);
      throw error;
    }
  }

  private test(node: Extract<Node, { kind: 'test' }>): boolean {
    const test = TESTS[node.name];
    if (!test) this.fail(`lvs has no test '${node.name}'; it knows ${Object.keys(TESTS).join(', ')}`, node.at);
    const value = this.evaluate(node.value);
    if (NEEDS_DEFINED.has(node.name)) this.defined(value);
    const args = node.args.map((arg) => this.defined(this.evaluate(arg)));
    try {
      return test(value, args) !== node.negated;
    } catch (error) {
      if (error instanceof TemplateError) this.fail(error.message, node.at, error.variable);
      throw error;
    }
  }
}

function evaluateOne(condition: string, vars: Record<string, unknown>): boolean {
  if (condition.includes('{{') || condition.includes('{%')) throw new TemplateError(`condition '${condition}' must be a bare expression: write it without {{ }} or {% %}`);
  let tree: Node;
  try {
    tree = parseExpression(condition);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    const reason = error.reason.startsWith('cannot read') ? `cannot read condition '${condition}' at column ${error.at + 1}: ${error.reason}` : `condition '${condition}': ${error.reason} (at column ${error.at + 1})`;
    throw new TemplateError(reason);
  }
  const evaluation = new Evaluation(vars, condition);
  return evaluation.truth(evaluation.evaluate(tree), tree);
}

export function evaluateCondition(condition: unknown, vars: Record<string, unknown>): boolean {
  if (Array.isArray(condition)) return condition.every((item) => evaluateCondition(item, vars));
  if (typeof condition === 'boolean') return condition;
  if (typeof condition !== 'string') throw new TemplateError('a condition must be a string, a boolean or a list of them');
  return evaluateOne(condition, vars);
}
