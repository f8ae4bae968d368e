/**
 * The controller itself as a host (Ansible's `connection: local`, and its implicit
 * localhost): commands run through `sh -c` in a child process, with no SSH. It takes the same
 * options as an SSH connection: stdin (kept open until a promise settles, for the run lock),
 * stdout as it arrives, a timeout that kills the command's whole process group, and become
 * through sudo, with the same password dialog (become.ts).
 */
import { spawn } from 'node:child_process';
import { constants as osConstants, userInfo } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { CommandResult } from '../api';
import type { ShellCommand } from '../shell/quote';
import { becomeCommand } from './become';
import { CommandTimeoutError } from './command-run';
import { killProcessGroup } from './process-group';
import { redact } from './redact';
import type { ExecOptions } from './ssh';

/** How long the kill of a timed-out command may take (it may need sudo's password check). */
const KILL_TIMEOUT_MS = 10_000;

export class LocalShell {
  /** Like an SSH connection's: no connection, one "channel" per command. */
  readonly counters = { connections: 0, channels: 0 };
  private readonly user = userInfo().username;

  /** `name`: the inventory name, for messages. */
  constructor(readonly name: string) {}

  /** Runs `command` with `sh -c`; resolves with its output and exit code (128 + N when killed by signal N), whatever the code. */
  exec(command: ShellCommand, options: ExecOptions = {}): Promise<CommandResult> {
    const { command: wrapped, dialog } = becomeCommand(command, this.user, options.become);
    const secrets = [options.become?.password];
    const shown = redact(wrapped.shown, secrets);
    this.counters.channels += 1;
    return new Promise<CommandResult>((resolve, reject) => {
      const startedAt = Date.now();
      // A process group of its own (setsid), so a timeout can kill all the command started.
      const child = spawn('sh', ['-c', wrapped.text], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stdoutDecoder = new StringDecoder('utf8');
      const stderrDecoder = new StringDecoder('utf8');
      let stderr = '';
      let settled = false;
      let stdinEnded = false;
      const endStdin = () => {
        if (stdinEnded) return;
        stdinEnded = true;
        child.stdin.end();
      };
      const giveStdin = () => {
        if (options.stdin) child.stdin.write(options.stdin);
        if (options.stdinOpenUntil) void options.stdinOpenUntil.finally(endStdin);
        else endStdin();
      };
      // A command that exits without reading its stdin closes the pipe: that is no error.
      child.stdin.on('error', () => undefined);

      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              settled = true;
              const partial = { stdout: Buffer.concat(stdout).toString('utf8'), stderr };
              void this.kill(child.pid!, options).then((failure) =>
                reject(new CommandTimeoutError(this.name, shown, options.timeoutMs!, Date.now() - startedAt, partial, failure && redact(failure, secrets))),
              );
            }, options.timeoutMs);

      child.stdout.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        options.onStdout?.(stdoutDecoder.write(chunk));
      });
      child.stderr.on('data', (chunk: Buffer) => {
        const text = stderrDecoder.write(chunk);
        if (!dialog) {
          stderr += text;
          return;
        }
        const { steps, stderr: own } = dialog.onStderr(text);
        stderr += own;
        for (const step of steps) {
          if (step === 'send-password') child.stdin.write(`${options.become!.password}\n`);
          else if (step === 'password-rejected') endStdin();
          else giveStdin();
        }
      });
      child.on('error', (error) => {
        if (timer) clearTimeout(timer);
        if (settled) return;
        settled = true;
        reject(new Error(`cannot start ${shown} on ${this.name}: ${error.message}`));
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        if (settled) return;
        settled = true;
        stderr += stderrDecoder.end() + (dialog ? dialog.flush() : '');
        const exitCode = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 127) : 127);
        resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr, exitCode });
      });
      if (!dialog) giveStdin();
    });
  }

  /**
   * Kills the command's process group; a group that runs as another user (through sudo) is
   * killed as that user. Resolves with why that failed, if it did.
   */
  private async kill(processGroup: number, options: ExecOptions): Promise<string | undefined> {
    try {
      process.kill(-processGroup, 'SIGKILL');
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
      if ((error as NodeJS.ErrnoException).code !== 'EPERM' || !options.become) return (error as Error).message;
    }
    return this.exec(killProcessGroup(processGroup), { become: options.become, timeoutMs: KILL_TIMEOUT_MS }).then(
      (result) => (result.exitCode === 0 ? undefined : `kill exited ${result.exitCode}: ${result.stderr.trim()}`),
      (error: Error) => error.message,
    );
  }
}
