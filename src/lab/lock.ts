/**
 * One `lvs lab up` or `down` at a time per cache dir: test suites running side by side may
 * all ask for the lab, and the second must find the first one's VM, not boot another. The
 * lock file holds the owner's pid, so a lock left by a killed process is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function tryLock(path: string): Promise<boolean> {
  try {
    const file = await open(path, 'wx');
    await file.writeFile(String(process.pid));
    await file.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    // An empty file is a lock being written this instant; only a dead owner's lock is stale.
    if (owner && !isAlive(owner)) await rm(path, { force: true });
    return false;
  }
}

export async function withLock<T>(path: string, onWait: () => void, work: () => Promise<T>): Promise<T> {
  let told = false;
  while (!(await tryLock(path))) {
    if (!told) onWait();
    told = true;
    await sleep(250);
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}
