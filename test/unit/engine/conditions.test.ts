import { evaluateCondition } from '../../../src/engine/conditions';
import { TemplateError } from '../../../src/engine/templating';

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

describe('and/or stop at the operand that decides, as in Jinja2', () => {
  const host = { inventory_hostname: 'rs2' };
  it.each([
    ['x is defined and x > 1', false],
    ['x is undefined or x > 1', true],
    ['x is defined and x.y.z == 1', false],
    ['false and nope', false],
    ['true or nope', true],
  ])('%s on a host without x → %s, not an error', (condition, expected) => {
    expect(evaluateCondition(condition, host)).toBe(expected);
  });

  it('reads the right operand when the left one does not decide', () => {
    expect(evaluateCondition('x is defined and x > 1', { x: 2 })).toBe(true);
    expect(() => evaluateCondition('true and nope', host)).toThrow("undefined variable 'nope'");
  });

  it('gives the deciding operand, as Python does, so `x or default` works inside a comparison', () => {
    expect(evaluateCondition("(empty or 'fallback') == 'fallback'", { empty: '' })).toBe(true);
    expect(evaluateCondition('(0 and 5) == 0', {})).toBe(true);
  });

  it('binds not tighter than and, and `not x in y` as not (x in y)', () => {
    expect(evaluateCondition('not a and b', { a: false, b: true })).toBe(true);
    expect(evaluateCondition("not 'c' in list", { list: ['a'] })).toBe(true);
  });
});

describe('tests (`is`)', () => {
  const results = {
    ok: { changed: false, failed: false, skipped: false },
    changed: { changed: true, failed: false, skipped: false },
    failed: { changed: false, failed: true, skipped: false },
    skipped: { changed: false, failed: false, skipped: true },
    // A loop's result with no flags of its own: Ansible looks at its items.
    loop: { results: [{ changed: false, failed: false }, { changed: true, failed: true }] },
    allSkipped: { results: [{ skipped: true }, { skipped: true }] },
  };
  it.each([
    ['changed is changed', true],
    ['ok is changed', false],
    ['ok is not changed', true],
    ['failed is failed', true],
    ['failed is succeeded', false],
    ['ok is success', true],
    ['ok is successful', true],
    ['skipped is skipped', true],
    ['ok is skipped', false],
    ['loop is changed', true],
    ['loop is failed', true],
    ['loop is skipped', false],
    ['allSkipped is skipped', true],
    ['loop.results[1].changed', true],
    ['loop.results[0] is changed', false],
  ])('registered results: %s → %s', (condition, expected) => {
    expect(evaluateCondition(condition, results)).toBe(expected);
  });

  it('refuses a result test on something that is no registered result, as Ansible does', () => {
    expect(() => evaluateCondition('port is changed', { port: 80 })).toThrow("the 'changed' test expects a registered result (a mapping), got integer");
  });

  it('names an undefined variable in a result test, so that the task waits for it to be registered', () => {
    try {
      evaluateCondition('r is changed', {});
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as TemplateError).variable).toBe('r');
    }
  });

  const values = { s: 'x', i: 3, f: 1.5, b: true, n: null, m: { a: 1 }, l: [1], e: '' };
  it.each([
    ['n is none', true],
    ['s is none', false],
    ['s is string', true],
    ['i is string', false],
    ['i is number', true],
    ['f is number', true],
    // Python's bool is an int, so Jinja2's number test counts it; integer does not.
    ['b is number', true],
    ['b is integer', false],
    ['i is integer', true],
    ['f is integer', false],
    ['f is float', true],
    ['b is boolean', true],
    ['i is boolean', false],
    ['m is mapping', true],
    ['l is mapping', false],
    ['l is sequence', true],
    // Jinja2: a string is a sequence and an iterable too.
    ['s is sequence', true],
    ['s is iterable', true],
    ['i is iterable', false],
    ['e is falsy', true],
    ['s is truthy', true],
    ['i is odd', true],
    ['i is even', false],
    ['i is divisibleby(3)', true],
    ["s is match('x')", true],
    ["'Debian 12' is match('Deb')", true],
    ["'Debian 12' is match('12')", false],
    ["'Debian 12' is search('12')", true],
  ])('%s → %s', (condition, expected) => {
    expect(evaluateCondition(condition, values)).toBe(expected);
  });

  it('names an unknown test and the tests it knows', () => {
    expect(() => evaluateCondition('x is version_compare', { x: 1 })).toThrow(/no test 'version_compare'; it knows defined, undefined, none, changed/);
  });
});

