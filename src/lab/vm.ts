/**
 * Starts and stops the lab VM: virtiofsd (sharing this machine's root read-only) and qemu.
 * What is running is recorded in the run dir's state.json; a pid counts as running only if
 * /proc shows the expected program under it, so a reused pid is never killed.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from './lab-error';
import { runLocal } from './local-command';
import { LAB_ASSETS_DIR, type LabPaths } from './paths';
import type { PreparedLab } from './prepare';
import { QEMU, qemuArgs, type PortForward } from './qemu-args';
import { allHosts } from './topology';

export interface LabState {
  qemuPid: number;
  virtiofsdPid: number;
  kernelVersion: string;
  /** The 127.0.0.1 port forwarded to each host's sshd, by namespace (`nat-director`). */
  ports: Record<string, number>;
  startedAt: string;
}

const SSH_PORT = 22;

export async function readState(paths: LabPaths): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(paths.stateFile, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and its command line mentions `program`. */
async function isProcessRunning(pid: number, program: string): Promise<boolean> {
  try {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    const status = await readFile(`/proc/${pid}/stat`, 'utf8');
    // A zombie has exited already; only its parent has yet to reap it.
    const zombie = / Z /.test(status.slice(status.lastIndexOf(')')));
    return !zombie && commandLine.includes(program);
  } catch {
    return false;
  }
}

export async function isVmRunning(state: LabState | undefined): Promise<boolean> {
  return state !== undefined && (await isProcessRunning(state.qemuPid, QEMU));
}

/** Asks the kernel for free 127.0.0.1 ports by listening on port 0, all at once so they differ. */
async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

async function waitForFile(path: string, timeoutMs: number, gaveUp: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await stat(path).then(() => true, () => false)) return true;
    if (gaveUp()) return false;
    await sleep(50);
  }
  return false;
}

export async function tailFile(path: string, lines = 15): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Starts virtiofsd in the background; `exited` turns true if it ends. */
function startVirtiofsd(paths: LabPaths, prepared: PreparedLab): { pid: number; exited: () => boolean } {
  const log = openSync(paths.virtiofsdLog, 'w');
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '/bin/sh',
      join(LAB_ASSETS_DIR, 'virtiofsd-readonly.sh'),
      paths.run,
      prepared.virtiofsd,
      `--socket-path=${paths.virtiofsdSocket}`,
      '-o',
      'source=/',
      '-o',
      'sandbox=chroot',
      '-o',
      // With cache=auto the guest re-reads every binary and library through FUSE on each
      // exec (0.5 to 1.5 s per process under TCG, 0.05 s with this). The price: files
      // changed on this machine after boot may look stale in the VM.
      'cache=always',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  child.unref();
  if (child.pid === undefined) throw new LabError('cannot start virtiofsd');
  return { pid: child.pid, exited: () => exited };
}

/**
 * Boots the VM in the background and records its state. Returns once qemu runs; the hosts
 * come up while the guest boots (see waitForHosts in lab.ts).
 */
export async function startVm(paths: LabPaths, prepared: PreparedLab, guestConfig: string): Promise<LabState> {
  await rm(paths.run, { recursive: true, force: true });
  await mkdir(paths.run, { recursive: true });
  await writeFile(paths.guestConfig, guestConfig);

  const hosts = allHosts();
  const hostPorts = await freeLoopbackPorts(hosts.length);
  const forwards: PortForward[] = hosts.map((host, index) => ({
    hostPort: hostPorts[index],
    guestAddress: host.managementAddress,
    guestPort: SSH_PORT,
  }));

  const virtiofsd = startVirtiofsd(paths, prepared);
  const virtiofsdPid = virtiofsd.pid;
  const socketReady = await waitForFile(paths.virtiofsdSocket, 10_000, virtiofsd.exited);
  if (!socketReady) {
    await stopProcess(virtiofsdPid, 'virtiofsd');
    throw new LabError(`virtiofsd did not create ${paths.virtiofsdSocket}`, await tailFile(paths.virtiofsdLog));
  }

  // With -daemonize, qemu returns once the VM runs, and reports setup errors before that.
  const qemu = await runLocal(QEMU, qemuArgs(paths, prepared, forwards));
  const qemuPid = Number((await readFile(paths.qemuPidFile, 'utf8').catch(() => '')).trim());
  if (qemu.exitCode !== 0 || !qemuPid) {
    await stopProcess(virtiofsdPid, 'virtiofsd');
    throw new LabError(`${QEMU} exited ${qemu.exitCode}: ${qemu.stderr.trim()}`);
  }

  const state: LabState = {
    qemuPid,
    virtiofsdPid,
    kernelVersion: prepared.kernelVersion,
    ports: Object.fromEntries(hosts.map((host, index) => [host.namespace, hostPorts[index]])),
    startedAt: new Date().toISOString(),
  };
  await writeFile(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  return state;
}

/** SIGTERM, then SIGKILL after a grace period. True if the process was running. */
async function stopProcess(pid: number, program: string, graceMs = 10_000): Promise<boolean> {
  if (!(await isProcessRunning(pid, program))) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isProcessRunning(pid, program))) return true;
    await sleep(50);
  }
  process.kill(pid, 'SIGKILL');
  while (await isProcessRunning(pid, program)) await sleep(50);
  return true;
}

/** Stops qemu and virtiofsd and empties the run dir. Returns what was running. */
export async function stopVm(paths: LabPaths): Promise<{ qemu: boolean; virtiofsd: boolean }> {
  const state = await readState(paths);
  const stopped = { qemu: false, virtiofsd: false };
  if (state) {
    stopped.qemu = await stopProcess(state.qemuPid, QEMU);
    // virtiofsd exits by itself when qemu disconnects; this catches one that did not.
    stopped.virtiofsd = await stopProcess(state.virtiofsdPid, 'virtiofsd', 2_000);
  }
  await rm(paths.run, { recursive: true, force: true });
  return stopped;
}

