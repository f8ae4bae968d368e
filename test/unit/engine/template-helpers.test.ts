import { callHelper, findHelper, TEMPLATE_HELPERS } from '../../../src/engine/template-helpers';
import { renderString, renderValue, resolveVariables, TemplateError } from '../../../src/engine/templating';

/** Renders one value against `vars`, as a task argument is rendered. */
const value = (template: string, vars: Record<string, unknown> = {}) => renderValue(template, resolveVariables(vars));
const helper = (name: string) => findHelper(name)!;

describe('the helper table', () => {
  it('holds at least the helpers playbooks use most, each documented', () => {
    expect(TEMPLATE_HELPERS.map((one) => one.name)).toEqual(
      expect.arrayContaining(['default', 'int', 'bool', 'string', 'join', 'length', 'first', 'last', 'lower', 'upper', 'replace', 'regex_replace', 'to_json', 'to_yaml', 'dict2items', 'items2dict', 'eq', 'ne']),
    );
    for (const one of TEMPLATE_HELPERS) {
      expect(one.summary).not.toMatch(/\n/);
      expect(one.jinja).toMatch(/\{\{ .* \}\}/);
    }
  });

  it.each(TEMPLATE_HELPERS.map((one) => [one.name, one] as const))('%s: its documented example gives what the docs say', (_name, one) => {
    expect(value(one.example.template, one.example.vars)).toEqual(one.example.gives);
  });
});

describe('default', () => {
  // Handlebars' strict mode would throw for the missing x before the helper saw it.
  it('applies to an undefined variable, and to a path below one', () => {
    expect(value("{{default x 'a'}}")).toBe('a');
    expect(value("{{default x.y.z 'a'}}")).toBe('a');
    expect(value("{{default item.nope 80}}", { item: { port: 1 } })).toBe(80);
    expect(value("port {{default http_port 80}}")).toBe('port 80');
  });

  // Ansible: default applies to undefined only; none and '' are values unless the second argument is true.
  it("keeps a defined none or '' unless asked to replace false values too", () => {
    expect(value("{{default x 'a'}}", { x: null })).toBe(null);
    expect(value("{{default x 'a'}}", { x: '' })).toBe('');
    expect(value("{{default x 'a' true}}", { x: '' })).toBe('a');
    expect(value("{{default x 'a' boolean=true}}", { x: 0 })).toBe('a');
    expect(value('{{default x}}')).toBe('');
  });
});

describe('mandatory', () => {
  it('gives a defined value, and fails with its message or the variable when undefined', () => {
    expect(value("{{mandatory release 'give -e release=...'}}", { release: '' })).toBe('');
    expect(() => value("{{mandatory release 'give -e release=...'}}")).toThrow('mandatory: give -e release=...');
    expect(() => value('{{mandatory release}}')).toThrow("mandatory: Mandatory variable 'release' not defined");
  });
});

describe('every other helper names an undefined argument, with its line', () => {
  it.each(['{{int nope}}', '{{upper nope.deeper}}', "{{eq nope 'a'}}", 'x\n{{join nope}}'])('%s', (template) => {
    try {
      value(template);
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      const failure = error as TemplateError;
      expect(failure.message).toBe(`undefined variable '${failure.variable}'`);
      expect(failure.variable).toMatch(/^nope/);
      expect(failure.location?.line).toBe(template.startsWith('x\n') ? 2 : 1);
    }
  });

  it("leaves handlebars' own {{#if}} and {{#each}} as they were: a missing value is false or empty", () => {
    expect(value('{{#if nope}}y{{else}}n{{/if}}')).toBe('n');
    expect(value('{{#each nope}}x{{/each}}.')).toBe('.');
    expect(value('{{#each list as |x|}}{{x}};{{/each}}', { list: [1, 2] })).toBe('1;2;');
  });
});