describe('comparisons with Ansible (Python) typing', () => {
  it.each([
    ['port == 80', true],
    ['2 < 10', true],
    // Strings compare as strings, not numbers: '10' sorts before '9'.
    ["'10' < '9'", true],
    ["'b' > 'a'", true],
    ['[1, 2] < [1, 3]', true],
    ['1 < port < 100', true],
    ['1 < port < 50', false],
    // Python: True == 1 and False == 0.
    ['true == 1', true],
    ['none == none', true],
    ['[1, 2] == [1, 2]', true],
    ["{'a': 1} == {'a': 1}", true],
    ['1.0 == 1', true],
    ["mode == 'NAT'", false],
    ["80 in (80, 443)", true],
  ])('%s → %s', (condition, expected) => {
    expect(evaluateCondition(condition, { port: 80, mode: 'nat' })).toBe(expected);
  });

  it("refuses '80' == 80 (False in Ansible, a silent surprise) and says how to write it", () => {
    expect(() => evaluateCondition('port == "80"', { port: 80 })).toThrow(
      "condition 'port == \"80\"': '==' between integer 80 and string '80': Ansible compares them as different types (so '80' == 80 is False); write the number without quotes: 80 (at column 6)",
    );
    expect(() => evaluateCondition('port != 80', { port: '80' })).toThrow("convert the string first: 'port | int'");
  });

  it('keeps Ansible\'s False for a string that is no number compared with a number', () => {
    expect(evaluateCondition("port == 'http'", { port: 80 })).toBe(false);
  });

  it("refuses '<' between a string and a number, as Python does, naming both types and the fix", () => {
    expect(() => evaluateCondition('port > 79', { port: '80' })).toThrow(
      "condition 'port > 79': cannot order string '80' and integer 79 with '>': Ansible (Python) refuses this too; convert the string first: 'port | int' (at column 6)",
    );
    expect(evaluateCondition('port | int > 79', { port: '80' })).toBe(true);
  });

  it("refuses a number looked for among strings of digits (80 in ['80'] is False in Ansible)", () => {
    expect(() => evaluateCondition('port in ports', { port: 80, ports: ['80', '443'] })).toThrow(/integer 80 is not in ports, which holds string '80'/);
  });

  it('reads `in` for lists, strings and mapping keys', () => {
    const data = { name: 'realservers', m: { web: 1 }, l: [[1, 2]] };
    expect(evaluateCondition("'server' in name", data)).toBe(true);
    expect(evaluateCondition("'web' in m", data)).toBe(true);
    expect(evaluateCondition("'db' not in m", data)).toBe(true);
    expect(evaluateCondition('[1, 2] in l', data)).toBe(true);
    expect(() => evaluateCondition('1 in name', data)).toThrow(/'in' a string needs a string on its left, got integer 1/);
    expect(() => evaluateCondition('1 in 2', data)).toThrow(/'in' needs a list, a string or a mapping on its right, got integer 2/);
  });

  it('does arithmetic and joins strings with ~', () => {
    expect(evaluateCondition('port + 1 == 81 and port // 3 == 26 and port % 7 == 3 and -port < 0', { port: 80 })).toBe(true);
    expect(evaluateCondition("'rs' ~ n == 'rs1'", { n: 1 })).toBe(true);
    expect(() => evaluateCondition("port + '1'", { port: 80 })).toThrow(/'\+' between integer 80 and string '1' is an error in Ansible/);
  });
});

describe('truth of a string that reads as false', () => {
  // Ansible takes every non-empty string as true, so `when: flag` runs with flag: "false" (-e flag=false).
  it('refuses it instead of running the task, and says to write | bool', () => {
    expect(() => evaluateCondition('flag', { flag: 'false' })).toThrow(
      "condition 'flag': flag is the string 'false', which Ansible takes as true (every non-empty string is true): write 'flag | bool' to read it as a boolean (at column 1)",
    );
    expect(() => evaluateCondition('not flag', { flag: 'no' })).toThrow(/string 'no'/);
    expect(evaluateCondition('flag | bool', { flag: 'false' })).toBe(false);
    expect(evaluateCondition('flag | bool', { flag: 'Yes' })).toBe(true);
  });

  it('takes any other non-empty string as true, as Ansible does', () => {
    expect(evaluateCondition('flag', { flag: 'yes' })).toBe(true);
    expect(evaluateCondition('flag', { flag: 'anything' })).toBe(true);
  });
});

