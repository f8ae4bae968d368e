/**
 * Reading a list of tasks as Ansible writes them: plain tasks, `block`/`rescue`/`always`,
 * `import_tasks` and `import_role` (static: read now, their keywords applied to every task
 * they bring), `include_tasks` and `include_role` (dynamic: a task whose tasks are known per
 * host), and `meta: flush_handlers`. Every error names the file, line and key where it is.
 */
import Ajv from 'ajv';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, InputErrors } from '../../errors';
import { readTaskControl, taskControlShape } from '../task-control';
import { loadYamlSource, type YamlPath, type YamlSource } from '../yaml-source';
import { includedRole, importedRole } from './roles';
import { applyScope, blockScope, innerScope, type Inheritable, type LoadContext, type TaskScope } from './scope';
import type { IncludeSpec, TaskDefinition, TaskList, TaskNode } from './task-tree';

const whenShape = { anyOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'array', items: { type: ['string', 'boolean'] } }] };
const tagsShape = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const inheritableShape = {
  name: { type: 'string' },
  when: whenShape,
  tags: tagsShape,
  become: { type: 'boolean' },
  become_user: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,31}$' },
  ignore_errors: { type: 'boolean' },
  vars: { type: 'object' },
};
const ajv = new Ajv({ allErrors: true, strict: false });
const validateBlock = ajv.compile({
  type: 'object',
  additionalProperties: false,
  properties: {
    ...inheritableShape,
    delegate_to: taskControlShape.delegate_to,
    delegate_facts: taskControlShape.delegate_facts,
    run_once: taskControlShape.run_once,
    any_errors_fatal: taskControlShape.any_errors_fatal,
    environment: { type: 'object' },
    block: { type: 'array' },
    rescue: { type: 'array' },
    always: { type: 'array' },
  },
});
const IMPORT_KEYS = ['import_tasks', 'import_role', 'include_tasks', 'include_role'] as const;
type ImportKey = (typeof IMPORT_KEYS)[number];
const validateImport = ajv.compile({
  type: 'object',
  additionalProperties: false,
  properties: {
    ...inheritableShape,
    import_tasks: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object', required: ['file'], additionalProperties: false, properties: { file: { type: 'string', minLength: 1 } } }] },
    include_tasks: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object', required: ['file'], additionalProperties: false, properties: { file: { type: 'string', minLength: 1 } } }] },
    import_role: { $ref: '#/definitions/role' },
    include_role: { $ref: '#/definitions/role' },
    loop: { anyOf: [{ type: 'array' }, { type: 'string' }] },
    // An include's passes run one after the other with nothing shown per item, so there is no pause and no label to show.
    loop_control: { ...taskControlShape.loop_control, properties: { loop_var: taskControlShape.loop_control.properties.loop_var, index_var: taskControlShape.loop_control.properties.index_var } },
    register: { type: 'string' },
  },
  definitions: {
    role: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 }, tasks_from: { type: 'string', minLength: 1 } } },
  },
});

/** Refuses what ajv found in `raw` at `path`, one error per problem. */
export function shapeErrors(validate: { errors?: { instancePath: string; keyword: string; message?: string; params: unknown }[] | null }, source: YamlSource, path: YamlPath, what: string): InputError[] {
  return (validate.errors ?? [])
    .filter((error) => error.keyword !== 'anyOf')
    .map((error) => {
      const at = [...path, ...error.instancePath.split('/').slice(1).map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment))];
      if (error.keyword === 'additionalProperties') {
        const extra = (error.params as { additionalProperty: string }).additionalProperty;
        // A key inside a keyword's map (loop_control's) is not one of that keyword's.
        const parent = error.instancePath.split('/').filter((segment) => segment && !/^\d+$/.test(segment)).at(-1) ?? what;
        return new InputError(`'${extra}' is not a ${parent} keyword`, source.locate([...at, extra]), [...at, extra].join('.'));
      }
      return new InputError(error.message ?? 'is invalid', source.locate(at), at.join('.'));
    });
}

/** The task file `name` names, from the file that names it: beside that file, else beside the playbook. */
export function taskFilePath(name: string, scope: TaskScope, context: LoadContext): string {
  const candidates = [resolve(dirname(scope.source.file), name), resolve(context.playbookDir, name)];
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0];
}

/** Reads a task file; refuses one that (through others) imports itself. */
export function loadTaskFile(file: string, scope: TaskScope, at: InputError['position'], key: string): YamlSource {
  if (scope.files.includes(file)) {
    throw new InputError(`imports itself: ${[...scope.files.slice(scope.files.indexOf(file)), file].join(' -> ')}`, at, key);
  }
  if (!existsSync(file)) throw new InputError(`${file} not found`, at, key);
  const source = loadYamlSource(file);
  if (source.data !== null && !Array.isArray(source.data)) throw new InputError('a task file must hold a list of tasks', source.locate([]));
  return source;
}

/** Collects the InputErrors `work` throws, so one bad file does not hide the others' errors. */
export function collecting<T>(errors: InputError[], work: () => T, fallback: T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof InputErrors) errors.push(...error.errors);
    else if (error instanceof InputError) errors.push(error);
    else throw error;
    return fallback;
  }
}

/** Reads the tasks at `path` of the scope's file into `list`, returning their tree. */
export function readTaskList(raw: unknown, path: YamlPath, scope: TaskScope, context: LoadContext, list: TaskList): TaskNode[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) {
    context.errors.push(new InputError('must be a list of tasks', scope.source.locate(path), path.join('.')));
    return [];
  }
  return raw.flatMap((item, index) => {
    const at = [...path, index];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      context.errors.push(new InputError('a task must be a map', scope.source.locate(at), at.join('.')));
      return [];
    }
    return readEntry(item as Record<string, unknown>, at, scope, context, list);
  });
}

