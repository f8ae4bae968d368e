/**
 * The lab's operations, as the `lvs lab` commands use them. One VM holds the hosts of all
 * four topologies (nat, dr, tun, dr-ha), so one boot under TCG serves every playbook test.
 */
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderGuestConfig } from './guest-config';
import { bootUptimes, ConsoleFollower, sshdStates, type GuestEvent, type SshdState } from './guest-report';
import { inventoryPath, writeConnectionFiles } from './inventory';
import { LabError } from './lab-error';
import { withLock } from './lock';
import { labPaths, type LabPaths } from './paths';
import { prepareLab } from './prepare';
import { probeSshBanner, sshExec, type SshExecResult } from './ssh';
import { allHosts, topology, topologyHost, type HostName, type TopologyName } from './topology';
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
  /** As the guest reports it on its console. */
  sshd: SshdState;
  /** How long the host has run since it booted (the VM's boot, or its last `lab reboot`), to within a few seconds. */
  upSeconds: number;
}

export interface LabStatus {
  running: boolean;
  qemuPid?: number;
  startedAt?: string;
  kernelVersion?: string;
  hosts: HostStatus[];
}

const DEFAULT_BOOT_TIMEOUT_MS = 300_000;
/** How often the console log is read while the guest boots (a local file: nothing for the guest). */
const CONSOLE_POLL_MS = 250;
/** A probe gets at least this long even when the boot's deadline is near. */
const MIN_PROBE_MS = 30_000;

/**
 * Follows the guest's console until it reports every host's sshd listening. A failure the
 * guest reports, qemu ending or the deadline ends the wait with a LabError.
 */
async function waitUntilListening(paths: LabPaths, state: LabState, timeoutMs: number, onProgress: Progress): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const follower = new ConsoleFollower(paths.consoleLog);
  const namespaces = allHosts().map((host) => host.namespace);
  const events: GuestEvent[] = [];
  for (;;) {
    for (const event of await follower.newEvents()) {
      onProgress(`vm: ${event.line}`);
      if (event.kind === 'failed' || event.kind === 'stopped') throw await bootError(paths, `the lab VM reported a failure: ${event.line}`);
      events.push(event);
    }
    const states = sshdStates(events, namespaces);
    const starting = namespaces.filter((namespace) => states[namespace] !== 'listening');
    if (starting.length === 0) return;
    if (!(await isVmRunning(state))) throw await bootError(paths, 'the lab VM stopped while booting');
    if (Date.now() > deadline) throw await bootError(paths, `the lab's hosts did not start sshd within ${timeoutMs / 1000} s: ${starting.join(', ')}`);
    await sleep(CONSOLE_POLL_MS);
  }
}

/**
 * Once per boot, proves the way in from this machine: each host's banner through qemu's
 * hostfwd, one host at a time so the guest starts one sshd process at a time. qemu accepts
 * a forwarded connection even when nothing listens in the guest, so only the `SSH-` banner
 * counts.
 */
async function confirmForwards(paths: LabPaths, state: LabState, deadline: number, onProgress: Progress): Promise<void> {
  for (const host of allHosts()) {
    const port = state.ports[host.namespace];
    const answered = await probeSshBanner(port, Math.max(deadline - Date.now(), MIN_PROBE_MS));
    if (!answered) throw await bootError(paths, `${host.namespace}'s sshd listens in the VM but sends no banner on 127.0.0.1:${port}`);
    onProgress(`${host.namespace} answers on 127.0.0.1:${port}`);
  }
}

async function bootError(paths: LabPaths, message: string): Promise<LabError> {
  const consoleTail = await tailFile(paths.consoleLog, 25);
  return new LabError(message, consoleTail ? `Last lines of the VM's console:\n${consoleTail}` : undefined);
}

