/**
 * Where the lab keeps its files. The cache (kernel, initramfs, keys) is prepared once and
 * kept; the run dir holds what belongs to the VM that is up (pids, ports, console log,
 * known_hosts, inventories) and is emptied by `lvs lab down`.
 *
 * The VM sees this machine's root, so every path here must be one the VM sees unchanged:
 * not under /run, /proc, /sys or /dev, which the VM mounts afresh.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { LabError } from './lab-error';

/** The scripts and config that run inside the VM (lab/ at the package root). */
export const LAB_ASSETS_DIR = resolve(__dirname, '..', '..', 'lab');

export interface LabPaths {
  cache: string;
  /** Held by the lvs process running `lab up` or `lab down` (see lock.ts). */
  lockFile: string;
  /** Debian's cloud kernel package, unpacked (boot/, lib/modules/). */
  kernelRoot: string;
  initramfs: string;
  /** What prepare found and built, so later runs skip it. */
  preparedFile: string;
  /** The lab's SSH client key (private; the .pub beside it goes to every host). */
  clientKey: string;
  /** One dir per host, named after its namespace, holding its ed25519 host key. */
  hostKeysDir: string;
  run: string;
  stateFile: string;
  guestConfig: string;
  consoleLog: string;
  virtiofsdLog: string;
  virtiofsdSocket: string;
  /** The guest's second serial port: `lvs lab reboot` writes its requests here. */
  controlSocket: string;
  qemuPidFile: string;
  knownHosts: string;
  inventoriesDir: string;
}

const PATHS_THE_VM_REMOUNTS = ['/run', '/proc', '/sys', '/dev'];

/** The lab's paths under $LVS_CACHE_DIR, or ~/.cache/lvs/lab. */
export function labPaths(env: NodeJS.ProcessEnv = process.env): LabPaths {
  const cache = resolve(env.LVS_CACHE_DIR || join(homedir(), '.cache', 'lvs', 'lab'));
  const hidden = PATHS_THE_VM_REMOUNTS.find((dir) => cache === dir || cache.startsWith(`${dir}/`));
  if (hidden) {
    throw new LabError(`the lab cache ${cache} is under ${hidden}, which the lab VM does not see`, 'Set LVS_CACHE_DIR to another directory.');
  }
  for (const dir of [cache, LAB_ASSETS_DIR]) {
    // The kernel command line and the VM's init scripts split their arguments at whitespace.
    if (/\s/.test(dir)) throw new LabError(`the lab cannot use ${dir}: its path contains whitespace`);
  }
  const run = join(cache, 'run');
  return {
    cache,
    lockFile: join(cache, 'lab.lock'),
    kernelRoot: join(cache, 'kernel'),
    initramfs: join(cache, 'initramfs.img'),
    preparedFile: join(cache, 'prepared.json'),
    clientKey: join(cache, 'keys', 'lab_ed25519'),
    hostKeysDir: join(cache, 'keys', 'hosts'),
    run,
    stateFile: join(run, 'state.json'),
    guestConfig: join(run, 'guest.conf'),
    consoleLog: join(run, 'console.log'),
    virtiofsdLog: join(run, 'virtiofsd.log'),
    virtiofsdSocket: join(run, 'virtiofsd.sock'),
    controlSocket: join(run, 'control.sock'),
    qemuPidFile: join(run, 'qemu.pid'),
    knownHosts: join(run, 'known_hosts'),
    inventoriesDir: join(run, 'inventories'),
  };
}
