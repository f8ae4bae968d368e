/**
 * Roles as Ansible lays them out: tasks/, handlers/, defaults/, vars/ and meta/ (each a
 * main.yml), templates/ and files/. A role is looked up in roles/ beside the playbook, then
 * in each folder of the roles path, then beside the playbook itself. Its meta dependencies
 * run first; a role of the play's `roles:` (or a dependency) runs once per play unless its
 * params differ or its meta says allow_duplicates, as in Ansible.
 * See https://docs.ansible.com/ansible/2.14/playbook_guide/playbooks_reuse_roles.html
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, InputErrors, type SourcePosition } from '../../errors';
import { loadYamlSource, type YamlPath, type YamlSource } from '../yaml-source';
import { asStrings, innerScope, type Inheritable, type LoadContext, type TaskScope } from './scope';
import { collecting, loadTaskFile, readTaskList } from './task-lists';
import type { IncludeSpec, TaskList, TaskNode } from './task-tree';

/** Keys of a `roles:` entry that are keywords; every other key is a role param. */
const ROLE_ENTRY_KEYWORDS = ['role', 'name', 'vars', 'when', 'tags', 'become', 'become_user', 'ignore_errors'];

interface RoleFiles {
  name: string;
  dir: string;
  defaults: Record<string, unknown>;
  vars: Record<string, unknown>;
  dependencies: { entry: unknown; path: YamlPath; source: YamlSource }[];
  allowDuplicates: boolean;
}

const isFolder = (path: string) => existsSync(path) && statSync(path).isDirectory();

export function roleDir(name: string, context: LoadContext, at: SourcePosition, key: string): string {
  const candidates =
    name.includes('/') || isAbsolute(name)
      ? [resolve(context.playbookDir, name)]
      : [join(context.playbookDir, 'roles', name), ...context.rolesPath.map((dir) => resolve(dir, name)), join(context.playbookDir, name)];
  const found = candidates.find(isFolder);
  if (!found) throw new InputError(`role '${name}' not found; looked in ${candidates.join(', ')}`, at, key, 'set ANSIBLE_ROLES_PATH or LVS_ROLES_PATH (colon-separated) to search more folders');
  return found;
}

/** `<dir>/<part>/<file>.yml` (or .yaml), when the role has it. */
function partFile(dir: string, part: string, file = 'main'): string | undefined {
  return [`${file}.yml`, `${file}.yaml`, file].map((name) => join(dir, part, name)).find((path) => existsSync(path) && statSync(path).isFile());
}

function mapFile(dir: string, part: string): Record<string, unknown> {
  const file = partFile(dir, part);
  if (!file) return {};
  const source = loadYamlSource(file);
  if (source.data === null) return {};
  if (typeof source.data !== 'object' || Array.isArray(source.data)) throw new InputError(`a role's ${part}/main.yml must hold a map of variables`, source.locate([]));
  return source.data as Record<string, unknown>;
}

function readRole(name: string, context: LoadContext, at: SourcePosition, key: string): RoleFiles {
  const dir = roleDir(name, context, at, key);
  const metaFile = partFile(dir, 'meta');
  const meta = metaFile ? loadYamlSource(metaFile) : undefined;
  const metaData = (meta?.data ?? {}) as Record<string, unknown>;
  if (meta && (typeof metaData !== 'object' || Array.isArray(metaData))) throw new InputError("a role's meta/main.yml must be a map", meta.locate([]));
  const dependencies = metaData.dependencies ?? [];
  if (meta && !Array.isArray(dependencies)) throw new InputError('dependencies must be a list of roles', meta.locate(['dependencies']), 'dependencies');
  return {
    name: name.split('/').pop()!,
    dir,
    defaults: mapFile(dir, 'defaults'),
    vars: mapFile(dir, 'vars'),
    dependencies: (dependencies as unknown[]).map((entry, index) => ({ entry, path: ['dependencies', index], source: meta! })),
    allowDuplicates: metaData.allow_duplicates === true,
  };
}

/** The scope of a role's tasks: its defaults, vars and params, and the entry's keywords. */
function roleScope(role: RoleFiles, scope: TaskScope, keywords: Inheritable, params: Record<string, unknown>): TaskScope {
  const inner = innerScope(scope, { ...keywords, vars: undefined });
  return {
    ...inner,
    vars: { ...inner.vars, ...role.vars, ...(keywords.vars ?? {}) },
    params: { ...scope.params, ...params },
    defaults: { ...scope.defaults, ...role.defaults },
    role: { name: role.name, dir: role.dir },
  };
}

/** Adds the role's handlers to the play once; they answer to their own name and to `role : name`. */
function joinHandlers(role: RoleFiles, scope: TaskScope, context: LoadContext, at: SourcePosition): void {
  if (context.rolesWithHandlers.has(role.dir)) return;
  context.rolesWithHandlers.add(role.dir);
  const file = partFile(role.dir, 'handlers');
  if (!file) return;
  const source = loadTaskFile(file, scope, at, '');
  const handlers: TaskList = { tasks: [], tree: [] };
  const tree = readTaskList(source.data, [], { ...scope, when: [], source, files: [...scope.files, file] }, context, handlers);
  if (tree.some((node) => node.kind !== 'task')) throw new InputError('handlers are plain tasks: no blocks, imports or meta', source.locate([]));
  for (const handler of handlers.tasks) {
    const own = handler.name.slice(`${role.name} : `.length);
    context.handlers.push({ ...handler, listen: [...handler.listen, own] });
  }
}

