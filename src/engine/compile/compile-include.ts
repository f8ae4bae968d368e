/**
 * A dynamic include on one host: its condition decided, its loop expanded, its file name
 * rendered, and the tasks of that file compiled for each item, as Ansible's include_tasks and
 * include_role do. When the condition, loop or name reads a registered result, the include
 * waits for it (a deferred task) and is compiled when the host reaches it.
 */
import { InputErrors } from '../../errors';
import { evaluateCondition } from '../conditions';
import type { TaskDefinition } from '../structure/task-tree';
import { conditionNames, referencedNames } from '../references';
import type { TaskList } from '../structure/task-tree';
import { layerVariables, renderValue } from '../templating';
import type { CompiledTask, IncludedPass } from './compiled-run';
import { TaskCompileError } from './compile-task';
import { loopVariables } from './task-control';

export interface IncludeEnvironment {
  /** Variables that earlier tasks will register on this host. */
  registered: ReadonlySet<string>;
  /** Compiles the included tasks with the loop variable (when looping) above their own variables. */
  compileList(list: TaskList, loopVars: Record<string, unknown> | undefined, registered: ReadonlySet<string>): Omit<IncludedPass, 'item'>;
}

export function compileInclude(task: TaskDefinition, vars: Record<string, unknown>, environment: IncludeEnvironment): CompiledTask {
  const include = task.include!;
  const waitsFor = [...referencedNames([include.file, task.loop]), ...conditionNames(task.when)].find((name) => environment.registered.has(name));
  if (waitsFor) {
    return {
      kind: 'deferred',
      variable: waitsFor,
      compile: (registered) => {
        const now = compileInclude(task, layerVariables(vars, registered), { ...environment, registered: new Set() });
        if (now.kind === 'deferred') throw new Error(`'${now.variable}' is still not registered`);
        return now;
      },
    };
  }
  const step = <T>(key: string, work: () => T): T => {
    try {
      return work();
    } catch (error) {
      if (error instanceof TaskCompileError || error instanceof InputErrors) throw error;
      throw new TaskCompileError(`${key}: ${(error as Error).message}`, key);
    }
  };
  let items: unknown[] | undefined;
  if (task.loop !== undefined) {
    const loop = step('loop', () => renderValue(task.loop, vars));
    if (!Array.isArray(loop)) throw new TaskCompileError(`loop: must be a list, got ${JSON.stringify(loop)}`, 'loop');
    items = loop;
  }
  const passes: IncludedPass[] = [];
  for (const [index, item] of (items ?? [undefined]).entries()) {
    const loopVars = items ? loopVariables(task.control.loopControl, item, index) : undefined;
    const passVars = loopVars ? layerVariables(vars, loopVars) : vars;
    if (task.when !== undefined && !step('when', () => evaluateCondition(task.when, passVars))) continue;
    const file = step('file', () => renderValue(include.file, passVars));
    if (typeof file !== 'string' || file === '') throw new TaskCompileError(`file: must name a task file, got ${JSON.stringify(file)}`, 'file');
    passes.push({ ...(items ? { item } : {}), ...environment.compileList(include.load(file), loopVars, environment.registered) });
  }
  if (passes.length === 0) return { kind: 'skip', reason: items?.length === 0 ? 'the loop is empty' : `condition is false: ${JSON.stringify(task.when)}` };
  return { kind: 'include', passes };
}
