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
import type { Become } from '../../transport/become';
import type { TaskDefinition } from '../structure/task-tree';
import { BatchControl } from './batch-control';
import { walkTree, type TreeSteps } from './blocks';
import type { HostOutcome, PlayRef, RunListener, TaskRef } from './events';
import { HostQueue } from './host-queue';
import { HostRun, type HostSettings, type RemoteShell } from './host-run';
import { runJudged } from './outcome';
import type { HeldLock, RunLocks } from './run-lock';
import { countResult, emptyStats, registeredFields, type HostStats, type HostTaskResult, type PlayStop } from './results';
import { onceResultFor } from './run-once';

/** What a running task tells besides its result: waiting for a delegate another run holds, and its commands' progress. */
interface TaskHearing {
  waiting(message: string): void;
  progress(text: string): void;
}

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
}

/**
 * Ansible's serialized batches (executor/playbook_executor.py): each size of the list in turn,
 * the last one repeating; a percentage is of all the play's hosts, rounded down, at least 1.
 */
export function serialBatches(hosts: string[], serial: number | string | (number | string)[] | undefined): string[][] {
  if (serial === undefined || hosts.length === 0) return [hosts];
  const sizes = (Array.isArray(serial) ? serial : [serial]).map((size) =>
    typeof size === 'string' && size.endsWith('%') ? Math.max(1, Math.floor((hosts.length * Number(size.slice(0, -1))) / 100)) : Math.max(1, Number(size)),
  );
  const batches: string[][] = [];
  for (let index = 0, next = 0; index < hosts.length; next = Math.min(next + 1, sizes.length - 1)) {
    batches.push(hosts.slice(index, index + sizes[next]));
    index += sizes[next];
  }
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
    ...(result.attempts !== undefined ? { attempts: result.attempts } : {}),
    ...registeredFields(result),
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

/** Resolves after `ms`, or false at once when the run is interrupted meanwhile. */
async function pause(ms: number, interruption: Interruption): Promise<boolean> {
  const until = Date.now() + ms;
  while (!interruption.requested && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
  return !interruption.requested;
}

export class Executor {
  private readonly states = new Map<string, HostState>();
  /** This run's turn on each host it connects to, held from first use to the end of the run. */
  private readonly turns = new Map<string, Promise<HeldLock>>();
  private readonly queue = new HostQueue();

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
    let stopped: PlayStop | undefined;
    try {
      for (const [index, compiled] of this.run.plays.entries()) {
        const play = playRef(compiled, index);
        const live = compiled.hosts.filter((host) => !this.state(host.name).failed && !this.state(host.name).unreachable);
        const batches = serialBatches(live.map((host) => host.name), compiled.play.serial);
        for (const [batchIndex, batch] of batches.entries()) {
          if (interruption.requested) break;
          const hosts = live.filter((host) => batch.includes(host.name));
          const control = new BatchControl(batch, compiled.play.control.maxFailPercentage);
          this.listener({ kind: 'batch-started', play, hosts: batch, check: this.run.check });
          await eachLimited(hosts, this.options.forks, (host) => this.runHost(compiled, play, host, interruption, control));
          const stop = control.stop ?? this.wholeBatchFailed(batch);
          this.listener({ kind: 'batch-finished', play, hosts: batch, ...(stop ? { stop } : {}) });
          if (stop) {
            stopped = { play: play.name, reason: stop, notRun: batches.slice(batchIndex + 1).flat() };
            break;
          }
        }
        if (stopped) break;
      }
      await Promise.all([...this.turns.values()].map((turn) => turn.then((lock) => lock.release(), () => undefined)));
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
      ...(stopped ? { stopped } : {}),
      check: this.run.check,
      duration_ms: Date.now() - started,
    });
  }

  /**
   * Ansible ends the playbook when every host of a batch failed or was unreachable
   * (executor/playbook_executor.py: `len(batch) == failed_hosts_count`).
   */
  private wholeBatchFailed(batch: string[]): string | undefined {
    const failed = batch.filter((host) => this.state(host).failed || this.state(host).unreachable);
    return batch.length > 0 && failed.length === batch.length ? `every host of the batch failed or was unreachable (${batch.join(', ')})` : undefined;
  }

  /** The units the host runs over the whole run, in order (deferred tasks are not known yet); delegated ones run elsewhere. */
  private unitsOf(host: string): TaskUnit[] {
    return this.run.plays
      .flatMap((compiled) => compiled.hosts.filter((entry) => entry.name === host))
      .flatMap((entry) => unitsIn(entry.tasks).filter((unit) => !unit.delegate));
  }

  /** The host's runner, made on first connect, reading ahead over every play's tasks. */
  private hostRun(host: CompiledHost, shell: RemoteShell): HostRun {
    const state = this.state(host.name);
    state.run ??= new HostRun(host.name, shell, this.hostSettings(), this.unitsOf(host.name));
    return state.run;
  }

  private hostSettings(): HostSettings {
    return { check: this.run.check, commandTimeoutMs: this.options.commandTimeoutMs, redact: this.run.redactor.redact };
  }

  private async runHost(compiled: CompiledPlay, play: PlayRef, host: CompiledHost, interruption: Interruption, batch: BatchControl): Promise<void> {
    const state = this.state(host.name);
    const fatal = (task?: TaskDefinition) => task?.control.anyErrorsFatal ?? compiled.play.control.anyErrorsFatal;
    const finish = (outcome: HostOutcome) => {
      batch.left(host.name);
      this.listener({ kind: 'host-finished', play, host: host.name, outcome });
    };
    // A host still waiting for a fork at Ctrl-C (or when the play stopped) is not connected to: it would run nothing.
    if (interruption.requested) return finish('interrupted');
    if (batch.stop) return finish('stopped');
    let shell: RemoteShell;
    try {
      shell = await this.options.connector.open(host.name, host.target);
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      state.unreachable = true;
      const message = this.run.redactor.redact(`${error.message}${error.hint ? ` (${error.hint})` : ''}`);
      countResult(state.stats, { status: 'unreachable', changed: false, unreachable: true, msg: message, diff: [], commands: [], duration_ms: 0 }, false);
      this.listener({ kind: 'host-unreachable', play, host: host.name, message });
      batch.failed(host.name, { unreachable: true, fatal: fatal() });
      return finish('unreachable');
    }
    this.listener({ kind: 'host-connected', play, host: host.name });
    const locked = await this.takeTurn(play, host, shell);
    if (locked !== 'ok') {
      batch.failed(host.name, { unreachable: locked === 'unreachable', fatal: fatal() });
      return finish(locked);
    }
    const run = this.hostRun(host, shell);
    const notified = new Set<string>();

    /** Runs one task (or handler); `rescued`: a rescue section takes its failure, so it does not fail the host. */
    const runOne = async (task: TaskDefinition, entry: CompiledTask, ref: TaskRef, rescued: boolean): Promise<HostOutcome> => {
      // Handlers keep the host where its tasks left it; an included task is where its include is.
      const position = ref.handler ? compiled.tasks.length + ref.index : (ref.includedBy ?? ref.index);
      if (!ref.handler) batch.reached(host.name, position);
      if (interruption.requested) return 'interrupted';
      if (batch.stop) return 'stopped';
      this.listener({ kind: 'task-started', play, host: host.name, task: ref });
      const now = this.resolve(entry, state);
      if ('status' in now || now.kind !== 'include') {
        const runHere = () =>
          'status' in now
            ? Promise.resolve(now)
            : this.runTask(now, run, host.name, interruption, {
                waiting: (message) => this.listener({ kind: 'host-waiting', play, host: host.name, message }),
                progress: (text) => this.listener({ kind: 'task-progress', play, host: host.name, task: ref, text }),
              });
        let result: HostTaskResult;
        let registered: HostTaskResult;
        if (task.control.runOnce) {
          const once = await batch.once(host.name, position, runHere);
          registered = once.result;
          result = once.leader === host.name ? once.result : onceResultFor(once);
        } else {
          result = registered = await runHere();
        }
        const caught = result.status === 'failed' && !task.ignoreErrors && rescued;
        // As Ansible counts it: a failure that a rescue section takes is `rescued`, not failed.
        if (caught) state.stats.rescued++;
        else countResult(state.stats, result, task.ignoreErrors);
        state.lastTask = task.name;
        if (task.register) state.registered[task.register] = registerValue(registered);
        const notifies = result.changed ? task.notify : [];
        for (const name of notifies) notified.add(name);
        this.listener({ kind: 'task-finished', play, host: host.name, task: ref, result, notified: notifies, ignored: result.status === 'failed' && task.ignoreErrors, ...(caught ? { rescued: true as const } : {}) });
        if (result.status === 'unreachable') {
          state.unreachable = true;
          state.lostDuring = task.name;
          batch.failed(host.name, { unreachable: true, fatal: fatal(task), task: task.name });
          return 'unreachable';
        }
        if (result.status === 'failed' && !task.ignoreErrors) {
          if (!caught) {
            state.failed = true;
            batch.failed(host.name, { unreachable: false, fatal: fatal(task), task: task.name });
          }
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

  /**
   * Holds the run lock of `name` (once per run), waiting for another run's turn to end; the
   * lock is taken as the user the run's changes are made as there.
   */
  private turnOn(name: string, shell: RemoteShell, become: Become | undefined, onWaiting: (message: string) => void): Promise<void> {
    if (!this.options.runLocks) return Promise.resolve();
    let turn = this.turns.get(name);
    if (!turn) {
      turn = this.options.runLocks.acquire(name, shell, become, onWaiting);
      this.turns.set(name, turn);
    }
    return turn.then(() => undefined);
  }

  /** Holds the host's run lock (once per run), waiting for another run's turn to end. */
  private async takeTurn(play: PlayRef, host: CompiledHost, shell: RemoteShell): Promise<'ok' | 'failed' | 'unreachable'> {
    const state = this.state(host.name);
    const become = this.unitsOf(host.name).find((unit) => unit.become)?.become;
    try {
      await this.turnOn(host.name, shell, become, (message) => this.listener({ kind: 'host-waiting', play, host: host.name, message }));
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

  /** `hear.waiting` hears of another run holding a delegate; `hear.progress`, the progress lines of the task's commands. */
  private async runTask(compiled: Extract<CompiledTask, { kind: 'run' | 'skip' }>, run: HostRun, host: string, interruption: Interruption, hear: TaskHearing): Promise<HostTaskResult> {
    const state = this.state(host);
    if (compiled.kind === 'skip') return { status: 'skipped', changed: false, msg: compiled.reason, diff: [], commands: [], duration_ms: 0 };
    const { outcome, pauseMs } = compiled;
    const results: HostTaskResult[] = [];
    for (const [index, unit] of compiled.units.entries()) {
      if (index > 0 && pauseMs && !(await pause(pauseMs, interruption))) break;
      const once = () => this.runUnit(unit, run, hear);
      const result =
        outcome && unit.vars
          ? await runJudged(once, { rules: outcome, vars: unit.vars, registered: state.registered, registerValue, redact: this.run.redactor.redact }, (ms) => pause(ms, interruption))
          : await once();
      results.push(result);
      if (result.status === 'unreachable') break;
    }
    return aggregate(results);
  }

  /** Runs a unit on its host, or on the host it is delegated to, one unit at a time per host. */
  private async runUnit(unit: TaskUnit, run: HostRun, hear: TaskHearing): Promise<HostTaskResult> {
    if (!unit.delegate) return this.queue.exclusive(run.host, () => run.runUnit(unit, hear.progress));
    const { host: name, target } = unit.delegate;
    const failed = (status: 'failed' | 'unreachable', error: Error & { hint?: string }): HostTaskResult => ({
      status,
      changed: false,
      ...(status === 'failed' ? { failed: true as const } : { unreachable: true as const }),
      msg: this.run.redactor.redact(`delegate_to ${name}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`),
      diff: [],
      commands: [],
      delegated_to: name,
      duration_ms: 0,
    });
    let shell: RemoteShell;
    try {
      shell = await this.options.connector.open(name, target);
      await this.turnOn(name, shell, unit.become, hear.waiting);
    } catch (error) {
      return failed(error instanceof UnreachableError ? 'unreachable' : 'failed', error as Error);
    }
    return this.queue.exclusive(name, async () => {
      // A runner of its own, reading nothing ahead: the delegate's own runner keeps its cache for its own tasks.
      const result = await new HostRun(name, shell, this.hostSettings(), []).runUnit(unit, hear.progress);
      // The delegate may have changed: what its own runner read ahead there is stale.
      this.states.get(name)?.run?.forgetFacts();
      return { ...result, delegated_to: name };
    });
  }
}
