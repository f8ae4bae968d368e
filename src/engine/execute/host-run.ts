/**
 * One host's side of a run: read facts in batches, plan, apply, re-read and re-plan.
 * Everything a task module returns is data; this is where it meets the host.
 *
 * Round trips: the facts of every task still ahead (run as the same user) are read in one
 * batch. A task that changes something applies its commands in one more batch, which then
 * re-reads its own facts (to prove the change took) and those of the tasks ahead (which see
 * the host as the change left it). A no-op run of a whole playbook costs one exec per host
 * and user; a converge, one more per task that changes something. An action (Plan.action:
 * a command the user gave, a wait) is applied the same way, but its own facts are not read
 * back: it has no state to re-plan against.
 */
import type { CommandResult, FactMap, Plan } from '../../api';
import { CommandError, UnreachableError } from '../../errors';
import { sh, type ShellCommand } from '../../shell/quote';
import type { Become } from '../../transport/become';
import type { ExecOptions } from '../../transport/ssh';
import type { TaskUnit } from '../compile/compiled-run';
import { HIDDEN } from '../secrets';
import { batchScript } from './batch';
import { commandOutput, OUTPUT_FIELDS, RESERVED_RESULT_NAMES, type CommandOutput, type HostTaskResult } from './results';

export interface RemoteShell {
  exec(command: ShellCommand, options?: ExecOptions): Promise<CommandResult>;
}

export interface HostSettings {
  check: boolean;
  commandTimeoutMs: number;
  redact(text: string): string;
}

const BATCH_SHELL = sh`sh -s`;

/** Which commands of a batch report progress, and who hears it. */
interface Progress {
  commands: number[];
  report(text: string): void;
}

/**
 * A result of a task that holds a secret, with everything that could show it hidden (what
 * Ansible's no_log does): a secret can come out transformed or cut short, where no search
 * for it would find it.
 */
function conceal(result: HostTaskResult): HostTaskResult {
  const hide = (value: unknown) => (value === null || value === undefined ? value : HIDDEN);
  return {
    ...result,
    diff: result.diff.map((change) => ({ subject: change.subject, before: hide(change.before), after: hide(change.after) })),
    commands: result.commands.map(() => HIDDEN),
    ...(result.item === undefined ? {} : { item: HIDDEN }),
    ...(result.item_label === undefined ? {} : { item_label: HIDDEN }),
    ...(result.msg === undefined ? {} : { msg: `${result.status}: ${HIDDEN}` }),
    ...(result.noop === undefined ? {} : { noop: HIDDEN }),
    ...(result.values === undefined ? {} : { values: Object.fromEntries(Object.keys(result.values).map((name) => [name, HIDDEN])) }),
    // The exit code stays: a number says nothing of a secret, and `register` users test it.
    ...(result.stdout === undefined ? {} : { stdout: HIDDEN, stdout_lines: [HIDDEN] }),
    ...(result.stderr === undefined ? {} : { stderr: HIDDEN, stderr_lines: [HIDDEN] }),
  };
}

/** Facts read as different users are different facts. */
function identity(become: Become | undefined): string {
  return become ? `sudo:${become.user}` : 'login';
}

export class HostRun {
  private readonly factCache = new Map<string, CommandResult>();

  /** `ahead`: the host's units in run order, so a batch can read the facts of those to come. */
  constructor(
    readonly host: string,
    private readonly shell: RemoteShell,
    private readonly settings: HostSettings,
    private readonly ahead: TaskUnit[] = [],
  ) {}

  /** Drops every fact read so far: another runner (a delegated task) may have changed the host. */
  forgetFacts(): void {
    this.factCache.clear();
  }

  private cacheKey(unit: TaskUnit, command: ShellCommand): string {
    return `${identity(unit.become)}\u0000${command.text}`;
  }

