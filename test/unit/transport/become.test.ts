import { execFileSync, spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { SudoPasswordDialog, becomeCommand } from '../../../src/transport/become';
import { sh, unshown } from '../../../src/shell/quote';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/sudo', name), 'utf8');
const NONCE = '0123456789abcdef';

/** What a POSIX shell makes of a command line: its words. */
function wordsOf(commandLine: string): string[] {
  return execFileSync('sh', ['-c', `set -- ${commandLine}; printf '%s\\0' "$@"`], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

describe('becomeCommand', () => {
  const command = sh`printf '%s\n' ${"it's $(id -un); rm -rf /"}`;

  it('leaves the command alone without become, or when the login user already is the become user', () => {
    expect(becomeCommand(command, 'root', undefined)).toEqual({ command });
    expect(becomeCommand(command, 'root', { user: 'root' })).toEqual({ command });
    expect(becomeCommand(command, 'deploy', { user: 'deploy', password: 'pw' })).toEqual({ command });
  });

  it('uses sudo -n without a password, so sudo fails instead of waiting for one', () => {
    const { command: wrapped, dialog } = becomeCommand(command, 'root', { user: 'nobody' });
    expect(dialog).toBeUndefined();
    expect(wordsOf(wrapped.text)).toEqual(['sudo', '-H', '-n', '-u', 'nobody', '--', 'sh', '-c', command.text]);
  });

  it('quotes a hostile user name into a single word', () => {
    const { command: wrapped } = becomeCommand(command, 'root', { user: "x'; reboot #" });
    expect(wordsOf(wrapped.text).slice(4, 6)).toEqual(["x'; reboot #", '--']);
  });

  it('with a password, reads it with -S after a prompt of our own, and never puts it in the command', () => {
    const { command: wrapped, dialog } = becomeCommand(command, 'deploy', { user: 'root', password: "pa'ss $(word)" });
    expect(wrapped.text).not.toContain("pa'ss");
    expect(wrapped.text).not.toContain('$(word)');
    const words = wordsOf(wrapped.text);
    expect(words.slice(0, 3)).toEqual(['sudo', '-H', '-S']);
    expect(words.slice(3, 5)).toEqual(['-p', dialog!.prompt]);
    expect(words.slice(5, 9)).toEqual(['-u', 'root', '--', 'sh']);
    // The script announces the start on stderr, then runs the command unchanged.
    const script = words[10];
    const firstLineEnd = script.indexOf('\n');
    expect(script.slice(firstLineEnd + 1)).toBe(command.text);
    const announced = spawnSync('sh', ['-c', script.slice(0, firstLineEnd)], { encoding: 'utf8' });
    expect(announced.stderr).toBe(`${dialog!.startedMarker}\n`);
    expect(announced.stdout).toBe('');
  });

  it('shows the wrapped command by its shown form', () => {
    const writing = sh`printf %s ${unshown('c2VjcmV0', '6 bytes')}`;
    expect(becomeCommand(writing, 'root', { user: 'nobody' }).command.shown).toBe(`sudo -H -n -u nobody -- sh -c 'printf %s <6 bytes>'`);
    const { command: wrapped, dialog } = becomeCommand(writing, 'deploy', { user: 'root', password: 'pw' });
    expect(wrapped.shown).toBe(
      `sudo -H -S -p '${dialog!.prompt}' -u root -- sh -c 'printf '\\''%s\\n'\\'' '\\''${dialog!.startedMarker}'\\'' >&2\nprintf %s <6 bytes>'`,
    );
  });

  it('makes a new prompt for every command, so output cannot fake it in advance', () => {
    const first = becomeCommand(command, 'deploy', { user: 'root', password: 'pw' }).dialog!;
    const second = becomeCommand(command, 'deploy', { user: 'root', password: 'pw' }).dialog!;
    expect(first.prompt).not.toBe(second.prompt);
    expect(first.prompt).not.toMatch(/%/); // sudo would expand %-escapes in the prompt
  });
});

describe('SudoPasswordDialog on real sudo output', () => {
  it('sends the password at the prompt, then starts the command; nothing of ours reaches stderr', () => {
    const dialog = new SudoPasswordDialog(NONCE);
    const text = fixture('password-accepted.stderr');
    const promptEnd = dialog.prompt.length;
    expect(dialog.onStderr(text.slice(0, promptEnd))).toEqual({ steps: ['send-password'], stderr: '' });
    expect(dialog.onStderr(text.slice(promptEnd))).toEqual({ steps: ['started'], stderr: '' });
    expect(dialog.onStderr('warning from the command\n')).toEqual({ steps: [], stderr: 'warning from the command\n' });
  });

  it('finds prompt and marker split across chunks of any size', () => {
    const text = fixture('password-accepted.stderr');
    for (let size = 1; size <= 7; size++) {
      const dialog = new SudoPasswordDialog(NONCE);
      const steps: string[] = [];
      let stderr = '';
      for (let at = 0; at < text.length; at += size) {
        const result = dialog.onStderr(text.slice(at, at + size));
        steps.push(...result.steps);
        stderr += result.stderr;
      }
      expect({ size, steps, stderr }).toEqual({ size, steps: ['send-password', 'started'], stderr: '' });
    }
  });

  it('reports a second prompt as a rejected password and keeps sudo’s own messages', () => {
    const dialog = new SudoPasswordDialog(NONCE);
    const { steps, stderr } = dialog.onStderr(fixture('wrong-password.stderr'));
    expect(steps).toEqual(['send-password', 'password-rejected']);
    expect(stderr).toBe('');
    expect(dialog.flush()).toBe('Sorry, try again.\n\nsudo: no password was provided\nsudo: 1 incorrect password attempt\n');
  });

  it('starts without sending anything when sudo asks for no password (NOPASSWD)', () => {
    const dialog = new SudoPasswordDialog(NONCE);
    expect(dialog.onStderr(`${dialog.startedMarker}\n`)).toEqual({ steps: ['started'], stderr: '' });
  });
});
