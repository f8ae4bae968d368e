/**
 * One host's side of a play: render and check its tasks, read facts in batches, plan,
 * apply, re-read and re-plan. Everything a task module returns is data; this is where
 * it meets the host.
 *
 * Round trips: the facts of every task still ahead are read in one batch. A task that
 * changes something applies its commands in one more batch, which then re-reads its own
 * facts (to prove the change took) and those of the tasks ahead (which see the host as the
 * change left it). A no-op run of a whole playbook costs one exec per host; a converge,
 * one more per task that changes something.
 */
import type { CommandResult, FactMap, Plan, TaskContext, TaskModule } from '../api';
import { sh, type ShellCommand } from '../shell/quote';
import { CommandError } from '../errors';
import { batchScript } from './batch';
import { checkArguments } from './arguments';
import { evaluateCondition } from './conditions';
import type { TaskDefinition } from './playbook';
import type { HostTaskResult } from './results';
import { layerVariables, renderValue, TemplateError } from './templating';

export interface RemoteShell {
  exec(command: ShellCommand, options?: { stdin?: string; timeoutMs?: number; become?: { user: string; password?: string } }): Promise<CommandResult>;
}

/** One module invocation: a task, or one item of a looped task, with its final arguments. */
export interface TaskUnit {
  module: TaskModule;
  args: Record<string, unknown>;
  context: TaskContext;
  item?: unknown;
}

export type PreparedTask =
  | { kind: 'run'; units: TaskUnit[] }
  | { kind: 'skip'; reason: string }
  /** Needs a variable registered by an earlier task: prepared when its turn comes. */
  | { kind: 'later'; variable: string };

export interface HostSettings {
  check: boolean;
  commandTimeoutMs: number;
  become?: { user: string; password?: string };
  redact(text: string): string;
}

/** A task definition that could not be prepared for a host, with where and why. */
export class PreparationError extends Error {
  constructor(
    message: string,
    readonly task: TaskDefinition,
    readonly key: string,
  ) {
    super(message);
    this.name = 'PreparationError';
  }
}

/**
 * Evaluates `when`, expands `loop` and renders and validates the arguments against the
 * host's variables. `registered` names variables that earlier tasks will register: a
 * template that needs one is prepared later instead of failing now.
 */
export function prepareTask(
  task: TaskDefinition,
  module: TaskModule,
  vars: Record<string, unknown>,
  makeContext: (vars: Record<string, unknown>) => TaskContext,
  registered: ReadonlySet<string>,
): PreparedTask {
  const postpone = (error: unknown): PreparedTask | undefined => {
    const variable = error instanceof TemplateError ? error.variable?.split('.')[0] : undefined;
    return variable && registered.has(variable) ? { kind: 'later', variable } : undefined;
  };
  let items: unknown[] | undefined;
  try {
    if (task.loop !== undefined) {
      const rendered = renderValue(task.loop, vars);
      if (!Array.isArray(rendered)) throw new PreparationError(`loop: must be a list, got ${JSON.stringify(rendered)}`, task, 'loop');
      items = rendered;
    }
  } catch (error) {
    const later = postpone(error);
    if (later) return later;
    if (error instanceof PreparationError) throw error;
    throw new PreparationError(`loop: ${(error as Error).message}`, task, 'loop');
  }
  const units: TaskUnit[] = [];
  for (const item of items ?? [undefined]) {
    const unitVars = items ? layerVariables(vars, { item }) : vars;
    let args: Record<string, unknown>;
    try {
      if (task.when !== undefined && !evaluateCondition(task.when, unitVars)) continue;
    } catch (error) {
      const later = postpone(error);
      if (later) return later;
      throw new PreparationError(`when: ${(error as Error).message}`, task, 'when');
    }
    try {
      args = renderValue(task.args, unitVars) as Record<string, unknown>;
    } catch (error) {
      const later = postpone(error);
      if (later) return later;
      throw new PreparationError((error as Error).message, task, '');
    }
    const checked = checkArguments(module, args);
    if (checked.problems.length) {
      const [first] = checked.problems;
      const all = checked.problems.map((problem) => `${problem.key ? `${problem.key}: ` : ''}${problem.message}`).join('; ');
      throw new PreparationError(all, task, first.key);
    }
    units.push({ module, args: checked.args, context: makeContext(unitVars), item });
  }
  if (units.length === 0) return { kind: 'skip', reason: items?.length === 0 ? 'the loop is empty' : `condition is false: ${JSON.stringify(task.when)}` };
  return { kind: 'run', units };
}

export class HostRun {
  private readonly factCache = new Map<string, CommandResult>();
  /** Units whose facts a batch may read ahead, in play order. */
  private ahead: TaskUnit[] = [];

  constructor(
    readonly host: string,
    private readonly shell: RemoteShell,
    private readonly settings: HostSettings,
  ) {}

  /** Tells the runner which units come next, so their facts can share one batch. */
  setAhead(units: TaskUnit[]): void {
    this.ahead = units;
  }

