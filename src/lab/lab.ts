/**
 * The lab's operations, as the `lvs lab` commands use them. One VM holds the hosts of all
 * three topologies (nat, dr, tun), so one boot under TCG serves every playbook test.
 */
import { mkdir, open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderGuestConfig } from './guest-config';
import { inventoryPath, writeConnectionFiles } from './inventory';
import { LabError } from './lab-error';
import { withLock } from './lock';
import { labPaths, type LabPaths } from './paths';
import { prepareLab } from './prepare';
import { probeSshBanner, sshExec, type SshExecResult } from './ssh';
import { allHosts, topology, type HostName, type LabHost, type TopologyName } from './topology';
import { isVmRunning, readState, startVm, stopVm, tailFile, type LabState } from './vm';

export type Progress = (message: string) => void;

export interface LabOptions {
  /** Where the cache and run dirs are looked up ($LVS_CACHE_DIR). */
  env?: NodeJS.ProcessEnv;
}

export interface LabUpOptions extends LabOptions {
  /** How long the hosts may take to answer after qemu starts. */
  timeoutMs?: number;
  onProgress?: Progress;
}

export interface LabUpResult {
  alreadyUp: boolean;
  state: LabState;
  prepareMs: number;
  /** From starting qemu to every host's sshd answering (0 when the lab was already up). */
  bootMs: number;
}

export interface HostStatus {
  topology: TopologyName;
  name: HostName;
  namespace: string;
  port: number;
  reachable: boolean;
}

export interface LabStatus {
  running: boolean;
  qemuPid?: number;
  startedAt?: string;
  kernelVersion?: string;
  hosts: HostStatus[];
}

const DEFAULT_BOOT_TIMEOUT_MS = 300_000;
const CONSOLE_PREFIX = 'lvs-lab: ';

/** Reads the console log from an offset on and hands over each new complete "lvs-lab:" line. */
class ConsoleFollower {
  private offset = 0;
  private partial = '';

  constructor(private readonly path: string) {}

  async newLines(): Promise<string[]> {
    const file = await open(this.path, 'r').catch(() => undefined);
    if (!file) return [];
    try {
      const { size } = await file.stat();
      if (size <= this.offset) return [];
      const buffer = Buffer.alloc(size - this.offset);
      await file.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const lines = (this.partial + buffer.toString('utf8')).split(/\r?\n/);
      this.partial = lines.pop() ?? '';
      return lines.filter((line) => line.startsWith(CONSOLE_PREFIX)).map((line) => line.slice(CONSOLE_PREFIX.length));
    } finally {
      await file.close();
    }
  }
}

async function probeHosts(state: LabState, hosts: LabHost[]): Promise<HostStatus[]> {
  return Promise.all(
    hosts.map(async (host) => {
      const port = state.ports[host.namespace];
      return { topology: host.topology, name: host.name, namespace: host.namespace, port, reachable: await probeSshBanner(port) };
    }),
  );
}

async function failBoot(paths: LabPaths, message: string): Promise<never> {
  const consoleTail = await tailFile(paths.consoleLog, 25);
  await stopVm(paths);
  throw new LabError(message, consoleTail ? `Last lines of the VM's console:\n${consoleTail}` : undefined);
}

/** Follows the guest's progress until every host's sshd answers; stops the VM on failure. */
async function waitForHosts(paths: LabPaths, state: LabState, timeoutMs: number, onProgress: Progress): Promise<void> {
  const follower = new ConsoleFollower(paths.consoleLog);
  const deadline = Date.now() + timeoutMs;
  let waiting = allHosts();
  while (waiting.length > 0) {
    for (const line of await follower.newLines()) {
      onProgress(`vm: ${line}`);
      if (/\bfailed\b/.test(line)) await failBoot(paths, `the lab VM failed to start: ${line}`);
    }
    if (!(await isVmRunning(state))) await failBoot(paths, 'the lab VM stopped while booting');
    if (Date.now() > deadline) {
      await failBoot(paths, `the lab's hosts did not answer within ${timeoutMs / 1000} s: ${waiting.map((host) => host.namespace).join(', ')}`);
    }
    const probed = await probeHosts(state, waiting);
    for (const host of probed.filter((candidate) => candidate.reachable)) onProgress(`${host.namespace} answers on 127.0.0.1:${host.port}`);
    waiting = waiting.filter((_, index) => !probed[index].reachable);
    if (waiting.length > 0) await sleep(500);
  }
}

