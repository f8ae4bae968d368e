/**
 * The lvs-vs-Ansible benchmark (issue 4). For each host count N it starts N real sshd
 * hosts in network namespaces, then, for each repeat, measures the floor and runs every
 * tool through three scenarios on the same hosts, the tools' order rotating per repeat:
 *   reset to clean -> converge -> no-op rerun -> drift 10% of hosts -> rerun.
 * After every run it checks the hosts themselves and the tool's changed count. Results
 * go to bench/results/ after every run, so an interrupted benchmark keeps what it measured.
 *
 *   node bench/run.js [--hosts 10,50,100] [--repeat 5] [--tools lvs,ansible,...] [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startHosts, type TestLab } from '../test/support/netns-hosts';
import { runProcess } from '../test/support/run-process';
import { CHANGES_PER_DRIFTED_HOST, cleanErrors, convergenceErrors, DESIRED_SYSCTLS, DRIFT_COMMAND, expectedTemplateSha256, readHostState, resetCommand, TASKS_PER_HOST, type HostState } from './host-state';
import { abortRuns, measure, type MeasuredRun } from './measure';
import { writeReport } from './report';
import { FLOOR_OPENSSH, FLOOR_SSH2, spread, type BenchResults, type RunRecord, type Scenario } from './results';
import { countSshdCost } from './sshd-log';
import { BENCH_DIR, REPO_ROOT, TOOLS, type Tool } from './tools';

const MAX_HOSTS = 100;
/** Parallel nsenter calls when reading or resetting hosts. */
const HOST_COMMAND_CONCURRENCY = 16;

interface Options {
  hosts: number[];
  repeat: number;
  timeoutSeconds: number;
  tools: Tool[];
  mode: BenchResults['mode'];
  outDir: string;
  /** File names of the results, without extension. */
  name: string;
  /** Only re-render the report of existing results. */
  render: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      hosts: { type: 'string' },
      repeat: { type: 'string' },
      tools: { type: 'string' },
      timeout: { type: 'string', default: '900' },
      quick: { type: 'boolean', default: false },
      render: { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(BENCH_DIR, 'results') },
      name: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'Usage: node bench/run.js [options]   (as root; see bench/README.md)',
        '  --hosts 10,50,100   host counts, each 1 to 100 (default 10,50,100; --quick: 10,50)',
        '  --repeat 5          measured repeats per tool, host count and scenario (default 5; --quick: 3)',
        `  --tools LIST        any of ${TOOLS.map((tool) => tool.id).join(',')} (default all)`,
        '  --timeout 900       seconds before one tool run is killed',
        '  --quick             10 and 50 hosts, 3 repeats, results in quick.* instead of latest.*',
        '  --out DIR           where results go (default bench/results)',
        '  --name NAME         results file names NAME.{json,md,svg} (default latest, quick or custom)',
        '  --render            run nothing: rewrite NAME.md and NAME.svg from NAME.json',
      ].join('\n') + '\n',
    );
    process.exit(0);
  }
  const hosts = (values.hosts ?? (values.quick ? '10,50' : '10,50,100')).split(',').map(Number);
  for (const count of hosts) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) throw new Error(`--hosts: ${count} is not a host count from 1 to ${MAX_HOSTS}`);
  }
  const repeat = Number(values.repeat ?? (values.quick ? 3 : 5));
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 50) throw new Error('--repeat must be an integer from 1 to 50');
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new Error('--timeout must be a positive number of seconds');
  const toolIds = values.tools ? values.tools.split(',') : TOOLS.map((tool) => tool.id);
  const tools = toolIds.map((id) => {
    const tool = TOOLS.find((candidate) => candidate.id === id);
    if (!tool) throw new Error(`--tools: unknown tool ${id} (known: ${TOOLS.map((known) => known.id).join(', ')})`);
    return tool;
  });
  const mode = values.hosts || values.repeat || values.tools ? 'custom' : values.quick ? 'quick' : 'full';
  const name = values.name ?? (mode === 'full' ? 'latest' : mode);
  if (!/^[\w.-]+$/.test(name)) throw new Error('--name may hold letters, digits, ., _ and - only');
  return { hosts, repeat, timeoutSeconds, tools, mode, outDir: values.out!, name, render: values.render! };
}

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** First line a program prints about its version (ssh -V prints to stderr). */
function versionOf(file: string, args: string[]): string {
  const result = spawnSync(file, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return 'not installed';
  return `${result.stdout}${result.stderr}`.split('\n')[0].trim();
}

function describeMachine(): Record<string, string | number> {
  const packageVersion = (name: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryMB: Math.round(os.totalmem() / 2 ** 20),
    kernel: os.release(),
    node: process.version,
    ssh2: packageVersion('ssh2'),
    openssh: versionOf('ssh', ['-V']),
    ansible: versionOf('ansible-playbook', ['--version']),
    ansibleMitogen: versionOf('dpkg-query', ['-W', '-f', '${Version}', 'ansible-mitogen']),
    lvsCommit: versionOf('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']),
  };
}