describe('indexing and attribute access', () => {
  const vars = {
    inventory_hostname: 'rs1',
    groups: { realservers: ['rs1', 'rs2'], directors: [] },
    hostvars: { rs1: { rip: '10.0.0.1', port: 80 }, rs2: { rip: '10.0.0.2' } },
    h: 'rs2',
    item: { port: 8080 },
    result: { results: [{ changed: true }] },
    'odd-key': 1,
  };
  it.each([
    ["groups['realservers'][0] == 'rs1'", true],
    ["groups.realservers[0] == 'rs1'", true],
    ["groups.realservers.1 == 'rs2'", true],
    ["groups.realservers[-1] == 'rs2'", true],
    ["hostvars[inventory_hostname]['rip'] == '10.0.0.1'", true],
    ["hostvars[h].rip == '10.0.0.2'", true],
    ['item.port == 8080', true],
    ['result.results[0].changed', true],
    ['groups.realservers[5] is defined', false],
    ['hostvars[h].port is defined', false],
    ['groups.nope.x is undefined', true],
    ["'rs1' in groups['realservers']", true],
  ])('%s → %s', (condition, expected) => {
    expect(evaluateCondition(condition, vars)).toBe(expected);
  });

  it('names the whole path of an undefined lookup', () => {
    expect(() => evaluateCondition('hostvars[h].port > 1', vars)).toThrow("undefined variable 'hostvars.rs2.port'");
  });

  it('refuses calls: a condition cannot run a method', () => {
    expect(() => evaluateCondition('item.keys()', vars)).toThrow("condition 'item.keys()': calls are not read: a condition cannot run a method or function (use a filter, e.g. `x | length`) (at column 10)");
    expect(() => evaluateCondition("lookup('env', 'HOME')", vars)).toThrow(/calls are not read/);
  });

  it('does not reach into JavaScript properties that are no variables', () => {
    expect(evaluateCondition('constructor is defined', {})).toBe(false);
    expect(evaluateCondition('item.toString is defined', vars)).toBe(false);
  });
});

describe('filters in conditions', () => {
  const vars = { list: ['a', 'b'], empty: [], port: '80', name: 'Web', m: { a: 1 }, nothing: null };
  it.each([
    ['list | length > 0', true],
    ['empty | length == 0', true],
    ['m | length == 1', true],
    ["name | length == 3", true],
    ['port | int == 80', true],
    ["'8.9' | int == 8", true],
    ["'x' | int == 0", true],
    ["'x' | int(7) == 7", true],
    ["'yes' | bool", true],
    ["'off' | bool", false],
    ['port | string == "80"', true],
    ["name | lower == 'web'", true],
    ["name | upper == 'WEB'", true],
    ["missing | default('d') == 'd'", true],
    ["missing.deeper | default('d') == 'd'", true],
    ["nothing | default('d') == none", true],
    ["'' | default('d', true) == 'd'", true],
    ["'' | default('d', boolean=true) == 'd'", true],
    ["list | first == 'a'", true],
    ["list | last == 'b'", true],
    ["list | join(',') == 'a,b'", true],
    ["name | replace('W', 'w') == 'web'", true],
    ["name | regex_replace('^w', 'W', ignorecase=true) == 'Web'", true],
    ["m | dict2items | first == {'key': 'a', 'value': 1}", true],
    ["port | int + 1 > 80", true],
  ])('%s → %s', (condition, expected) => {
    expect(evaluateCondition(condition, vars)).toBe(expected);
  });

  it('names an undefined variable given to a filter other than default', () => {
    expect(() => evaluateCondition('missing | int > 0', vars)).toThrow("undefined variable 'missing'");
  });

  it('names an unknown filter and the filters lvs reads', () => {
    expect(() => evaluateCondition("vip | ipaddr('net')", { vip: '1.2.3.4' })).toThrow(/lvs has no filter 'ipaddr'; conditions read default, int, float, bool, string, join, length/);
  });

  it("reports a filter's own error with the condition and column", () => {
    expect(() => evaluateCondition('empty | first', vars)).toThrow(/condition 'empty \| first': first: the list is empty, so it has no first item .*\(at column 9\)/);
  });
});

describe('literals', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['false', false],
    ['False', false],
    ['none is none', true],
    ['None is none', true],
    ['null is none', true],
    ["[1, 'a', none] | length == 3", true],
    ["{'a': [1]}.a[0] == 1", true],
    ['1.5 > 1', true],
    ['"double" == \'double\'', true],
    ["'it\\'s' | length == 4", true],
  ])('%s → %s', (condition, expected) => {
    expect(evaluateCondition(condition, {})).toBe(expected);
  });

  it('names the position of what it cannot read', () => {
    expect(() => evaluateCondition('port == 80 &&', { port: 80 })).toThrow("cannot read condition 'port == 80 &&' at column 12: cannot read '&&'");
    expect(() => evaluateCondition('(port == 80', { port: 80 })).toThrow("condition '(port == 80': ends too early: expected ')' (at column 12)");
  });
});
