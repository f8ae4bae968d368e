/**
 * Runs a task module the way the engine does (arguments checked, facts, plan, apply,
 * re-read, re-plan), with this machine's own sh standing in for a host, on paths under a
 * scratch directory: the file tasks' commands are then tried for real in a unit test.
 */
import { spawnSync } from 'child_process';
import type { CommandResult, Plan, TaskContext, TaskModule } from '../../../src/api';
import type { ShellCommand } from '../../../src/shell/quote';
import { acceptedArguments } from './plan-with-fixtures';

export function runHere(command: ShellCommand): CommandResult {
  const result = spawnSync('sh', ['-c', command.text], { encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' }, timeout: 10_000 });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? -1 };
}

export function planHere(module: TaskModule, input: Record<string, unknown>, context: TaskContext): Plan {
  const args = acceptedArguments(module, input);
  const facts = module.facts(args, context);
  const values = Object.fromEntries(Object.entries(facts).map(([name, fact]) => [name, fact.parse(runHere(fact.command))]));
  return module.plan(args, values, context);
}

export interface Applied {
  plan: Plan;
  /** The plan made from the facts read right after applying: empty unless the task repeats. */
  again: Plan;
}

/** Plans, runs the commands (throwing at the first that fails) and plans again. */
export function applyHere(module: TaskModule, input: Record<string, unknown>, context: TaskContext): Applied {
  const plan = planHere(module, input, context);
  for (const command of plan.commands) {
    const result = runHere(command.run);
    if (result.exitCode !== 0) throw new Error(`${command.run.text} exited ${result.exitCode}: ${result.stderr}`);
  }
  return { plan, again: planHere(module, input, context) };
}
