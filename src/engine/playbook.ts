/**
 * Playbooks: a list of plays in Ansible's shape. Loading checks the shape with ajv and
 * resolves every task's module, so an error names file:line:column and key before any
 * host is touched. Arguments stay templates here; they are rendered per host later.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { dirname, resolve } from 'node:path';
import { InputError, InputErrors, type SourcePosition } from '../errors';
import { parseFreeForm, parseKeyValueWords, splitWords } from './kv-args';
import type { TaskRegistry } from './registry';
import { roleEntry, rolesPathFromEnvironment } from './structure/roles';
import { topScope, type LoadContext } from './structure/scope';
import { collecting, loadTaskFile, readTaskList, shapeErrors } from './structure/task-lists';
import type { Play, Playbook, TaskDefinition, TaskList, TaskNode } from './structure/task-tree';
import { playControlShape, readPlayControl, readTaskControl, TASK_CONTROL_KEYWORDS, taskControlShape } from './task-control';
import { loadYamlSource, type YamlPath, type YamlSource } from './yaml-source';

/** Keys a task may have besides its one module key. */
const TASK_KEYWORDS = ['name', 'when', 'loop', 'notify', 'tags', 'register', 'become', 'become_user', 'ignore_errors', 'listen', 'vars', 'args', 'environment', ...TASK_CONTROL_KEYWORDS] as const;

/** A user name sudo accepts for -u: no leading dash, so it cannot be read as an option. */
const ACCOUNT_NAME = '^[A-Za-z_][A-Za-z0-9_.-]{0,31}$';
const stringOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const taskShape = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    when: { anyOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'array', items: { type: ['string', 'boolean'] } }] },
    loop: { anyOf: [{ type: 'array' }, { type: 'string' }] },
    notify: stringOrList,
    tags: stringOrList,
    listen: stringOrList,
    register: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    become: { type: 'boolean' },
    become_user: { type: 'string', pattern: ACCOUNT_NAME },
    ignore_errors: { type: 'boolean' },
    ...taskControlShape,
    args: { type: 'object' },
    environment: { type: 'object' },
    vars: { type: 'object' },
  },
};
// Each task is checked where it is read, in whichever file holds it.
const taskList = { type: ['array', 'null'] };
const playShape = {
    type: 'object',
    required: ['hosts'],
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      hosts: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
      vars: { type: 'object' },
      vars_files: { type: 'array', items: { type: 'string' } },
      ...playControlShape,
      become: { type: 'boolean' },
      become_user: { type: 'string', pattern: ACCOUNT_NAME },
      gather_facts: { type: 'boolean', description: 'Accepted for Ansible compatibility; lvs reads only the facts each task needs.' },
      pre_tasks: taskList,
      tasks: taskList,
      post_tasks: taskList,
      handlers: taskList,
      roles: { type: 'array', items: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] } },
    },
};
const importShape = { type: 'object', additionalProperties: false, required: ['import_playbook'], properties: { name: { type: 'string' }, import_playbook: { type: 'string', minLength: 1 } } };
const playbookShape = {
  type: 'array',
  minItems: 1,
  items: { if: { type: 'object', required: ['import_playbook'] }, then: importShape, else: playShape },
};
const ajv = new Ajv({ allErrors: true, strict: false });
const validatePlaybookShape = ajv.compile(playbookShape);
const validateTaskShape = ajv.compile(taskShape);

