/**
 * Runs a task module the way the engine does (schema with ajv, validate(), facts, plan),
 * with the facts read from captured output instead of a host.
 */
import type { Plan, TaskContext, TaskModule } from '../../../src/api';
import { checkArguments } from '../../../src/engine/arguments';
import type { CapturedOutput } from '../fixtures/network';

export const context: TaskContext = { host: 'h1', templates: {}, files: {}, expressions: {} };

/** "key: message" for each problem the engine would report before touching a host. */
export function argumentProblems(module: TaskModule, input: Record<string, unknown>): string[] {
  return checkArguments(module, input).problems.map((problem) => `${problem.key}: ${problem.message}`);
}

export function acceptedArguments(module: TaskModule, input: Record<string, unknown>): Record<string, unknown> {
  const { args, problems } = checkArguments(module, input);
  if (problems.length) throw new Error(`arguments rejected: ${problems.map((problem) => `${problem.key}: ${problem.message}`).join('; ')}`);
  return args;
}

/** A fact value given as is, for a fact whose parser is tested on its own (e.g. remoteFile). */
export class Parsed<T> {
  constructor(readonly value: T) {}
}

/**
 * Plans with the given facts. Every fact the module asks for must be supplied, and captured
 * output must come from exactly the command the fact runs.
 */
export function planWith(module: TaskModule, input: Record<string, unknown>, facts: Record<string, CapturedOutput | Parsed<unknown>>): Plan {
  const args = acceptedArguments(module, input);
  const requested = module.facts(args, context);
  expect(Object.keys(requested).sort()).toEqual(Object.keys(facts).sort());
  const values: Record<string, unknown> = {};
  for (const [name, fact] of Object.entries(requested)) {
    const supplied = facts[name];
    if (supplied instanceof Parsed) {
      values[name] = supplied.value;
    } else {
      expect(fact.command.text).toBe(supplied.command);
      values[name] = fact.parse(supplied);
    }
  }
  return module.plan(args, values, context);
}

/** The command lines of a plan. */
export function commandLines(plan: Plan): string[] {
  return plan.commands.map((command) => command.run.text);
}
