import { evaluateCondition } from '../../../src/engine/conditions';

describe('when conditions', () => {
  const vars = { inventory_hostname: 'rs1', mode: 'nat', port: 80, result: { changed: false }, list: ['a', 'b'], zero: 0, empty: '' };
  it.each([
    ["inventory_hostname == 'rs1'", true],
    ["inventory_hostname != 'rs1'", false],
    ["mode in ['nat', 'tun']", true],
    ["mode not in ['nat', 'tun']", false],
    ['port >= 80 and port < 81', true],
    ['result.changed', false],
    ['not result.changed', true],
    ['vip is defined', false],
    ['vip is not defined', true],
    ['vip is undefined or port == 80', true],
    ["'a' in list", true],
    ['zero', false],
    ['zero == 0', true],
    ['empty', false],
    ["(mode == 'dr' or mode == 'nat') and not (port == 81)", true],
    ['port == "80"', true],
  ])('%s → %s', (condition, expected) => {
    expect(evaluateCondition(condition, vars)).toBe(expected);
  });

  it('treats a list as all of its conditions', () => {
    expect(evaluateCondition(['port == 80', "mode == 'nat'"], vars)).toBe(true);
    expect(evaluateCondition(['port == 80', "mode == 'dr'"], vars)).toBe(false);
  });

  it('names an undefined variable used outside `is defined`', () => {
    expect(() => evaluateCondition('vip == 1', vars)).toThrow("undefined variable 'vip'");
  });

  it('rejects templates and anything that is not an expression', () => {
    expect(() => evaluateCondition('{{ x }}', vars)).toThrow(/without \{\{ \}\}/);
    expect(() => evaluateCondition('port == 80; rm -rf /', vars)).toThrow(/cannot read condition/);
    expect(() => evaluateCondition('port ==', vars)).toThrow(/ends too early/);
  });
});
