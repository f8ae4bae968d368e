/** The benchmark's records, as written to bench/results/*.json, and the statistics over them. */

export type Scenario = 'converge' | 'noop' | 'drift';
export const SCENARIOS: Scenario[] = ['converge', 'noop', 'drift'];
export const SCENARIO_TITLES: Record<Scenario, string> = {
  converge: 'first converge (clean hosts)',
  noop: 'no-op rerun',
  drift: 'rerun, 10% of hosts drifted',
};

/** The floors are measured as tools of their own. */
export const FLOOR_SSH2 = 'floor-ssh2';
export const FLOOR_OPENSSH = 'floor-openssh';

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface RunRecord {
  tool: string;
  hosts: number;
  /** 0-based repeat index. */
  repeat: number;
  /** Absent for the floors. */
  scenario?: Scenario;
  ok: boolean;
  /** Why the run is not ok: exit code, timeout, wrong changed count, wrong state on a host. */
  problems: string[];
  seconds: number;
  exitCode: number | null;
  /** The process-tree figures of measure(); absent for the OpenSSH floor (many separate processes). */
  peakRssBytes?: number;
  peakPssBytes?: number;
  peakProcesses?: number;
  cpuSeconds?: number;
  machineCpuBusy?: number;
  harnessCpuSeconds?: number;
  loadAverageBefore?: number;
  changed?: number;
  expectedChanged?: number;
  /** Across hosts, from each host's sshd log during this run. */
  perHost?: { connections: Spread; execs: Spread; subsystems: Spread };
  /** The converged state of the first host, to compare the tools exactly. */
  stateSample?: unknown;
}

export interface ToolDescription {
  id: string;
  label: string;
  settings: Record<string, string>;
  unavailable?: string;
}

export interface BenchResults {
  mode: 'full' | 'quick' | 'custom';
  /** The results' file names, without extension. */
  name: string;
  startedAt: string;
  finishedAt?: string;
  /** Total wall time of the benchmark, lab setup and state checks included. */
  totalSeconds?: number;
  machine: Record<string, string | number>;
  options: { hosts: number[]; repeat: number; timeoutSeconds: number; tools: string[] };
  tools: ToolDescription[];
  runs: RunRecord[];
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { min: NaN, median: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** The runs of one tool, host count and scenario (undefined for the floors). */
export function runsOf(results: BenchResults, tool: string, hosts: number, scenario?: Scenario): RunRecord[] {
  return results.runs.filter((run) => run.tool === tool && run.hosts === hosts && run.scenario === scenario);
}

/** Median wall time over the successful runs, or undefined when none succeeded. */
export function medianSeconds(runs: RunRecord[]): Spread | undefined {
  const good = runs.filter((run) => run.ok);
  return good.length > 0 ? spread(good.map((run) => run.seconds)) : undefined;
}
