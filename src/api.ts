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
  /**
   * Its stdout, stderr and exit code become the task's result, as Ansible's command module
   * returns them: `stdout`, `stderr` (trailing newlines removed), `rc`, `stdout_lines`,
   * `stderr_lines`. They show in --json and `register` stores them, also when the command
   * fails. At most one command of a plan has it.
   */
  output?: true;
  /**
   * Seconds the command may take by design (a wait with its own deadline): the batch that
   * runs it may take this much longer than --command-timeout allows.
   */
  waitsUpTo?: number;
  /**
   * The command reports how it is getting on: every line it writes to file descriptor 3
   * while it runs is shown at once on the task's row (the latest line wins; the plain log
   * prints them now and then). They are not part of its stdout, and are redacted like it.
   */
  progress?: true;
}

/**
 * A plan whose commands are the work itself rather than a way to reach a state that the
 * facts can see: a command the user gave, a wait. See `Plan.action`.
 */
export interface PlanAction {
  /**
   * What --check does: `'run'` the commands (they only read, as a wait does), `'report'`
   * them as the change they would make (the facts decided, as a `creates` guard does), or
   * `{ skip: reason }`, when what they would do cannot be known without running them.
   */
  check: 'run' | 'report' | { skip: string };
}

export interface Plan {
  changes: Change[];
  commands: PlannedCommand[];
  /** Why nothing needs doing, e.g. "net.ipv4.ip_forward is 1 live and in /etc/sysctl.conf". */
  noop?: string;
  /**
   * Marks the commands as an action. The engine then runs them even when `changes` is empty
   * (the task is ok, not changed, as a wait is), and does not re-read the facts or re-plan
   * after them: an action has no state to converge to, so running it again is no bug.
   */
  action?: PlanAction;
  /**
   * Values the task returns besides its changes (debug's `msg`, command's `cmd`): added to
   * its result in --json and to what `register` stores, redacted like every output. Names
   * the engine sets itself (`status`, `changed`, `failed`, `diff`, ...) are refused, and so
   * are the output names (`stdout`, `rc`, ...) when a command's `output` is kept.
   */
  result?: Record<string, unknown>;
}

/** An argument that the schema marks `"expression"`, evaluated against the host's variables. */
export interface Evaluated {
  /** The expression as written: `result.rc == 0`, `db_host`. */
  source: string;
  /** A condition's truth (Ansible's `when` rules), or a value expression's value. */
  value: unknown;
  /** False when a value expression names a variable that does not exist (value is then undefined). */
  defined: boolean;
}

/** One file or directory inside a local source directory that a task named in `files()`. */
export interface SourceEntry {
  /** Relative to the named directory, `/`-separated, without a leading `./`: `conf.d/a.conf`. */
  path: string;
  type: 'file' | 'directory';
  /** A file's bytes, verbatim (never rendered); empty for a directory. */
  content: Buffer;
  /** Its permission bits on the controller, in octal as stat prints them: "644". */
  mode: string;
}

/** A local file or directory a task named in `files()`, read on the controller while compiling. */
export interface SourceFile {
  type: 'file' | 'directory';
  /** A file's bytes, verbatim (never rendered: binary files arrive as they are); empty for a directory. */
  content: Buffer;
  /** Its permission bits on the controller, in octal as stat prints them: "644". */
  mode: string;
  /** A directory's files and directories below it, depth first (a directory before what it holds), names sorted; empty for a file. */
  entries: SourceEntry[];
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
  /**
   * Each local source file or directory the task named in `files()`, read verbatim, by the
   * name as `files()` returned it (a trailing `/` included).
   */
  files: Readonly<Record<string, SourceFile>>;
  /**
   * The arguments the schema marks `"expression": "value"` or `"expression": "condition"`,
   * evaluated for this host when the run is compiled (or, when they read a variable an
   * earlier task registers, once it is registered), by argument name: one entry per
   * expression, so a list argument gives one per item. The argument itself keeps the text.
   */
  expressions: Readonly<Record<string, readonly Evaluated[]>>;
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

/** A VIP a VRRP instance puts on its host while it is master. */
export interface ClusterVrrpAddress {
  /** With its prefix length, 192.168.2.100/24; a bare address is a /32 (/128). */
  address: string;
  /** The device, not a label. */
  device: string;
}

/**
 * A VRRP instance the task runs on its host (a director of a pair): the checks compare the
 * instances that share a VIP or a name across hosts. Its VIPs are held at run time by the
 * master only, so they count as the director's VIP for its services, and a static address
 * for one of them is warned about.
 */
export interface ClusterVrrpInstance extends FromArgument {
  name: string;
  interface: string;
  virtualRouterId: number;
  priority: number;
  addresses: ClusterVrrpAddress[];
  /** The device the LVS connection sync daemon runs on while this instance decides its role; none when there is no sync daemon. */
  syncInterface?: string;
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
  /**
   * The virtual services the task keeps. Two different tasks that keep the same service on
   * one host are refused: each would undo what the other does to the IPVS table.
   */
  services?: ClusterService[];
  vrrpInstances?: ClusterVrrpInstance[];
}

export interface FreeForm {
  argument: string;
  options: readonly string[];
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
   * Takes Ansible's free form, one string instead of key=value words (`command: touch /x
   * creates=/x`): the string goes to the argument `argument`, as written, except the words
   * `NAME=value` whose NAME is one of `options`, which set those arguments. Without it, a
   * task given as a string is key=value words.
   */
  freeForm?: FreeForm;
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
  /**
   * The local source files or directories the task copies, as its arguments name them
   * (relative names; a trailing `/` names a directory's contents). The engine looks each one
   * up on the controller (in the playbook's files/ folder, then beside the playbook) and
   * reads it verbatim while compiling the run, so a missing file is bad input reported
   * before any host is touched. `plan` and `facts` read it from `context.files[name]`.
   */
  files?(args: Args): string[];
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
const OPTIONAL_FUNCTIONS = ['validate', 'templates', 'files', 'cluster'] as const;

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
  const schema = candidate.schema as { type?: unknown; properties?: Record<string, unknown> } | undefined;
  if (typeof schema !== 'object' || schema === null || schema.type !== 'object') {
    problems.push('schema must be a JSON Schema of type object');
  } else {
    problems.push(...freeFormProblems(candidate.freeForm, Object.keys(schema.properties ?? {})));
    try {
      argumentValidator(schema);
    } catch (error) {
      problems.push(`schema: ${(error as Error).message}`);
    }
  }
  return problems;
}

function freeFormProblems(freeForm: unknown, properties: string[]): string[] {
  if (freeForm === undefined) return [];
  const { argument, options } = (freeForm ?? {}) as Partial<FreeForm>;
  if (typeof argument !== 'string' || !Array.isArray(options)) return ['freeForm must be { argument, options } when given'];
  const unknown = [argument, ...options].filter((name) => !properties.includes(name));
  return unknown.length ? [`freeForm names ${unknown.join(', ')}, which the schema does not declare`] : [];
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
