/**
 * Runs a playbook: prepares every task for every host first (so bad input fails before
 * any host is touched), then runs the plays in order. Within a play each host goes through
 * its tasks on its own (hosts never wait for each other: what Ansible calls the free
 * strategy), at most `forks` hosts at a time. A host that fails stops; the others go on.
 */
import { Listr, ListrLogger, ListrLogLevels, type ListrTask, type ListrTaskWrapper } from 'listr2';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TaskContext } from '../api';
import { InputError, InputErrors, UnreachableError } from '../errors';
import type { SshOptions } from '../transport/ssh';
import { ConnectionPool } from './connections';
import { HostRun, PreparationError, prepareTask, type PreparedTask, type RemoteShell } from './host-run';
import { connectionTarget, selectHosts, type ConnectionTarget, type Inventory } from './inventory';
import type { Play, Playbook, TaskDefinition } from './playbook';
import { formatChanges } from './recap';
import type { TaskRegistry } from './registry';
import { countResult, emptyStats, type HostStats, type HostTaskResult, type PlayReport, type RunReport } from './results';
import { isHtmlTemplate, renderString } from './templating';
import { secretArguments } from './arguments';
import type { Redactor } from './secrets';
import type { Declaration } from '../topology/cluster-checks';
import { loadVarsFiles, VariableScope } from './variables';

export interface RunSettings {
  check: boolean;
  diff: boolean;
  forks: number;
  tags: string[];
  skipTags: string[];
  limit?: string;
  extraVars: Record<string, unknown>;
  ssh: SshOptions;
  commandTimeoutMs: number;
  output: 'tree' | 'plain' | 'silent';
  /** Directories searched for template files after the playbook's own. */
  templateDirs: string[];
  /** Hides secrets in every output. */
  redactor: Redactor;
}

export interface Interruption {
  requested: boolean;
}

interface PreparedHost {
  name: string;
  vars: Record<string, unknown>;
  target: ConnectionTarget;
  tasks: PreparedTask[];
  handlers: PreparedTask[];
}

export interface PreparedPlay {
  play: Play;
  hosts: PreparedHost[];
  tasks: TaskDefinition[];
}

interface HostState {
  registered: Record<string, unknown>;
  failed: boolean;
  unreachable: boolean;
  stats: HostStats;
  /** The last task that finished, for the interruption report. */
  lastTask?: string;
}

/** Plain output (no TTY, CI): one line per finished task, not one more per start. */
class FinishedLinesLogger extends ListrLogger<ListrLogLevels> {
  log(level: ListrLogLevels, message: string | any[], options?: Parameters<ListrLogger<ListrLogLevels>['log']>[2]): void {
    if (level !== ListrLogLevels.STARTED) super.log(level, message, options);
  }
}

function selectedByTags(task: TaskDefinition, tags: string[], skipTags: string[]): boolean {
  if (task.tags.includes('never') && !tags.some((tag) => task.tags.includes(tag))) return false;
  if (skipTags.some((tag) => task.tags.includes(tag))) return false;
  if (tags.length === 0 || tags.includes('all')) return true;
  return task.tags.includes('always') || tags.some((tag) => task.tags.includes(tag));
}

function serialBatches(hosts: string[], serial: number | string | undefined): string[][] {
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
  const failed = results.find((result) => result.status === 'failed');
  const changed = results.some((result) => result.status === 'changed');
  return {
    status: failed ? 'failed' : changed ? 'changed' : 'ok',
    changed,
    ...(failed ? { failed: true as const, msg: failed.msg } : {}),
    ...(!failed && !changed ? { noop: results.map((result) => result.noop).filter(Boolean).join('; ') } : {}),
    diff: results.flatMap((result) => result.diff),
    commands: results.flatMap((result) => result.commands),
    results,
    duration_ms: results.reduce((total, result) => total + result.duration_ms, 0),
    ...(results.some((result) => result.check_mode) ? { check_mode: true as const } : {}),
  };
}

export class PlaybookRun {
  private readonly scope: VariableScope;
  private readonly states = new Map<string, HostState>();
  private readonly templateCache = new Map<string, string>();
  private readonly runs = new Map<string, HostRun>();

  constructor(
    private readonly playbook: Playbook,
    private readonly inventory: Inventory,
    private readonly registry: TaskRegistry,
    private readonly settings: RunSettings,
  ) {
    this.scope = new VariableScope(inventory, settings.extraVars, playbook.dir, settings.check);
  }

