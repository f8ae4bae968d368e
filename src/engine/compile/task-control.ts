/**
 * What the task-control keywords (src/engine/task-control.ts) need at compile time: the loop
 * variables, the item's label, and the rules the executor judges the result by, with every
 * condition read once here so that a condition that cannot be read is an input error.
 */
import type { SourcePosition } from '../../errors';
import { evaluateCondition } from '../conditions';
import type { TaskDefinition } from '../structure/task-tree';
import type { LoopControl } from '../task-control';
import { layerVariables, renderValue, TemplateError } from '../templating';
import type { OutcomeRules } from './compiled-run';

/** A task keyword that cannot be compiled, and where it was written. */
export class ControlError extends Error {
  constructor(
    message: string,
    readonly key: string,
    readonly position: SourcePosition | undefined,
    /** The error underneath (a template error about a registered variable defers the task). */
    readonly reason?: unknown,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** Ansible 2.14's defaults (lib/ansible/playbook/task.py, executor/task_executor.py). */
const DEFAULT_UNTIL_ATTEMPTS = 3;
const DEFAULT_DELAY_SECONDS = 5;

/**
 * A result shaped as `register` stores one, with the fields command-like tasks add: a
 * condition is read against it once at compile time, so that what cannot be read fails now.
 */
const SAMPLE_RESULT = { changed: false, failed: false, skipped: false, msg: '', noop: '', diff: [], results: [], rc: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], attempts: 1 };

/** The variables one loop item adds: the loop variable, the index variable and ansible_loop_var. */
export function loopVariables(loop: LoopControl, item: unknown, index: number): Record<string, unknown> {
  return { [loop.loopVar]: item, ansible_loop_var: loop.loopVar, ...(loop.indexVar ? { [loop.indexVar]: index } : {}) };
}

export function itemLabel(task: TaskDefinition, vars: Record<string, unknown>): string | undefined {
  const { label } = task.control.loopControl;
  if (label === undefined) return undefined;
  const rendered = render(task, 'loop_control.label', label, vars);
  return typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
}

/** The host delegate_to names for this unit, rendered. */
export function delegateName(task: TaskDefinition, vars: Record<string, unknown>): string | undefined {
  const { delegateTo } = task.control;
  return delegateTo === undefined ? undefined : String(render(task, 'delegate_to', delegateTo, vars));
}

function render(task: TaskDefinition, key: string, value: unknown, vars: Record<string, unknown>): unknown {
  try {
    return renderValue(value, vars);
  } catch (error) {
    throw new ControlError(`${key}: ${(error as Error).message}`, key, task.control.positions[key], error);
  }
}

/** A count (retries, delay) written as a number or a template that renders to one. */
function count(task: TaskDefinition, key: 'retries' | 'delay', vars: Record<string, unknown>): number | undefined {
  const written = task.control[key];
  if (written === undefined) return undefined;
  const value = Number(render(task, key, written, vars));
  if (!Number.isFinite(value) || value < 0 || (key === 'retries' && !Number.isInteger(value))) {
    throw new ControlError(`${key}: must be ${key === 'retries' ? 'a whole number' : 'a number of seconds'} of 0 or more, got ${JSON.stringify(written)}`, key, task.control.positions[key]);
  }
  return value;
}

/**
 * Reads a condition against `vars` with a sample result under the register name. A
 * variable it names that does not exist yet is fine (the run decides); anything else it
 * cannot read is an error. Each condition of a list is read on its own, since `all` stops
 * at the first false one.
 */
function checkCondition(task: TaskDefinition, key: 'failed_when' | 'changed_when' | 'until', condition: unknown, vars: Record<string, unknown>): void {
  const sampleVars = task.register ? layerVariables(vars, { [task.register]: SAMPLE_RESULT }) : vars;
  for (const part of Array.isArray(condition) ? condition : [condition]) {
    try {
      evaluateCondition(part, sampleVars);
    } catch (error) {
      if (error instanceof TemplateError && error.variable !== undefined) continue;
      throw new ControlError(`${key}: ${(error as Error).message}`, key, task.control.positions[key]);
    }
  }
}

/** The rules the executor judges the task's result by, or undefined when the task has none. */
export function outcomeRules(task: TaskDefinition, vars: Record<string, unknown>): OutcomeRules | undefined {
  const { failedWhen, changedWhen, until } = task.control;
  if (failedWhen === undefined && changedWhen === undefined && until === undefined) return undefined;
  if (failedWhen !== undefined) checkCondition(task, 'failed_when', failedWhen, vars);
  if (changedWhen !== undefined) checkCondition(task, 'changed_when', changedWhen, vars);
  if (until !== undefined) checkCondition(task, 'until', until, vars);
  const retries = count(task, 'retries', vars);
  // Ansible 2.14: `until` without retries runs 3 times; `retries: N` runs N + 1 times; 0 runs once.
  const attempts = until === undefined ? 1 : retries === undefined ? DEFAULT_UNTIL_ATTEMPTS : Math.max(1, retries + (retries > 0 ? 1 : 0));
  return {
    ...(failedWhen !== undefined ? { failedWhen } : {}),
    ...(changedWhen !== undefined ? { changedWhen } : {}),
    ...(until !== undefined ? { until } : {}),
    attempts,
    delayMs: (count(task, 'delay', vars) ?? DEFAULT_DELAY_SECONDS) * 1000,
    ...(task.register ? { register: task.register } : {}),
  };
}
