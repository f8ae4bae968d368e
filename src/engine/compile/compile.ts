/**
 * Compile: playbook + inventories + task registry + extra vars -> a compiled run. It selects
 * each play's hosts and tasks, renders every task for every host, checks the arguments,
 * renders the template files and collects the secrets. Every input error comes from here,
 * all of them at once, before anything connects; `lvs validate` and `lvs run` share it.
 */
import { InputError, InputErrors } from '../../errors';
import type { Become } from '../../transport/become';
import { connectionTarget, limitedHosts, playHosts, type ConnectionTarget, type Inventory } from '../inventory';
import type { Play, Playbook, TaskDefinition } from '../structure/task-tree';
import type { TaskRegistry } from '../registry';
import { inventorySecrets, Redactor, secretVariableNames } from '../secrets';
import { loadVarsFiles, VariableScope } from '../variables';
import { selectTasks, type TaskList } from '../structure/task-tree';
import type { CompiledHost, CompiledPlay, CompiledRun, CompiledTask, IncludedPass } from './compiled-run';
import { compileInclude } from './compile-include';
import { compileTask, TaskCompileError } from './compile-task';
import { Delegates } from './delegation';
import { orderHosts } from './host-order';
import { SourceFiles } from './source-files';
import { TemplateFiles } from './template-files';

export interface CompileInput {
  playbook: Playbook;
  inventory: Inventory;
  registry: TaskRegistry;
  extraVars: Record<string, unknown>;
  limit?: string;
  tags: string[];
  skipTags: string[];
  check: boolean;
  /** Folders searched for template files after the task's own (see local-files.ts). */
  templateDirs: string[];
  /** Start at the first task with this name (or glob; `role : task` or the task's own name), as ansible-playbook's --start-at-task. */
  startAtTask?: string;
}

/** Whether `task` is the one --start-at-task names: by its shown name, its own name, or a glob of either. */
export function namedBy(task: TaskDefinition, pattern: string): boolean {
  const own = task.role ? task.name.slice(`${task.role} : `.length) : task.name;
  const glob = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return [task.name, own].some((name) => name === pattern || glob.test(name));
}

export function selectedByTags(task: TaskDefinition, tags: string[], skipTags: string[]): boolean {
  if (task.tags.includes('never') && !tags.some((tag) => task.tags.includes(tag))) return false;
  if (skipTags.some((tag) => task.tags.includes(tag))) return false;
  if (tags.length === 0 || tags.includes('all')) return true;
  return task.tags.includes('always') || tags.some((tag) => task.tags.includes(tag));
}

/** The task's keyword, else the play's, else the host's ansible_become* variables. */
function becomeFor(task: TaskDefinition, play: Play, target: ConnectionTarget): Become | undefined {
  if (!(task.become ?? play.become ?? target.become)) return undefined;
  return { user: task.becomeUser ?? play.becomeUser ?? target.becomeUser, password: target.becomePassword };
}

