/**
 * Running a command as another user with sudo (Ansible's `become`). See sudo(8) for -H, -S,
 * -n and -p.
 */
import { randomBytes } from 'crypto';
import { asWord, joinCommands, sh, type ShellCommand } from '../shell/quote';

export interface Become {
  user: string;
  password?: string;
}

/** A sudo-wrapped command, and for a password the dialog that feeds sudo its password. */
export interface BecomeCommand {
  command: ShellCommand;
  dialog?: SudoPasswordDialog;
}

/**
 * Wraps `command` so it runs as `become.user`, or returns it as is when the login user is
 * already that user. Without a password, `sudo -n` fails at once ("a password is required")
 * instead of waiting for a password nobody will type.
 */
export function becomeCommand(command: ShellCommand, loginUser: string, become: Become | undefined): BecomeCommand {
  if (become === undefined || become.user === loginUser) return { command };
  if (become.password === undefined) {
    return { command: sh`sudo -H -n -u ${become.user} -- sh -c ${asWord(command)}` };
  }
  const dialog = new SudoPasswordDialog(randomBytes(8).toString('hex'));
  // The script announces on stderr that sudo has let it run: only then is stdin the
  // command's own. Before that, stdin belongs to sudo, which reads the password from it.
  const script = joinCommands([sh`printf '%s\\n' ${dialog.startedMarker} >&2`, command], '\n');
  return { command: sh`sudo -H -S -p ${dialog.prompt} -u ${become.user} -- sh -c ${asWord(script)}`, dialog };
}

export type SudoDialogStep = 'send-password' | 'password-rejected' | 'started';

/**
 * Follows sudo's side of stderr until the command starts. The password is written only when
 * sudo prints our prompt, so it never reaches the command's stdin when sudo asks for none
 * (NOPASSWD, or credentials still cached). A second prompt means the password was wrong:
 * the caller then ends stdin so sudo gives up instead of asking again.
 */
export class SudoPasswordDialog {
  /** sudo expands %-escapes in prompts; these words contain none. */
  readonly prompt: string;
  readonly startedMarker: string;
  private pending = '';
  private prompts = 0;
  private started = false;

  constructor(nonce: string) {
    this.prompt = `[lvs-sudo-password-${nonce}]`;
    this.startedMarker = `[lvs-sudo-started-${nonce}]`;
  }

  /**
   * Takes a chunk of stderr. Returns the steps it triggered and the stderr text that belongs
   * to the user (sudo's warnings stay, our prompt and marker go).
   */
  onStderr(chunk: string): { steps: SudoDialogStep[]; stderr: string } {
    if (this.started) return { steps: [], stderr: chunk };
    this.pending += chunk;
    const steps: SudoDialogStep[] = [];
    let promptAt: number;
    while ((promptAt = this.pending.indexOf(this.prompt)) !== -1) {
      this.pending = this.pending.slice(0, promptAt) + this.pending.slice(promptAt + this.prompt.length);
      this.prompts += 1;
      steps.push(this.prompts === 1 ? 'send-password' : 'password-rejected');
    }
    const markerLine = `${this.startedMarker}\n`;
    const markerAt = this.pending.indexOf(markerLine);
    if (markerAt === -1) return { steps, stderr: '' };
    this.started = true;
    steps.push('started');
    const stderr = this.pending.slice(0, markerAt) + this.pending.slice(markerAt + markerLine.length);
    this.pending = '';
    return { steps, stderr };
  }

  /** What is left when the channel closes before the command started (sudo's own error). */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }
}
