/**
 * Runs many remote commands in one SSH exec: the round trip, not the command, is what
 * costs (a session is ~2 s under TCG, a process start ~0.1 s). The script goes on stdin of
 * `sh -s`, so its size is not limited by the exec request, and each command's stdout,
 * stderr and exit code come back base64-framed on one line, whatever bytes they hold.
 */
import { randomBytes } from 'node:crypto';
import type { CommandResult } from '../../api';
import type { ShellCommand } from '../../shell/quote';

export interface BatchScript {
  script: string;
  /** Parses the script's stdout into one result per command that ran, in order. */
  parse(stdout: string): CommandResult[];
  /** The text of one line of the script's stdout when it is a progress line of a command, as it arrives. */
  progress(line: string): { index: number; text: string } | undefined;
}

export interface BatchOptions {
  stopOnError?: boolean;
  then?: ShellCommand[];
  /**
   * The indexes of the commands whose file descriptor 3 carries progress: each line they
   * write to it comes back at once, framed, while the command runs (see PlannedCommand.progress).
   */
  progress?: readonly number[];
}

/**
 * Builds the script. With `stopOnError`, commands after the first non-zero exit do not run,
 * and neither does `then` (the facts read back after applying).
 */
export function batchScript(commands: ShellCommand[], options: BatchOptions = {}): BatchScript {
  const marker = `lvs-${randomBytes(6).toString('hex')}`;
  const progressMarker = `${marker}-progress`;
  const all = [...commands, ...(options.then ?? [])];
  const lines = [
    // Once started, the batch runs to its end even when the controller dies or the connection
    // drops: sshd then only closes its pipes, and writing to them must not kill the shell.
    "trap '' HUP INT TERM PIPE",
    'export LANG=C LC_ALL=C',
    'lvs_dir=$(mktemp -d) || exit 97',
    `trap 'rm -rf "$lvs_dir"' EXIT`,
  ];
  all.forEach((command, index) => {
    if (options.progress?.includes(index) && index < commands.length) {
      // fd 3 goes to a loop that frames each line at once; the exit code goes through a file,
      // since a POSIX pipeline's status is its last command's.
      lines.push(
        `{ (\n${command.text}\n) 3>&1 >"$lvs_dir/o" 2>"$lvs_dir/e" </dev/null; echo $? >"$lvs_dir/rc"; } | while IFS= read -r lvs_line; do printf '%s %s %s\\n' ${progressMarker} ${index} "$(printf '%s' "$lvs_line" | base64 -w0)"; done; lvs_rc=$(cat "$lvs_dir/rc")`,
      );
    } else {
      lines.push(`(\n${command.text}\n) >"$lvs_dir/o" 2>"$lvs_dir/e" </dev/null; lvs_rc=$?`);
    }
    lines.push(
      `printf '%s %s %s ' ${marker} ${index} "$lvs_rc"; base64 -w0 "$lvs_dir/o"; printf ' '; base64 -w0 "$lvs_dir/e"; printf '\\n'`,
    );
    if (options.stopOnError && index < commands.length) lines.push('[ "$lvs_rc" -eq 0 ] || exit 0');
  });
  return {
    script: `${lines.join('\n')}\n`,
    parse: (stdout) => parseBatchOutput(stdout, marker, all.length),
    progress(line) {
      const [prefix, index, text = ''] = line.split(' ');
      if (prefix !== progressMarker || !/^\d+$/.test(index ?? '')) return undefined;
      return { index: Number(index), text: Buffer.from(text, 'base64').toString('utf8') };
    },
  };
}

export function parseBatchOutput(stdout: string, marker: string, expected: number): CommandResult[] {
  const results: CommandResult[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(`${marker} `)) continue;
    const [, index, exitCode, out = '', err = ''] = line.split(' ');
    if (Number(index) !== results.length || results.length >= expected) {
      throw new Error(`remote batch output out of order at command ${index}`);
    }
    results.push({
      exitCode: Number(exitCode),
      stdout: Buffer.from(out, 'base64').toString('utf8'),
      stderr: Buffer.from(err, 'base64').toString('utf8'),
    });
  }
  return results;
}
