/**
 * An in-process stand-in for the hosts' shells, to unit-test the executor's logic: a
 * Connector whose shells take the batch script the engine sends to `sh -s`, answer each
 * command from a per-host script and reply in the batch framing. It reads the script as
 * src/engine/execute/batch.ts writes it and refuses anything else, so a change of framing
 * fails these tests instead of slipping past them. It adds to the sshd integration tests,
 * which prove the framing against a real sh.
 */
import type { CommandResult } from '../../src/api';
import type { Connector } from '../../src/engine/execute/executor';
import type { RemoteShell } from '../../src/engine/execute/host-run';
import type { ConnectionTarget } from '../../src/engine/inventory';
import { splitShellWords } from '../../src/shell/words';
import { UnreachableError } from '../../src/errors';
import type { ShellCommand } from '../../src/shell/quote';
import type { Become } from '../../src/transport/become';

/** What one command of a batch does on the scripted host. */
export type Answer =
  /** `progress`: lines a progress command writes to fd 3, sent (framed) before its result. */
  | { stdout?: string; stderr?: string; exitCode?: number; progress?: string[] }
  /** The remote shell dies while running the command: no frame for it or any later one. */
  | { shellDies: { stderr: string; exitCode: number } };

/**
 * A scripted host. `answer` gets each command's text as the engine wrote it and may change
 * `state`; throwing (an UnreachableError, say) makes the whole exec reject, as a dropped
 * connection does.
 */
export interface ScriptedHost<S = unknown> {
  state: S;
  answer(command: string, become: Become | undefined, state: S): Answer;
  /** open() fails with this, as when sshd does not answer. */
  unreachable?: { message: string; hint?: string };
  /** How long each of this host's execs takes, instead of the connector's. */
  latencyMs?: number;
}

/** One exec as the shell received it. */
export interface ExecRecord {
  host: string;
  become?: Become;
  /** The commands followed by the stop-on-error line: what a task applies. */
  apply: string[];
  /** The commands after them, which run whatever happened: fact reads. */
  read: string[];
  /** Ticks of the connector's clock (one per exec start and end), to order execs. */
  start: number;
  end?: number;
}

interface ParsedStep {
  command: string;
  marker: string;
  stopOnError: boolean;
  /** Its fd 3 lines are framed as progress. */
  progress: boolean;
}

const HEADER = ["trap '' HUP INT TERM PIPE", 'export LANG=C LC_ALL=C', 'lvs_dir=$(mktemp -d) || exit 97', `trap 'rm -rf "$lvs_dir"' EXIT`];
const OPEN = '(';
const CLOSE = ') >"$lvs_dir/o" 2>"$lvs_dir/e" </dev/null; lvs_rc=$?';
const OPEN_PROGRESS = '{ (';
const CLOSE_PROGRESS =
  /^\) 3>&1 >"\$lvs_dir\/o" 2>"\$lvs_dir\/e" <\/dev\/null; echo \$\? >"\$lvs_dir\/rc"; \} \| while IFS= read -r lvs_line; do printf '%s %s %s\\n' (lvs-[0-9a-f]{12})-progress (\d+) "\$\(printf '%s' "\$lvs_line" \| base64 -w0\)"; done; lvs_rc=\$\(cat "\$lvs_dir\/rc"\)$/;
const FRAME = /^printf '%s %s %s ' (lvs-[0-9a-f]{12}) (\d+) "\$lvs_rc"; base64 -w0 "\$lvs_dir\/o"; printf ' '; base64 -w0 "\$lvs_dir\/e"; printf '\\n'$/;
const STOP = '[ "$lvs_rc" -eq 0 ] || exit 0';