/** A variable's value, or undefined when it cannot be rendered (its task then reports why). */
function valueOrNothing(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Whether the task brings variables of its own (its, its blocks', role's or include's) over the play's. */
const hasOwnVars = (task: TaskDefinition) => Object.keys(task.defaults).length > 0 || Object.keys(task.vars).length > 0;

const PLACEHOLDER_TARGET: ConnectionTarget = { connection: 'ssh', host: '', port: 22, user: 'root', become: false, becomeUser: 'root' };

export function compileRun(input: CompileInput): CompiledRun {
  const { playbook, inventory, registry } = input;
  const errors: InputError[] = [];
  const collect = <T>(work: () => T, fallback: T): T => {
    try {
      return work();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      errors.push(error);
      return fallback;
    }
  };
  const redactor = new Redactor(inventorySecrets(inventory, input.extraVars));
  const scope = new VariableScope(inventory, input.extraVars, playbook.dir, input.check);
  const templates = new TemplateFiles(input.templateDirs);
  const files = new SourceFiles();
  let started = input.startAtTask === undefined;
  /** False once compiling is done: a deferred include compiles its tasks at run time. */
  let compiling = true;
  const warnings = new Set<string>();
  const warn = (warning: string) => warnings.add(warning);
  const limited = input.limit ? limitedHosts(inventory, input.limit, warn) : undefined;
  const registeredBefore = new Set<string>();

  const playVarsOf = playbook.plays.map((play) => ({ ...play.vars, ...collect(() => loadVarsFiles(play.varsFiles, play.dir), {}) }));
  /** Each play's hosts, each with its variables and secrets, learnt before any task is compiled. */
  const scopes = playbook.plays.map((play, playIndex) => {
    const playVars = playVarsOf[playIndex];
    return orderHosts(playHosts(inventory, play, limited, warn), play.control.order)
      .map((host) => {
        const vars = scope.forPlay(host, playVars, {});
        const layers = scope.layersForPlay(host, playVars);
        const raw: Record<string, unknown> = Object.assign({}, ...layers);
        const secretNames = secretVariableNames(raw);
        // As written too: a value that cannot be rendered still appears in the error about it.
        redactor.add([...secretNames].flatMap((name) => [raw[name], valueOrNothing(() => vars[name])]));
        return { host, vars, layers, secretNames, playVars };
      });
  });

  const plays = playbook.plays.map((play, playIndex): CompiledPlay => {
    const { tasks, tree } = selectTasks(play, (task) => {
      if (!started && namedBy(task, input.startAtTask!)) started = true;
      return started && selectedByTags(task, input.tags, input.skipTags);
    });
    const handlerNames = new Set(play.handlers.flatMap((handler) => [handler.name, ...handler.listen]));
    const registeredInPlay = new Set(registeredBefore);
    for (const task of play.tasks) if (task.register) registeredInPlay.add(task.register);
    const delegates = new Delegates(inventory, scope, playVarsOf[playIndex]);

    const hosts = scopes[playIndex].map(({ host, vars, layers, secretNames, playVars }): CompiledHost => {
      const target = collect(() => connectionTarget(host, vars, layers), PLACEHOLDER_TARGET);
      if (target.hostKeyChecking === false) {
        warnings.add(`${host}: host key checking is off for this host: its ansible_ssh_common_args or ansible_ssh_extra_args say StrictHostKeyChecking=no, so a changed or forged host key is accepted`);
      }
      /** The variables of tasks with the same defaults and vars objects (a role's, a block's) are made once. */
      const taskScopes = new Map<Record<string, unknown>, Map<Record<string, unknown>, Record<string, unknown>>>();
      const varsOf = (task: TaskDefinition): Record<string, unknown> => {
        if (!hasOwnVars(task)) return vars;
        let byVars = taskScopes.get(task.defaults);
        if (!byVars) taskScopes.set(task.defaults, (byVars = new Map()));
        let taskVars = byVars.get(task.vars);
        if (!taskVars) {
          redactor.add([...secretVariableNames(task.vars)].map((name) => task.vars[name]));
          byVars.set(task.vars, (taskVars = scope.forTask(host, playVars, task.defaults, task.vars)));
        }
        return taskVars;
      };
      /** Compiles `definitions` in order; `sink` takes the errors (the run's, or a deferred include's). */
      const compileAll = (definitions: TaskDefinition[], registered: Set<string>, includeLoopVars: Record<string, unknown> | undefined, sink: InputError[]) =>
        definitions.map((task): CompiledTask => {
          // Loop items (its include's too) and registered results are data its vars and the play's can read.
          const varsWith = (extra: Record<string, unknown>) => scope.forTask(host, playVars, task.defaults, task.vars, { ...includeLoopVars, ...extra });
          const own = varsOf(task);
          const taskVars = includeLoopVars ? varsWith({}) : own;
          try {
            if (task.include) {
              return compileInclude(task, taskVars, {
                registered,
                compileList: (list, passVars, passRegistered) => compileSelected(list, new Set(passRegistered), passVars),
              });
            }
            const lookupDirs = task.lookupDirs.length ? task.lookupDirs : [playbook.dir];
            return compileTask(task, registry.require(task.action), taskVars, {
              host,
              templates: templates.for(lookupDirs),
              files: files.for(lookupDirs),
              become: becomeFor(task, play, target),
              registered,
              redactor,
              secretNames,
              varsWith,
              delegate: (name) => delegates.resolve(task, host, name, (delegateTarget) => becomeFor(task, play, delegateTarget)),
            });
          } catch (error) {
            // An included file that cannot be read, or holds bad tasks, says so at its own line.
            if (error instanceof InputErrors || error instanceof InputError) {
              sink.push(...(error instanceof InputErrors ? error.errors : [error]));
              return { kind: 'skip', reason: 'invalid' };
            }
            if (!(error instanceof TaskCompileError)) throw error;
            sink.push(new InputError(redactor.redact(error.message), error.position ?? task.locate(error.key), `${host}: ${task.name}`));
            return { kind: 'skip', reason: 'invalid' };
          } finally {
            if (task.register) registered.add(task.register);
          }
        });
      /** An included list: the tasks the tags select, compiled for this host. */
      const compileSelected = (list: TaskList, registered: Set<string>, loopVars: Record<string, unknown> | undefined): Omit<IncludedPass, 'item'> => {
        const selected = selectTasks(list, (task) => selectedByTags(task, input.tags, input.skipTags));
        // At run time (a deferred include) there is no run to add errors to: the include fails.
        const sink = compiling ? errors : [];
        // The loader checked the notify of every task it read; an included file is read here.
        for (const task of selected.tasks) {
          for (const notified of task.notify.filter((name) => !handlerNames.has(name))) sink.push(new InputError(`notifies '${notified}', but the play has no such handler`, task.position, `${task.name}.notify`));
          // The hosts of a batch meet at a run_once task by its place in the play, which an included task has not.
          if (task.control.runOnce) sink.push(new InputError('run_once is not supported in a file that include_tasks or include_role brings in', task.control.positions.run_once ?? task.position, `${task.name}.run_once`, 'bring the file in with import_tasks or import_role'));
        }
        const compiled = compileAll(selected.tasks, registered, loopVars, sink);
        if (sink.length && !compiling) throw new Error(sink.map((error) => error.describe()).join('; '));
        return { ...selected, compiled };
      };
      const registeredSoFar = new Set(registeredBefore);
      return { name: host, target, tasks: compileAll(tasks, registeredSoFar, undefined, errors), handlers: compileAll(play.handlers, new Set(registeredInPlay), undefined, errors) };
    });
    for (const name of registeredInPlay) registeredBefore.add(name);
    return { play, tasks, tree, hosts };
  });
  if (!started) errors.push(new InputError(`--start-at-task '${input.startAtTask}': no task of the playbook has that name`, { file: playbook.file }, undefined, 'it can name a task of the playbook, its imports and roles, not one inside an include_tasks'));
  compiling = false;
  if (errors.length) throw new InputErrors(errors);
  return { plays, check: input.check, redactor, warnings: [...warnings] };
}
