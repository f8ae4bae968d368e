/**
 * Execute: walks a compiled run over SSH and tells its listener what happens. Plays run in
 * order; within a play each host goes through its tasks on its own (hosts never wait for
 * each other: what Ansible calls the free strategy), at most `forks` hosts at a time, one
 * serial batch after another. A host that fails stops; the others go on. When an
 * interruption is requested, running tasks finish and no new one starts.
 */
import { UnreachableError } from '../../errors';
import type { CompiledHost, CompiledPlay, CompiledRun, CompiledTask, DeferredTask, TaskUnit } from '../compile/compiled-run';
import type { ConnectionTarget } from '../inventory';
import type { TaskDefinition } from '../playbook';
import { walkTree, type HostOutcome, type TreeSteps } from './blocks';
import type { PlayRef, RunListener, TaskRef } from './events';
import { HostRun, type RemoteShell } from './host-run';
import type { HeldLock, RunLocks } from './run-lock';
import { countResult, emptyStats, type HostStats, type HostTaskResult } from './results';

/** Opens (once per host) the shell a host's tasks run in. */
export interface Connector {
  open(host: string, target: ConnectionTarget): Promise<RemoteShell>;
  /** SSH connections and exec channels opened per host. */
  counters(): Promise<Record<string, { connections: number; channels: number }>>;
  closeAll(): Promise<void>;
}

export interface ExecuteOptions {
  forks: number;
  commandTimeoutMs: number;
  connector: Connector;
  /** Makes runs take turns on each host; without it, none is locked. */
  runLocks?: RunLocks;
}

export interface Interruption {
  requested: boolean;
}

interface HostState {
  registered: Record<string, unknown>;
  failed: boolean;
  unreachable: boolean;
  stats: HostStats;
  /** The last task that finished, for the interruption report. */
  lastTask?: string;
  /** The task during which the connection was lost. */
  lostDuring?: string;
  run?: HostRun;
  /** This run's turn on the host, held from its first play to the end of the run. */
  lock?: HeldLock;
}

export function serialBatches(hosts: string[], serial: number | string | undefined): string[][] {
  if (serial === undefined || hosts.length === 0) return [hosts];
  const size =
    typeof serial === 'string' && serial.endsWith('%')
      ? Math.max(1, Math.floor((hosts.length * Number(serial.slice(0, -1))) / 100))
      : Math.max(1, Number(serial));
  const batches: string[][] = [];
  for (let index = 0; index < hosts.length; index += size) batches.push(hosts.slice(index, index + size));
  return batches;
}

function aggregate(results: HostTaskResult[]): HostTaskResult {
  if (results.length === 1) return results[0];
  const stopped = results.find((result) => result.status === 'failed' || result.status === 'unreachable');
  const changed = results.some((result) => result.status === 'changed');
  return {
    status: stopped ? stopped.status : changed ? 'changed' : 'ok',
    changed,
    ...(stopped?.failed ? { failed: true as const } : {}),
    ...(stopped?.unreachable ? { unreachable: true as const } : {}),
    ...(stopped ? { msg: stopped.msg } : {}),
    ...(!stopped && !changed ? { noop: results.map((result) => result.noop).filter(Boolean).join('; ') } : {}),
    diff: results.flatMap((result) => result.diff),
    commands: results.flatMap((result) => result.commands),
    results,
    duration_ms: results.reduce((total, result) => total + result.duration_ms, 0),
    ...(results.some((result) => result.check_mode) ? { check_mode: true as const } : {}),
  };
}

/** What `register:` stores: the result without timing noise. */
function registerValue(result: HostTaskResult): Record<string, unknown> {
  return {
    changed: result.changed,
    failed: result.status === 'failed',
    skipped: result.status === 'skipped',
    ...(result.msg ? { msg: result.msg } : {}),
    ...(result.noop ? { noop: result.noop } : {}),
    diff: result.diff,
    ...(result.results ? { results: result.results.map(registerValue) } : {}),
  };
}

/** The units of compiled tasks, those of includes compiled before the run with them. */
function unitsIn(tasks: CompiledTask[]): TaskUnit[] {
  return tasks.flatMap((task) => (task.kind === 'run' ? task.units : task.kind === 'include' ? task.passes.flatMap((pass) => unitsIn(pass.compiled)) : []));
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}

function playRef(compiled: CompiledPlay, index: number): PlayRef {
  const summary = (task: TaskDefinition) => ({ name: task.name, action: task.action });
  return { index, name: compiled.play.name, tasks: compiled.tasks.map(summary), handlers: compiled.play.handlers.map(summary) };
}

export class Executor {
  private readonly states = new Map<string, HostState>();

  constructor(
    private readonly run: CompiledRun,
    private readonly options: ExecuteOptions,
    private readonly listener: RunListener,
  ) {
    for (const compiled of run.plays) for (const host of compiled.hosts) this.state(host.name);
  }

