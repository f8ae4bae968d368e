/**
 * Task modules for the executor's unit tests, declared with defineTask as a plugin would:
 * `kv` sets a key of the scripted key-value host (test/support/scripted-shell.ts), and
 * `kv_template` sets a key to a rendered template file.
 */
import { defineTask, noop, type CommandResult, type Fact, type Plan } from '../../../src/api';
import { TaskRegistry } from '../../../src/engine/registry';
import { sh } from '../../../src/shell/quote';

const KEY = { type: 'string', pattern: '^[a-z0-9_]+$' } as const;

/** The key's value, or null when the host has no such key (cat fails). */
function keyValue(key: string): Fact<string | null> {
  return { command: sh`cat ${key}`, parse: (result: CommandResult) => (result.exitCode === 0 ? result.stdout : null) };
}

function setKey(key: string, current: string | null, value: string): Plan {
  if (current === value) return noop(`${key} is ${value}`);
  return { changes: [{ subject: key, before: current, after: value }], commands: [{ run: sh`printf %s ${value} > ${key}` }] };
}

export const kv = defineTask({
  name: 'kv',
  description: 'Sets a key of the scripted key-value host.',
  schema: { type: 'object', additionalProperties: false, required: ['key', 'value'], properties: { key: KEY, value: { type: 'string' } } },
  example: { key: 'a', value: '1' },
  facts: (args: { key: string; value: string }) => ({ current: keyValue(args.key) }),
  plan: (args, facts) => setKey(args.key, facts.current, args.value),
});

export const kvTemplate = defineTask({
  name: 'kv_template',
  description: 'Sets a key of the scripted key-value host to a rendered template file.',
  schema: { type: 'object', additionalProperties: false, required: ['key', 'src'], properties: { key: KEY, src: { type: 'string' } } },
  example: { key: 'a', src: 'a.hbs' },
  templates: (args: { key: string; src: string }) => [args.src],
  facts: (args: { key: string; src: string }) => ({ current: keyValue(args.key) }),
  plan: (args, facts, context) => setKey(args.key, facts.current, context.templates[args.src]),
});

/** Writes `touched` to a key on every run: its command is the change (Plan.action), as a restart's is. */
export const kvTouch = defineTask({
  name: 'kv_touch',
  description: 'Writes touched to a key of the scripted key-value host on every run.',
  schema: { type: 'object', additionalProperties: false, required: ['key'], properties: { key: KEY } },
  example: { key: 'a' },
  facts: (args: { key: string }) => ({ current: keyValue(args.key) }),
  plan: (args, facts): Plan => ({
    changes: [{ subject: args.key, before: facts.current, after: 'touched' }],
    commands: [{ run: sh`printf %s touched > ${args.key}` }],
    action: { check: 'report' },
  }),
});

/** Waits on the host for a key to drain (`drain KEY`), reporting progress on fd 3 as a plugin's wait would. */
export const kvDrain = defineTask({
  name: 'kv_drain',
  description: 'Waits for a key of the scripted key-value host to drain, reporting progress.',
  schema: { type: 'object', additionalProperties: false, required: ['key'], properties: { key: KEY } },
  example: { key: 'a' },
  facts: () => ({}),
  plan: (args: { key: string }): Plan => ({
    changes: [],
    commands: [{ run: sh`drain ${args.key}`, output: true, progress: true }],
    action: { check: 'run' },
  }),
});

/** A registry that knows only the test tasks, as `lvs` knows the built-ins and plugins. */
export function testRegistry(): TaskRegistry {
  const registry = new TaskRegistry();
  registry.register(kv, 'test');
  registry.register(kvTemplate, 'test');
  registry.register(kvTouch, 'test');
  registry.register(kvDrain, 'test');
  return registry;
}
