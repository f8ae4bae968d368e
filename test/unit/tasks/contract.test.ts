/**
 * The task contract as a plugin meets it: defineTask and the registry make the same checks
 * (one function), a schema compiles in ajv's strict mode with `secret` as a keyword, and a
 * plugin whose task breaks the contract is refused at load time, naming plugin and task.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTask, noop, taskModuleProblems, type TaskModule } from '../../../src/api';
import { InputError } from '../../../src/errors';
import { createRegistry, TaskRegistry } from '../../../src/engine/registry';
import { builtinTasks } from '../../../src/tasks';
import { REPO_ROOT } from '../../support/cluster-copy';

/** A module as a JavaScript plugin might export it: plain data, no defineTask, no types. */
function plainModule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'motd_line',
    description: 'Keeps one line in /etc/motd (test plugin).',
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['text'],
      properties: { text: { type: 'string', pattern: '^[^\\n]*$', description: 'The line.' } },
    },
    example: { text: 'hello' },
    facts: () => ({}),
    plan: () => noop('nothing to do'),
    ...overrides,
  };
}

const withProperty = (property: Record<string, unknown>) =>
  plainModule({ schema: { type: 'object', additionalProperties: false, properties: { text: property } } });

function registerError(module: Record<string, unknown>): InputError {
  try {
    new TaskRegistry().register(module as unknown as TaskModule, 'plugin lvs-plugin-motd');
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('registered a module that breaks the contract');
}

describe('the built-in tasks', () => {
  it.each(builtinTasks.map((module) => [module.name, module] as const))('%s meets the contract, its schema compiling in strict mode', (_name, module) => {
    expect(taskModuleProblems(module)).toEqual([]);
  });
});

describe('taskModuleProblems, asked by defineTask and the registry alike', () => {
  it.each([
    ['a misspelt keyword', withProperty({ type: 'string', patern: '^x$' }), 'schema: strict mode: unknown keyword: "patern"'],
    ['a secret that is not a boolean', withProperty({ type: 'string', secret: 'yes' }), 'schema: keyword "secret" value is invalid at path "#/properties/text": data must be boolean'],
    ['a keyword of another type', withProperty({ type: 'integer', pattern: '^1$' }), 'schema: strict mode: missing type "string" for keyword "pattern" at "#/properties/text" (strictTypes)'],
    ['a schema that is not an object schema', plainModule({ schema: { type: 'string' } }), 'schema must be a JSON Schema of type object'],
    ['an upper-case name', plainModule({ name: 'MotdLine' }), 'name "MotdLine" must be lowercase letters, digits and _, starting with a letter'],
    ['a name starting with a digit', plainModule({ name: '1motd' }), 'name "1motd" must be lowercase letters, digits and _, starting with a letter'],
    ['no plan', plainModule({ plan: undefined }), 'plan must be a function'],
    ['facts that are not a function', plainModule({ facts: {} }), 'facts must be a function'],
    ['a validate hook that is not a function', plainModule({ validate: ['text: bad'] }), 'validate must be a function when given'],
    ['a cluster hook that is not a function', plainModule({ cluster: { sysctls: [] } }), 'cluster must be a function when given'],
    ['a templates hook that is not a function', plainModule({ templates: 'motd.hbs' }), 'templates must be a function when given'],
  ])('finds %s', (_what, module, problem) => {
    expect(taskModuleProblems(module)).toEqual([problem]);
  });

  it('accepts a well-formed module, with a secret argument', () => {
    expect(taskModuleProblems(withProperty({ type: 'string', secret: true }))).toEqual([]);
  });

  it('defineTask throws, naming the task and the keyword', () => {
    expect(() => defineTask(withProperty({ type: 'string', patern: '^x$' }) as never)).toThrow(
      new Error(`task 'motd_line': schema: strict mode: unknown keyword: "patern"`),
    );
  });

  it('the registry refuses a module that skipped defineTask, naming the plugin and the task', () => {
    const error = registerError(withProperty({ type: 'string', patern: '^x$' }));
    expect(error.message).toBe(`plugin lvs-plugin-motd: task 'motd_line': schema: strict mode: unknown keyword: "patern"`);
  });

  it('the registry lists every problem of a module at once', () => {
    const error = registerError(plainModule({ name: 'Motd', plan: 'yes' }));
    expect(error.message).toBe(`plugin lvs-plugin-motd: task 'Motd': name "Motd" must be lowercase letters, digits and _, starting with a letter; plan must be a function`);
  });

  it('the registry refuses an export that is no module at all', () => {
    expect(registerError(42 as never).message).toBe('plugin lvs-plugin-motd: an export: not a task module (use defineTask)');
  });
});

describe('loading a plugin that breaks the contract', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvs-contract-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = (source: string) => {
    const plugin = join(dir, 'plugin.js');
    writeFileSync(plugin, source);
    return () => createRegistry({ projectDir: REPO_ROOT, plugins: [plugin] });
  };
  const schema = `{ type: 'object', additionalProperties: false, properties: { text: { type: 'string', maxLenght: 80 } } }`;

  it('fails when its function form calls defineTask with a misspelt keyword', () => {
    const plugin = load(`module.exports = ({ defineTask }) => [defineTask({ name: 'motd_line', description: 'x', schema: ${schema}, example: {}, facts: () => ({}), plan: () => ({ changes: [], commands: [] }) })];`);
    expect(plugin).toThrow(InputError);
    expect(plugin).toThrow(`plugin ${join(dir, 'plugin.js')}: task 'motd_line': schema: strict mode: unknown keyword: "maxLenght"`);
  });

  it('fails when it exports the module without defineTask', () => {
    const plugin = load(`module.exports = { name: 'motd_line', description: 'x', schema: ${schema}, example: {}, facts: () => ({}), plan: () => ({ changes: [], commands: [] }) };`);
    expect(plugin).toThrow(InputError);
    expect(plugin).toThrow(`plugin ${join(dir, 'plugin.js')}: task 'motd_line': schema: strict mode: unknown keyword: "maxLenght"`);
  });
});