/** One benchmark lab: N hosts, their logs, and the checks on them. */
class Bench {
  private readonly names: string[];
  private readonly templateSha256 = expectedTemplateSha256(BENCH_DIR);
  private defaults: Record<string, string> = {};
  private readonly targetsFile: string;

  constructor(
    private readonly lab: TestLab,
    private readonly options: Options,
    private readonly results: BenchResults,
    private readonly save: () => void,
  ) {
    this.names = lab.hosts.map((host) => host.name);
    this.targetsFile = path.join(lab.dir, 'floor-targets.json');
    const targets = lab.hosts.map((host) => ({ host: host.address, port: host.port, username: 'root', privateKeyFile: lab.keyFile }));
    writeFileSync(this.targetsFile, JSON.stringify(targets));
  }

  get hostCount(): number {
    return this.names.length;
  }

  /** The clean hosts' own sysctl values, which reset puts back. */
  async learnDefaults(): Promise<void> {
    const state = await readHostState(this.lab, this.names[0]);
    this.defaults = { ...state.live };
    for (const key of Object.keys(DESIRED_SYSCTLS)) {
      if (this.defaults[key] === undefined || this.defaults[key] === '') throw new Error(`cannot read ${key} on ${this.names[0]}`);
    }
  }

  async resetToClean(): Promise<void> {
    const command = resetCommand(this.defaults);
    await mapLimit(this.names, HOST_COMMAND_CONCURRENCY, (name) => this.lab.onHost(name, command));
    const dirty = (await this.readStates()).flatMap((state, index) => cleanErrors(state, this.defaults).map((error) => `${this.names[index]}: ${error}`));
    if (dirty.length > 0) throw new Error(`hosts are not clean after reset:\n${dirty.slice(0, 10).join('\n')}`);
  }

  /** Every 10th host, from the first: ceil(N / 10) hosts. */
  async drift(): Promise<string[]> {
    const drifted = this.names.filter((_, index) => index % 10 === 0);
    await mapLimit(drifted, HOST_COMMAND_CONCURRENCY, async (name) => {
      const result = await this.lab.onHost(name, DRIFT_COMMAND);
      if (result.exitCode !== 0) throw new Error(`${name}: drift failed: ${result.stderr}`);
    });
    return drifted;
  }