  private async runBatch(commands: ShellCommand[], stopOnError: boolean, then: ShellCommand[] = []) {
    const batch = batchScript(commands, { stopOnError, then });
    const result = await this.shell.exec(sh`sh -s`, { stdin: batch.script, timeoutMs: this.settings.commandTimeoutMs, become: this.settings.become });
    const results = batch.parse(result.stdout);
    // Without stopOnError every command reports; with it, a short list ends at a failure.
    const complete = stopOnError ? results.length > 0 || commands.length === 0 : results.length === commands.length + then.length;
    if (!complete) {
      throw new CommandError(this.host, '', 'sh -s', result.exitCode, this.settings.redact(result.stderr), 'the remote shell stopped before the batch finished');
    }
    return results;
  }

  private factsOf(unit: TaskUnit): FactMap {
    return unit.module.facts(unit.args as never, unit.context);
  }

  /** Reads this unit's facts, from the cache or with one batch that also reads ahead. */
  /** The read-only commands of the units after `unit` that the cache lacks (never live ones). */
  private factsAhead(unit: TaskUnit): ShellCommand[] {
    const wanted = new Map<string, ShellCommand>();
    const start = this.ahead.indexOf(unit);
    for (const next of start >= 0 ? this.ahead.slice(start + 1) : []) {
      try {
        for (const fact of Object.values(this.factsOf(next))) {
          if (!fact.live && !this.factCache.has(fact.command.text)) wanted.set(fact.command.text, fact.command);
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
    const missing = Object.values(facts).filter((fact) => fact.live || !this.factCache.has(fact.command.text));
    if (missing.length) {
      const own = missing.map((fact) => fact.command);
      const commands = [...own, ...this.factsAhead(unit).filter((command) => !own.some((mine) => mine.text === command.text))];
      const results = await this.runBatch(commands, false);
      commands.forEach((command, index) => this.factCache.set(command.text, results[index]));
    }
    return facts;
  }

  private parseFacts(unit: TaskUnit, facts: FactMap, results: (command: string) => CommandResult): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [name, fact] of Object.entries(facts)) {
      try {
        values[name] = fact.parse(results(fact.command.text));
      } catch (error) {
        throw new Error(`${unit.module.name}: reading ${name} failed: ${(error as Error).message}`);
      }
    }
    return values;
  }

  private plan(unit: TaskUnit, facts: Record<string, unknown>): Plan {
    return unit.module.plan(unit.args as never, facts as never, unit.context);
  }

  /** Runs one unit: facts, plan, and (unless in check mode) apply, re-read, re-plan. */
  async runUnit(unit: TaskUnit): Promise<HostTaskResult> {
    const started = Date.now();
    const redact = this.settings.redact;
    const result = (fields: Partial<HostTaskResult> & Pick<HostTaskResult, 'status'>): HostTaskResult => ({
      changed: fields.status === 'changed',
      diff: [],
      commands: [],
      ...(unit.item !== undefined ? { item: unit.item } : {}),
      ...fields,
      duration_ms: Date.now() - started,
    });
    try {
      const facts = await this.readFacts(unit);
      const plan = this.plan(unit, this.parseFacts(unit, facts, (command) => this.factCache.get(command)!));
      const commands = plan.commands.map((command) => redact(command.run.shown));
      const diff = plan.changes.map((change) => ({
        subject: redact(change.subject),
        before: typeof change.before === 'string' ? redact(change.before) : change.before,
        after: typeof change.after === 'string' ? redact(change.after) : change.after,
      }));
      if (plan.changes.length === 0) return result({ status: 'ok', noop: plan.noop ? redact(plan.noop) : undefined });
      if (this.settings.check) return result({ status: 'changed', diff, commands, check_mode: true });

      // Whatever happens next, the host may have changed: nothing read before is trusted.
      // The same batch reads, after the commands, this task's facts (to re-plan) and those
      // of the tasks ahead, which then see the host as this task left it.
      this.factCache.clear();
      const factCommands = Object.values(facts).map((fact) => fact.command);
      const aheadCommands = this.factsAhead(unit).filter((command) => !factCommands.some((mine) => mine.text === command.text));
      const outcomes = await this.runBatch(
        plan.commands.map((command) => command.run),
        true,
        [...factCommands, ...aheadCommands],
      );
      for (const [index, command] of plan.commands.entries()) {
        const outcome = outcomes[index];
        const problem = !outcome
          ? 'did not run'
          : outcome.exitCode !== 0
            ? `exited ${outcome.exitCode}${outcome.stderr.trim() ? `: ${outcome.stderr.trim()}` : ''}`
            : undefined;
        if (problem) {
          return result({ status: 'failed', failed: true, msg: redact(`${command.run.shown} ${problem}`), diff, commands });
        }
      }
      const reread = outcomes.slice(plan.commands.length);
      const byCommand = new Map(factCommands.map((command, index) => [command.text, reread[index]]));
      aheadCommands.forEach((command, index) => this.factCache.set(command.text, reread[factCommands.length + index]));
      const again = this.plan(unit, this.parseFacts(unit, facts, (command) => byCommand.get(command)!));
      if (again.changes.length) {
        const left = again.changes.map((change) => `${change.subject}: ${JSON.stringify(change.before)} -> ${JSON.stringify(change.after)}`).join('; ');
        return result({ status: 'failed', failed: true, msg: redact(`not idempotent: after applying, the host still differs (${left}); this is a bug in the ${unit.module.name} task`), diff, commands });
      }
      return result({ status: 'changed', diff, commands });
    } catch (error) {
      return result({ status: 'failed', failed: true, msg: redact((error as Error).message) });
    }
  }
}