function shapeError(error: ErrorObject, source: YamlSource): InputError {
  const path: (string | number)[] = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  let key = path.join('.');
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    path.push(extra);
    key = path.join('.');
    const parent = path[path.length - 2];
    message = `'${extra}' is not a ${typeof parent === 'string' ? parent : 'play'} keyword`;
  } else if (error.keyword === 'required') {
    message = `a play needs '${(error.params as { missingProperty: string }).missingProperty}'`;
  }
  return new InputError(message, source.locate(path), key || undefined);
}

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function readTask(
  raw: Record<string, unknown>,
  path: YamlPath,
  source: YamlSource,
  registry: TaskRegistry,
  errors: InputError[],
  blockEnvironment?: Record<string, unknown>,
): TaskDefinition | undefined {
  const keyPath = path.join('.');
  if (!validateTaskShape(raw)) {
    errors.push(...shapeErrors(validateTaskShape, source, path, 'task'));
    return undefined;
  }
  const moduleKeys = Object.keys(raw).filter((key) => !(TASK_KEYWORDS as readonly string[]).includes(key));
  if (moduleKeys.length !== 1) {
    errors.push(
      new InputError(
        moduleKeys.length === 0 ? 'a task needs exactly one task module key' : `a task has exactly one task module key, found ${moduleKeys.join(', ')}`,
        source.locate(path),
        keyPath,
        `task keywords are ${TASK_KEYWORDS.join(', ')}; tasks are ${registry.names().join(', ')}`,
      ),
    );
    return undefined;
  }
  const action = moduleKeys[0];
  const module = registry.get(action);
  if (!module) {
    try {
      registry.require(action);
    } catch (error) {
      const unknown = error as InputError;
      errors.push(new InputError(unknown.message, source.locate([...path, action]), `${keyPath}.${action}`, unknown.hint));
    }
    return undefined;
  }
  let args: Record<string, unknown>;
  const rawArgs = raw[action];
  try {
    if (typeof rawArgs === 'string') args = module.freeForm ? parseFreeForm(rawArgs, module.freeForm) : parseKeyValueWords(splitWords(rawArgs));
    else if (rawArgs === null || rawArgs === undefined) args = {};
    else if (typeof rawArgs === 'object' && !Array.isArray(rawArgs)) args = rawArgs as Record<string, unknown>;
    else throw new InputError('task arguments must be a map or key=value words');
  } catch (error) {
    errors.push(new InputError((error as Error).message, source.locate([...path, action], 'value'), `${keyPath}.${action}`));
    return undefined;
  }
  // Ansible's `args:` and `environment:` keywords are more arguments of the module.
  const keywordArgs = { ...(raw.args as Record<string, unknown> | undefined), ...(raw.environment === undefined ? {} : { environment: raw.environment }) };
  const twice = Object.keys(keywordArgs).filter((key) => key in args);
  if (twice.length) {
    errors.push(new InputError(`${twice.join(', ')} given both as a task keyword and in the ${action} arguments`, source.locate([...path, action]), `${keyPath}.${action}`));
    return undefined;
  }
  args = { ...args, ...keywordArgs };
  // A block's environment reaches the tasks whose module takes one, under their own, as Ansible merges them.
  if (blockEnvironment && 'environment' in ((module.schema as { properties?: object }).properties ?? {})) {
    const own = args.environment;
    args = { ...args, environment: own !== null && typeof own === 'object' && !Array.isArray(own) ? { ...blockEnvironment, ...own } : (own ?? blockEnvironment) };
  }
  return {
    name: typeof raw.name === 'string' ? raw.name : `${action}`,
    action,
    args,
    when: raw.when,
    loop: raw.loop,
    notify: asList(raw.notify),
    tags: asList(raw.tags),
    register: raw.register as string | undefined,
    become: raw.become as boolean | undefined,
    becomeUser: raw.become_user as string | undefined,
    ignoreErrors: raw.ignore_errors === true,
    listen: asList(raw.listen),
    control: readTaskControl(raw, path, source),
    vars: (raw.vars as Record<string, unknown> | undefined) ?? {},
    defaults: {},
    lookupDirs: [],
    position: source.locate(path),
    locate: (argumentPath) => source.locate([...path, action, ...argumentPath.split('.').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s))]),
  };
}

export interface LoadOptions {
  /** Folders searched for roles after the playbook's roles/; by default ANSIBLE_ROLES_PATH and LVS_ROLES_PATH. */
  rolesPath?: string[];
}