  private state(host: string): HostState {
    let state = this.states.get(host);
    if (!state) {
      state = { registered: {}, failed: false, unreachable: false, stats: emptyStats() };
      this.states.set(host, state);
    }
    return state;
  }

  private readTemplate(name: string): { path: string; text: string } {
    const candidates = [resolve(this.playbook.dir, name), join(this.playbook.dir, 'templates', name), ...this.settings.templateDirs.map((dir) => join(dir, name))];
    const path = candidates.find((candidate) => existsSync(candidate));
    if (!path) throw new Error(`template '${name}' not found; looked in ${candidates.join(', ')}`);
    let text = this.templateCache.get(path);
    if (text === undefined) {
      text = readFileSync(path, 'utf8');
      this.templateCache.set(path, text);
    }
    return { path, text };
  }

  private contextFor(host: string) {
    return (vars: Record<string, unknown>): TaskContext => ({
      host,
      templates: new Proxy({}, {
        get: (_target, name) => {
          if (typeof name !== 'string') return undefined;
          const template = this.readTemplate(name);
          return renderString(template.text, vars, isHtmlTemplate(template.path));
        },
      }) as Record<string, string>,
    });
  }

  /** prepareTask, and the task's secret arguments join what every output hides. */
  private prepareTask(task: TaskDefinition, vars: Record<string, unknown>, host: string, registered: ReadonlySet<string>): PreparedTask {
    const prepared = prepareTask(task, this.registry.require(task.action), vars, this.contextFor(host), registered);
    if (prepared.kind === 'run') {
      for (const unit of prepared.units) this.settings.redactor.add(secretArguments(unit.module).map((name) => unit.args[name]));
    }
    return prepared;
  }

  /** Renders and validates everything that can be known before connecting. */
  prepare(): PreparedPlay[] {
    const errors: InputError[] = [];
    const limited = this.settings.limit ? new Set(selectHosts(this.inventory, this.settings.limit)) : undefined;
    const registeredBefore = new Set<string>();
    const prepared = this.playbook.plays.map((play): PreparedPlay => {
      const tasks = play.tasks.filter((task) => selectedByTags(task, this.settings.tags, this.settings.skipTags));
      let playVars: Record<string, unknown> = play.vars;
      try {
        playVars = { ...play.vars, ...loadVarsFiles(play.varsFiles, this.playbook.dir) };
      } catch (error) {
        if (error instanceof InputError) errors.push(error);
        else throw error;
      }
      const hostNames = selectHosts(this.inventory, play.hosts).filter((host) => !limited || limited.has(host));
      const registeredInPlay = new Set(registeredBefore);
      for (const task of play.tasks) if (task.register) registeredInPlay.add(task.register);
      const hosts = hostNames.map((host): PreparedHost => {
        const vars = this.scope.forPlay(host, playVars, this.state(host).registered);
        const registeredSoFar = new Set(registeredBefore);
        const prepareAll = (list: TaskDefinition[], handlers: boolean) =>
          list.map((task): PreparedTask => {
            try {
              return this.prepareTask(task, vars, host, handlers ? registeredInPlay : registeredSoFar);
            } catch (error) {
              if (!(error instanceof PreparationError)) throw error;
              errors.push(new InputError(this.settings.redactor.redact(error.message), task.locate(error.key), `${host}: ${task.name}`));
              return { kind: 'skip', reason: 'invalid' };
            } finally {
              if (task.register) registeredSoFar.add(task.register);
            }
          });
        let target: ConnectionTarget = { host, port: 22, user: 'root', become: false, becomeUser: 'root' };
        try {
          target = connectionTarget(host, vars);
        } catch (error) {
          if (error instanceof InputError) errors.push(error);
          else throw error;
        }
        return { name: host, vars, target, tasks: prepareAll(tasks, false), handlers: prepareAll(play.handlers, true) };
      });
      for (const name of registeredInPlay) registeredBefore.add(name);
      return { play, hosts, tasks };
    });
    if (errors.length) throw new InputErrors(errors);
    return prepared;
  }

