/**
 * One measured run of a controller process: wall time from spawn to exit, peak memory and
 * CPU of its process tree, how busy the whole machine was, and its output. Bounded by a
 * timeout, after which the whole process group (and any ControlPersist master it left
 * behind) is killed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { TreeUsageSampler, type TreeUsage } from './process-tree';
import type { ToolInvocation } from './tools';

export interface MeasuredRun extends TreeUsage {
  seconds: number;
  /**
   * Busy share of all CPUs during the run (0-1), controller and hosts together: the hosts'
   * sshd and commands run on this machine too. Near 1 means the run was CPU-bound.
   */
  machineCpuBusy: number;
  /** The machine's 1-minute load average when the run started: other work on the machine shows here. */
  loadAverageBefore: number;
  /** CPU the benchmark harness itself used meanwhile (mostly the /proc sampler): its overhead. */
  harnessCpuSeconds: number;
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Process groups of the runs in progress, killed by abortRuns() on Ctrl-C. */
const runningGroups = new Set<number>();

export function abortRuns(): void {
  for (const pid of runningGroups) killGroup(pid);
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Busy and total jiffies of all CPUs, from the first line of /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const numbers = values.map(Number);
  const total = numbers.reduce((sum, value) => sum + value, 0);
  const idle = numbers[3] + numbers[4];
  return { busy: total - idle, total };
}

export function measure(invocation: ToolInvocation, timeoutMs: number): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const loadAverageBefore = os.loadavg()[0];
    const cpuBefore = machineJiffies();
    const harnessBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    // detached: the tool leads its own process group, so a timeout can kill every worker.
    const child = spawn(invocation.file, invocation.args, {
      env: invocation.env,
      cwd: invocation.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid!;
    runningGroups.add(pid);
    const sampler = new TreeUsageSampler(pid, invocation.adoptMarker);
    let stdout = '';
    let stderr = '';
    let seconds: number | undefined;
    let machineCpuBusy = 0;
    let harnessCpuSeconds = 0;
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // The timer runs until the pipes close, so a leftover process holding them is killed too.
    const timer = setTimeout(() => {
      timedOut = seconds === undefined;
      killGroup(pid);
      killPids(sampler.adoptedPids());
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      runningGroups.delete(pid);
      sampler.stop();
      reject(error);
    });
    child.on('exit', () => {
      seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpuAfter = machineJiffies();
      machineCpuBusy = (cpuAfter.busy - cpuBefore.busy) / Math.max(1, cpuAfter.total - cpuBefore.total);
      const harness = process.cpuUsage(harnessBefore);
      harnessCpuSeconds = (harness.user + harness.system) / 1e6;
      // ControlPersist masters outlive the tool by design (and may hold its output pipes);
      // the next run must start with no connection open.
      killPids(sampler.adoptedPids());
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      runningGroups.delete(pid);
      resolve({ ...sampler.stop(), seconds: seconds ?? timeoutMs / 1000, machineCpuBusy, harnessCpuSeconds, loadAverageBefore, exitCode: code, timedOut, stdout, stderr });
    });
  });
}