  async measureFloors(repeat: number): Promise<void> {
    const ssh2 = await measure(
      { file: process.execPath, args: [path.join(BENCH_DIR, 'floor.js'), this.targetsFile], env: process.env, cwd: this.lab.dir },
      this.options.timeoutSeconds * 1000,
    );
    this.record(FLOOR_SSH2, repeat, undefined, ssh2, ssh2.exitCode === 0 && !ssh2.timedOut ? [] : [`floor failed: ${ssh2.stdout}${ssh2.stderr}`]);

    // OpenSSH's own client, one process per host, for comparison with the ~1.5 s of the issue.
    const started = process.hrtime.bigint();
    const outcomes = await Promise.all(
      this.lab.hosts.map((host) =>
        runProcess(
          'ssh',
          ['-i', this.lab.keyFile, '-p', String(host.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `root@${host.address}`, 'true'],
          { timeoutMs: this.options.timeoutSeconds * 1000 },
        ),
      ),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const failed = outcomes.filter((outcome) => outcome.exitCode !== 0);
    this.record(FLOOR_OPENSSH, repeat, undefined, { seconds, exitCode: failed.length }, failed.map((outcome) => `ssh failed: ${outcome.stderr.trim()}`));
  }

  /** Runs one tool through the three scenarios from clean hosts; stops at the first scenario that fails. */
  async runTool(tool: Tool, repeat: number): Promise<void> {
    await this.resetToClean();
    const plan: Array<{ scenario: Scenario; expectedChanged: () => Promise<number> }> = [
      { scenario: 'converge', expectedChanged: async () => this.hostCount * TASKS_PER_HOST },
      { scenario: 'noop', expectedChanged: async () => 0 },
      { scenario: 'drift', expectedChanged: async () => (await this.drift()).length * CHANGES_PER_DRIFTED_HOST },
    ];
    for (const { scenario, expectedChanged } of plan) {
      const expected = await expectedChanged();
      const ok = await this.runScenario(tool, repeat, scenario, expected);
      if (!ok) return;
    }
  }

  private async runScenario(tool: Tool, repeat: number, scenario: Scenario, expectedChanged: number): Promise<boolean> {
    const runDir = mkdtempSync(path.join(this.lab.dir, `${tool.id}-`));
    const logOffsets = this.names.map((name) => statSync(this.lab.sshdLog(name)).size);
    const run = await measure(tool.invocation({ inventoryFile: this.lab.inventoryFile, hostCount: this.hostCount, runDir }), this.options.timeoutSeconds * 1000);
    const costs = this.names.map((name, index) => countSshdCost(readFrom(this.lab.sshdLog(name), logOffsets[index])));

    const problems: string[] = [];
    if (run.timedOut) problems.push(`timed out after ${this.options.timeoutSeconds} s`);
    else if (run.exitCode !== 0) problems.push(`exit code ${run.exitCode}: ${tail(run.stderr || run.stdout)}`);
    const recap = tool.recap(run.stdout);
    if (!recap) problems.push(`no recap in the output: ${tail(run.stdout)}`);
    else {
      if (recap.hosts !== this.hostCount) problems.push(`recap covers ${recap.hosts} hosts, not ${this.hostCount}`);
      if (recap.failed + recap.unreachable > 0) problems.push(`${recap.failed} failed, ${recap.unreachable} unreachable`);
      if (recap.changed !== expectedChanged) problems.push(`reported changed=${recap.changed}, expected ${expectedChanged}`);
    }
    const states = await this.readStates();
    const wrong = states.flatMap((state, index) => convergenceErrors(state, this.templateSha256).map((error) => `${this.names[index]}: ${error}`));
    if (wrong.length > 0) problems.push(`${wrong.length} state differences, e.g. ${wrong.slice(0, 3).join('; ')}`);

    this.record(tool.id, repeat, scenario, run, problems, {
      changed: recap?.changed,
      expectedChanged,
      perHost: {
        connections: spread(costs.map((cost) => cost.connections)),
        execs: spread(costs.map((cost) => cost.execs)),
        subsystems: spread(costs.map((cost) => cost.subsystems)),
      },
      stateSample: states[0],
    });
    rmSync(runDir, { recursive: true, force: true });
    return problems.length === 0;
  }

  private readStates(): Promise<HostState[]> {
    return mapLimit(this.names, HOST_COMMAND_CONCURRENCY, (name) => readHostState(this.lab, name));
  }

  private record(
    tool: string,
    repeat: number,
    scenario: Scenario | undefined,
    run: Pick<MeasuredRun, 'seconds' | 'exitCode'> & Partial<MeasuredRun>,
    problems: string[],
    extra: Partial<RunRecord> = {},
  ): void {
    const record: RunRecord = {
      tool,
      hosts: this.hostCount,
      repeat,
      scenario,
      ok: problems.length === 0,
      problems,
      seconds: run.seconds,
      exitCode: run.exitCode,
      peakRssBytes: run.peakRssBytes,
      peakPssBytes: run.peakPssBytes,
      peakProcesses: run.peakProcesses,
      cpuSeconds: run.cpuSeconds,
      machineCpuBusy: run.machineCpuBusy,
      harnessCpuSeconds: run.harnessCpuSeconds,
      loadAverageBefore: run.loadAverageBefore,
      ...extra,
    };
    this.results.runs.push(record);
    this.save();
    const what = scenario ? `${tool} ${scenario}` : tool;
    const status = record.ok ? '' : `  FAILED: ${problems.join(' | ')}`;
    const memory = run.peakRssBytes === undefined ? '' : `  ${(run.peakRssBytes / 2 ** 20).toFixed(0).padStart(5)} MB RSS`;
    log(`N=${this.hostCount} #${repeat + 1} ${what.padEnd(26)} ${run.seconds.toFixed(2).padStart(8)} s${memory}${status}`);
  }
}

function readFrom(file: string, offset: number): string {
  return readFileSync(file).subarray(offset).toString('utf8');
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-5).join(' / ').slice(0, 600);
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.render) {
    const results = JSON.parse(readFileSync(path.join(options.outDir, `${options.name}.json`), 'utf8')) as BenchResults;
    writeReport(results, options.outDir, options.name);
    log(`rewrote ${path.join(options.outDir, `${options.name}.{md,svg}`)}`);
    return;
  }
  if (process.getuid?.() !== 0) throw new Error('the benchmark creates network namespaces: run it as root');
  mkdirSync(options.outDir, { recursive: true });
  const prefix = options.name;
  const startedAt = Date.now();
  const unavailable = new Map(options.tools.map((tool) => [tool, tool.unavailable()]));
  for (const [tool, reason] of unavailable) if (reason) log(`skipping ${tool.id}: ${reason}`);
  const tools = options.tools.filter((tool) => !unavailable.get(tool));
  if (tools.length === 0) throw new Error('none of the tools asked for can run here');
  const results: BenchResults = {
    mode: options.mode,
    name: options.name,
    startedAt: new Date(startedAt).toISOString(),
    machine: describeMachine(),
    options: { hosts: options.hosts, repeat: options.repeat, timeoutSeconds: options.timeoutSeconds, tools: options.tools.map((tool) => tool.id) },
    tools: options.tools.map((tool) => ({ id: tool.id, label: tool.label, settings: tool.settings, unavailable: unavailable.get(tool) })),
    runs: [],
  };
  const save = () => writeFileSync(path.join(options.outDir, `${prefix}.json`), `${JSON.stringify(results, null, 2)}\n`);

