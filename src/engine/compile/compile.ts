/**
 * Compile: playbook + inventories + task registry + extra vars -> a compiled run. It selects
 * each play's hosts and tasks, renders every task for every host, checks the arguments,
 * renders the template files and collects the secrets. Every input error comes from here,
 * all of them at once, before anything connects; `lvs validate` and `lvs run` share it.
 */
import { InputError, InputErrors } from '../../errors';
import type { Become } from '../../transport/become';
import { connectionTarget, selectHosts, type ConnectionTarget, type Inventory } from '../inventory';
import type { Play, Playbook, TaskDefinition } from '../playbook';
import type { TaskRegistry } from '../registry';
import { inventorySecrets, Redactor, secretVariableNames } from '../secrets';
import { loadVarsFiles, VariableScope } from '../variables';
import type { CompiledHost, CompiledPlay, CompiledRun, CompiledTask } from './compiled-run';
import { compileTask, TaskCompileError } from './compile-task';
import { Delegates } from './delegation';
import { orderHosts } from './host-order';
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
  /** Folders searched for template files after the playbook's own. */
  templateDirs: string[];
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

const PLACEHOLDER_TARGET: ConnectionTarget = { host: '', port: 22, user: 'root', become: false, becomeUser: 'root' };

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
  const templates = new TemplateFiles(playbook.dir, input.templateDirs);
  const limited = input.limit ? new Set(selectHosts(inventory, input.limit)) : undefined;
  const registeredBefore = new Set<string>();
  const warnings = new Set<string>();

  const playVarsOf = playbook.plays.map((play) => ({ ...play.vars, ...collect(() => loadVarsFiles(play.varsFiles, playbook.dir), {}) }));
  /** Each play's hosts, each with its variables and secrets, learnt before any task is compiled. */
  const scopes = playbook.plays.map((play, playIndex) => {
    const playVars = playVarsOf[playIndex];
    return orderHosts(selectHosts(inventory, play.hosts), play.control.order)
      .filter((host) => !limited || limited.has(host))
      .map((host) => {
        const vars = scope.forPlay(host, playVars, {});
        const layers = scope.layersForPlay(host, playVars);
        const raw: Record<string, unknown> = Object.assign({}, ...layers);
        const secretNames = secretVariableNames(raw);
        // As written too: a value that cannot be rendered still appears in the error about it.
        redactor.add([...secretNames].flatMap((name) => [raw[name], valueOrNothing(() => vars[name])]));
        return { host, vars, layers, secretNames };
      });
  });

  const plays = playbook.plays.map((play, playIndex): CompiledPlay => {
    const tasks = play.tasks.filter((task) => selectedByTags(task, input.tags, input.skipTags));
    const registeredInPlay = new Set(registeredBefore);
    for (const task of play.tasks) if (task.register) registeredInPlay.add(task.register);
    const delegates = new Delegates(inventory, scope, playVarsOf[playIndex]);

    const hosts = scopes[playIndex].map(({ host, vars, layers, secretNames }): CompiledHost => {
      const target = collect(() => connectionTarget(host, vars, layers), PLACEHOLDER_TARGET);
      if (target.hostKeyChecking === false) {
        warnings.add(`${host}: host key checking is off for this host: its ansible_ssh_common_args or ansible_ssh_extra_args say StrictHostKeyChecking=no, so a changed or forged host key is accepted`);
      }
      const registeredSoFar = new Set(registeredBefore);
      const compileAll = (list: TaskDefinition[], handlers: boolean) =>
        list.map((task): CompiledTask => {
          const module = registry.require(task.action);
          try {
            return compileTask(task, module, vars, {
              host,
              templates,
              become: becomeFor(task, play, target),
              registered: handlers ? registeredInPlay : registeredSoFar,
              redactor,
              secretNames,
              delegate: (name) => delegates.resolve(task, host, name, (delegateTarget) => becomeFor(task, play, delegateTarget)),
            });
          } catch (error) {
            if (!(error instanceof TaskCompileError)) throw error;
            errors.push(new InputError(redactor.redact(error.message), error.position ?? task.locate(error.key), `${host}: ${task.name}`));
            return { kind: 'skip', reason: 'invalid' };
          } finally {
            if (task.register) registeredSoFar.add(task.register);
          }
        });
      return { name: host, target, tasks: compileAll(tasks, false), handlers: compileAll(play.handlers, true) };
    });
    for (const name of registeredInPlay) registeredBefore.add(name);
    return { play, tasks, hosts };
  });
  if (errors.length) throw new InputErrors(errors);
  return { plays, check: input.check, redactor, warnings: [...warnings] };
}