function readEntry(raw: Record<string, unknown>, path: YamlPath, scope: TaskScope, context: LoadContext, list: TaskList): TaskNode[] {
  const { source } = scope;
  if ('block' in raw) {
    if (!validateBlock(raw)) {
      context.errors.push(...shapeErrors(validateBlock, source, path, 'block'));
      return [];
    }
    const inner = blockScope(scope, raw, (key) => source.locate([...path, key]));
    const section = (key: 'block' | 'rescue' | 'always') => readTaskList(raw[key], [...path, key], inner, context, list);
    return [{ kind: 'block', block: section('block'), rescue: section('rescue'), always: section('always') }];
  }
  const importKey = IMPORT_KEYS.find((key) => key in raw);
  if (importKey) {
    if (!validateImport(raw) || IMPORT_KEYS.filter((key) => key in raw).length > 1) {
      const errors = shapeErrors(validateImport, source, path, importKey);
      context.errors.push(...(errors.length ? errors : [new InputError(`a task has one of ${IMPORT_KEYS.join(', ')}`, source.locate(path), path.join('.'))]));
      return [];
    }
    return readImport(importKey, raw, path, scope, context, list);
  }
  if ('meta' in raw) {
    if (raw.meta !== 'flush_handlers' || Object.keys(raw).some((key) => key !== 'meta' && key !== 'name')) {
      context.errors.push(new InputError(`meta: only 'flush_handlers' is supported, alone`, source.locate([...path, 'meta']), [...path, 'meta'].join('.')));
      return [];
    }
    return [{ kind: 'flush' }];
  }
  const task = context.readTask(raw, path, source, scope.environment);
  if (!task) return [];
  list.tasks.push(applyScope(task, scope, context.playbookDir));
  return [{ kind: 'task', index: list.tasks.length - 1 }];
}

function readImport(key: ImportKey, raw: Record<string, unknown>, path: YamlPath, scope: TaskScope, context: LoadContext, list: TaskList): TaskNode[] {
  const { source } = scope;
  const keyPath = [...path, key];
  const position = source.locate(keyPath);
  const value = raw[key] as string | { file?: string; name?: string; tasks_from?: string };
  const named = typeof value === 'string' ? value : (value.file ?? value.name)!;
  const isStatic = key.startsWith('import_');
  if (isStatic && named.includes('{{')) {
    context.errors.push(new InputError(`${key} is static: its name cannot be a template`, position, keyPath.join('.'), `include_${key.slice('import_'.length)} reads a templated name on each host`));
    return [];
  }
  if (isStatic && ('loop' in raw || 'loop_control' in raw || 'register' in raw)) {
    context.errors.push(new InputError(`${key} is static: it cannot loop or register`, position, keyPath.join('.'), `include_${key.slice('import_'.length)} can loop`));
    return [];
  }
  if (key === 'import_tasks') {
    const inner = innerScope(scope, raw as Inheritable);
    return collecting(
      context.errors,
      () => {
        const file = loadTaskFile(taskFilePath(named, scope, context), scope, position, keyPath.join('.'));
        return readTaskList(file.data, [], { ...inner, source: file, files: [...scope.files, file.file] }, context, list);
      },
      [],
    );
  }
  if (key === 'import_role') return importedRole(named, (value as { tasks_from?: string }).tasks_from, raw, keyPath, scope, context, list);

  // A dynamic include is a task of its own: its when, loop and tags are its own, its vars its tasks' params.
  const include: IncludeSpec =
    key === 'include_tasks'
      ? {
          file: named,
          load: (file) => {
            const inner: TaskScope = { ...scope, params: { ...scope.params, ...((raw.vars as Record<string, unknown>) ?? {}) } };
            const loaded = loadTaskFile(taskFilePath(file, scope, context), scope, position, keyPath.join('.'));
            const included: TaskList = { tasks: [], tree: [] };
            const errors = context.errors.length;
            included.tree = readTaskList(loaded.data, [], { ...inner, source: loaded, files: [...scope.files, loaded.file] }, context, included);
            if (context.errors.length > errors) throw new InputErrors(context.errors.splice(errors));
            return included;
          },
        }
      : includedRole(named, (value as { tasks_from?: string }).tasks_from, raw, keyPath, scope, context);
  const definition: TaskDefinition = {
    name: typeof raw.name === 'string' ? raw.name : `${key}: ${named}`,
    action: key,
    args: { file: named },
    when: raw.when,
    loop: raw.loop,
    notify: [],
    tags: [],
    register: raw.register as string | undefined,
    become: raw.become as boolean | undefined,
    becomeUser: raw.become_user as string | undefined,
    ignoreErrors: raw.ignore_errors === true,
    listen: [],
    control: readTaskControl(raw, path, source),
    vars: {},
    defaults: {},
    lookupDirs: [],
    include,
    position: source.locate(path),
    locate: (argumentPath) => source.locate(argumentPath ? keyPath : path),
  };
  const scoped = applyScope(definition, { ...scope, tags: [...scope.tags, ...((Array.isArray(raw.tags) ? raw.tags : raw.tags === undefined ? [] : [raw.tags]) as string[])] }, context.playbookDir);
  list.tasks.push(scoped);
  return [{ kind: 'task', index: list.tasks.length - 1 }];
}
