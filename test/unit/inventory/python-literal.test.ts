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
  ])('reads %s', (text, value) => {
    expect(parsePythonLiteral(text)).toEqual({ value });
  });

  // Python rejects these, so Ansible keeps the text as a string.
  it.each(['', 'web', 'true', 'yes', '0644', '10.0.0.5', '1j', '1__0', "'open", '[1, 2', 'f"x"', "b'x'", '1 2', 'a=b'])('rejects %s', (text) => {
    expect(parsePythonLiteral(text)).toBeUndefined();
  });
});
