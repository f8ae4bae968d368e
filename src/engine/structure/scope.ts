/**
 * What enclosing blocks, imports and roles hand down to the tasks they hold, as Ansible's
 * inheritance does it: conditions add up, tags join, become and ignore_errors pass down
 * unless a task sets its own, and variables layer in Ansible's precedence order.
 */
import { dirname } from 'node:path';
import type { InputError, SourcePosition } from '../../errors';
import type { TaskControl } from '../task-control';
import type { YamlPath, YamlSource } from '../yaml-source';
import type { TaskDefinition } from './task-tree';

export interface TaskScope {
  source: YamlSource;
  /** The task files being read, outermost first: one that appears twice imports itself. */
  files: string[];
  when: unknown[];
  tags: string[];
  become?: boolean;
  becomeUser?: string;
  ignoreErrors: boolean;
  /** Role vars, then the vars of enclosing blocks and imports: below a task's own vars. */
  vars: Record<string, unknown>;
  /** Role params and include vars: above a task's own vars. */
  params: Record<string, unknown>;
  /** Role defaults: below the inventory. */
  defaults: Record<string, unknown>;
  role?: { name: string; dir: string };
  /** The task keywords of enclosing blocks. */
  control: ScopeControl;
  /** The environment of enclosing blocks, for the tasks whose module takes one. */
  environment?: Record<string, unknown>;
}

/**
 * The task keywords lvs knows that Ansible 2.14's Block also takes (it is Delegatable, and
 * run_once and any_errors_fatal are Base attributes): each task of the block that does not
 * set its own inherits them. (Its environment is a module argument in lvs: TaskScope.environment.) https://docs.ansible.com/ansible/2.14/reference_guides/playbooks_keywords.html#block
 */
export interface ScopeControl {
  delegateTo?: string;
  runOnce?: boolean;
  anyErrorsFatal?: boolean;
  /** Where the block wrote each one, for the errors about it. */
  positions: Record<string, SourcePosition>;
}

export const BLOCK_CONTROL_KEYWORDS = ['delegate_to', 'run_once', 'any_errors_fatal'] as const;

/** What reading a play's task lists shares: the errors found, the play's handlers, the roles seen. */
export interface LoadContext {
  errors: InputError[];
  playbookDir: string;
  /** Folders searched for roles after the playbook's roles/ (ANSIBLE_ROLES_PATH, LVS_ROLES_PATH). */
  rolesPath: string[];
  /** Reads one plain task (one module key) in `source`; undefined when it was refused. */
  readTask(raw: Record<string, unknown>, path: YamlPath, source: YamlSource, environment?: Record<string, unknown>): TaskDefinition | undefined;
  /** The play's handlers, which its roles' handlers join. */
  handlers: TaskDefinition[];
  /** Roles already run in this play, with their params, so a role runs once unless they differ. */
  seenRoles: Set<string>;
  /** Role folders whose handlers the play has. */
  rolesWithHandlers: Set<string>;
}

export function topScope(source: YamlSource): TaskScope {
  return { source, files: [source.file], when: [], tags: [], ignoreErrors: false, vars: {}, params: {}, defaults: {}, control: { positions: {} } };
}

function whenList(when: unknown): unknown[] {
  if (when === undefined) return [];
  return Array.isArray(when) ? when : [when];
}

export function asStrings(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The keywords a block, an import or a role entry passes to what it holds. */
export interface Inheritable {
  when?: unknown;
  tags?: unknown;
  become?: boolean;
  become_user?: string;
  ignore_errors?: boolean;
  vars?: Record<string, unknown>;
}

export function innerScope(scope: TaskScope, keywords: Inheritable): TaskScope {
  return {
    ...scope,
    when: [...scope.when, ...whenList(keywords.when)],
    tags: [...new Set([...scope.tags, ...asStrings(keywords.tags)])],
    become: keywords.become ?? scope.become,
    becomeUser: keywords.become_user ?? scope.becomeUser,
    ignoreErrors: keywords.ignore_errors ?? scope.ignoreErrors,
    vars: keywords.vars ? { ...scope.vars, ...keywords.vars } : scope.vars,
  };
}

/** A block's scope: what innerScope passes down, and the block's delegate_to, run_once, any_errors_fatal and environment. */
export function blockScope(
  scope: TaskScope,
  keywords: Inheritable & { delegate_to?: string; run_once?: boolean; any_errors_fatal?: boolean; environment?: Record<string, unknown> },
  locate: (key: string) => SourcePosition,
): TaskScope {
  const positions = { ...scope.control.positions };
  for (const key of BLOCK_CONTROL_KEYWORDS) if (keywords[key] !== undefined) positions[key] = locate(key);
  return {
    ...innerScope(scope, keywords),
    control: {
      delegateTo: keywords.delegate_to ?? scope.control.delegateTo,
      runOnce: keywords.run_once ?? scope.control.runOnce,
      anyErrorsFatal: keywords.any_errors_fatal ?? scope.control.anyErrorsFatal,
      positions,
    },
    environment: keywords.environment ? { ...scope.environment, ...keywords.environment } : scope.environment,
  };
}

/** A task's own keywords, else those of its blocks. */
function inheritControl(own: TaskControl, from: ScopeControl): TaskControl {
  const delegateTo = own.delegateTo ?? from.delegateTo;
  const anyErrorsFatal = own.anyErrorsFatal ?? from.anyErrorsFatal;
  return {
    ...own,
    ...(delegateTo !== undefined ? { delegateTo } : {}),
    // A task's own `run_once: false` wins over its block's true.
    runOnce: 'run_once' in own.positions ? own.runOnce : (from.runOnce ?? false),
    ...(anyErrorsFatal !== undefined ? { anyErrorsFatal } : {}),
    positions: { ...from.positions, ...own.positions },
  };
}

/** The template and file search roots of a task: its role, its task file's folder, the playbook's folder. */
export function lookupDirs(scope: TaskScope, playbookDir: string): string[] {
  const roots = scope.role ? [scope.role.dir] : [dirname(scope.source.file)];
  return [...new Set([...roots, playbookDir])];
}

/** The task as its enclosing blocks, imports and role make it. */
export function applyScope(task: TaskDefinition, scope: TaskScope, playbookDir: string): TaskDefinition {
  const when = [...scope.when, ...whenList(task.when)];
  const own = task.vars;
  return {
    ...task,
    name: scope.role ? `${scope.role.name} : ${task.name}` : task.name,
    when: when.length === 0 ? undefined : when.length === 1 ? when[0] : when,
    tags: [...new Set([...scope.tags, ...task.tags])],
    become: task.become ?? scope.become,
    becomeUser: task.becomeUser ?? scope.becomeUser,
    ignoreErrors: task.ignoreErrors || scope.ignoreErrors,
    // The scope's own object when the task adds nothing, so compile can share the host's variables.
    vars: Object.keys(own).length || Object.keys(scope.params).length ? { ...scope.vars, ...own, ...scope.params } : scope.vars,
    defaults: scope.defaults,
    lookupDirs: lookupDirs(scope, playbookDir),
    control: inheritControl(task.control, scope.control),
    ...(scope.role ? { role: scope.role.name } : {}),
  };
}
