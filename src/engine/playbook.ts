/**
 * Playbooks: a list of plays in Ansible's shape. Loading checks the shape with ajv and
 * resolves every task's module, so an error names file:line:column and key before any
 * host is touched. Arguments stay templates here; they are rendered per host later.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { dirname, resolve } from 'node:path';
import { InputError, InputErrors, type SourcePosition } from '../errors';
import { parseKeyValueWords, splitWords } from './kv-args';
import type { TaskRegistry } from './registry';
import { playControlShape, readPlayControl, readTaskControl, TASK_CONTROL_KEYWORDS, taskControlShape, type PlayControl, type TaskControl } from './task-control';
import { loadYamlSource, type YamlPath, type YamlSource } from './yaml-source';

/** Keys a task may have besides its one module key. */
const TASK_KEYWORDS = ['name', 'when', 'loop', 'notify', 'tags', 'register', 'become', 'become_user', 'ignore_errors', 'listen', ...TASK_CONTROL_KEYWORDS] as const;

export interface TaskDefinition {
  name: string;
  action: string;
  args: Record<string, unknown>;
  when?: unknown;
  loop?: unknown;
  notify: string[];
  tags: string[];
  register?: string;
  /** Run this task's commands with sudo (Ansible's task-level `become`), overriding the play. */
  become?: boolean;
  becomeUser?: string;
  ignoreErrors: boolean;
  /** Handler names this handler also answers to. */
  listen: string[];
  /** failed_when, changed_when, until, delegate_to, run_once, loop_control, ... (task-control.ts). */
  control: TaskControl;
  /** Where the task and each of its keys are, for error messages. */
  position: SourcePosition;
  locate(argumentPath: string): SourcePosition;
}

export interface Play {
  name: string;
  hosts: string;
  vars: Record<string, unknown>;
  varsFiles: string[];
  /** A batch size or a list of them, the last one repeating (Ansible's serial). */
  serial?: number | string | (number | string)[];
  /** max_fail_percentage, any_errors_fatal, order (task-control.ts). */
  control: PlayControl;
  become?: boolean;
  becomeUser?: string;
  tasks: TaskDefinition[];
  handlers: TaskDefinition[];
  position: SourcePosition;
}

export interface Playbook {
  file: string;
  dir: string;
  plays: Play[];
}

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
  },
};
const playbookShape = {
  type: 'array',
  minItems: 1,
  items: {
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
      tasks: { type: 'array', items: taskShape },
      handlers: { type: 'array', items: taskShape },
    },
  },
};
const validatePlaybookShape = new Ajv({ allErrors: true, strict: false }).compile(playbookShape);

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
): TaskDefinition | undefined {
  const keyPath = path.join('.');
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
  if (!registry.get(action)) {
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
    if (typeof rawArgs === 'string') args = parseKeyValueWords(splitWords(rawArgs));
    else if (rawArgs === null || rawArgs === undefined) args = {};
    else if (typeof rawArgs === 'object' && !Array.isArray(rawArgs)) args = rawArgs as Record<string, unknown>;
    else throw new InputError('task arguments must be a map or key=value words');
  } catch (error) {
    errors.push(new InputError((error as Error).message, source.locate([...path, action], 'value'), `${keyPath}.${action}`));
    return undefined;
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
    position: source.locate(path),
    locate: (argumentPath) => source.locate([...path, action, ...argumentPath.split('.').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s))]),
  };
}

export function loadPlaybook(file: string, registry: TaskRegistry): Playbook {
  const source = loadYamlSource(resolve(file));
  if (!validatePlaybookShape(source.data)) {
    const errors = (validatePlaybookShape.errors ?? []).filter((error) => error.keyword !== 'anyOf');
    throw new InputErrors(errors.map((error) => shapeError(error, source)));
  }
  const errors: InputError[] = [];
  const plays = (source.data as Record<string, unknown>[]).map((raw, playIndex): Play => {
    const readTasks = (section: 'tasks' | 'handlers') =>
      ((raw[section] as Record<string, unknown>[] | undefined) ?? [])
        .map((task, index) => readTask(task, [playIndex, section, index], source, registry, errors))
        .filter((task): task is TaskDefinition => task !== undefined);
    const handlers = readTasks('handlers');
    const tasks = readTasks('tasks');
    const handlerNames = new Set(handlers.flatMap((handler) => [handler.name, ...handler.listen]));
    tasks.forEach((task, index) => {
      for (const notified of task.notify) {
        if (!handlerNames.has(notified)) {
          errors.push(new InputError(`notifies '${notified}', but the play has no such handler`, task.position, `${playIndex}.tasks.${index}.notify`, handlerNames.size ? `handlers: ${[...handlerNames].join(', ')}` : undefined));
        }
      }
    });
    return {
      name: typeof raw.name === 'string' ? raw.name : asList(raw.hosts).join(','),
      hosts: asList(raw.hosts).join(':'),
      vars: (raw.vars as Record<string, unknown>) ?? {},
      varsFiles: asList(raw.vars_files),
      serial: raw.serial as Play['serial'],
      control: readPlayControl(raw),
      become: raw.become as boolean | undefined,
      becomeUser: raw.become_user as string | undefined,
      tasks,
      handlers,
      position: source.locate([playIndex]),
    };
  });
  if (errors.length) throw new InputErrors(errors);
  return { file: source.file, dir: dirname(source.file), plays };
}