  private state(host: string): HostState {
    let state = this.states.get(host);
    if (!state) {
      state = { registered: {}, failed: false, unreachable: false, stats: emptyStats() };
      this.states.set(host, state);
    }
    return state;
  }

  async execute(interruption: Interruption): Promise<void> {
    const started = Date.now();
    const { connector } = this.options;
    let connections: Record<string, { connections: number; channels: number }> = {};
    try {
      for (const [index, compiled] of this.run.plays.entries()) {
        const play = playRef(compiled, index);
        const live = compiled.hosts.filter((host) => !this.state(host.name).failed && !this.state(host.name).unreachable);
        for (const batch of serialBatches(live.map((host) => host.name), compiled.play.serial)) {
          if (interruption.requested) break;
          const hosts = live.filter((host) => batch.includes(host.name));
          this.listener({ kind: 'batch-started', play, hosts: batch, check: this.run.check });
          await eachLimited(hosts, this.options.forks, (host) => this.runHost(compiled, play, host, interruption));
          this.listener({ kind: 'batch-finished', play, hosts: batch });
        }
      }
      await Promise.all([...this.states.values()].map((state) => state.lock?.release()));
      connections = await connector.counters();
    } finally {
      await connector.closeAll();
    }
    const where = (state: HostState) => (state.lastTask ? `after '${state.lastTask}'` : 'before its first task');
    const lost = [...this.states].filter(([, state]) => state.lostDuring !== undefined);
    this.listener({
      kind: 'run-finished',
      stats: Object.fromEntries([...this.states].map(([host, state]) => [host, state.stats])),
      connections,
      ...(lost.length ? { lost: Object.fromEntries(lost.map(([host, state]) => [host, state.lostDuring!])) } : {}),
      ...(interruption.requested ? { interrupted: Object.fromEntries([...this.states].map(([host, state]) => [host, where(state)])) } : {}),
      check: this.run.check,
      duration_ms: Date.now() - started,
    });
  }

  /** The units the host runs over the whole run, in order (deferred tasks are not known yet). */
  private unitsOf(host: string): TaskUnit[] {
    return this.run.plays
      .flatMap((compiled) => compiled.hosts.filter((entry) => entry.name === host))
      .flatMap((entry) => unitsIn(entry.tasks));
  }

  /** The host's runner, made on first connect, reading ahead over every play's tasks. */
  private hostRun(host: CompiledHost, shell: RemoteShell): HostRun {
    const state = this.state(host.name);
    state.run ??= new HostRun(
      host.name,
      shell,
      { check: this.run.check, commandTimeoutMs: this.options.commandTimeoutMs, redact: this.run.redactor.redact },
      this.unitsOf(host.name),
    );
    return state.run;
  }

