import { parsePythonLiteral } from '../../../src/engine/inventory/python-literal';

describe('parsePythonLiteral (ast.literal_eval as INI host variables use it)', () => {
  it.each<[string, unknown]>([
    ['22', 22],
    ['-3', -3],
    ['0', 0],
    ['1_000', 1000],
    ['0x1F', 31],
    ['0o17', 15],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['True', true],
    ['False', false],
    ['None', null],
    ["'a b'", 'a b'],
    ['"tab\\there"', 'tab\there'],
    ["r'\\d+'", '\\d+'],
    ["'con' 'cat'", 'concat'],
    ["[1, 'two', (3, 4)]", [1, 'two', [3, 4]]],
    ["{'a': 1, 2: [True]}", { a: 1, 2: [true] }],
    ['{1, 2}', [1, 2]],
    ['()', []],
    ['(5)', 5],
    ['{}', {}],
    ['(1,)', [1]],
    ['(1, 2,)', [1, 2]],
    ["[1, 'a',]", [1, 'a']],
    ["{'a': 1,}", { a: 1 }],
    ['{1,}', [1]],
  ])('reads %s', (text, value) => {
    expect(parsePythonLiteral(text)).toEqual({ value });
  });

  // Python rejects these, so Ansible keeps the text as a string.
  it.each(['', 'web', 'true', 'yes', '0644', '10.0.0.5', '1j', '1__0', "'open", '[1, 2', 'f"x"', "b'x'", '1 2', 'a=b', '[,]', '(,)', "{'a' 1}", '{[1]: 2}', '{1: 2,,}'])(
    'rejects %s',
    (text) => {
      expect(parsePythonLiteral(text)).toBeUndefined();
    },
  );

  it("stops at CPython's 200 nested brackets, keeping the text, as Ansible does", () => {
    const nested = (depth: number) => '[('.repeat(depth / 2) + ')]'.repeat(depth / 2);
    expect(parsePythonLiteral(nested(200))).toBeDefined();
    expect(parsePythonLiteral(`[${nested(200)}]`)).toBeUndefined();
    const start = Date.now();
    expect(parsePythonLiteral('['.repeat(100_000) + ']'.repeat(100_000))).toBeUndefined();
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('reads each item once, so nested sets and tuples take time in proportion to their length', () => {
    const depth = 150;
    const start = Date.now();
    const tuples = parsePythonLiteral(`${'('.repeat(depth)}1${',)'.repeat(depth)}`);
    const sets = parsePythonLiteral(`${'{'.repeat(depth)}1${'}'.repeat(depth)}`);
    expect(Date.now() - start).toBeLessThan(1000);
    let expected: unknown = 1;
    for (let level = 0; level < depth; level += 1) expected = [expected];
    expect(tuples).toEqual({ value: expected });
    expect(sets).toEqual({ value: expected });
  });
});

describe('parsePythonLiteral and comments', () => {
  it.each<[string, unknown]>([
    ['1234 # anything you want', 1234],
    ["'a' # note", 'a'],
    ["[1, # one\n 2]", [1, 2]],
    ["'#' # a hash", '#'],
  ])('drops the comment of %j, as Python\'s tokenizer does', (text, value) => {
    expect(parsePythonLiteral(text)).toEqual({ value });
  });

  it.each(['# only a comment', 'hello # note', '1 # note\n2'])('rejects %j', (text) => {
    expect(parsePythonLiteral(text)).toBeUndefined();
  });
});