describe('a value that is one helper call keeps the type of its result', () => {
  it('gives a number for {{int port}}, and a string when the call is part of a text', () => {
    expect(value('{{int http_port}}', { http_port: '8080' })).toBe(8080);
    expect(value('  {{ int http_port }} ', { http_port: '8080' })).toBe(8080);
    expect(value(':{{int http_port}}', { http_port: '8080' })).toBe(':8080');
    expect(renderString('{{int http_port}}', { http_port: '8080' })).toBe('8080');
  });

  it('gives booleans, lists and mappings', () => {
    expect(value("{{eq mode 'nat'}}", { mode: 'nat' })).toBe(true);
    expect(value('{{bool flag}}', { flag: 'no' })).toBe(false);
    expect(value('{{dict2items m}}', { m: { a: 1 } })).toEqual([{ key: 'a', value: 1 }]);
    expect(value("{{lookup m 'a'}}", { m: { a: [1] } })).toEqual([1]);
    expect(value('{{first (dict2items m)}}', { m: { a: 1 } })).toEqual({ key: 'a', value: 1 });
  });

  it('still renders a single path as before, keeping its type', () => {
    expect(value('{{ port }}', { port: 80 })).toBe(80);
  });
});

describe('int, float and bool', () => {
  // Jinja2's int filter: int(value), else int(float(value)), else the default.
  it.each([
    ['80', 80],
    [' 80 ', 80],
    ['-3', -3],
    ['1_000', 1000],
    ['8.9', 8],
    ['1e3', 1000],
    ['abc', 0],
    ['', 0],
    [true, 1],
    [7.9, 7],
    [null, 0],
  ])('int %j → %j', (input, expected) => {
    expect(callHelper(helper('int'), [input])).toBe(expected);
  });

  it('takes a default and a base', () => {
    expect(callHelper(helper('int'), ['x', 5])).toBe(5);
    expect(callHelper(helper('int'), ['ff', 0, 16])).toBe(255);
    expect(callHelper(helper('int'), ['0x1A', 0, 16])).toBe(26);
    expect(callHelper(helper('int'), ['0x1A'])).toBe(0);
    expect(callHelper(helper('int'), ['12'], { base: 8 })).toBe(10);
  });

  it('float reads numbers and gives the default otherwise', () => {
    expect(callHelper(helper('float'), ['1.5'])).toBe(1.5);
    expect(callHelper(helper('float'), ['x'])).toBe(0);
  });

  // Ansible's bool filter: only yes/on/true/1 (any case) are true; 't' and 'y' are not.
  it.each([
    ['yes', true],
    ['ON', true],
    ['True', true],
    ['1', true],
    [1, true],
    [true, true],
    ['no', false],
    ['0', false],
    ['y', false],
    ['t', false],
    [null, false],
    [2, false],
  ])('bool %j → %j', (input, expected) => {
    expect(callHelper(helper('bool'), [input])).toBe(expected);
  });
});

describe('string helpers, as Python prints values', () => {
  it.each([
    ['string', [true], 'True'],
    ['string', [null], 'None'],
    ['string', [['a', 1]], "['a', 1]"],
    ['string', [{ a: "it's" }], `{'a': "it's"}`],
    ['lower', ['WRR'], 'wrr'],
    ['lower', [true], 'true'],
    ['upper', ['eth0'], 'ETH0'],
    ['replace', ['a.b.c', '.', '-'], 'a-b-c'],
    ['replace', ['a.b.c', '.', '-', 1], 'a-b.c'],
    ['replace', ['$x', '$', '$$'], '$$x'],
    ['join', [[1, 'a', true]], '1aTrue'],
    ['join', [['a', 'b'], ', '], 'a, b'],
    ['join', ['ab', '-'], 'a-b'],
  ])('%s %j → %j', (name, args, expected) => {
    expect(callHelper(helper(name), args as unknown[])).toBe(expected);
  });
});

describe('length, first and last', () => {
  it('count list items, mapping keys and characters', () => {
    expect(callHelper(helper('length'), [[1, 2, 3]])).toBe(3);
    expect(callHelper(helper('length'), [{ a: 1 }])).toBe(1);
    expect(callHelper(helper('length'), ['héllo'])).toBe(5);
    expect(() => callHelper(helper('length'), [80])).toThrow('length: expects a list, a string or a mapping, got integer 80');
  });

  it('refuse an empty list instead of giving nothing', () => {
    expect(callHelper(helper('first'), [['a', 'b']])).toBe('a');
    expect(callHelper(helper('last'), ['abc'])).toBe('c');
    expect(() => callHelper(helper('first'), [[]])).toThrow(/first: the list is empty/);
  });
});

