/**
 * debug and assert plan from what the compile step evaluated (context.expressions); the
 * compile step itself is tested in test/unit/compile/expressions.test.ts.
 */
import type { Evaluated, TaskContext } from '../../../src/api';
import assert from '../../../src/tasks/assert';
import debug from '../../../src/tasks/debug';
import { acceptedArguments, argumentProblems } from './plan-with-fixtures';

const withExpressions = (expressions: Record<string, Evaluated[]>): TaskContext => ({ host: 'h1', templates: {}, files: {}, expressions });
const planDebug = (input: Record<string, unknown>, expressions: Record<string, Evaluated[]> = {}) => debug.plan(acceptedArguments(debug, input) as never, {}, withExpressions(expressions));
const planAssert = (input: Record<string, unknown>, that: Evaluated[]) => assert.plan(acceptedArguments(assert, input) as never, {}, withExpressions({ that }));

describe('debug', () => {
  it('shows msg, Hello world! by default, and a list or map as JSON', () => {
    expect(planDebug({ msg: 'rs1 is "up"' })).toEqual({ changes: [], commands: [], noop: 'rs1 is "up"', result: { msg: 'rs1 is "up"' } });
    expect(planDebug({})).toEqual({ changes: [], commands: [], noop: 'Hello world!', result: { msg: 'Hello world!' } });
    expect(planDebug({ msg: ['a', 1] })).toEqual({ changes: [], commands: [], noop: '["a",1]', result: { msg: ['a', 1] } });
  });

  it('shows a variable as Ansible does, {"name": value}, and says when it is not defined', () => {
    const var_ = (value: unknown, defined = true) => ({ var: [{ source: 'r.stdout_lines', value, defined }] });
    expect(planDebug({ var: 'r.stdout_lines' }, var_(['a', 'b']))).toEqual({ changes: [], commands: [], noop: 'r.stdout_lines: ["a","b"]', result: { 'r.stdout_lines': ['a', 'b'] } });
    expect(planDebug({ var: 'r.stdout_lines' }, var_(undefined, false)).result).toEqual({ 'r.stdout_lines': 'VARIABLE IS NOT DEFINED!' });
  });

  it('shows nothing above verbosity 0, since lvs has no -v', () => {
    expect(planDebug({ msg: 'x', verbosity: 2 })).toEqual({ changes: [], commands: [], noop: 'not shown: verbosity 2 needs -vv, and lvs shows verbosity 0 only' });
  });

  it('refuses msg and var together', () => {
    expect(argumentProblems(debug, { msg: 'a', var: 'b' })).toEqual(['var: give msg or var, not both']);
  });
});

describe('assert', () => {
  const holds = (source: string): Evaluated => ({ source, value: true, defined: true });
  const fails = (source: string): Evaluated => ({ source, value: false, defined: true });

  it('passes with success_msg when every condition holds; quiet shows nothing', () => {
    expect(planAssert({ that: 'a == 1' }, [holds('a == 1')])).toEqual({ changes: [], commands: [], noop: 'All assertions passed', result: { msg: 'All assertions passed' } });
    expect(planAssert({ that: ['a', 'b'], quiet: true, success_msg: 'fine' }, [holds('a'), holds('b')])).toEqual({ changes: [], commands: [], result: { msg: 'fine' } });
  });

  it('fails with fail_msg (or msg), naming the first condition that is false', () => {
    expect(() => planAssert({ that: ['a', 'b', 'c'] }, [holds('a'), fails('b'), fails('c')])).toThrow(new Error('Assertion failed (false: b)'));
    expect(() => planAssert({ that: ['r.rc == 0'], fail_msg: 'the VIP is not up' }, [fails('r.rc == 0')])).toThrow(new Error('the VIP is not up (false: r.rc == 0)'));
    expect(() => planAssert({ that: ['x'], msg: 'old name' }, [fails('x')])).toThrow(new Error('old name (false: x)'));
  });

  it('takes one condition as a list of one, and refuses none or fail_msg with msg', () => {
    expect(acceptedArguments(assert, { that: 'x is defined' }).that).toEqual(['x is defined']);
    expect(argumentProblems(assert, { that: [] })).toEqual(['that: must NOT have fewer than 1 items']);
    expect(argumentProblems(assert, { that: 'x', fail_msg: 'a', msg: 'b' })).toEqual(['msg: give fail_msg or msg, not both']);
  });
});