  /**
   * Runs `commands` (then `then`) in one exec. With `stopOnError`, a command that exits
   * non-zero ends the batch: the results end with it. A batch that ends any other way short
   * (the remote shell died, the connection dropped) fails with the shell's stderr and exit code.
   */
  private async runBatch(unit: TaskUnit, commands: ShellCommand[], stopOnError: boolean, then: ShellCommand[] = [], waitsUpToMs = 0, progress?: Progress): Promise<CommandResult[]> {
    const batch = batchScript(commands, { stopOnError, then, progress: progress?.commands });
    const timeoutMs = this.settings.commandTimeoutMs + waitsUpToMs;
    let partial = '';
    const onStdout = progress
      ? (text: string) => {
          const lines = (partial + text).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            const found = batch.progress(line);
            if (found) progress.report(this.settings.redact(found.text));
          }
        }
      : undefined;
    const result = await this.shell.exec(BATCH_SHELL, { stdin: batch.script, timeoutMs, become: unit.become, ...(onStdout ? { onStdout } : {}) });
    const results = batch.parse(result.stdout);
    const expected = commands.length + then.length;
    const last = results.at(-1);
    const stoppedAtFailure = stopOnError && last !== undefined && results.length <= commands.length && last.exitCode !== 0;
    if (results.length !== expected && !stoppedAtFailure) {
      throw new CommandError(
        this.host,
        unit.module.name,
        BATCH_SHELL.shown,
        result.exitCode,
        this.settings.redact(result.stderr),
        `the remote shell stopped after ${results.length} of ${expected} commands`,
      );
    }
    return results;
  }

  private factsOf(unit: TaskUnit): FactMap {
    return unit.module.facts(unit.args as never, unit.context);
  }

  /** The read-only commands of the units after `unit`, run as the same user, that the cache lacks (never live ones). */
  private factsAhead(unit: TaskUnit): ShellCommand[] {
    const wanted = new Map<string, ShellCommand>();
    const start = this.ahead.indexOf(unit);
    for (const next of start >= 0 ? this.ahead.slice(start + 1) : []) {
      if (identity(next.become) !== identity(unit.become)) continue;
      try {
        for (const fact of Object.values(this.factsOf(next))) {
          if (!fact.live && !this.factCache.has(this.cacheKey(unit, fact.command))) wanted.set(fact.command.text, fact.command);
        }
      } catch {
        // A later task's facts() may throw on arguments it will report itself in its turn.
      }
    }
    return [...wanted.values()];
  }

  /** Reads this unit's facts, from the cache or with one batch that also reads ahead. */
  private async readFacts(unit: TaskUnit): Promise<FactMap> {
    const facts = this.factsOf(unit);
    const missing = Object.values(facts).filter((fact) => fact.live || !this.factCache.has(this.cacheKey(unit, fact.command)));
    if (missing.length) {
      const own = [...new Map(missing.map((fact) => [fact.command.text, fact.command])).values()];
      const commands = [...own, ...this.factsAhead(unit).filter((command) => !own.some((mine) => mine.text === command.text))];
      const results = await this.runBatch(unit, commands, false);
      commands.forEach((command, index) => this.factCache.set(this.cacheKey(unit, command), results[index]));
    }
    return facts;
  }

  private parseFacts(unit: TaskUnit, facts: FactMap, results: (command: ShellCommand) => CommandResult): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [name, fact] of Object.entries(facts)) {
      try {
        values[name] = fact.parse(results(fact.command));
      } catch (error) {
        throw new Error(`${unit.module.name}: reading ${name} failed: ${(error as Error).message}`);
      }
    }
    return values;
  }

  private plan(unit: TaskUnit, facts: Record<string, unknown>): Plan {
    const plan = unit.module.plan(unit.args as never, facts as never, unit.context);
    const kept = plan.commands.filter((command) => command.output).length;
    if (kept > 1) throw new Error(`${unit.module.name}: at most one command of a plan has its output kept`);
    const isOutput = (name: string) => kept > 0 && (OUTPUT_FIELDS as readonly string[]).includes(name);
    const reserved = Object.keys(plan.result ?? {}).filter((name) => RESERVED_RESULT_NAMES.has(name) || isOutput(name));
    if (reserved.length) throw new Error(`${unit.module.name}: the plan's result may not set ${reserved.join(', ')}, which lvs sets itself`);
    return plan;
  }

  private output(outcome: CommandResult): CommandOutput {
    const redact = this.settings.redact;
    return commandOutput(redact(outcome.stdout), redact(outcome.stderr), outcome.exitCode);
  }

  /**
   * Runs one unit: facts, plan, and (unless in check mode) apply, re-read, re-plan.
   * `onProgress` hears the progress lines of its commands (never a secret unit's).
   */
  async runUnit(unit: TaskUnit, onProgress?: (text: string) => void): Promise<HostTaskResult> {
    const result = await this.attempt(unit, unit.secret ? undefined : onProgress);
    return unit.secret ? conceal(result) : result;
  }

  private async attempt(unit: TaskUnit, onProgress?: (text: string) => void): Promise<HostTaskResult> {
    const started = Date.now();
    const redact = this.settings.redact;
    const result = (fields: Partial<HostTaskResult> & Pick<HostTaskResult, 'status'>): HostTaskResult => ({
      changed: fields.status === 'changed',
      diff: [],
      commands: [],
      // An item is data of any shape: redacted through its JSON text, where every secret form is known.
      ...(unit.item !== undefined ? { item: JSON.parse(redact(JSON.stringify(unit.item))) } : {}),
      ...(unit.label !== undefined ? { item_label: redact(unit.label) } : {}),
      ...fields,
      duration_ms: Date.now() - started,
    });
    try {
      const facts = await this.readFacts(unit);
      const plan = this.plan(unit, this.parseFacts(unit, facts, (command) => this.factCache.get(this.cacheKey(unit, command))!));
      const commands = plan.commands.map((command) => redact(command.run.shown));
      const diff = plan.changes.map((change) => ({
        subject: redact(change.subject),
        before: typeof change.before === 'string' ? redact(change.before) : change.before,
        after: typeof change.after === 'string' ? redact(change.after) : change.after,
      }));
      // Data of any shape, like an item: redacted through its JSON text.
      const values = plan.result ? { values: JSON.parse(redact(JSON.stringify(plan.result))) as Record<string, unknown> } : {};
      const noop = plan.noop ? { noop: redact(plan.noop) } : {};
      const action = plan.action;
      const runs = plan.changes.length > 0 || (action !== undefined && plan.commands.length > 0);
      if (!runs) return result({ status: 'ok', ...noop, ...values });
      if (this.settings.check && action?.check !== 'run') {
        if (typeof action?.check === 'object') return result({ status: 'skipped', msg: redact(action.check.skip), commands, check_mode: true, ...values });
        return result({ status: plan.changes.length ? 'changed' : 'ok', diff, commands, check_mode: true, ...values });
      }

      // Whatever happens next, the host may have changed: nothing read before is trusted.
      // The same batch reads, after the commands, this task's facts (to re-plan) and those
      // of the tasks ahead, which then see the host as this task left it.
      this.factCache.clear();
      // An action is not re-planned, so its own facts are not read back.
      const factCommands = action ? [] : [...new Map(Object.values(facts).map((fact) => [fact.command.text, fact.command])).values()];
      const aheadCommands = this.factsAhead(unit).filter((command) => !factCommands.some((mine) => mine.text === command.text));
      const waitsUpToMs = plan.commands.reduce((total, command) => total + (command.waitsUpTo ?? 0) * 1000, 0);
      const progressing = plan.commands.flatMap((command, index) => (command.progress ? [index] : []));
      const outcomes = await this.runBatch(
        unit,
        plan.commands.map((command) => command.run),
        true,
        [...factCommands, ...aheadCommands],
        waitsUpToMs,
        onProgress && progressing.length ? { commands: progressing, report: onProgress } : undefined,
      );
      const outputAt = plan.commands.findIndex((command) => command.output);
      const output: Partial<CommandOutput> = outcomes[outputAt] ? this.output(outcomes[outputAt]) : {};
      const status = plan.changes.length ? 'changed' : 'ok';
      const check_mode = this.settings.check ? { check_mode: true as const } : {};
      for (const [index, command] of plan.commands.entries()) {
        const outcome = outcomes[index];
        const problem = !outcome
          ? 'did not run'
          : outcome.exitCode !== 0
            ? `exited ${outcome.exitCode}${outcome.stderr.trim() ? `: ${outcome.stderr.trim()}` : ''}`
            : undefined;
        if (problem) {
          return result({ status: 'failed', failed: true, msg: redact(`${command.run.shown} ${problem}`), diff, commands, ...output, ...values, ...check_mode });
        }
      }
      aheadCommands.forEach((command, index) => this.factCache.set(this.cacheKey(unit, command), outcomes[plan.commands.length + factCommands.length + index]));
      if (action) return result({ status, diff, commands, ...output, ...values, ...noop, ...check_mode });
      const reread = outcomes.slice(plan.commands.length);
      const byCommand = new Map(factCommands.map((command, index) => [command.text, reread[index]]));
      const again = this.plan(unit, this.parseFacts(unit, facts, (command) => byCommand.get(command.text)!));
      if (again.changes.length && !plan.action) {
        const left = again.changes.map((change) => `${change.subject}: ${JSON.stringify(change.before)} -> ${JSON.stringify(change.after)}`).join('; ');
        return result({ status: 'failed', failed: true, msg: redact(`not idempotent: after applying, the host still differs (${left}); this is a bug in the ${unit.module.name} task`), diff, commands });
      }
      return result({ status: 'changed', diff, commands, ...output, ...values });
    } catch (error) {
      if (error instanceof UnreachableError) return result({ status: 'unreachable', unreachable: true, msg: redact(error.message) });
      const hint = error instanceof CommandError && error.hint ? ` (${error.hint})` : '';
      return result({ status: 'failed', failed: true, msg: redact(`${(error as Error).message}${hint}`) });
    }
  }
}