/** The batch script's commands, read the way sh would run them; throws on any other script. */
export function parseBatchScript(script: string): ParsedStep[] {
  const fail = (why: string): never => {
    throw new Error(`scripted shell: not a batch script (${why}):\n${script}`);
  };
  if (!script.endsWith('\n')) fail('no final newline');
  const lines = script.slice(0, -1).split('\n');
  HEADER.forEach((line, index) => lines[index] === line || fail(`line ${index + 1} is not ${JSON.stringify(line)}`));
  const steps: ParsedStep[] = [];
  let at = HEADER.length;
  while (at < lines.length) {
    const progress = lines[at] === OPEN_PROGRESS;
    if (lines[at] !== OPEN && !progress) fail(`line ${at + 1} does not open a command`);
    const close = progress ? lines.findIndex((line, index) => index > at && CLOSE_PROGRESS.test(line)) : lines.indexOf(CLOSE, at + 1);
    if (close < 0) fail(`the command at line ${at + 1} is never closed`);
    const frame = FRAME.exec(lines[close + 1] ?? '') ?? fail(`no frame after line ${close + 1}`);
    if (Number(frame[2]) !== steps.length) fail(`frame ${frame[2]} where ${steps.length} belongs`);
    if (progress) {
      const [, marker, index] = CLOSE_PROGRESS.exec(lines[close])!;
      if (marker !== frame[1] || Number(index) !== steps.length) fail(`the progress frame at line ${close + 1} does not match its command`);
    }
    const stopOnError = lines[close + 2] === STOP;
    steps.push({ command: lines.slice(at + 1, close).join('\n'), marker: frame[1], stopOnError, progress });
    at = close + (stopOnError ? 3 : 2);
  }
  if (new Set(steps.map((step) => step.marker)).size > 1) fail('the frames use different markers');
  const firstRead = steps.findIndex((step) => !step.stopOnError);
  if (firstRead >= 0 && steps.slice(firstRead).some((step) => step.stopOnError)) fail('a stop-on-error line after a read');
  return steps;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

class ScriptedShell implements RemoteShell {
  constructor(
    private readonly name: string,
    private readonly host: ScriptedHost,
    private readonly connector: ScriptedConnector,
  ) {}

  async exec(command: ShellCommand, options: { stdin?: string; timeoutMs?: number; become?: Become; onStdout?: (text: string) => void } = {}): Promise<CommandResult> {
    if (this.connector.closed) throw new Error(`scripted shell: exec on ${this.name} after closeAll()`);
    if (command.text !== 'sh -s' || options.stdin === undefined) throw new Error(`scripted shell: expected sh -s with a script on stdin, got ${command.text}`);
    const steps = parseBatchScript(options.stdin);
    const record: ExecRecord = {
      host: this.name,
      ...(options.become ? { become: options.become } : {}),
      apply: steps.filter((step) => step.stopOnError).map((step) => step.command),
      read: steps.filter((step) => !step.stopOnError).map((step) => step.command),
      start: this.connector.tick(),
    };
    this.connector.execs.push(record);
    this.connector.inFlight++;
    this.connector.maxInFlight = Math.max(this.connector.maxInFlight, this.connector.inFlight);
    try {
      await this.connector.latency(this.host.latencyMs);
      let stdout = '';
      for (const [index, step] of steps.entries()) {
        const answer = this.host.answer(step.command, options.become, this.host.state);
        if ('shellDies' in answer) return { stdout, ...answer.shellDies };
        const exitCode = answer.exitCode ?? 0;
        if (answer.progress && !step.progress) throw new Error(`scripted shell: progress from a command that does not declare it: ${step.command}`);
        for (const line of answer.progress ?? []) {
          const framed = `${step.marker}-progress ${index} ${base64(line)}\n`;
          stdout += framed;
          // Sent as it happens, as the SSH channel delivers it, in two pieces to exercise line buffering.
          options.onStdout?.(framed.slice(0, 7));
          options.onStdout?.(framed.slice(7));
          await this.connector.latency(0);
        }
        const frame = `${step.marker} ${index} ${exitCode} ${base64(answer.stdout ?? '')} ${base64(answer.stderr ?? '')}\n`;
        stdout += frame;
        options.onStdout?.(frame);
        if (step.stopOnError && exitCode !== 0) break;
      }
      return { stdout, stderr: '', exitCode: 0 };
    } finally {
      this.connector.inFlight--;
      record.end = this.connector.tick();
    }
  }
}

export class ScriptedConnector implements Connector {
  /** Every exec of every host, in the order they started. */
  readonly execs: ExecRecord[] = [];
  /** Every open() call, in order (the executor opens once per play; the shell is shared). */
  readonly opens: string[] = [];
  closed = false;
  inFlight = 0;
  /** The most execs that were running at once, across hosts. */
  maxInFlight = 0;
  private readonly shells = new Map<string, ScriptedShell>();
  private clock = 0;

  constructor(
    private readonly hosts: Record<string, ScriptedHost<any>>,
    /** How long each exec takes; 0 still yields to the event loop, so hosts interleave. */
    private readonly latencyMs = 0,
  ) {}

  tick(): number {
    return ++this.clock;
  }

  latency(ms = this.latencyMs): Promise<void> {
    return new Promise((resolve) => (ms ? setTimeout(resolve, ms) : setImmediate(resolve)));
  }

  async open(name: string, _target: ConnectionTarget): Promise<RemoteShell> {
    this.opens.push(name);
    const host = this.hosts[name];
    if (!host) throw new Error(`scripted shell: no script for host ${name}`);
    await this.latency();
    if (host.unreachable) throw new UnreachableError(name, host.unreachable.message, host.unreachable.hint);
    let shell = this.shells.get(name);
    if (!shell) {
      shell = new ScriptedShell(name, host, this);
      this.shells.set(name, shell);
    }
    return shell;
  }

  /** Like the SSH pool: one connection per reachable host, one channel per exec. */
  async counters(): Promise<Record<string, { connections: number; channels: number }>> {
    const opened = [...new Set(this.opens)];
    return Object.fromEntries(
      opened.map((name) => [name, this.hosts[name].unreachable ? { connections: 0, channels: 0 } : { connections: 1, channels: this.execs.filter((exec) => exec.host === name).length }]),
    );
  }

  async closeAll(): Promise<void> {
    this.closed = true;
  }

  /** The execs of one host, without the clock, for literal expectations. */
  execsOf(host: string): Omit<ExecRecord, 'host' | 'start' | 'end'>[] {
    return this.execs.filter((exec) => exec.host === host).map(({ host: _host, start: _start, end: _end, ...rest }) => rest);
  }
}

/** Overrides the answer to some commands (undefined: let the host answer as usual). */
export type Override<S> = (command: string, become: Become | undefined, state: S) => Answer | undefined;

/**
 * A tiny key-value host: `cat KEY` prints a key (or fails as cat does on a missing file),
 * `printf %s VALUE > KEY` writes one. Any other command is not found, as in sh.
 */
export function keyValueHost(files: Record<string, string> = {}, override?: Override<Map<string, string>>): ScriptedHost<Map<string, string>> {
  return {
    state: new Map(Object.entries(files)),
    answer(command, become, state) {
      const overridden = override?.(command, become, state);
      if (overridden) return overridden;
      const words = splitShellWords(command, { comments: false }).map((word) => word.text);
      if (words.length === 2 && words[0] === 'cat') {
        const value = state.get(words[1]);
        return value === undefined ? { stderr: `cat: ${words[1]}: No such file or directory\n`, exitCode: 1 } : { stdout: value };
      }
      if (words.length === 5 && words[0] === 'printf' && words[1] === '%s' && words[3] === '>') {
        state.set(words[4], words[2]);
        return {};
      }
      return { stderr: `sh: 1: ${words[0]}: not found\n`, exitCode: 127 };
    },
  };
}

/** A host that open() cannot reach. */
export function unreachableHost(message: string, hint?: string): ScriptedHost<undefined> {
  return {
    state: undefined,
    answer: () => {
      throw new Error('scripted shell: an unreachable host ran a command');
    },
    unreachable: { message, ...(hint ? { hint } : {}) },
  };
}
