/** Renders bench/results/PREFIX.md (tables, target check) and PREFIX.svg (time against hosts). */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FLOOR_OPENSSH, FLOOR_SSH2, medianSeconds, runsOf, SCENARIO_TITLES, SCENARIOS, spread, type BenchResults, type RunRecord, type Scenario, type Spread } from './results';
import { lineChart, type Series } from './svg-plot';

const COLORS: Record<string, string> = {
  lvs: '#1f77b4',
  ansible: '#d62728',
  'ansible-free': '#ff7f0e',
  'ansible-mitogen': '#9467bd',
  [FLOOR_SSH2]: '#2ca02c',
  [FLOOR_OPENSSH]: '#7f7f7f',
};

const MB = 2 ** 20;

function seconds(value: Spread | undefined, count: number): string {
  if (!value) return 'failed';
  const range = count > 1 ? ` (${value.min.toFixed(2)}–${value.max.toFixed(2)})` : '';
  return `${value.median.toFixed(2)}${range}`;
}

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : (bytes / MB).toFixed(0);
}

function labelOf(results: BenchResults, tool: string): string {
  if (tool === FLOOR_SSH2) return 'floor: ssh2, `true` on all hosts in parallel';
  if (tool === FLOOR_OPENSSH) return 'floor: OpenSSH `ssh host true`, one process per host';
  return results.tools.find((description) => description.id === tool)?.label ?? tool;
}

function hostCounts(results: BenchResults): number[] {
  return [...new Set(results.runs.map((run) => run.hosts))].sort((a, b) => a - b);
}