/**
 * Prepares the cache if needed, boots the VM and waits for every host's sshd. Idempotent:
 * with the VM already up it only reads the guest's report.
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
    // The console already holds the guest's report (or will, if that boot is still going):
    // reading it is the whole check, so the guest does no work for it.
    await waitUntilListening(paths, existing!, timeoutMs, () => undefined).catch((error: unknown) => {
      if (!(error instanceof LabError)) throw error;
      throw new LabError(error.message, `Start it afresh with: lvs lab down && lvs lab up\n${error.hint ?? ''}`.trim());
    });
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
  try {
    await waitUntilListening(paths, state, timeoutMs, onProgress);
    await confirmForwards(paths, state, bootStart + timeoutMs, onProgress);
  } catch (error) {
    await stopVm(paths);
    throw error;
  }
  const bootMs = Date.now() - bootStart;
  onProgress(`the lab is up: ${allHosts().length} hosts in ${(bootMs / 1000).toFixed(1)} s`);
  return { alreadyUp: false, state, prepareMs, bootMs };
}

/** The guest's own report, read from its console: no probe, so nothing for the guest to do. */
export async function labStatus(name?: TopologyName, options: LabOptions = {}): Promise<LabStatus> {
  const paths = labPaths(options.env);
  const state = await readState(paths);
  if (!(await isVmRunning(state))) return { running: false, hosts: [] };
  const hosts = name ? topology(name).hosts : allHosts();
  const events = await new ConsoleFollower(paths.consoleLog).newEvents();
  const namespaces = hosts.map((host) => host.namespace);
  const states = sshdStates(events, namespaces);
  const booted = bootUptimes(events, namespaces);
  // The guest's clock starts with qemu, give or take the second its kernel takes to start.
  const vmUptime = (Date.now() - Date.parse(state!.startedAt)) / 1000;
  return {
    running: true,
    qemuPid: state!.qemuPid,
    startedAt: state!.startedAt,
    kernelVersion: state!.kernelVersion,
    hosts: hosts.map((host) => ({
      topology: host.topology,
      name: host.name,
      namespace: host.namespace,
      port: state!.ports[host.namespace],
      sshd: states[host.namespace],
      upSeconds: Math.max(0, Math.round(vmUptime - booted[host.namespace])),
    })),
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
  const namespace = topologyHost(name, host).namespace;
  return sshExec({ port: state.ports[namespace], privateKey: paths.clientKey, knownHosts: paths.knownHosts }, argv, options.passthrough);
}

export interface LabRebootResult {
  namespace: string;
  /** From the request to the host's sshd answering through its forwarded port again. */
  rebootMs: number;
}

/**
 * Reboots one host as a power cycle would (lab/vm-init.sh, reboot_host): every process ends,
 * its network namespace state goes, its disk stays, and it boots with systemd as PID 1.
 * Returns once its sshd answers again through the same forwarded port.
 */
export async function labReboot(
  name: TopologyName,
  host: HostName,
  options: LabOptions & { timeoutMs?: number; onProgress?: Progress } = {},
): Promise<LabRebootResult> {
  const paths = labPaths(options.env);
  const state = await runningState(paths);
  const onProgress = options.onProgress ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
  const namespace = topologyHost(name, host).namespace;
  const started = Date.now();
  const follower = new ConsoleFollower(paths.consoleLog);
  // Only what the guest says from now on counts: earlier lines are about earlier boots.
  await follower.newEvents();
  await sendRequest(paths.controlSocket, `reboot ${namespace}`);
  const failed = async (message: string) => new LabError(message, await diagnosis(paths, follower, namespace));
  let rebooting = false;
  for (;;) {
    for (const event of await follower.newEvents()) {
      if (!('namespace' in event) || event.namespace !== namespace) continue;
      onProgress(`vm: ${event.line}`);
      if (event.kind === 'stopped') throw await failed(`${namespace} did not boot again: ${event.line}`);
      if (event.kind === 'rebooting') rebooting = true;
      if (event.kind === 'listening' && rebooting) {
        const port = state.ports[namespace];
        if (!(await bannerBefore(port, started + timeoutMs))) throw await failed(`${namespace}'s sshd listens after its reboot but sent no banner on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
        return { namespace, rebootMs: Date.now() - started };
      }
    }
    if (!(await isVmRunning(state))) throw await bootError(paths, 'the lab VM stopped while a host rebooted');
    if (Date.now() > started + timeoutMs) throw await failed(`${namespace} did not answer within ${timeoutMs / 1000} s of its reboot`);
    await sleep(CONSOLE_POLL_MS);
  }
}

/**
 * sshd listens as soon as systemd starts it, which can be before networking.service has put
 * the management address back, and qemu closes a forwarded connection it cannot deliver: so
 * the banner is asked for again until the deadline.
 */
async function bannerBefore(port: number, deadline: number): Promise<boolean> {
  for (;;) {
    if (await probeSshBanner(port, BANNER_PROBE_MS)) return true;
    if (Date.now() + BANNER_RETRY_MS > deadline) return false;
    await sleep(BANNER_RETRY_MS);
  }
}

const BANNER_PROBE_MS = 15_000;
const BANNER_RETRY_MS = 2_000;

/** How long the guest may take to show a host's state (a few processes under TCG). */
const DIAGNOSIS_MS = 30_000;

/** What the guest shows of a host whose reboot went wrong: its failed units, addresses and boot console. */
async function diagnosis(paths: LabPaths, follower: ConsoleFollower, namespace: string): Promise<string> {
  await sendRequest(paths.controlSocket, `diagnose ${namespace}`);
  const lines: string[] = [];
  const deadline = Date.now() + DIAGNOSIS_MS;
  let quietPolls = 0;
  // The guest writes the diagnosis in one go: once lines have come, a pause means it is done.
  while (Date.now() < deadline && !(lines.length > 0 && quietPolls >= 8)) {
    const arrived = (await follower.newEvents()).filter((event) => event.kind === 'diagnosis' && event.namespace === namespace);
    lines.push(...arrived.map((event) => event.line));
    quietPolls = arrived.length > 0 ? 0 : quietPolls + 1;
    await sleep(CONSOLE_POLL_MS);
  }
  return lines.length > 0 ? `What ${namespace} shows of itself:\n${lines.join('\n')}` : `${namespace} showed nothing of itself within ${DIAGNOSIS_MS / 1000} s.`;
}

/** One line to the guest's control port (its second serial port, a socket of qemu's). */
function sendRequest(socketPath: string, request: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => socket.end(`${request}\n`));
    socket.on('error', (error) => reject(new LabError(`cannot reach the lab VM's control port ${socketPath}: ${error.message}`, 'Start the lab afresh with: lvs lab down && lvs lab up')));
    socket.on('close', () => resolve());
  });
}

/** Stops qemu and virtiofsd and removes the run dir. */
export async function labDown(options: LabOptions = {}): Promise<{ wasRunning: boolean }> {
  const paths = labPaths(options.env);
  await mkdir(paths.cache, { recursive: true });
  const stopped = await withLock(paths.lockFile, () => undefined, () => stopVm(paths));
  return { wasRunning: stopped.qemu || stopped.virtiofsd };
}
