/**
 * Finding and killing a timed-out command's processes. sshd starts every session's shell
 * with setsid(), so the login shell's $$ is the process group of everything the command
 * started. The SSH "signal" request would reach that group too, but OpenSSH refuses it for
 * root logins ("session signalling requires privilege separation": root sessions run
 * without it), and root is the usual login for lvs. So the shell announces its $$ on
 * stderr first, and a timeout kills the group with a second, short command.
 */
import { randomBytes } from 'crypto';
import { joinCommands, sh, type ShellCommand } from '../shell/quote';

export class ProcessGroupAnnouncement {
  readonly marker = `[lvs-process-group-${randomBytes(8).toString('hex')}]`;
  /** The process group of the command, once the shell has announced it. */
  processGroup: number | undefined;
  private pending = '';
  private done = false;

  /** `command`, preceded by the announcement of the shell's process group on stderr. */
  wrap(command: ShellCommand): ShellCommand {
    return joinCommands([sh`printf '%s %s\\n' ${this.marker} "$$" >&2`, command], '\n');
  }

  /** Takes a chunk of stderr and returns the part that belongs to the command. */
  onStderr(chunk: string): string {
    if (this.done) return chunk;
    this.pending += chunk;
    const match = new RegExp(`${escapeRegExp(this.marker)} (\\d+)\\n`).exec(this.pending);
    if (!match) return '';
    this.done = true;
    this.processGroup = Number(match[1]);
    const ownStderr = this.pending.slice(0, match.index) + this.pending.slice(match.index + match[0].length);
    this.pending = '';
    return ownStderr;
  }

  /** What is left when the channel closes before the announcement was complete. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    this.done = true;
    return rest;
  }
}

/** Kills every process of the group: a negative id names a group; dash needs the -s form. */
export function killProcessGroup(processGroup: number): ShellCommand {
  return sh`kill -s KILL -- ${-processGroup}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