/** Tools that have runs, in the order they were asked for. */
function measuredTools(results: BenchResults): string[] {
  return results.options.tools.filter((tool) => results.runs.some((run) => run.tool === tool));
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function timeTable(results: BenchResults): string {
  const rows: string[][] = [];
  for (const hosts of hostCounts(results)) {
    for (const tool of measuredTools(results)) {
      const cells = SCENARIOS.map((scenario) => {
        const runs = runsOf(results, tool, hosts, scenario);
        return runs.length === 0 ? '–' : `${seconds(medianSeconds(runs), runs.filter((run) => run.ok).length)}${runs.some((run) => !run.ok) ? ` ⚠ ${runs.filter((run) => !run.ok).length} failed` : ''}`;
      });
      rows.push([String(hosts), labelOf(results, tool), ...cells]);
    }
    for (const floor of [FLOOR_SSH2, FLOOR_OPENSSH]) {
      const runs = runsOf(results, floor, hosts);
      if (runs.length > 0) rows.push([String(hosts), labelOf(results, floor), '', seconds(medianSeconds(runs), runs.filter((run) => run.ok).length), '']);
    }
  }
  return table(['hosts', 'tool', ...SCENARIOS.map((scenario) => SCENARIO_TITLES[scenario])], rows);
}

function resourceTable(results: BenchResults): string {
  const rows: string[][] = [];
  const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
  for (const hosts of hostCounts(results)) {
    for (const tool of [...measuredTools(results), FLOOR_SSH2]) {
      for (const scenario of tool === FLOOR_SSH2 ? [undefined] : SCENARIOS) {
        const runs = runsOf(results, tool, hosts, scenario).filter((run) => run.ok && run.peakRssBytes !== undefined);
        if (runs.length === 0) continue;
        rows.push([
          String(hosts),
          labelOf(results, tool),
          scenario ?? 'floor',
          megabytes(Math.max(...runs.map((run) => run.peakRssBytes!))),
          megabytes(Math.max(...runs.map((run) => run.peakPssBytes!))),
          String(Math.max(...runs.map((run) => run.peakProcesses!))),
          spread(runs.map((run) => run.cpuSeconds!)).median.toFixed(1),
          percent(spread(runs.map((run) => run.machineCpuBusy!)).median),
          spread(runs.map((run) => run.harnessCpuSeconds ?? NaN)).median.toFixed(1),
          spread(runs.map((run) => run.loadAverageBefore ?? NaN)).median.toFixed(1),
        ]);
      }
    }
  }
  return table(['hosts', 'tool', 'scenario', 'peak RSS sum (MB)', 'peak PSS sum (MB)', 'peak processes', 'controller CPU (s)', 'machine CPU busy', 'harness CPU (s)', 'load average before'], rows);
}

function costCell(runs: RunRecord[], pick: (run: RunRecord) => Spread): string {
  const max = Math.max(...runs.map((run) => pick(run).max));
  const median = spread(runs.map((run) => pick(run).median)).median;
  return `${max} / ${median}`;
}

function sshCostTable(results: BenchResults): string {
  const rows: string[][] = [];
  for (const hosts of hostCounts(results)) {
    for (const tool of measuredTools(results)) {
      for (const scenario of SCENARIOS) {
        const runs = runsOf(results, tool, hosts, scenario).filter((run) => run.perHost);
        if (runs.length === 0) continue;
        rows.push([
          String(hosts),
          labelOf(results, tool),
          scenario,
          costCell(runs, (run) => run.perHost!.connections),
          costCell(runs, (run) => run.perHost!.execs),
          costCell(runs, (run) => run.perHost!.subsystems),
        ]);
      }
    }
  }
  return table(['hosts', 'tool', 'scenario', 'connections per host (max / median)', 'exec channels per host', 'sftp channels per host'], rows);
}

function correctnessTable(results: BenchResults): string {
  const rows: string[][] = [];
  for (const hosts of hostCounts(results)) {
    for (const tool of measuredTools(results)) {
      const runs = SCENARIOS.flatMap((scenario) => runsOf(results, tool, hosts, scenario));
      const changed = SCENARIOS.map((scenario) => {
        const reported = [...new Set(runsOf(results, tool, hosts, scenario).map((run) => run.changed ?? '?'))].join(',');
        const expected = runsOf(results, tool, hosts, scenario)[0]?.expectedChanged ?? '?';
        return `${reported} (want ${expected})`;
      });
      const problems = [...new Set(runs.flatMap((run) => run.problems))].slice(0, 2).join('; ');
      rows.push([String(hosts), labelOf(results, tool), `${runs.filter((run) => run.ok).length}/${runs.length}`, ...changed, problems || 'none']);
    }
  }
  return table(['hosts', 'tool', 'runs ok', 'changed: converge', 'no-op', 'drift', 'problems'], rows);
}

/** Whether every tool left byte-for-byte the same state on the hosts. */
function sameStateNote(results: BenchResults): string {
  const samples = new Map<string, string>();
  for (const run of results.runs) {
    if (run.scenario === 'converge' && run.ok && run.stateSample) samples.set(run.tool, JSON.stringify(run.stateSample));
  }
  if (samples.size < 2) return 'Fewer than two tools converged, so there is nothing to compare yet.';
  const distinct = new Set(samples.values());
  if (distinct.size === 1) {
    return `All ${samples.size} tools left identical state (live and persisted sysctls, address with label, route, file mode and sha256): \`${[...distinct][0]}\``;
  }
  return `**The tools left different state:**\n${[...samples].map(([tool, state]) => `- ${tool}: \`${state}\``).join('\n')}`;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined ? `${(a / b).toFixed(2)}×` : 'n/a';
}

function targets(results: BenchResults): string {
  const lvs = results.tools.find((tool) => tool.id === 'lvs');
  if (!lvs) return 'lvs was not part of this run.';
  if (!results.runs.some((run) => run.tool === 'lvs')) return `lvs was not measured: ${lvs.unavailable ?? 'no runs'}.`;
  const noop = (tool: string, hosts: number) => medianSeconds(runsOf(results, tool, hosts, 'noop'))?.median;
  const floor = (hosts: number) => medianSeconds(runsOf(results, FLOOR_SSH2, hosts))?.median;
  const counts = hostCounts(results);
  const lines: string[] = [];
  const at50 = counts.includes(50) ? 50 : counts[counts.length - 1];
  const lvsNoop = noop('lvs', at50);
  const ansibleNoop = noop('ansible', at50);
  lines.push(
    `- No-op rerun at N=${at50}: lvs ${lvsNoop?.toFixed(2) ?? 'n/a'} s, Ansible ${ansibleNoop?.toFixed(2) ?? 'n/a'} s: lvs takes ${ratio(lvsNoop, ansibleNoop)} of Ansible's time (target ≤ 0.05×); ${ratio(lvsNoop, floor(at50))} the ssh2 floor (target ≤ 1.5×).`,
  );
  const noopRuns = results.runs.filter((run) => run.tool === 'lvs' && run.scenario === 'noop' && run.perHost);
  if (noopRuns.length > 0) {
    const connections = Math.max(...noopRuns.map((run) => run.perHost!.connections.max));
    const channels = Math.max(...noopRuns.map((run) => run.perHost!.execs.max + run.perHost!.subsystems.max));
    lines.push(`- No-op SSH cost: at most ${connections} connection(s) and ${channels} exec channel(s) per host (target 1 and ≤ 2).`);
  }
  const largest = counts[counts.length - 1];
  const lvsRuns = results.runs.filter((run) => run.tool === 'lvs' && run.hosts === largest && run.ok && run.peakRssBytes !== undefined);
  if (lvsRuns.length > 0) {
    lines.push(`- Controller memory at N=${largest}: peak ${megabytes(Math.max(...lvsRuns.map((run) => run.peakRssBytes!)))} MB RSS (target < 150 MB at N=100).`);
  }
  const smallest = counts[0];
  if (largest > smallest) {
    const growth = (noop('lvs', largest) ?? NaN) / (noop('lvs', smallest) ?? NaN);
    lines.push(`- Growth of the no-op time from N=${smallest} to N=${largest}: ${growth.toFixed(2)}× for ${(largest / smallest).toFixed(0)}× the hosts (linear or better: ≤ ${(largest / smallest).toFixed(0)}×).`);
    const atLargest = runsOf(results, 'lvs', largest, 'noop').filter((run) => run.ok);
    if (atLargest.length > 0) {
      const busy = spread(atLargest.map((run) => run.machineCpuBusy ?? 0)).median;
      const cpu = spread(atLargest.map((run) => (run.cpuSeconds ?? 0) / run.seconds)).median;
      lines.push(`- At N=${largest} the no-op run kept the machine ${(busy * 100).toFixed(0)}% busy (all cores, hosts' sshd included); the lvs process itself used ${(cpu * 100).toFixed(0)}% of one core.`);
    }
  }
  return lines.join('\n');
}

