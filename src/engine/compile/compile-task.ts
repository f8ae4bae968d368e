/**
 * One task for one host: its condition decided, its loop expanded, its arguments rendered and
 * checked against the task's schema, and its template files rendered. A task that needs a
 * variable an earlier task registers is deferred until that variable exists.
 */
import type { Evaluated, SourceFile, TaskModule } from '../../api';
import { formatPosition, type SourcePosition } from '../../errors';
import type { Become } from '../../transport/become';
import { checkArguments, secretArguments } from '../arguments';
import { evaluateCondition } from '../conditions';
import type { TaskDefinition } from '../structure/task-tree';
import { conditionNames, referencedNames } from '../references';
import { namesASecret, type Redactor } from '../secrets';
import { layerVariables, renderValue, TemplateError } from '../templating';
import type { CompiledTask, DelegateTarget, TaskUnit } from './compiled-run';
import { evaluateArgument, expressionArguments, expressionTexts } from './expressions';
import { SourceFileError, type TaskSourceFiles } from './source-files';
import { ControlError, delegateName, itemLabel, loopVariables, outcomeRules } from './task-control';
import { MissingTemplateError, TemplateFileError, type TaskTemplates } from './template-files';

/** A task that could not be compiled for a host: why, and which argument or file is at fault. */
export class TaskCompileError extends Error {
  constructor(
    message: string,
    /** The task key or argument path at fault ('' for the whole task). */
    readonly key: string,
    /** Where the fault is when it is not in the playbook (a template file's line). */
    readonly position?: SourcePosition,
  ) {
    super(message);
    this.name = 'TaskCompileError';
  }
}

export interface TaskEnvironment {
  host: string;
  /** The template files the task can name, found in its own lookup folders. */
  templates: TaskTemplates;
  /** The local files it can copy (`files()`), found in the same folders. */
  files: TaskSourceFiles;
  become?: Become;
  /** Variables that earlier tasks will register on this host. */
  registered: ReadonlySet<string>;
  /** Learns the task's secret arguments; knows the run's secret values. */
  redactor: Redactor;
  /** The host's secret variables. */
  secretNames: ReadonlySet<string>;
  /** The task's variables with `extra` (a loop item's, registered results) among them as data, so that vars can be built from them. */
  varsWith?: (extra: Record<string, unknown>) => Record<string, unknown>;
  /**
   * The host a delegate_to names, with whom the task runs as there; undefined for the host
   * itself. Throws a ControlError for a name that is no host.
   */
  delegate?: (name: string) => (DelegateTarget & { become?: Become }) | undefined;
}

/** Whether a unit holds or names a secret, learning its schema-marked secret arguments on the way. */
function isSecretUnit(
  task: TaskDefinition,
  module: TaskModule,
  args: Record<string, unknown>,
  templates: Record<string, string>,
  files: Record<string, SourceFile>,
  expressions: Record<string, Evaluated[]>,
  environment: TaskEnvironment,
): boolean {
  const secretArgs = secretArguments(module)
    .map((name) => args[name])
    .filter((value) => value !== undefined && value !== '');
  environment.redactor.add(secretArgs);
  if (secretArgs.length) return true;
  const texts = Object.keys(templates).map((name) => environment.templates.find(name).text);
  if (namesASecret(environment.secretNames, [task.args, task.loop, ...texts], [task.when, ...expressionTexts(module, task.args)])) return true;
  const copied = Object.values(files).flatMap((file) => [file.content, ...file.entries.map((entry) => entry.content)]).map((bytes) => bytes.toString('utf8'));
  return [JSON.stringify(args), JSON.stringify(expressions), ...Object.values(templates), ...copied].some((text) => environment.redactor.holds(text));
}

/** The top-level argument whose value is `name`, to point an error at it. */
function argumentNaming(args: Record<string, unknown>, name: string): string {
  return Object.keys(args).find((key) => args[key] === name) ?? '';
}

function renderTemplates(task: TaskDefinition, module: TaskModule, args: Record<string, unknown>, vars: Record<string, unknown>, environment: TaskEnvironment): Record<string, string> {
  const rendered: Record<string, string> = {};
  for (const name of module.templates?.(args as never) ?? []) {
    try {
      rendered[name] = environment.templates.render(name, vars);
    } catch (error) {
      const key = argumentNaming(args, name);
      if (error instanceof MissingTemplateError) throw new TaskCompileError(error.message, key);
      if (!(error instanceof TemplateFileError)) throw error;
      // A template that reads a registered result waits for it: the caller defers the task.
      if (environment.registered.has(error.cause.variable?.split('.')[0] ?? '')) throw error;
      throw new TaskCompileError(`${error.message} in template '${name}' (named by ${key || 'the task'} at ${formatPosition(task.locate(key))})`, key, {
        file: error.file.path,
        line: error.cause.location?.line,
        // Handlebars counts columns from 0, file:line:col from 1.
        column: error.cause.location?.column === undefined ? undefined : error.cause.location.column + 1,
      });
    }
  }
  return rendered;
}

/** The local files the task copies, read verbatim; a name that finds nothing is an error at the argument naming it. */
function readSourceFiles(module: TaskModule, args: Record<string, unknown>, environment: TaskEnvironment): Record<string, SourceFile> {
  const read: Record<string, SourceFile> = {};
  for (const name of module.files?.(args as never) ?? []) {
    try {
      read[name] = environment.files.find(name);
    } catch (error) {
      if (error instanceof SourceFileError) throw new TaskCompileError(error.message, argumentNaming(args, name));
      throw error;
    }
  }
  return read;
}

