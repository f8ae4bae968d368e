/**
 * The local shell (the controller as a host) against this machine's own sh and sudo: output
 * and exit codes, stdin, stdin held open, a timeout that kills the whole process group, and
 * become through sudo.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../../../src/shell/quote';
import { CommandTimeoutError } from '../../../src/transport/command-run';
import { LocalShell } from '../../../src/transport/local-shell';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-local-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A killed orphan may stay a zombie for a while (this machine's PID 1 reaps slowly): that is dead too. */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('LocalShell', () => {
  const shell = new LocalShell('localhost');

  it('returns stdout, stderr and the exit code, whatever it is', async () => {
    await expect(shell.exec(sh`printf 'out'; printf 'err' >&2; exit 3`)).resolves.toEqual({ stdout: 'out', stderr: 'err', exitCode: 3 });
  });

  it('gives the command its stdin, then closes it', async () => {
    await expect(shell.exec(sh`cat`, { stdin: 'line 1\nline 2\n' })).resolves.toEqual({ stdout: 'line 1\nline 2\n', stderr: '', exitCode: 0 });
    await expect(shell.exec(sh`cat`)).resolves.toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });

  it('keeps stdin open until told, and passes stdout on as it comes', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    const finished = shell.exec(sh`echo ready; cat; echo done`, { stdinOpenUntil: held, onStdout: (text) => seen.push(text) });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => seen.join('').includes('ready\n') && (clearInterval(poll), resolve()), 10);
    });
    expect(seen.join('')).toBe('ready\n');
    release();
    await expect(finished).resolves.toMatchObject({ stdout: 'ready\ndone\n', exitCode: 0 });
  });

  it('kills the whole process group on timeout, background children too', async () => {
    const pidFile = join(dir, 'pid');
    const started = Date.now();
    const error = await shell.exec(sh`sleep 30 & echo $! > ${pidFile}; wait`, { timeoutMs: 300 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect((error as CommandTimeoutError).killFailure).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    for (let tries = 0; tries < 50 && alive(pid); tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive(pid)).toBe(false);
  });

  it('runs as another user through sudo', async () => {
    await expect(shell.exec(sh`id -un`, { become: { user: 'nobody' } })).resolves.toMatchObject({ stdout: 'nobody\n', exitCode: 0 });
    const file = join(dir, 'made-by-root');
    await expect(shell.exec(sh`touch ${file}`, { become: { user: 'root' } })).resolves.toMatchObject({ exitCode: 0 });
    expect(existsSync(file)).toBe(true);
  });
});