function settingsSection(results: BenchResults): string {
  return results.tools
    .map((tool) => {
      const settings = Object.entries(tool.settings).map(([key, value]) => `${key}=${value}`).join(' ');
      return `- ${tool.label} (\`${tool.id}\`)${settings ? `: ${settings}` : ''}${tool.unavailable ? ` — not run: ${tool.unavailable}` : ''}`;
    })
    .join('\n');
}

export function renderMarkdown(results: BenchResults): string {
  const machine = Object.entries(results.machine).map(([key, value]) => `${key}: ${value}`).join('; ');
  return `# lvs vs Ansible: benchmark results (${results.mode})

Started ${results.startedAt}${results.totalSeconds !== undefined ? `, took ${(results.totalSeconds / 60).toFixed(1)} min in total` : ' (in progress)'}. Hosts: ${results.options.hosts.join(', ')}; ${results.options.repeat} repeats; timeout ${results.options.timeoutSeconds} s per run. Method and fairness settings: [bench/README.md](../README.md).

Machine: ${machine}.

Tools (every Ansible variant uses bench/ansible/ansible.cfg with --forks N):
${settingsSection(results)}

## Wall time (seconds: median over the successful runs, min–max in brackets)

${timeTable(results)}

![time against hosts](${results.name}.svg)

## Controller resources (worst run for memory, median run for CPU)

RSS sum counts pages shared between forked workers once per worker; PSS charges each page once. Controller CPU is user+system time of the whole process tree; machine CPU busy covers all cores, including the hosts' sshd and commands, which run on this machine too. Harness CPU is what the benchmark itself (mostly its /proc sampler) took meanwhile. The 1-minute load average before each run shows other work on the machine (the previous run weighs in it too).

${resourceTable(results)}

## SSH cost per host (counted in each host's sshd log; max over runs / median over runs of the per-host median)

${sshCostTable(results)}

## Correctness (checked on the hosts after every run)

${correctnessTable(results)}

${sameStateNote(results)}

## Targets for lvs (issue 4)

${targets(results)}
`;
}

export function renderSvg(results: BenchResults): string {
  const counts = hostCounts(results);
  const seriesFor = (tool: string, scenario?: Scenario): Series => ({
    label: labelOf(results, tool).replace(/`/g, ''),
    color: COLORS[tool] ?? '#000',
    dashed: tool === FLOOR_SSH2 || tool === FLOOR_OPENSSH,
    points: counts.flatMap((hosts): Array<[number, number]> => {
      const median = medianSeconds(runsOf(results, tool, hosts, scenario))?.median;
      return median === undefined ? [] : [[hosts, median]];
    }),
  });
  const panels = SCENARIOS.map((scenario) => ({
    title: SCENARIO_TITLES[scenario],
    series: [...measuredTools(results).map((tool) => seriesFor(tool, scenario)), seriesFor(FLOOR_SSH2), seriesFor(FLOOR_OPENSSH)],
  }));
  return lineChart('Wall time against hosts (median)', panels, counts);
}

export function writeReport(results: BenchResults, outDir: string, prefix: string): void {
  writeFileSync(path.join(outDir, `${prefix}.md`), renderMarkdown(results));
  writeFileSync(path.join(outDir, `${prefix}.svg`), renderSvg(results));
}