  /** Every task as rendered for every host, in order: what the topology checks read. */
  declarations(plays: PreparedPlay[]): Declaration[] {
    return plays.flatMap((prepared) =>
      prepared.hosts.flatMap((host) =>
        prepared.tasks.flatMap((task, index) => {
          const entry = host.tasks[index];
          if (entry.kind !== 'run') return [];
          return entry.units.map((unit) => ({ host: host.name, connectAddress: host.target.host, action: task.action, module: unit.module, args: unit.args, task }));
        }),
      ),
    );
  }

  async execute(plays: PreparedPlay[], interruption: Interruption): Promise<RunReport> {
    const started = Date.now();
    const pool = new ConnectionPool(this.settings.ssh);
    const report: RunReport = { plays: [], stats: {}, check_mode: this.settings.check, duration_ms: 0 };
    try {
      for (const prepared of plays) {
        const playReport: PlayReport = {
          play: { name: prepared.play.name, hosts: prepared.hosts.map((host) => host.name) },
          tasks: prepared.tasks.map((task) => ({ task: { name: task.name, action: task.action }, hosts: {} })),
        };
        report.plays.push(playReport);
        const live = prepared.hosts.filter((host) => !this.state(host.name).failed && !this.state(host.name).unreachable);
        for (const batch of serialBatches(live.map((host) => host.name), prepared.play.serial)) {
          if (interruption.requested) break;
          const hosts = live.filter((host) => batch.includes(host.name));
          await this.runBatch(prepared, plays, hosts, playReport, pool, interruption);
        }
      }
      report.connections = await pool.counters();
    } finally {
      await pool.closeAll();
    }
    for (const [host, state] of this.states) report.stats[host] = state.stats;
    if (interruption.requested) {
      report.interrupted = Object.fromEntries(
        [...this.states].map(([host, state]) => [host, state.lastTask ? `after '${state.lastTask}'` : 'before its first task']),
      );
    }
    report.duration_ms = Date.now() - started;
    return report;
  }

  /**
   * The host's runner for plays with this play's privileges. One runner serves every such
   * play, so the facts of the whole playbook are read ahead in one batch.
   */
  private hostRun(host: PreparedHost, play: Play, connection: RemoteShell, plays: PreparedPlay[]): HostRun {
    const becomes = (candidate: Play) => candidate.become ?? host.target.become;
    const key = `${host.name}\u0000${becomes(play)}`;
    let run = this.runs.get(key);
    if (!run) {
      const { target } = host;
      const become = becomes(play) ? { user: target.becomeUser, password: target.becomePassword } : undefined;
      run = new HostRun(host.name, connection, { check: this.settings.check, commandTimeoutMs: this.settings.commandTimeoutMs, become, redact: this.settings.redactor.redact });
      run.setAhead(
        plays
          .filter((candidate) => becomes(candidate.play) === becomes(play))
          .flatMap((candidate) => candidate.hosts.filter((entry) => entry.name === host.name))
          .flatMap((entry) => entry.tasks.flatMap((task) => (task.kind === 'run' ? task.units : []))),
      );
      this.runs.set(key, run);
    }
    return run;
  }