  let lab: TestLab | undefined;
  let interrupted = false;
  process.on('SIGINT', () => {
    interrupted = true;
    log('interrupted: stopping the running tool and removing the lab');
    abortRuns();
  });

  try {
    for (const hostCount of options.hosts) {
      if (interrupted) break;
      const names = Array.from({ length: hostCount }, (_, index) => `h${String(index + 1).padStart(3, '0')}`);
      log(`starting ${hostCount} hosts`);
      lab = await startHosts(names);
      const bench = new Bench(lab, options, results, save);
      await bench.learnDefaults();
      for (let repeat = 0; repeat < options.repeat && !interrupted; repeat++) {
        await bench.measureFloors(repeat);
        // Rotating the order spreads any drift of the machine (caches, thermal) over all tools.
        const order = tools.map((_, index) => tools[(index + repeat) % tools.length]);
        for (const tool of order) {
          if (interrupted) break;
          await bench.runTool(tool, repeat);
        }
      }
      await lab.destroy();
      lab = undefined;
      writeReport(results, options.outDir, prefix);
    }
  } finally {
    if (lab) await lab.destroy();
    results.finishedAt = new Date().toISOString();
    results.totalSeconds = (Date.now() - startedAt) / 1000;
    save();
    writeReport(results, options.outDir, prefix);
    log(`results: ${path.join(options.outDir, `${prefix}.{json,md,svg}`)} (${results.totalSeconds.toFixed(0)} s in total)`);
  }
  if (interrupted) process.exitCode = 130;
}

main().catch((error: Error) => {
  log(error.message);
  process.exitCode = 1;
});
