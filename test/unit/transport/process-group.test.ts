import { execFileSync, spawnSync } from 'child_process';
import { ProcessGroupAnnouncement, killProcessGroup } from '../../../src/transport/process-group';
import { sh } from '../../../src/shell/quote';

describe('ProcessGroupAnnouncement', () => {
  it('makes the shell print its $$ on stderr before the command, and takes it out of stderr again', () => {
    const announcement = new ProcessGroupAnnouncement();
    const command = sh`echo out; echo ${'err $(x)'} >&2`;
    const shell = spawnSync('sh', ['-c', `${announcement.wrap(command).text}\necho "pid $$" >&2`], { encoding: 'utf8' });
    const shellPid = /pid (\d+)/.exec(shell.stderr)![1];
    expect(shell.stdout).toBe('out\n');
    expect(announcement.onStderr(shell.stderr)).toBe(`err $(x)\npid ${shellPid}\n`);
    expect(announcement.processGroup).toBe(Number(shellPid));
  });

  it('finds the announcement across chunks and keeps text printed before it', () => {
    const announcement = new ProcessGroupAnnouncement();
    const text = `noise from .profile\n${announcement.marker} 4242\nerr\n`;
    let own = '';
    for (const char of text) own += announcement.onStderr(char);
    expect(own).toBe('noise from .profile\nerr\n');
    expect(announcement.processGroup).toBe(4242);
    expect(announcement.onStderr('more\n')).toBe('more\n');
  });

  it('gives back what it held when the channel closes before a complete announcement', () => {
    const announcement = new ProcessGroupAnnouncement();
    expect(announcement.onStderr(`oops ${announcement.marker} 12`)).toBe('');
    expect(announcement.flush()).toBe(`oops ${announcement.marker} 12`);
    expect(announcement.processGroup).toBeUndefined();
  });
});

describe('killProcessGroup', () => {
  it.each(['sh', 'bash'])('kills a whole process group in %s', (shell) => {
    // A group of two sleeps, led by a shell of its own session (as sshd starts sessions).
    const leader = execFileSync('sh', ['-c', 'setsid sh -c "sleep 37.1 & sleep 37.1 & wait" >/dev/null 2>&1 & sleep 0.2; pgrep -o -f "sh -c sleep 37[.]1"'], {
      encoding: 'utf8',
    }).trim();
    const group = Number(execFileSync('ps', ['-o', 'pgid=', '-p', leader], { encoding: 'utf8' }).trim());
    expect(execFileSync('pgrep', ['-c', '-f', '^sleep 37[.]1'], { encoding: 'utf8' }).trim()).toBe('2');
    expect(spawnSync(shell, ['-c', killProcessGroup(group).text]).status).toBe(0);
    execFileSync('sleep', ['0.2']);
    expect(spawnSync('pgrep', ['-f', 'sleep 37[.]1']).status).toBe(1);
  });
});