/** Reads the role's dependencies, then its tasks (tasks/main.yml or `tasks_from`), into `list`. */
function refuseCycle(role: RoleFiles, scope: TaskScope, at: SourcePosition, key: string): void {
  if (scope.files.includes(role.dir)) throw new InputError(`role '${role.name}' depends on itself: ${[...scope.files.slice(scope.files.indexOf(role.dir)), role.dir].join(' -> ')}`, at, key);
}

function roleTasks(role: RoleFiles, tasksFrom: string | undefined, scope: TaskScope, context: LoadContext, list: TaskList, at: SourcePosition, key: string): TaskNode[] {
  refuseCycle(role, scope, at, key);
  const withRole = { ...scope, files: [...scope.files, role.dir] };
  const dependencies = role.dependencies.flatMap(({ entry, path, source }) =>
    collecting(context.errors, () => roleEntry(entry, path, { ...withRole, source, role: undefined, vars: {}, params: {}, defaults: {} }, context, list), []),
  );
  joinHandlers(role, withRole, context, at);
  const file = partFile(role.dir, 'tasks', tasksFrom);
  if (!file) {
    if (tasksFrom) throw new InputError(`role '${role.name}' has no tasks/${tasksFrom}.yml`, at, key);
    return dependencies;
  }
  const source = loadTaskFile(file, withRole, at, key);
  return [...dependencies, ...readTaskList(source.data, [], { ...withRole, source, files: [...withRole.files, file] }, context, list)];
}

/** One entry of a play's `roles:` (or of a role's dependencies): a name, or `role:` with keywords and params. */
export function roleEntry(entry: unknown, path: YamlPath, scope: TaskScope, context: LoadContext, list: TaskList): TaskNode[] {
  const at = scope.source.locate(path);
  const key = path.join('.');
  const fields = typeof entry === 'string' ? { role: entry } : (entry as Record<string, unknown>);
  const name = fields?.role ?? fields?.name;
  if (typeof name !== 'string' || name === '') throw new InputError('a role entry is a name or a map with role: NAME', at, key);
  if (fields.vars !== undefined && (typeof fields.vars !== 'object' || fields.vars === null || Array.isArray(fields.vars))) throw new InputError('vars must be a map', scope.source.locate([...path, 'vars']), `${key}.vars`);
  const params = Object.fromEntries(Object.entries(fields).filter(([field]) => !ROLE_ENTRY_KEYWORDS.includes(field)));
  const role = readRole(name, context, at, key);
  refuseCycle(role, scope, at, key);
  const seen = `${role.dir}\u0000${JSON.stringify(params)}\u0000${JSON.stringify(fields.vars ?? {})}`;
  if (!role.allowDuplicates && context.seenRoles.has(seen)) return [];
  context.seenRoles.add(seen);
  return roleTasks(role, undefined, roleScope(role, scope, fields as Inheritable, params), context, list, at, key);
}

/** `import_role`: the role's tasks, read now, with the import's keywords on each. */
export function importedRole(name: string, tasksFrom: string | undefined, raw: Record<string, unknown>, keyPath: YamlPath, scope: TaskScope, context: LoadContext, list: TaskList): TaskNode[] {
  const at = scope.source.locate(keyPath);
  const key = keyPath.join('.');
  return collecting(
    context.errors,
    () => {
      const role = readRole(name, context, at, key);
      return roleTasks(role, tasksFrom, roleScope(role, scope, { ...(raw as Inheritable), vars: undefined }, (raw.vars as Record<string, unknown>) ?? {}), context, list, at, key);
    },
    [],
  );
}

/** `include_role`: read now (its handlers join the play), its tasks run where and when the include does. */
export function includedRole(name: string, tasksFrom: string | undefined, raw: Record<string, unknown>, keyPath: YamlPath, scope: TaskScope, context: LoadContext): IncludeSpec {
  const at = scope.source.locate(keyPath);
  const tasks: TaskList = { tasks: [], tree: [] };
  const errors = context.errors.length;
  collecting(
    context.errors,
    () => {
      const role = readRole(name, context, at, keyPath.join('.'));
      tasks.tree = roleTasks(role, tasksFrom, roleScope(role, scope, {}, (raw.vars as Record<string, unknown>) ?? {}), context, tasks, at, keyPath.join('.'));
    },
    undefined,
  );
  const failed = context.errors.length > errors;
  return {
    file: name,
    load: () => {
      if (failed) throw new InputErrors([new InputError(`role '${name}' could not be read`, at, keyPath.join('.'))]);
      return tasks;
    },
  };
}

/** ANSIBLE_ROLES_PATH and LVS_ROLES_PATH, colon-separated, Ansible's first. */
export function rolesPathFromEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.ANSIBLE_ROLES_PATH, env.LVS_ROLES_PATH].flatMap((value) => asStrings(value ?? []).flatMap((item) => item.split(':'))).filter(Boolean);
}
