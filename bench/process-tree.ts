/**
 * Peak memory and CPU time of a controller's whole process tree, sampled from /proc.
 *
 * The tree is the tool's pid and all its descendants, plus "adopted" roots: processes that
 * left the tree on purpose but still work for the run. OpenSSH's ControlPersist master
 * daemonizes (it forks and calls setsid, so init adopts it); it is found by its command
 * line, which names the run's private ControlPath directory.
 *
 * RSS is summed over the tree as the issue asks. A forking tool shares most pages between
 * its workers, so the RSS sum counts them once per worker; PSS (proportional set size,
 * from smaps_rollup) charges each shared page once in total and is reported beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';

const PAGE_SIZE = 4096;
/** USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

interface ProcessStat {
  pid: number;
  ppid: number;
  comm: string;
  rssBytes: number;
  /** utime + stime + cutime + cstime: its own CPU and that of the children it has reaped. */
  cpuTicks: number;
}

export interface TreeUsage {
  /** Largest sum of RSS over the tree seen in one sample. */
  peakRssBytes: number;
  /** Largest sum of PSS seen (sampled less often: reading smaps walks page tables). */
  peakPssBytes: number;
  /** Most processes in the tree at once. */
  peakProcesses: number;
  /**
   * CPU seconds the tree used, as of the last sample: summed over the live processes,
   * each including the children it reaped, so a finished worker still counts once.
   * Misses at most one interval at the end, and daemonized processes reaped by init.
   */
  cpuSeconds: number;
  samples: number;
}

/** Parses /proc/PID/stat; comm may contain spaces and parentheses, so split at the last ')'. */
export function parseProcStat(text: string): ProcessStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5): ppid is field 4, utime..cstime 14-17, rss (pages) 24.
  const field = (number: number) => Number(fields[number - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: field(4),
    cpuTicks: field(14) + field(15) + field(16) + field(17),
    rssBytes: field(24) * PAGE_SIZE,
  };
}

/** Reads /proc/PID/stat of every process except the pids in `skip`. */
function readProcesses(skip: ReadonlySet<number> = new Set()): ProcessStat[] {
  const processes: ProcessStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || skip.has(Number(entry))) continue;
    try {
      processes.push(parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // The process exited between readdir and read.
    }
  }
  return processes;
}

function readPssBytes(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** `rootPid`'s tree plus every process `isAdopted` accepts, with their descendants. */
export function treePids(processes: ProcessStat[], rootPid: number, isAdopted: (process: ProcessStat) => boolean): ProcessStat[] {
  const children = new Map<number, ProcessStat[]>();
  for (const process of processes) {
    const siblings = children.get(process.ppid) ?? [];
    siblings.push(process);
    children.set(process.ppid, siblings);
  }
  const roots = processes.filter((process) => process.pid === rootPid || isAdopted(process));
  const seen = new Set<number>();
  const tree: ProcessStat[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const process = stack.pop()!;
    if (seen.has(process.pid)) continue;
    seen.add(process.pid);
    tree.push(process);
    stack.push(...(children.get(process.pid) ?? []));
  }
  return tree;
}

export class TreeUsageSampler {
  private readonly timer: NodeJS.Timeout;
  private readonly peak: TreeUsage = { peakRssBytes: 0, peakPssBytes: 0, peakProcesses: 0, cpuSeconds: 0, samples: 0 };
  /** Command lines are read once per pid: only ssh processes outside the tree are candidates. */
  private readonly adoptedByPid = new Map<number, boolean>();
  /**
   * Processes outside the tree when first seen stay outside (a process never moves into a
   * tree it was not born in), so they are not read again: on a busy machine this is most
   * of /proc, and the sampler must not steal the CPU it measures. Forgotten now and then,
   * so a reused pid is looked at again.
   */
  private outside = new Set<number>();

  constructor(
    private readonly rootPid: number,
    private readonly adoptMarker: string | undefined,
    intervalMs = 50,
    private readonly pssEvery = 10,
    private readonly forgetOutsideEvery = 20,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Pids of processes outside the tool's tree that belong to the run (ControlPersist masters). */
  adoptedPids(): number[] {
    return readProcesses()
      .filter((process) => this.isAdopted(process))
      .map((process) => process.pid);
  }

  stop(): TreeUsage {
    clearInterval(this.timer);
    return { ...this.peak };
  }

  private isAdopted(process: ProcessStat): boolean {
    if (!this.adoptMarker || process.comm !== 'ssh') return false;
    let adopted = this.adoptedByPid.get(process.pid);
    if (adopted === undefined) {
      adopted = commandLine(process.pid).includes(this.adoptMarker);
      this.adoptedByPid.set(process.pid, adopted);
    }
    return adopted;
  }

  private sample(): void {
    if (this.peak.samples % this.forgetOutsideEvery === 0) this.outside = new Set();
    const processes = readProcesses(this.outside);
    const tree = treePids(processes, this.rootPid, (process) => this.isAdopted(process));
    const inTree = new Set(tree.map((process) => process.pid));
    for (const process of processes) if (!inTree.has(process.pid)) this.outside.add(process.pid);
    const rss = tree.reduce((sum, process) => sum + process.rssBytes, 0);
    this.peak.peakRssBytes = Math.max(this.peak.peakRssBytes, rss);
    this.peak.peakProcesses = Math.max(this.peak.peakProcesses, tree.length);
    const cpuSeconds = tree.reduce((sum, process) => sum + process.cpuTicks, 0) / TICKS_PER_SECOND;
    this.peak.cpuSeconds = Math.max(this.peak.cpuSeconds, cpuSeconds);
    if (this.peak.samples % this.pssEvery === 0) {
      const pss = tree.reduce((sum, process) => sum + readPssBytes(process.pid), 0);
      this.peak.peakPssBytes = Math.max(this.peak.peakPssBytes, pss);
    }
    this.peak.samples += 1;
  }
}
