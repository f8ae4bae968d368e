/**
 * The public contract between the engine and task modules. Built-in tasks and plugin
 * packages use exactly this API: a module declares the facts it reads and computes a plan
 * from them; the engine does every bit of I/O.
 */
import type { ShellCommand } from './shell/quote';

/** What one remote command produced. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * A read-only probe: a command with no side effects plus a pure parser of its output.
 * Facts with the same command are read once per host and batch, whichever task asks.
 */
export interface Fact<T> {
  command: ShellCommand;
  parse(result: CommandResult): T;
  /**
   * The value depends on other hosts (requests through a load balancer, say), so it is read
   * when its task's turn comes, never ahead in a batch with earlier tasks' facts.
   */
  live?: boolean;
}

export type FactMap = Record<string, Fact<unknown>>;
export type FactValues<F extends FactMap> = { [K in keyof F]: NonNullable<F[K]> extends Fact<infer T> ? T : never };

/** One difference between the host and the desired state, shown by --diff and in JSON. */
export interface Change {
  /** What changes, in the task's own words: `net.ipv4.ip_forward`, `/etc/sysctl.conf`. */
  subject: string;
  before: unknown;
  after: unknown;
}

/**
 * A command that closes part of the difference. The commands of a plan run in order and
 * stop at the first non-zero exit. A tool that can exit 0 without doing the work (sysctl -w
 * on a value the kernel refuses) must be wrapped so that it checks itself and exits
 * non-zero; the engine also re-reads the facts after applying and fails a non-empty re-plan.
 */
export interface PlannedCommand {
  run: ShellCommand;
}

export interface Plan {
  changes: Change[];
  commands: PlannedCommand[];
  /** Why nothing needs doing, e.g. "net.ipv4.ip_forward is 1 live and in /etc/sysctl.conf". */
  noop?: string;
}

/** What the engine gives a task besides its arguments: data only, computed before connecting. */
export interface TaskContext {
  /** The inventory name of the host. */
  host: string;
  /**
   * The content of each template file the task named in `templates()`, rendered for this
   * host, by name. HTML templates (*.html.hbs, *.htm.hbs) are HTML-escaped; every other one
   * is rendered verbatim.
   */
  templates: Readonly<Record<string, string>>;
}

/** A task module: the noun it manages, its argument schema, its facts and its plan. */
export interface TaskModule<Args = any, F extends FactMap = FactMap> {
  name: string;
  /** One sentence for `lvs tasks`. */
  description: string;
  /**
   * JSON Schema (draft 7, ajv 8) of the arguments: the contract. Property descriptions,
   * defaults and enums are what `lvs tasks NAME` prints. A property with `"secret": true`
   * is redacted in every output.
   */
  schema: Record<string, unknown>;
  /** Example arguments for `lvs tasks NAME`. */
  example: Args;
  /**
   * Rules a schema cannot say, checked before any host is touched. Returns messages of the
   * form "key: what is wrong"; empty when the arguments are fine.
   */
  validate?(args: Args): string[];
  /**
   * The template files the task renders, as its arguments name them. The engine looks each
   * one up (beside the playbook, in its templates/ folder, then in lvs's templates/) and
   * renders it for the host while compiling the run, so a missing file or an undefined
   * variable in it is bad input reported before any host is touched.
   */
  templates?(args: Args): string[];
  /** The read-only probes the plan needs. */
  facts(args: Args, context: TaskContext): F;
  /** Pure: compares desired and current state, returns the changes and the commands. */
  plan(args: Args, facts: FactValues<F>, context: TaskContext): Plan;
}

/** Declares a task module. Built-in tasks and plugins call exactly this. */
export function defineTask<Args, F extends FactMap>(module: TaskModule<Args, F>): TaskModule<Args, F> {
  if (!/^[a-z][a-z0-9_]*$/.test(module.name)) {
    throw new Error(`task name "${module.name}" must be lowercase letters, digits and _`);
  }
  return module;
}

/** Builds a no-op plan. */
export function noop(reason: string): Plan {
  return { changes: [], commands: [], noop: reason };
}