export function compileTask(task: TaskDefinition, module: TaskModule, vars: Record<string, unknown>, environment: TaskEnvironment): CompiledTask {
  /** The task, finished at run time with the results registered by then. */
  const deferUntil = (variable: string): CompiledTask => ({
    kind: 'deferred',
    variable,
    compile: (registered) => {
      const { varsWith } = environment;
      const now = compileTask(task, module, varsWith ? varsWith(registered) : layerVariables(vars, registered), {
        ...environment,
        registered: new Set(),
        ...(varsWith ? { varsWith: (extra: Record<string, unknown>) => varsWith({ ...registered, ...extra }) } : {}),
      });
      // Nothing is registered any more, so nothing can be deferred a second time.
      if (now.kind === 'deferred') throw new Error(`'${now.variable}' is still not registered`);
      return now;
    },
  });
  const defer = (error: unknown): CompiledTask | undefined => {
    const cause = error instanceof TemplateFileError ? error.cause : error instanceof ControlError ? error.reason : error;
    const variable = cause instanceof TemplateError ? cause.variable?.split('.')[0] : undefined;
    return variable && environment.registered.has(variable) ? deferUntil(variable) : undefined;
  };
  // A condition such as `r is defined` or `r.changed` can only be decided once `r` exists.
  const { delegateTo, loopControl, retries, delay } = task.control;
  const waitsFor = [
    ...referencedNames([task.args, task.loop, delegateTo, loopControl.label, retries, delay]),
    ...conditionNames([task.when, ...expressionTexts(module, task.args)]),
  ].find((name) => environment.registered.has(name));
  if (waitsFor) return deferUntil(waitsFor);
  /** Runs one step; a template error about a registered variable defers the whole task. */
  const step = <T>(key: string, work: () => T): { value: T } | { deferred: CompiledTask } => {
    try {
      return { value: work() };
    } catch (error) {
      const deferred = defer(error);
      if (deferred) return { deferred };
      if (error instanceof TaskCompileError) throw error;
      if (error instanceof ControlError) throw new TaskCompileError(error.message, error.key, error.position);
      throw new TaskCompileError(`${key ? `${key}: ` : ''}${(error as Error).message}`, key);
    }
  };

  let items: unknown[] | undefined;
  if (task.loop !== undefined) {
    const loop = step('loop', () => renderValue(task.loop, vars));
    if ('deferred' in loop) return loop.deferred;
    if (!Array.isArray(loop.value)) throw new TaskCompileError(`loop: must be a list, got ${JSON.stringify(loop.value)}`, 'loop');
    items = loop.value;
  }
  const units: TaskUnit[] = [];
  let outcome: ReturnType<typeof outcomeRules>;
  for (const [index, item] of (items ?? [undefined]).entries()) {
    const loopVars = items ? loopVariables(loopControl, item, index) : undefined;
    const unitVars = !loopVars ? vars : environment.varsWith ? environment.varsWith(loopVars) : layerVariables(vars, loopVars);
    if (task.when !== undefined) {
      const decided = step('when', () => evaluateCondition(task.when, unitVars));
      if ('deferred' in decided) return decided.deferred;
      if (!decided.value) continue;
    }
    const rendered = step('', () => renderValue(task.args, unitVars) as Record<string, unknown>);
    if ('deferred' in rendered) return rendered.deferred;
    const checked = checkArguments(module, rendered.value);
    if (checked.problems.length) {
      const all = checked.problems.map((problem) => `${problem.key ? `${problem.key}: ` : ''}${problem.message}`).join('; ');
      throw new TaskCompileError(all, checked.problems[0].key);
    }
    const templates = step('', () => renderTemplates(task, module, checked.args, unitVars, environment));
    if ('deferred' in templates) return templates.deferred;
    const files = readSourceFiles(module, checked.args, environment);
    const expressions: Record<string, Evaluated[]> = {};
    for (const [name, kind] of expressionArguments(module)) {
      const evaluated = step(name, () => evaluateArgument(kind, checked.args[name], unitVars, (variable) => environment.registered.has(variable)));
      if ('deferred' in evaluated) return evaluated.deferred;
      expressions[name] = evaluated.value;
    }
    const control = step('', () => {
      const delegateTo = delegateName(task, unitVars);
      return {
        label: items ? itemLabel(task, unitVars) : undefined,
        delegate: delegateTo === undefined ? undefined : environment.delegate?.(delegateTo),
        outcome: units.length === 0 ? outcomeRules(task, unitVars) : outcome,
      };
    });
    if ('deferred' in control) return control.deferred;
    const { label, delegate } = control.value;
    outcome = control.value.outcome;
    const become = delegate ? delegate.become : environment.become;
    units.push({
      module,
      args: checked.args,
      context: { host: environment.host, templates: templates.value, files, expressions },
      secret: isSecretUnit(task, module, checked.args, templates.value, files, expressions, environment),
      ...(become ? { become } : {}),
      ...(items ? { item } : {}),
      ...(label !== undefined ? { label } : {}),
      ...(delegate ? { delegate: { host: delegate.host, target: delegate.target } } : {}),
      ...(outcome ? { vars: unitVars } : {}),
    });
  }
  if (units.length === 0) return { kind: 'skip', reason: items?.length === 0 ? 'the loop is empty' : `condition is false: ${JSON.stringify(task.when)}` };
  const pauseMs = items && units.length > 1 ? loopControl.pauseSeconds * 1000 : 0;
  return { kind: 'run', units, ...(outcome ? { outcome } : {}), ...(pauseMs ? { pauseMs } : {}) };
}
