/**
 * Arguments a schema marks "expression" (debug's var, assert's that) are evaluated while
 * compiling, against each host's variables, or once a result they read is registered; the
 * free form, `args:` and `environment:` become the module's arguments.
 */
import { compileRun } from '../../../src/engine/compile/compile';
import type { CompiledRun, CompiledTask, TaskUnit } from '../../../src/engine/compile/compiled-run';
import { loadInventories } from '../../../src/engine/inventory';
import { loadPlaybook } from '../../../src/engine/playbook';
import { TaskRegistry } from '../../../src/engine/registry';
import { InputErrors } from '../../../src/errors';
import { builtinTasks } from '../../../src/tasks';
import { withPlaybook } from '../execute/scripted-run';

function compile(tasks: string, vars = '{ port: 80, db_password: hunter2hunter2 }'): CompiledRun {
  const registry = new TaskRegistry();
  for (const module of builtinTasks) registry.register(module, 'built-in');
  const yaml = `- hosts: all\n  vars: ${vars}\n  tasks:\n${tasks.replace(/^/gm, '    ')}\n`;
  return withPlaybook(yaml, {}, (file) =>
    compileRun({ playbook: loadPlaybook(file, registry), inventory: loadInventories(['h1,']), registry, extraVars: {}, tags: [], skipTags: [], check: false, templateDirs: [] }),
  );
}

const firstUnit = (task: CompiledTask): TaskUnit => {
  if (task.kind !== 'run') throw new Error(`expected a task to run, got ${task.kind}`);
  return task.units[0];
};
const tasksOf = (run: CompiledRun) => run.plays[0].hosts[0].tasks;

function compileMessages(tasks: string): string[] {
  try {
    compile(tasks);
  } catch (error) {
    if (error instanceof InputErrors) return error.errors.map((one) => one.describe());
    throw error;
  }
  throw new Error('expected the playbook not to compile');
}

describe('expression arguments', () => {
  it('evaluates debug var and assert that for the host', () => {
    const [shown, asserted] = tasksOf(compile(`- debug: { var: port }\n- assert: { that: ['port == 80', 'nothing is defined'] }`)).map(firstUnit);
    expect(shown.context.expressions).toEqual({ var: [{ source: 'port', value: 80, defined: true }] });
    expect(shown.args.var).toBe('port');
    expect(asserted.context.expressions).toEqual({
      that: [
        { source: 'port == 80', value: true, defined: true },
        { source: 'nothing is defined', value: false, defined: true },
      ],
    });
  });

  it('shows an undefined variable as undefined, but an undefined name in a condition is bad input', () => {
    expect(firstUnit(tasksOf(compile('- debug: { var: nope }'))[0]).context.expressions.var).toEqual([{ source: 'nope', value: undefined, defined: false }]);
    expect(compileMessages('- assert: { that: nope == 1 }')).toEqual([expect.stringContaining("that: undefined variable 'nope' in condition 'nope == 1'")]);
  });

  it('waits for a registered result, and decides once it exists', () => {
    const [, check] = tasksOf(compile(`- command: 'true'\n  register: r\n- assert: { that: r.rc == 0 }`));
    expect(check.kind).toBe('deferred');
    if (check.kind !== 'deferred') return;
    expect(check.variable).toBe('r');
    expect(firstUnit(check.compile({ r: { rc: 1 } })).context.expressions.that).toEqual([{ source: 'r.rc == 0', value: false, defined: true }]);
  });

  it('marks a debug of a secret variable secret, so its result is hidden', () => {
    const [named, plain] = tasksOf(compile(`- debug: { var: db_password }\n- debug: { var: port }`)).map(firstUnit);
    expect(named.secret).toBe(true);
    expect(plain.secret).toBe(false);
  });
});

describe('free form, args: and environment:', () => {
  it('gives a free-form task its words and options', () => {
    const unit = firstUnit(tasksOf(compile(`- command: touch /tmp/x creates=/tmp/x chdir=/tmp`))[0]);
    expect(unit.args).toEqual({ cmd: 'touch /tmp/x', creates: '/tmp/x', chdir: '/tmp', stdin_add_newline: true });
  });

  it('merges args: and environment: into the arguments, refusing one given twice', () => {
    const unit = firstUnit(tasksOf(compile(`- shell: echo "$A" > out\n  args: { chdir: /tmp, creates: out }\n  environment: { A: '{{ port }}' }`))[0]);
    expect(unit.args).toEqual({ cmd: 'echo "$A" > out', chdir: '/tmp', creates: 'out', environment: { A: '80' }, executable: '/bin/sh', stdin_add_newline: true });
    expect(compileMessages(`- command: touch /x creates=/x\n  args: { creates: /y }`)).toEqual([expect.stringContaining('creates given both as a task keyword and in the command arguments')]);
  });

  it("gives a block's environment to its tasks that take one, under each task's own; the others run without it", () => {
    const tasks = `- block:
    - shell: echo "$A$B"
    - command: env
      environment: { B: own, C: '{{ port }}' }
    - block:
        - command: env
      environment: { B: inner }
    - kmod: { name: ipip }
  environment: { A: block, B: block }`;
    expect(tasksOf(compile(tasks)).map((task) => firstUnit(task).args.environment)).toEqual([
      { A: 'block', B: 'block' },
      { A: 'block', B: 'own', C: '80' },
      { A: 'block', B: 'inner' },
      undefined,
    ]);
  });

  it('refuses environment: on a task that runs no command of the user', () => {
    expect(compileMessages(`- kmod: { name: ipip }\n  environment: { A: b }`)).toEqual([expect.stringContaining('environment: is not an argument of this task')]);
  });
});
