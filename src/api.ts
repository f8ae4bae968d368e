/**
 * The public contract between the engine and task modules. Built-in tasks and plugin
 * packages use exactly this API: a module declares the facts it reads and computes a plan
 * from them; the engine does every bit of I/O.
 *
 * How a task fails: by throwing an Error from a fact's `parse` or from `plan`. The task then
 * fails on that host with the error's message (a fact's prefixed with the task and the fact:
 * `sysctl: reading liveValue failed: ...`), secrets redacted; that host runs no further tasks
 * unless the playbook says `ignore_errors`, and the other hosts go on. Bad arguments are not
 * failures of this kind: the schema and `validate` reject them before any host is touched.
 */
import { argumentValidator, type TaskSchema } from './argument-schema';
import type { ShellCommand } from './shell/quote';

export type { ArgumentSchema, TaskSchema } from './argument-schema';

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
  /**
   * Pure: the value from what the command printed. Throwing (output it does not understand,
   * a state the task cannot work with) fails the task on that host with the message.
   */
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
  /**
   * The commands are the change (a restart, a reload, a cache refresh), so a plan made after
   * them would ask for them again: the engine runs them and does not fail the re-plan for
   * this task. Each command must then check itself, since nothing re-reads the host after it.
   */
  action?: true;
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

/** The argument path an item came from, as the task's arguments spell it: `value`, `real_servers.1.address`. */
interface FromArgument {
  argument: string;
}

/** An item a reboot would lose unless the task persists it. */
interface Persistable {
  /** False when the task changes the live state only (`persist: false`); the checks warn where the cluster needs it after a reboot. */
  persist?: boolean;
}

/** An address the task puts on a device, or takes off it. */
export interface ClusterAddress extends FromArgument, Persistable {
  /** With its prefix length, 192.168.2.100/32; a bare address is a /32 (/128). */
  address: string;
  /** The device, not a label: lo, eth0. */
  device: string;
  present: boolean;
}

/** A route the task adds, or removes (every route to `destination`). */
export interface ClusterRoute extends FromArgument, Persistable {
  /** `default` or a destination network or address. */
  destination: string;
  via?: string;
  /** The device, not a label. */
  device?: string;
  present: boolean;
}

/** A kernel parameter the task sets live. */
export interface ClusterSysctl extends FromArgument {
  /** Either sysctl(8) spelling: net.ipv4.ip_forward or net/ipv4/ip_forward. */
  key: string;
  value: string;
}

export interface ClusterModule extends FromArgument {
  name: string;
  loaded: boolean;
}

export interface ClusterLink extends FromArgument, Persistable {
  device: string;
  up: boolean;
}

/** A real server of a virtual service; `argument` is where its address came from. */
export interface ClusterRealServer extends FromArgument {
  address: string;
  port?: number;
  forwarding: 'dr' | 'nat' | 'tun';
}

/** A virtual service the task keeps on its host (the director); `argument` is where the VIP came from. */
export interface ClusterService extends FromArgument {
  address: string;
  port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  realServers: ClusterRealServer[];
}

/**
 * What a task's arguments make of its host, for the cluster checks: the addresses, routes,
 * live kernel parameters, modules, links and virtual services. The checks run on the whole
 * playbook before any host is touched, and read these declarations only, never a task's
 * arguments, so a plugin's task takes part as a built-in one does. A finding points at the
 * argument the item names.
 */
export interface ClusterSettings {
  addresses?: ClusterAddress[];
  routes?: ClusterRoute[];
  sysctls?: ClusterSysctl[];
  modules?: ClusterModule[];
  links?: ClusterLink[];
  services?: ClusterService[];
}

/** A task module: the noun it manages, its argument schema, its facts and its plan. */
export interface TaskModule<Args = any, F extends FactMap = FactMap> {
  /** Lowercase letters, digits and _, starting with a letter: the key in a playbook task. */
  name: string;
  /** One sentence for `lvs tasks`. */
  description: string;
  /**
   * JSON Schema (draft 7, ajv 8, strict mode) of the arguments: the contract, checked
   * against Args by TypeScript. Property descriptions, defaults and enums are what
   * `lvs tasks NAME` prints. A property with `"secret": true` is redacted in every output.
   */
  schema: TaskSchema<NoInfer<Args>>;
  /** Example arguments for `lvs tasks NAME`. */
  example: NoInfer<Args>;
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
  /**
   * Pure: compares desired and current state, returns the changes and the commands. Throwing
   * an Error (a device that does not exist, a change it refuses to make) fails the task on
   * that host with the message.
   */
  plan(args: Args, facts: FactValues<F>, context: TaskContext): Plan;
  /** What the arguments mean for the cluster checks; a task that changes no network state leaves it out. */
  cluster?(args: Args): ClusterSettings;
}

const TASK_NAME = /^[a-z][a-z0-9_]*$/;
const REQUIRED_FUNCTIONS = ['facts', 'plan'] as const;
const OPTIONAL_FUNCTIONS = ['validate', 'templates', 'cluster'] as const;

/**
 * What keeps `module` from being a task module; empty when nothing does. defineTask and the
 * registry both ask, so a plugin export that skipped defineTask is held to the same rules.
 */
export function taskModuleProblems(module: unknown): string[] {
  if (typeof module !== 'object' || module === null) return ['not a task module (use defineTask)'];
  const candidate = module as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof candidate.name !== 'string' || !TASK_NAME.test(candidate.name)) {
    problems.push(`name ${JSON.stringify(candidate.name)} must be lowercase letters, digits and _, starting with a letter`);
  }
  for (const hook of REQUIRED_FUNCTIONS) if (typeof candidate[hook] !== 'function') problems.push(`${hook} must be a function`);
  for (const hook of OPTIONAL_FUNCTIONS) {
    if (candidate[hook] !== undefined && typeof candidate[hook] !== 'function') problems.push(`${hook} must be a function when given`);
  }
  const schema = candidate.schema as { type?: unknown } | undefined;
  if (typeof schema !== 'object' || schema === null || schema.type !== 'object') {
    problems.push('schema must be a JSON Schema of type object');
  } else {
    try {
      argumentValidator(schema);
    } catch (error) {
      problems.push(`schema: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Declares a task module, or throws naming the task and what is wrong. Built-in tasks and plugins call exactly this. */
export function defineTask<Args, F extends FactMap>(module: TaskModule<Args, F>): TaskModule<Args, F> {
  const problems = taskModuleProblems(module);
  if (problems.length) throw new Error(`task '${String(module?.name)}': ${problems.join('; ')}`);
  return module;
}

/** Builds a no-op plan. */
export function noop(reason: string): Plan {
  return { changes: [], commands: [], noop: reason };
}