  private async runBatch(prepared: PreparedPlay, plays: PreparedPlay[], hosts: PreparedHost[], playReport: PlayReport, pool: ConnectionPool, interruption: Interruption) {
    const { settings } = this;
    const plain = settings.output === 'plain';
    const hostTasks: ListrTask[] = hosts.map((host) => ({
      title: host.name,
      task: async (_context, hostTask) => {
        const state = this.state(host.name);
        const { target } = host;
        let connection;
        try {
          connection = await pool.get(host.name, target);
        } catch (error) {
          if (!(error instanceof UnreachableError)) throw error;
          state.unreachable = true;
          const result: HostTaskResult = { status: 'unreachable', changed: false, unreachable: true, msg: settings.redactor.redact(`${error.message}${error.hint ? ` (${error.hint})` : ''}`), diff: [], commands: [], duration_ms: 0 };
          if (playReport.tasks[0]) playReport.tasks[0].hosts[host.name] = result;
          countResult(state.stats, result, false);
          hostTask.title = `${host.name}: UNREACHABLE: ${result.msg}`;
          throw new Error(result.msg);
        }
        const run = this.hostRun(host, prepared.play, connection, plays);
        const notified = new Set<string>();
        const row = (task: TaskDefinition, prepare: () => PreparedTask, record: (result: HostTaskResult) => void): ListrTask => ({
          title: plain ? `${host.name} | ${task.name}` : task.name,
          rendererOptions: { persistentOutput: true },
          task: async (_rowContext, rowTask) => {
            if (interruption.requested) {
              rowTask.skip(`${task.name}: not started, the run was interrupted`);
              return;
            }
            const result = await this.runTask(task, prepare, run, host);
            record(result);
            countResult(state.stats, result, task.ignoreErrors);
            state.lastTask = task.name;
            if (task.register) state.registered[task.register] = registerValue(result);
            if (result.changed) for (const name of task.notify) notified.add(name);
            this.show(rowTask, host.name, task, result);
            if (result.status === 'failed' && !task.ignoreErrors) {
              state.failed = true;
              throw new Error(result.msg ?? 'failed');
            }
          },
        });
        const rows = prepared.tasks.map((task, index) =>
          row(task, () => host.tasks[index], (result) => (playReport.tasks[index].hosts[host.name] = result)),
        );
        rows.push({
          title: plain ? `${host.name} | handlers` : 'handlers',
          enabled: () => notified.size > 0,
          task: (_rowContext, rowTask) =>
            rowTask.newListr(
              prepared.play.handlers
                .map((handler, index) => ({ handler, index }))
                .filter(({ handler }) => [handler.name, ...handler.listen].some((name) => notified.has(name)))
                .map(({ handler, index }) =>
                  row(handler, () => host.handlers[index], (result) => {
                    let entry = playReport.tasks.find((task) => task.task.handler && task.task.name === handler.name);
                    if (!entry) {
                      entry = { task: { name: handler.name, action: handler.action, handler: true }, hosts: {} };
                      playReport.tasks.push(entry);
                    }
                    entry.hosts[host.name] = result;
                  }),
                ),
              { concurrent: false, exitOnError: true },
            ),
        });
        return hostTask.newListr(rows, { concurrent: false, exitOnError: true });
      },
    }));
    const play: ListrTask = {
      title: `PLAY [${prepared.play.name}]`,
      task: (_context, playTask) => playTask.newListr(hostTasks, { concurrent: Math.max(1, settings.forks), exitOnError: false }),
    };
    const listr = new Listr([play], {
      exitOnError: false,
      registerSignalListeners: false,
      renderer: 'default',
      fallbackRenderer: 'simple',
      fallbackRendererCondition: settings.output === 'plain',
      silentRendererCondition: settings.output === 'silent',
      rendererOptions: { collapseSubtasks: false, collapseSkips: false, showErrorMessage: true },
      fallbackRendererOptions: { logger: new FinishedLinesLogger({ useIcons: true }) },
    });
    await listr.run();
  }

  private async runTask(task: TaskDefinition, prepare: () => PreparedTask, run: HostRun, host: PreparedHost): Promise<HostTaskResult> {
    let prepared = prepare();
    if (prepared.kind === 'later') {
      try {
        // Its registered variables exist now; nothing is postponed a second time.
        prepared = this.prepareTask(task, host.vars, host.name, new Set());
      } catch (error) {
        return { status: 'failed', changed: false, failed: true, msg: this.settings.redactor.redact((error as Error).message), diff: [], commands: [], duration_ms: 0 };
      }
    }
    if (prepared.kind !== 'run') {
      return { status: 'skipped', changed: false, msg: prepared.kind === 'skip' ? prepared.reason : undefined, diff: [], commands: [], duration_ms: 0 };
    }
    const results: HostTaskResult[] = [];
    for (const unit of prepared.units) results.push(await run.runUnit(unit));
    return aggregate(results);
  }

  private show(rowTask: ListrTaskWrapper<any, any, any>, host: string, task: TaskDefinition, result: HostTaskResult): void {
    const seconds = (result.duration_ms / 1000).toFixed(2);
    const label = result.status === 'changed' && result.check_mode ? 'would change' : result.status;
    const prefix = this.settings.output === 'plain' ? `${host} | ` : '';
    rowTask.title = `${prefix}${label}: ${task.name} (${seconds}s)${result.status === 'ok' && result.noop ? ` - ${result.noop}` : ''}`;
    if (this.settings.diff && result.diff.length) rowTask.output = formatChanges(result.diff);
    if (result.status === 'skipped') rowTask.skip(`${prefix}skipped: ${task.name}${result.msg ? ` (${result.msg})` : ''}`);
  }
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
