/**
 * Runs take turns on a host: each run holds a lock on the host for as long as it runs, so two
 * operators (or a cron job and an operator) never interleave their reads and writes there.
 *
 * The lock is flock(1) on /run/lock/lvs.lock (/tmp/lvs.lock where /run/lock is missing),
 * held by a remote `cat` that waits on its stdin: lvs ends that stdin when the run is over,
 * and sshd closes it when the controller dies or the connection drops, so a lock never
 * outlives its run. A run that finds the lock taken says whose run holds it and waits, up
 * to its lock timeout.
 */
import { hostname } from 'node:os';
import { sh, type ShellCommand } from '../../shell/quote';
import type { Become } from '../../transport/become';
import type { RemoteShell } from './host-run';

export interface HeldLock {
  release(): Promise<void>;
}

/** Another run held the lock for longer than this run would wait. */
export class LockTimeoutError extends Error {}

export interface RunLocks {
  /** Holds the host's lock; `onWaiting` hears whose run holds it, when one does. */
  acquire(host: string, shell: RemoteShell, become: Become | undefined, onWaiting: (message: string) => void): Promise<HeldLock>;
}

function lockScript(owner: string, timeoutSeconds: number): ShellCommand {
  return sh`lock=/run/lock/lvs.lock; [ -d /run/lock ] && [ -w /run/lock ] || lock=/tmp/lvs.lock
if ! command -v flock >/dev/null 2>&1; then echo 'unlocked: flock(1) is not installed'; exec cat >/dev/null; fi
command exec 9>>"$lock" 2>/dev/null || command exec 9<"$lock" 2>/dev/null || { echo "unlocked: cannot open $lock"; exec cat >/dev/null; }
if ! flock -n 9; then
  echo "waiting $(cat "$lock.owner" 2>/dev/null)"
  flock -w ${timeoutSeconds} 9 || { echo "timeout $(cat "$lock.owner" 2>/dev/null)"; exit 3; }
fi
{ printf '%s\n' ${owner} > "$lock.owner"; } 2>/dev/null
echo locked
exec cat >/dev/null`;
}

/** Locks held through the run's own SSH connections. */
export class FlockRunLocks implements RunLocks {
  /** Who this run is, as a waiting run sees it. */
  private readonly owner = `pid ${process.pid} on ${hostname()} since ${new Date().toISOString()}`;

  constructor(
    private readonly timeoutSeconds: number,
    private readonly onUnlocked: (host: string, why: string) => void,
  ) {}

  acquire(host: string, shell: RemoteShell, become: Become | undefined, onWaiting: (message: string) => void): Promise<HeldLock> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    return new Promise<HeldLock>((resolve, reject) => {
      let pending = '';
      let holding = false;
      const hold = () => {
        holding = true;
        resolve({
          release: async () => {
            release();
            await finished.catch(() => undefined);
          },
        });
      };
      const finished = shell.exec(lockScript(this.owner, this.timeoutSeconds), {
        become,
        stdinOpenUntil: released,
        onStdout: (text) => {
          pending += text;
          let newline: number;
          while ((newline = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            const [word, ...rest] = line.split(' ');
            const who = rest.join(' ') || 'an unknown lvs run';
            if (word === 'waiting') onWaiting(`waiting for the lvs run of ${who} to finish on ${host}`);
            else if (word === 'locked') hold();
            else if (word === 'unlocked:') {
              this.onUnlocked(host, rest.join(' '));
              hold();
            } else if (word === 'timeout') reject(new LockTimeoutError(`the lvs run of ${who} held ${host} for longer than the lock timeout (${this.timeoutSeconds} s; see --lock-timeout)`));
          }
        },
      });
      finished.then(
        (result) => {
          if (!holding) reject(new LockTimeoutError(`cannot lock ${host} for this run: the lock command exited ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`));
        },
        (error: Error) => {
          if (!holding) reject(error);
        },
      );
    });
  }
}