function readPlay(raw: Record<string, unknown>, playIndex: number, source: YamlSource, registry: TaskRegistry, playbookDir: string, rolesPath: string[], errors: InputError[]): Play {
  const list: TaskList = { tasks: [], tree: [] };
  const handlers: TaskDefinition[] = [];
  /** Each task's key path in its file, by its position (which scoping keeps), for the notify errors. */
  const keyPaths = new WeakMap<SourcePosition, string>();
  const context: LoadContext = {
    errors,
    playbookDir,
    rolesPath,
    readTask: (task, path, at, environment) => {
      const read = readTask(task, path, at, registry, errors, environment);
      if (read) keyPaths.set(read.position, path.join('.'));
      return read;
    },
    handlers,
    seenRoles: new Set(),
    rolesWithHandlers: new Set(),
  };
  const scope = topScope(source);
  const section = (key: string) => readTaskList(raw[key], [playIndex, key], scope, context, list);
  const playHandlers: TaskList = { tasks: [], tree: [] };
  const handlerTree = readTaskList(raw.handlers, [playIndex, 'handlers'], scope, { ...context, handlers: [] }, playHandlers);
  if (handlerTree.some((node) => node.kind !== 'task')) errors.push(new InputError('handlers are plain tasks: no blocks, imports or meta', source.locate([playIndex, 'handlers']), `${playIndex}.handlers`));
  const pre = section('pre_tasks');
  const roles = (Array.isArray(raw.roles) ? raw.roles : []).flatMap((entry, index) => collecting(context.errors, () => roleEntry(entry, [playIndex, 'roles', index], scope, context, list), []));
  const tasks = section('tasks');
  const post = section('post_tasks');
  handlers.push(...playHandlers.tasks);
  const flush: TaskNode[] = [{ kind: 'flush' }];
  list.tree = [...pre, ...(pre.length ? flush : []), ...roles, ...tasks, ...(post.length ? flush : []), ...post];
  const handlerNames = new Set(handlers.flatMap((handler) => [handler.name, ...handler.listen]));
  for (const task of list.tasks) {
    for (const notified of task.notify) {
      if (!handlerNames.has(notified)) {
        errors.push(new InputError(`notifies '${notified}', but the play has no such handler`, task.position, `${keyPaths.get(task.position) ?? task.name}.notify`, handlerNames.size ? `handlers: ${[...handlerNames].join(', ')}` : undefined));
      }
    }
  }
  return {
    name: typeof raw.name === 'string' ? raw.name : asList(raw.hosts).join(','),
    hosts: asList(raw.hosts).join(':'),
    vars: (raw.vars as Record<string, unknown>) ?? {},
    varsFiles: asList(raw.vars_files),
    serial: raw.serial as Play['serial'],
    control: readPlayControl(raw),
    become: raw.become as boolean | undefined,
    becomeUser: raw.become_user as string | undefined,
    tasks: list.tasks,
    tree: list.tree,
    handlers,
    dir: dirname(source.file),
    position: source.locate([playIndex]),
  };
}

/** The plays of `file` and of the playbooks it imports, in order; `files` are those being read, for cycles. */
function readPlays(source: YamlSource, registry: TaskRegistry, playbookDir: string, rolesPath: string[], files: string[], errors: InputError[]): Play[] {
  if (!validatePlaybookShape(source.data)) {
    const problems = (validatePlaybookShape.errors ?? []).filter((error) => error.keyword !== 'anyOf' && error.keyword !== 'if');
    errors.push(...problems.map((error) => shapeError(error, source)));
    // The tasks of a play with a bad keyword are still read, so that their errors come out too.
    if (!Array.isArray(source.data)) return [];
  }
  return (source.data as unknown[]).flatMap((raw, playIndex): Play[] => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
    if (!('import_playbook' in raw)) return [readPlay(raw as Record<string, unknown>, playIndex, source, registry, playbookDir, rolesPath, errors)];
    if (typeof raw.import_playbook !== 'string') return [];
    const at = source.locate([playIndex, 'import_playbook']);
    const key = `${playIndex}.import_playbook`;
    return collecting(
      errors,
      () => {
        if ((raw.import_playbook as string).includes('{{')) throw new InputError('import_playbook is static: its name cannot be a template', at, key);
        const imported = loadTaskFile(resolve(dirname(source.file), raw.import_playbook as string), { ...topScope(source), files }, at, key);
        return readPlays(imported, registry, dirname(imported.file), rolesPath, [...files, imported.file], errors);
      },
      [],
    );
  });
}

export function loadPlaybook(file: string, registry: TaskRegistry, options: LoadOptions = {}): Playbook {
  const source = loadYamlSource(resolve(file));
  const errors: InputError[] = [];
  const plays = readPlays(source, registry, dirname(source.file), options.rolesPath ?? rolesPathFromEnvironment(), [source.file], errors);
  if (errors.length) throw new InputErrors(errors);
  return { file: source.file, dir: dirname(source.file), plays };
}
