/**
 * The tasks lvs knows: built-ins and those of plugin packages, registered the same way.
 * A plugin is an npm package or a local path whose main export (or `default`) is a task
 * module, a list of them, or a function that receives the lvs API (what `lvs` exports:
 * defineTask, sh, quote, ...) and returns them. The function form lets a plugin use the
 * API without depending on where lvs is installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { taskModuleProblems, type TaskModule } from '../api';
import * as lvsApi from '../index';
import { InputError } from '../errors';
import { builtinTasks } from '../tasks';

export interface RegisteredTask {
  module: TaskModule;
  /** 'built-in' or the plugin that brought it. */
  source: string;
}

export class TaskRegistry {
  private readonly tasks = new Map<string, RegisteredTask>();

  /** Adds a module after the checks defineTask makes, which an export that skipped defineTask has not had. */
  register(module: TaskModule, source: string): void {
    const problems = taskModuleProblems(module);
    if (problems.length) {
      const which = typeof module?.name === 'string' ? `task '${module.name}'` : 'an export';
      throw new InputError(`${source}: ${which}: ${problems.join('; ')}`);
    }
    const existing = this.tasks.get(module.name);
    if (existing) throw new InputError(`task '${module.name}' from ${source} clashes with the one from ${existing.source}`);
    this.tasks.set(module.name, { module, source });
  }

  get(name: string): TaskModule | undefined {
    return this.tasks.get(name)?.module;
  }

  /** The module, or an InputError that lists the tasks and suggests the nearest name. */
  require(name: string): TaskModule {
    const module = this.get(name);
    if (module) return module;
    const nearest = this.nearest(name);
    throw new InputError(
      `unknown task '${name}'`,
      undefined,
      undefined,
      `${nearest ? `did you mean '${nearest}'? ` : ''}known tasks: ${this.names().join(', ')}`,
    );
  }

  names(): string[] {
    return [...this.tasks.keys()].sort();
  }

  list(): RegisteredTask[] {
    return this.names().map((name) => this.tasks.get(name)!);
  }

  private nearest(name: string): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const candidate of this.tasks.keys()) {
      const distance = editDistance(name.toLowerCase(), candidate);
      if (!best || distance < best.distance) best = { name: candidate, distance };
    }
    return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** Plugin names from lvs.config.json (`{"plugins": [...]}`) or package.json's `lvs.plugins`. */
export function configuredPlugins(projectDir: string): { plugins: string[]; baseDir: string } {
  for (const [file, pick] of [
    ['lvs.config.json', (json: any) => json?.plugins],
    ['package.json', (json: any) => json?.lvs?.plugins],
  ] as const) {
    const path = join(projectDir, file);
    if (!existsSync(path)) continue;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new InputError(`invalid JSON: ${(error as Error).message}`, { file: path });
    }
    const plugins = pick(json);
    if (plugins === undefined) continue;
    if (!Array.isArray(plugins) || !plugins.every((plugin) => typeof plugin === 'string')) {
      throw new InputError('plugins must be a list of package names or paths', { file: path }, 'plugins');
    }
    return { plugins, baseDir: dirname(path) };
  }
  return { plugins: [], baseDir: projectDir };
}

function loadPlugin(specifier: string, baseDir: string): TaskModule[] {
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  let exported: any;
  try {
    const resolved = require.resolve(isPath ? resolve(baseDir, specifier) : specifier, { paths: [baseDir] });
    exported = require(resolved);
  } catch (error) {
    throw new InputError(`cannot load plugin '${specifier}': ${(error as Error).message.split('\n')[0]}`);
  }
  let value = exported?.default ?? exported;
  if (typeof value === 'function') {
    try {
      value = value(lvsApi);
    } catch (error) {
      // defineTask throws here, naming the task, when a module breaks the contract.
      throw new InputError(`plugin ${specifier}: ${(error as Error).message}`);
    }
  }
  return Array.isArray(value) ? value : [value];
}

/** Built-in tasks plus the plugins named in the project config and on the command line. */
export function createRegistry(options: { projectDir: string; plugins?: string[] }): TaskRegistry {
  const registry = new TaskRegistry();
  for (const module of builtinTasks) registry.register(module, 'built-in');
  const configured = configuredPlugins(options.projectDir);
  const sources = [
    ...configured.plugins.map((plugin) => ({ plugin, baseDir: configured.baseDir })),
    ...(options.plugins ?? []).map((plugin) => ({ plugin, baseDir: process.cwd() })),
  ];
  for (const { plugin, baseDir } of sources) {
    for (const module of loadPlugin(plugin, baseDir)) registry.register(module, `plugin ${plugin}`);
  }
  return registry;
}