describe('regex_replace, as Python re.sub', () => {
  const replace = (...args: unknown[]) => callHelper(helper('regex_replace'), args.slice(0, 3), (args[3] as Record<string, unknown>) ?? {});
  it.each([
    [['eth0', '^eth', 'en'], 'en0'],
    [['a-b-c', '-', ''], 'abc'],
    [['10.1.2.3', '^(\\d+)\\.(\\d+)\\..*$', '\\2.\\1'], '1.10'],
    [['key=value', '(?P<k>\\w+)=(?P<v>\\w+)', '\\g<v>=\\g<k>'], 'value=key'],
    // A $ in Python's replacement is a dollar sign, not a group.
    [['cost', 'cost', '$1 \\g<0>'], '$1 cost'],
    [['AbA', 'a', 'x', { ignorecase: true }], 'xbx'],
    [['a\nb', '^', '> ', { multiline: true }], '> a\n> b'],
    [['aaa', 'a', 'b', { count: 2 }], 'bba'],
    [['line\n', '\\Aline\\Z', 'x'], 'line\n'],
    [['(?i)ABC', '(?i)abc', 'x'], '(?i)x'],
  ])('%j → %j', (args, expected) => {
    expect(replace(...(args as unknown[]))).toBe(expected);
  });

  it('names a bad pattern, a missing group and an oversized input', () => {
    expect(() => replace('a', '(', 'x')).toThrow(/regex_replace: invalid pattern '\('/);
    expect(() => replace('a', 'a', '\\3')).toThrow('regex_replace: the replacement names group 3, which the pattern does not have');
    expect(() => replace('a'.repeat(200_001), 'a', 'b')).toThrow('regex_replace: the value is longer than 200000 characters');
    expect(() => replace('a', 'a', 'b', { nope: 1 })).toThrow("regex_replace: has no argument 'nope'");
  });
});

describe('to_json and to_yaml, as Ansible writes them', () => {
  it("writes JSON with Python's separators and non-ASCII escaped", () => {
    expect(callHelper(helper('to_json'), [{ a: [1, 'x'], b: null, c: true }])).toBe('{"a": [1, "x"], "b": null, "c": true}');
    expect(callHelper(helper('to_json'), ['é"'])).toBe('"\\u00e9\\""');
    expect(callHelper(helper('to_json'), [[]])).toBe('[]');
  });

  // PyYAML's yaml.dump with default_flow_style=None: keys sorted, collections of scalars inline.
  it('writes YAML with sorted keys, inline leaf collections and unindented lists', () => {
    expect(callHelper(helper('to_yaml'), [{ z: 1, a: { list: [1, 2], nested: [{ k: 'v' }] } }])).toBe('a:\n  list: [1, 2]\n  nested:\n  - {k: v}\nz: 1\n');
    expect(callHelper(helper('to_yaml'), [{ a: 1 }])).toBe('{a: 1}\n');
    expect(callHelper(helper('to_yaml'), [{ s: 'yes' }])).toBe("{s: 'yes'}\n");
  });
});

describe('dict2items and items2dict', () => {
  it('turn a mapping into items and back, with other key names', () => {
    expect(callHelper(helper('dict2items'), [{ a: 1 }, 'name', 'weight'])).toEqual([{ name: 'a', weight: 1 }]);
    expect(callHelper(helper('items2dict'), [[{ key: 'a', value: 1 }]])).toEqual({ a: 1 });
    expect(() => callHelper(helper('dict2items'), [[1]])).toThrow('dict2items: expects a mapping, got list');
    expect(() => callHelper(helper('items2dict'), [[{ key: 'a' }]])).toThrow("items2dict: item 0 is not a mapping with 'key' and 'value'");
  });
});

describe('eq and ne', () => {
  // Python's equality: '80' is not 80, but lists compare by their items.
  it("compare as Python does", () => {
    expect(value("{{#if (eq port '80')}}same{{else}}different{{/if}}", { port: 80 })).toBe('different');
    expect(value('{{eq a b}}', { a: [1, { x: 2 }], b: [1, { x: 2 }] })).toBe(true);
    expect(value("{{ne mode 'nat'}}", { mode: 'dr' })).toBe(true);
  });
});

describe('calls with the wrong arguments', () => {
  it('say what the helper takes', () => {
    expect(() => value('{{upper s extra}}', { s: 'a' })).toThrow('upper: takes at most 1 argument (value), got 2');
    expect(() => value("{{replace s 'a'}}", { s: 'a' })).toThrow('replace: needs value, old, new');
  });
});
