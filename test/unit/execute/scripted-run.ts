/**
 * A whole run as `lvs run` does it (src/cli/execute-run.ts): the real playbook loader,
 * inventory, compile step, executor and JSON report, with the scripted shell in place of SSH.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileRun } from '../../../src/engine/compile/compile';
import type { CompiledRun } from '../../../src/engine/compile/compiled-run';
import type { RunEvent, RunListener } from '../../../src/engine/execute/events';
import { Executor, type Interruption } from '../../../src/engine/execute/executor';
import { exitCodeOf, type RunReport } from '../../../src/engine/execute/results';
import { loadInventories } from '../../../src/engine/inventory';
import { loadPlaybook } from '../../../src/engine/playbook';
import { JsonReport } from '../../../src/render/json-report';
import { ScriptedConnector, type ScriptedHost } from '../../support/scripted-shell';
import type { TaskRegistry } from '../../../src/engine/registry';
import { testRegistry } from './test-tasks';

/** Two plays of kv tasks, the first with a handler: what several executor tests run. */
export const TWO_PLAYS = `
- name: first
  hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, notify: done }
    - { name: set b, kv: { key: b, value: '1' } }
    - { name: set c, kv: { key: c, value: '1' } }
  handlers:
    - { name: done, kv: { key: h, value: ran } }
- name: second
  hosts: all
  tasks:
    - { name: set e, kv: { key: e, value: '1' } }
`;

export interface CompileOptions {
  /** An inventory source; by default the hosts' names as a host list. */
  inventory?: string;
  tags?: string[];
  skipTags?: string[];
  startAtTask?: string;
  check?: boolean;
  limit?: string;
  extraVars?: Record<string, unknown>;
  /** Files written beside the playbook (template files), by relative name. */
  files?: Record<string, string>;
  /** The tasks the playbook may use; the test tasks by default. */
  registry?: TaskRegistry;
}

/** Writes the playbook (and its files) to a fresh folder, hands it over, then removes the folder (once a promise `use` returns settles). */
export function withPlaybook<T>(yaml: string, files: Record<string, string>, use: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-scripted-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  let pending = false;
  try {
    const file = join(dir, 'playbook.yml');
    writeFileSync(file, yaml);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const result = use(file, dir);
    // A run reads a deferred include's file when the host reaches it: the folder must outlive it.
    if (result instanceof Promise) {
      pending = true;
      return result.finally(remove) as T;
    }
    return result;
  } finally {
    if (!pending) remove();
  }
}

/** Compiles the playbook in `file` against the test tasks and the given inventory. */
export function compileFile(file: string, hosts: string[], options: CompileOptions = {}): CompiledRun {
  const registry = options.registry ?? testRegistry();
  return compileRun({
    playbook: loadPlaybook(file, registry),
    inventory: loadInventories([options.inventory ?? `${hosts.join(',')},`]),
    registry,
    extraVars: options.extraVars ?? {},
    limit: options.limit,
    tags: options.tags ?? [],
    skipTags: options.skipTags ?? [],
    check: options.check ?? false,
    templateDirs: [],
    startAtTask: options.startAtTask,
  });
}

export function compilePlaybook(yaml: string, hosts: string[], options: CompileOptions = {}): CompiledRun {
  return withPlaybook(yaml, options.files ?? {}, (file) => compileFile(file, hosts, options));
}

export interface ScriptedRunOptions extends CompileOptions {
  forks?: number;
  latencyMs?: number;
  interruption?: Interruption;
  /** Hears every event as the run goes, besides the recording and the JSON report. */
  listener?: RunListener;
}

export interface ScriptedRun {
  events: RunEvent[];
  connector: ScriptedConnector;
  report: RunReport;
  exitCode: number;
}

export async function runScripted(yaml: string, hosts: Record<string, ScriptedHost<any>>, options: ScriptedRunOptions = {}): Promise<ScriptedRun> {
  return withPlaybook(yaml, options.files ?? {}, (file) => runCompiled(compileFile(file, Object.keys(hosts), options), hosts, options));
}

async function runCompiled(run: CompiledRun, hosts: Record<string, ScriptedHost<any>>, options: ScriptedRunOptions): Promise<ScriptedRun> {
  const connector = new ScriptedConnector(hosts, options.latencyMs);
  const events: RunEvent[] = [];
  const report = new JsonReport();
  const executor = new Executor(run, { forks: options.forks ?? 5, commandTimeoutMs: 1000, connector }, (event) => {
    events.push(event);
    report.listener(event);
    options.listener?.(event);
  });
  await executor.execute(options.interruption ?? { requested: false });
  return { events, connector, report: report.result(), exitCode: exitCodeOf(report.result()) };
}

/** The events in a short form that reads like a log: `h1 started t1`, `h1 finished t1 changed`. */
export function eventLines(events: RunEvent[]): string[] {
  return events.map((event) => {
    switch (event.kind) {
      case 'batch-started':
        return `batch started ${event.play.name}: ${event.hosts.join(' ')}`;
      case 'batch-finished':
        return `batch finished ${event.play.name}: ${event.hosts.join(' ')}`;
      case 'host-connected':
        return `${event.host} connected`;
      case 'host-unreachable':
        return `${event.host} unreachable: ${event.message}`;
      case 'host-waiting':
        return `${event.host} waiting: ${event.message}`;
      case 'host-failed':
        return `${event.host} failed: ${event.message}`;
      case 'task-started':
        return `${event.host} started ${event.task.handler ? 'handler ' : ''}${event.task.name}`;
      case 'task-progress':
        return `${event.host} progress ${event.task.name}: ${event.text}`;
      case 'task-finished':
        return `${event.host} finished ${event.task.handler ? 'handler ' : ''}${event.task.name} ${event.result.status}${event.ignored ? ' (ignored)' : ''}${event.notified.length ? ` notifies ${event.notified.join(', ')}` : ''}`;
      case 'host-finished':
        return `${event.host} ${event.outcome}`;
      case 'run-finished':
        return `run finished${event.interrupted ? ' (interrupted)' : ''}`;
    }
  });
}

/** The lines of one host, in order. */
export function linesOf(events: RunEvent[], host: string): string[] {
  return eventLines(events).filter((line) => line.startsWith(`${host} `));
}
