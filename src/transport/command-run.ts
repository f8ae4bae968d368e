/**
 * Following one command on its SSH channel: feeding stdin (and sudo its password), collecting
 * output and exit status, and killing it when it runs out of time.
 */
import { constants as osConstants } from 'os';
import { StringDecoder } from 'string_decoder';
import type { ClientChannel } from 'ssh2';
import type { CommandResult } from '../api';
import { UnreachableError } from '../errors';
import type { SudoPasswordDialog } from './become';
import type { ProcessGroupAnnouncement } from './process-group';
import { redact } from './redact';

/** A command ran longer than its timeout; it was killed (as far as lvs could) and its channel closed. */
export class CommandTimeoutError extends Error {
  constructor(
    readonly host: string,
    /** The command's shown form, sudo wrapper included, redacted. */
    readonly command: string,
    readonly timeoutMs: number,
    /** From the start of the command to the end of the kill, which can take long (a second login, sudo). */
    readonly elapsedMs: number,
    /** What the command had written before it was killed. */
    readonly partial: { stdout: string; stderr: string },
    /** Why the kill command failed, if it did: the command may then still be running. */
    readonly killFailure?: string,
  ) {
    const after = `${(elapsedMs / 1000).toFixed(1)} s after it started`;
    super(
      killFailure === undefined
        ? `${command} did not finish within its timeout of ${timeoutMs} ms and was killed, ${after}`
        : `${command} did not finish within its timeout of ${timeoutMs} ms; lvs could not kill it (${killFailure}) ` +
            `and gave up on it ${after}: it may still be running`,
    );
    this.name = 'CommandTimeoutError';
  }
}

export interface CommandRun {
  /** The inventory name, for errors. */
  host: string;
  /** The command for messages, already redacted. */
  shown: string;
  /** Text that must not appear in an error (passwords). */
  secrets: Array<string | undefined>;
  stdin?: string;
  /** Stdin stays open until this settles. */
  stdinOpenUntil?: Promise<unknown>;
  onStdout?: (text: string) => void;
  timeoutMs?: number;
  sudo?: { dialog: SudoPasswordDialog; password: string };
  /** With a timeout: where the shell announces its process group, and how to kill it (resolving with why that failed, if it did). */
  processGroup?: { announcement: ProcessGroupAnnouncement; kill(processGroup: number): Promise<string | undefined> };
  /** Why the connection went away, if it did. */
  lostReason(): string | undefined;
}

/**
 * Must be called as soon as the channel exists (see SshConnection.openExecChannelOnce).
 * Resolves with output and exit code, whatever the code (128 + N for death by signal N).
 */
export function followCommand(channel: ClientChannel, run: CommandRun): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve, reject) => {
    const startedAt = Date.now();
    const stdout: Buffer[] = [];
    const stderrDecoder = new StringDecoder('utf8');
    let stderr = '';
    let exit: number | undefined;
    let settled = false;
    let stdinEnded = false;
    const endStdin = (text?: string) => {
      if (stdinEnded) return;
      stdinEnded = true;
      channel.end(text);
    };
    /** The command's own stdin: written, then ended, at once or when `stdinOpenUntil` settles. */
    const giveStdin = (text?: string) => {
      if (!run.stdinOpenUntil) return endStdin(text);
      if (text) channel.write(text);
      void run.stdinOpenUntil.finally(() => endStdin());
    };

    const timer =
      run.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            settled = true;
            const partial = { stdout: Buffer.concat(stdout).toString('utf8'), stderr };
            const processGroup = run.processGroup?.announcement.processGroup;
            // The error waits for the kill, so whoever gets it knows whether the command is gone.
            const killed = processGroup === undefined ? Promise.resolve(undefined) : run.processGroup!.kill(processGroup);
            killChannel(channel);
            void killed.then((failure) =>
              reject(new CommandTimeoutError(run.host, run.shown, run.timeoutMs!, Date.now() - startedAt, partial, failure && redact(failure, run.secrets))),
            );
          }, run.timeoutMs);

    const stdoutDecoder = new StringDecoder('utf8');
    channel.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      run.onStdout?.(stdoutDecoder.write(chunk));
    });
    /** stderr passes the process group announcement first, then the sudo dialog. */
    const takeStderr = (received: string, closing: boolean) => {
      let text = received;
      if (run.processGroup) {
        text = run.processGroup.announcement.onStderr(text);
        if (closing) text += run.processGroup.announcement.flush();
      }
      if (!run.sudo) {
        stderr += text;
        return;
      }
      const { steps, stderr: ownStderr } = run.sudo.dialog.onStderr(text);
      stderr += ownStderr + (closing ? run.sudo.dialog.flush() : '');
      if (closing) return;
      for (const step of steps) {
        if (step === 'send-password') channel.write(`${run.sudo.password}\n`);
        else if (step === 'password-rejected') endStdin();
        else giveStdin(run.stdin);
      }
    };
    channel.stderr.on('data', (chunk: Buffer) => takeStderr(stderrDecoder.write(chunk), false));
    // ssh2 names the signal with its SIG prefix: SIGTERM.
    channel.on('exit', (code: number | null, signal?: string) => {
      exit = code ?? 128 + (osConstants.signals[signal as NodeJS.Signals] ?? 127);
    });
    channel.on('close', () => {
      if (timer) clearTimeout(timer);
      if (settled) return;
      settled = true;
      takeStderr(stderrDecoder.end(), true);
      if (exit === undefined) {
        const reason = run.lostReason() ?? 'the server closed the channel';
        reject(new UnreachableError(run.host, redact(`${run.shown} ended without an exit status: ${reason}`, run.secrets)));
        return;
      }
      resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr, exitCode: exit });
    });

    if (!run.sudo) giveStdin(run.stdin);
  });
}

/**
 * Asks sshd to kill the command, and closes the channel. sshd delivers a "signal" request
 * to the command's process group (RFC 4254 6.9), for non-root logins only (see
 * process-group.ts). ssh2 1.17's ClientChannel.signal() drops the request once stdin is
 * closed (it checks the stream's `writable`, see mscdex/ssh2 PR #1510), and we always close
 * stdin, so the request is sent through the channel's protocol object, as signal() does.
 */
function killChannel(channel: ClientChannel): void {
  const internals = channel as unknown as {
    outgoing: { id: number; state: string };
    _client: { _protocol: { signal(id: number, signal: string): void } };
  };
  if (internals.outgoing.state === 'open' || internals.outgoing.state === 'eof') {
    internals._client._protocol.signal(internals.outgoing.id, 'KILL');
  }
  channel.close();
}