  private async runHost(compiled: CompiledPlay, play: PlayRef, host: CompiledHost, interruption: Interruption): Promise<void> {
    const state = this.state(host.name);
    const finish = (outcome: 'ok' | 'failed' | 'unreachable' | 'interrupted') => this.listener({ kind: 'host-finished', play, host: host.name, outcome });
    // A host still waiting for a fork at Ctrl-C is not connected to: it would run nothing.
    if (interruption.requested) return finish('interrupted');
    let shell: RemoteShell;
    try {
      shell = await this.options.connector.open(host.name, host.target);
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      state.unreachable = true;
      const message = this.run.redactor.redact(`${error.message}${error.hint ? ` (${error.hint})` : ''}`);
      countResult(state.stats, { status: 'unreachable', changed: false, unreachable: true, msg: message, diff: [], commands: [], duration_ms: 0 }, false);
      this.listener({ kind: 'host-unreachable', play, host: host.name, message });
      return finish('unreachable');
    }
    this.listener({ kind: 'host-connected', play, host: host.name });
    const locked = await this.takeTurn(play, host, shell);
    if (locked !== 'ok') return finish(locked);
    const run = this.hostRun(host, shell);
    const notified = new Set<string>();

    /** Runs one task (or handler); `rescued`: a rescue section takes its failure, so it does not fail the host. */
    const runOne = async (task: TaskDefinition, entry: CompiledTask, ref: TaskRef, rescued: boolean): Promise<HostOutcome> => {
      if (interruption.requested) return 'interrupted';
      this.listener({ kind: 'task-started', play, host: host.name, task: ref });
      const now = this.resolve(entry, state);
      if ('status' in now || now.kind !== 'include') {
        const result = 'status' in now ? now : await this.runTask(now, run);
        const caught = result.status === 'failed' && !task.ignoreErrors && rescued;
        // As Ansible counts it: a failure that a rescue section takes is `rescued`, not failed.
        if (caught) state.stats.rescued++;
        else countResult(state.stats, result, task.ignoreErrors);
        state.lastTask = task.name;
        if (task.register) state.registered[task.register] = registerValue(result);
        const notifies = result.changed ? task.notify : [];
        for (const name of notifies) notified.add(name);
        this.listener({ kind: 'task-finished', play, host: host.name, task: ref, result, notified: notifies, ignored: result.status === 'failed' && task.ignoreErrors, ...(caught ? { rescued: true as const } : {}) });
        if (result.status === 'unreachable') {
          state.unreachable = true;
          state.lostDuring = task.name;
          return 'unreachable';
        }
        if (result.status === 'failed' && !task.ignoreErrors) {
          if (!caught) state.failed = true;
          return 'failed';
        }
        return 'ok';
      }
      const included = { status: 'ok' as const, changed: false, noop: `included ${now.passes.length === 1 ? 'once' : `${now.passes.length} times`}`, diff: [], commands: [], duration_ms: 0 };
      // Ansible counts an include as ok once per file it includes on the host (each loop item's).
      now.passes.forEach(() => countResult(state.stats, included, false));
      this.listener({ kind: 'task-finished', play, host: host.name, task: ref, result: included, notified: [], ignored: false });
      for (const pass of now.passes) {
        const outcome = await walkTree(pass.tree, steps(pass.tasks, pass.compiled, ref.includedBy ?? ref.index), rescued);
        if (outcome !== 'ok') return outcome;
      }
      return 'ok';
    };
    const runHandlers = async (): Promise<HostOutcome> => {
      const answers = (handler: TaskDefinition) => [handler.name, ...handler.listen].some((name) => notified.has(name));
      for (const [index, handler] of compiled.play.handlers.entries()) {
        if (!answers(handler)) continue;
        const outcome = await runOne(handler, host.handlers[index], { index, name: handler.name, action: handler.action, handler: true }, false);
        if (outcome !== 'ok') return outcome;
      }
      notified.clear();
      return 'ok';
    };
    /** How the tree's steps run `tasks`; `includedBy` is the play-level include that brought them. */
    const steps = (tasks: TaskDefinition[], entries: CompiledTask[], includedBy?: number): TreeSteps => ({
      task: (index, rescued) => {
        const task = tasks[index];
        return runOne(task, entries[index], { index, name: task.name, action: task.action, handler: false, ...(includedBy === undefined ? {} : { includedBy }) }, rescued);
      },
      flush: runHandlers,
    });
    const outcome = await walkTree(compiled.tree, steps(compiled.tasks, host.tasks));
    if (outcome !== 'ok') return finish(outcome);
    return finish(await runHandlers());
  }

  /** Holds the host's run lock (once per run), waiting for another run's turn to end. */
  private async takeTurn(play: PlayRef, host: CompiledHost, shell: RemoteShell): Promise<'ok' | 'failed' | 'unreachable'> {
    const state = this.state(host.name);
    if (!this.options.runLocks || state.lock) return 'ok';
    // The lock is taken as the user the run's changes are made as.
    const become = this.unitsOf(host.name).find((unit) => unit.become)?.become;
    try {
      state.lock = await this.options.runLocks.acquire(host.name, shell, become, (message) => this.listener({ kind: 'host-waiting', play, host: host.name, message }));
      return 'ok';
    } catch (error) {
      const message = this.run.redactor.redact((error as Error).message);
      const unreachable = error instanceof UnreachableError;
      countResult(state.stats, { status: unreachable ? 'unreachable' : 'failed', changed: false, msg: message, diff: [], commands: [], duration_ms: 0 }, false);
      if (unreachable) state.unreachable = true;
      else state.failed = true;
      this.listener(unreachable ? { kind: 'host-unreachable', play, host: host.name, message } : { kind: 'host-failed', play, host: host.name, message });
      return unreachable ? 'unreachable' : 'failed';
    }
  }

  /** The task as the host's registered results so far decide it, or the failure that deciding it was. */
  private resolve(entry: CompiledTask, state: HostState): Exclude<CompiledTask, DeferredTask> | HostTaskResult {
    if (entry.kind !== 'deferred') return entry;
    try {
      return entry.compile(state.registered);
    } catch (error) {
      return { status: 'failed', changed: false, failed: true, msg: this.run.redactor.redact((error as Error).message), diff: [], commands: [], duration_ms: 0 };
    }
  }

  private async runTask(compiled: Extract<CompiledTask, { kind: 'run' | 'skip' }>, run: HostRun): Promise<HostTaskResult> {
    if (compiled.kind === 'skip') return { status: 'skipped', changed: false, msg: compiled.reason, diff: [], commands: [], duration_ms: 0 };
    const results: HostTaskResult[] = [];
    for (const unit of compiled.units) {
      const result = await run.runUnit(unit);
      results.push(result);
      if (result.status === 'unreachable') break;
    }
    return aggregate(results);
  }
}