/**
 * Prepares the cache if needed, boots the VM and waits for every host's sshd. Idempotent:
 * with the VM already up it only checks the hosts.
 */
export async function labUp(options: LabUpOptions = {}): Promise<LabUpResult> {
  const onProgress = options.onProgress ?? (() => undefined);
  const paths = labPaths(options.env);
  await mkdir(paths.cache, { recursive: true });
  return withLock(paths.lockFile, () => onProgress('waiting for another lvs lab command to finish'), () =>
    bringUp(paths, options.timeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS, onProgress),
  );
}

async function bringUp(paths: LabPaths, timeoutMs: number, onProgress: Progress): Promise<LabUpResult> {
  const prepareStart = Date.now();
  const prepared = await prepareLab(paths, onProgress);
  const prepareMs = Date.now() - prepareStart;

  const existing = await readState(paths);
  if (await isVmRunning(existing)) {
    await waitForHosts(paths, existing!, timeoutMs, () => undefined);
    onProgress(`the lab is already up (qemu pid ${existing!.qemuPid})`);
    return { alreadyUp: true, state: existing!, prepareMs, bootMs: 0 };
  }
  if (existing) {
    onProgress('cleaning up after a lab VM that is no longer running');
    await stopVm(paths);
  }

  onProgress(`booting the lab VM (qemu, TCG) with ${prepared.kernelPackage}`);
  const bootStart = Date.now();
  const state = await startVm(paths, prepared, renderGuestConfig(paths, prepared.kernelVersion));
  await writeConnectionFiles(paths, state);
  await waitForHosts(paths, state, timeoutMs, onProgress);
  const bootMs = Date.now() - bootStart;
  onProgress(`the lab is up: ${allHosts().length} hosts in ${(bootMs / 1000).toFixed(1)} s`);
  return { alreadyUp: false, state, prepareMs, bootMs };
}

export async function labStatus(name?: TopologyName, options: LabOptions = {}): Promise<LabStatus> {
  const paths = labPaths(options.env);
  const state = await readState(paths);
  if (!(await isVmRunning(state))) return { running: false, hosts: [] };
  const hosts = name ? topology(name).hosts : allHosts();
  return {
    running: true,
    qemuPid: state!.qemuPid,
    startedAt: state!.startedAt,
    kernelVersion: state!.kernelVersion,
    hosts: await probeHosts(state!, hosts),
  };
}

async function runningState(paths: LabPaths): Promise<LabState> {
  const state = await readState(paths);
  if (!(await isVmRunning(state))) throw new LabError('the lab is not up', 'Start it with: lvs lab up');
  return state!;
}

/**
 * The topology's inventory and the lab's known_hosts, written by `lab up` for this boot's
 * ports. They are not rewritten here: other processes may be reading them.
 */
export async function labInventory(name: TopologyName, options: LabOptions = {}): Promise<{ inventory: string; knownHosts: string }> {
  const paths = labPaths(options.env);
  await runningState(paths);
  return { inventory: inventoryPath(paths, name), knownHosts: paths.knownHosts };
}

/** Runs argv (each element one word) as root on a lab host over SSH. */
export async function labExec(
  name: TopologyName,
  host: HostName,
  argv: readonly string[],
  options: LabOptions & { passthrough?: boolean } = {},
): Promise<SshExecResult> {
  if (argv.length === 0) throw new LabError('no command given');
  const paths = labPaths(options.env);
  const state = await runningState(paths);
  const namespace = topology(name).hosts.find((candidate) => candidate.name === host)!.namespace;
  return sshExec({ port: state.ports[namespace], privateKey: paths.clientKey, knownHosts: paths.knownHosts }, argv, options.passthrough);
}

/** Stops qemu and virtiofsd and removes the run dir. */
export async function labDown(options: LabOptions = {}): Promise<{ wasRunning: boolean }> {
  const paths = labPaths(options.env);
  await mkdir(paths.cache, { recursive: true });
  const stopped = await withLock(paths.lockFile, () => undefined, () => stopVm(paths));
  return { wasRunning: stopped.qemu || stopped.virtiofsd };
}
