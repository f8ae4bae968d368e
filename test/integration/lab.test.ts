/**
 * The lab and the shipped clusters end to end, on a real IPVS kernel, through the built
 * CLI. One qemu VM (TCG) is booted for the whole suite: it holds the nat, dr, tun and dr-ha
 * hosts side by side.
 *
 * First the lab itself: `lab up` boots it and every host answers over SSH, a second `up`
 * only checks, each topology has a connection inventory, every host starts bare, `lab exec`
 * passes words, output and exit codes through. Then, for each of LVS-NAT, LVS-DR and
 * LVS-TUN: validate, converge (ending with the playbook's http_verify), a second run that
 * changes nothing, the client's own curl seeing both real servers in turn, the director's
 * `ipvsadm -S -n`, a real server drained with weight 0 (curl and an ad hoc http_verify see
 * only the other one), a real server removed from the list (purge drops it from the
 * table), and the reboot drill (director and real servers power-cycled, serving again with
 * no lvs run). On nat and dr, the rolling-update drill (the client's own load counts every
 * answer, a slow download to each real server is waited for), and on nat a roll that must
 * fail. On dr-ha (keepalived on a director pair): a web server stopped and started, the
 * master's link taken down and up, under the client's load, then a run that changes
 * nothing. README.md's tour runs too, every `npx lvs` line of it as written: the short tour
 * on the bare lab (before the nat and dr scenarios touch their hosts, as the demo leaves
 * dr), and "Try DR and TUN" once the scenarios are done. Last, the tour's own `lab down`
 * leaves nothing running.
 *
 * Under TCG every step is slow, so the topologies' scenarios run at the same time (their
 * hosts are separate namespaces): each scenario runs its steps in order and records their
 * results, and the tests below check those results as they arrive.
 *
 * It uses a cache dir of its own ($LVS_TEST_LAB_CACHE_DIR or ~/.cache/lvs/lab-test, kept
 * between runs so that only the first run downloads the kernel) and never touches a lab a
 * developer has up.
 */
import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { runLvs } from '../support/cli';
import { runProcess, type ProcessResult } from '../support/run-process';

const CACHE_DIR = process.env.LVS_TEST_LAB_CACHE_DIR ?? join(homedir(), '.cache', 'lvs', 'lab-test');
const env = { LVS_CACHE_DIR: CACHE_DIR };
const STATE_FILE = join(CACHE_DIR, 'run', 'state.json');
const REPO_ROOT = join(__dirname, '..', '..');
const MINUTE = 60_000;

/**
 * How long each kind of step may take before it counts as hung: at least twice the slowest
 * one measured, under TCG with two CPU burners beside this file (src/lab/README.md,
 * "Costs"). A step that hangs fails with its output instead of stalling the suite.
 */
const BUDGET = {
  /** Booting the VM until all 17 sshd answer. */
  labUp: 20 * MINUTE,
  /** `lab up` again, `status`, `inventory`, `down`: no SSH, at most the lab's own files. */
  labCommand: 2 * MINUTE,
  /** One `lab exec`: one SSH session. */
  exec: 2 * MINUTE,
  validate: 2 * MINUTE,
  converge: 40 * MINUTE,
  rerun: 15 * MINUTE,
  /** The playbook on the director alone (drain, purge). */
  directorRun: 15 * MINUTE,
  /** `lvs task ...` on one host. */
  task: 5 * MINUTE,
  /** `lab reboot` of one host, its three hosts at once in each of the seed's three topologies. */
  reboot: 20 * MINUTE,
};

/** What the guides call each host's NICs; every host also has lo, mgmt0 and the ipip module's tunl0. */
const NICS: Record<Topology, Record<string, string[]>> = {
  nat: { director: ['eth0', 'eth1'], rs1: ['eth0'], rs2: ['eth0'], client: ['eth0'] },
  dr: { director: ['eth0'], rs1: ['eth0'], rs2: ['eth0'], client: ['eth0'] },
  tun: { director: ['eth0', 'eth1'], rs1: ['eth0'], rs2: ['eth0'], client: ['eth0'] },
  'dr-ha': { director: ['eth0'], director2: ['eth0'], rs1: ['eth0'], rs2: ['eth0'], client: ['eth0'] },
};
/** The seed's three clusters, one director each. */
type SeedTopology = 'nat' | 'dr' | 'tun';
type Topology = SeedTopology | 'dr-ha';
const SEED_TOPOLOGIES: SeedTopology[] = ['nat', 'dr', 'tun'];
const TOPOLOGIES: Topology[] = [...SEED_TOPOLOGIES, 'dr-ha'];
/** Each topology's inventory groups, as `lvs lab inventory` writes them. */
const GROUPS: Record<Topology, Record<string, string[]>> = {
  nat: { director: ['director'], realservers: ['rs1', 'rs2'], clients: ['client'] },
  dr: { director: ['director'], realservers: ['rs1', 'rs2'], clients: ['client'] },
  tun: { director: ['director'], realservers: ['rs1', 'rs2'], clients: ['client'] },
  'dr-ha': { directors: ['director', 'director2'], realservers: ['rs1', 'rs2'], clients: ['client'] },
};
const HOSTS = TOPOLOGIES.flatMap((topology) => Object.keys(NICS[topology]).map((host) => ({ topology, host })));
const REAL_SERVERS = ['rs1', 'rs2'];

/** Each topology's forwarding method, as real_servers names it and as `ipvsadm -S -n` writes it. */
const FORWARDING: Record<SeedTopology, { name: string; rule: (weight: number) => string }> = {
  nat: { name: 'nat', rule: (weight) => `-m -w ${weight}` },
  dr: { name: 'dr', rule: (weight) => `-g -w ${weight}` },
  // The dump adds the tunnel type.
  tun: { name: 'tun', rule: (weight) => `-i -w ${weight} --tun-type ipip` },
};

/** The cluster as the shipped inventory declares it: the playbooks' only source of addresses. */
function declaredCluster(topology: Topology) {
  const dir = join(REPO_ROOT, 'inventories', `lvs-${topology}`);
  const all = parse(readFileSync(join(dir, 'group_vars', 'all.yml'), 'utf8'));
  const rips = REAL_SERVERS.map((host) => String(parse(readFileSync(join(dir, 'host_vars', `${host}.yml`), 'utf8')).rip));
  return { vip: String(all.vip), port: Number(all.vip_port), rips };
}

function lvs(args: string[], timeoutMs: number): Promise<ProcessResult> {
  return runLvs(args, { env, timeoutMs });
}

/** The `npx lvs` lines of README.md's `sh` blocks in the section under `heading`, in order. */
function tourLines(heading: string): string[] {
  const lines = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no heading ${heading}`);
  const commands: string[] = [];
  let inBlock = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('```')) inBlock = !inBlock;
    else if (inBlock && line.startsWith('npx lvs ')) commands.push(line);
    else if (!inBlock && line.startsWith('#')) break;
  }
  return commands;
}

const SHORT_TOUR = tourLines('## A short tour');
const DR_AND_TUN_TOUR = tourLines('### Try DR and TUN, then real machines');
/** The tour's last line; the last test of this file runs it. */
const TOUR_LAB_DOWN = DR_AND_TUN_TOUR.at(-1) ?? '';

/** A tour line's budget: a playbook run (right after the demo, dr's hosts are bare) or one task; the rest is local or one SSH session. */
function tourLineBudget(line: string): number {
  if (line.startsWith('npx lvs run ')) return BUDGET.converge;
  if (line.startsWith('npx lvs task ')) return BUDGET.task;
  if (line.startsWith('npx lvs lab reboot ')) return BUDGET.reboot;
  return Math.max(BUDGET.labCommand, BUDGET.exec);
}

/**
 * Runs one README line as a reader would, in bash, with `npx lvs` being this checkout's
 * built CLI: npx is a shell function, so a `$(npx lvs ...)` inside the line runs it too.
 */
function tourLine(line: string): Promise<ProcessResult> {
  const script = [
    'node=$2',
    'npx() { if [ "$1" != lvs ]; then echo "the tour runs only npx lvs, not npx $1" >&2; return 127; fi; shift; "$node" bin/run.js "$@"; }',
    'eval "$1"',
  ].join('\n');
  return runProcess('bash', ['-c', script, 'bash', line, process.execPath], {
    env: { ...process.env, ...env },
    cwd: REPO_ROOT,
    timeoutMs: tourLineBudget(line),
  });
}

/** A tour line's outcome, with its output shown only when it failed. */
function outcome(line: string, run: ProcessResult) {
  return { line, exitCode: run.exitCode, output: run.exitCode === 0 ? '' : `${run.stdout}\n${run.stderr}` };
}

interface Timed<T> {
  value: T;
  ms: number;
}

async function timed<T>(work: () => Promise<T>): Promise<Timed<T>> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

interface Status {
  running: boolean;
  qemuPid?: number;
  hosts: { topology: string; name: string; port: number; sshd: string }[];
}

async function status(): Promise<Status> {
  const run = await lvs(['lab', 'status', '--json'], BUDGET.labCommand);
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout) as Status;
}

function processAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !/ Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ''));
}

/** Which real server answered each of `count` requests to the VIP, with curl on the client. */
function curlFromClient(topology: Topology, url: string, count: number): Promise<ProcessResult> {
  const script = 'i=0; while [ "$i" -lt "$2" ]; do i=$((i + 1)); curl -s --max-time 5 "$1" | grep -o "served by [a-z0-9]*" || echo "no answer"; done';
  return lvs(['lab', 'exec', topology, 'client', '--', 'sh', '-c', script, 'sh', url, String(count)], BUDGET.exec);
}

function answers(run: ProcessResult): string[] {
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/^served by /, ''));
}

interface HostResult {
  status: string;
  noop?: string;
  msg?: string;
  stdout?: string;
  /** A looped task's result per item. */
  results?: HostResult[];
}

interface RunReport {
  plays: { tasks: { task: { name: string; action: string }; hosts: Record<string, HostResult> }[] }[];
  stats: Record<string, { ok: number; changed: number; failures: number; unreachable: number }>;
}

/** The --json report, or a failure that shows what the run printed instead. */
function report(run: ProcessResult): RunReport {
  try {
    return JSON.parse(run.stdout) as RunReport;
  } catch {
    throw new Error(`no JSON report (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** Every failed step of a run, as "host: task: message". */
function failedSteps(run: ProcessResult): string[] {
  return report(run).plays.flatMap((play) =>
    play.tasks.flatMap((task) => Object.entries(task.hosts).filter(([, result]) => result.status === 'failed').map(([host, result]) => `${host}: ${task.task.name}: ${result.msg ?? ''}`)),
  );
}

function resultOf(run: ProcessResult, action: string, host: string) {
  const task = report(run).plays.flatMap((play) => play.tasks).find((candidate) => candidate.task.action === action);
  return task?.hosts[host];
}

/** The hosts the reboot drill power-cycles; the client stays up, as a user's machine would. */
const REBOOTED = ['director', 'rs1', 'rs2'];
/** What lvs does not own, put on each host before its reboot: a file in /run and an address typed by hand. */
const HAND_ADDRESS = '198.51.100.7';
const MARK = `echo before the reboot > /run/lvs-drill-marker && ip address add ${HAND_ADDRESS}/32 dev lo label lo:9`;
const AFTER_REBOOT = `echo "$(ps -p 1 -o comm=) $(systemctl is-system-running --wait)"; echo ---; ls /run/lvs-drill-marker 2>&1; echo ---; ip -4 -o address show dev lo | grep -c ${HAND_ADDRESS}; echo ---; systemctl --failed --no-legend --plain`;

/**
 * The client's own load for the drills: one curl process sending one request to the VIP
 * every 1/$3 s (--rate), each on a new connection (Connection: close, so the director picks
 * a server for each) with its own 2 s limit, at most $2 of them or until the test leaves
 * LOAD_DONE. Every answer ends with a line "LVS-END CODE" (000 when curl got none). One
 * process, not a shell loop of curls: under TCG a fork and exec alone takes about a second.
 */
const LOAD_DONE = '/tmp/lvs-drill-load-done';
const CLIENT_LOAD = `rm -f ${LOAD_DONE}
curl -s -m 2 -H 'Connection: close' --rate "$3" -w 'LVS-END %{http_code}\\n' "$1?request=[1-$2]" & curl=$!
while kill -0 "$curl" 2>/dev/null && [ ! -e ${LOAD_DONE} ]; do sleep 0.2; done
kill "$curl" 2>/dev/null; wait "$curl"; true`;
/** One request every 100 ms, as the rolling-update issue asks. */
const LOAD_RATE = '10/s';

interface Answer {
  code: string;
  /** The real server whose page it was, or none. */
  server: string;
  /** The release its page names: v2, another, or before (no release line yet). */
  release: 'v2' | 'other' | 'before';
}

function loadAnswers(run: ProcessResult): Answer[] {
  return [...run.stdout.matchAll(/([\s\S]*?)LVS-END (\d{3})\n/g)].map(([, page, code]) => ({
    code,
    server: /served by (rs\d)\b/.exec(page)?.[1] ?? 'none',
    release: /release v2\b/.test(page) ? 'v2' : /release /.test(page) ? 'other' : 'before',
  }));
}

const failedAnswers = (answers: Answer[]) => answers.filter((answer) => answer.code !== '200' || answer.server === 'none');

/** The client's load on one topology: the run settles when the load ends (by count or `stop`). */
function clientLoad(topology: Topology, url: string, maxRequests: number) {
  const run = lvs(['lab', 'exec', topology, 'client', '--', 'sh', '-c', CLIENT_LOAD, 'sh', url, String(maxRequests), LOAD_RATE], BUDGET.converge);
  return { run, stop: () => lvs(['lab', 'exec', topology, 'client', '--', 'touch', LOAD_DONE], BUDGET.exec).then(() => run) };
}

/** At most this many requests in a roll: 10 minutes of them. */
const ROLL_REQUESTS = 6000;
/**
 * The file the long-lived connections download at 300 KiB/s: 137 s each. It is far larger
 * than the sockets' buffers (about 10 MiB between the two ends), so the web server is still
 * sending it, not done with it, for the first 100 s or so. The roll reached rs1's drain 22 s
 * into the download by hand and 92 s into it on a loaded CI machine.
 */
const LARGE_FILE_NAME = 'lvs-drill-large.bin';
const LARGE_FILE = `/var/www/html/${LARGE_FILE_NAME}`;
const LARGE_FILE_BYTES = 40 * 1024 * 1024;
/**
 * rs1's drain found its download open (0 s would mean it had nothing to wait for). That it
 * waited for the end is the download's: complete, though the roll restarted rs1's web server.
 * A restart cuts a download still going: `systemctl restart apache2` on a lab host (systemd,
 * graceful-stop then KillMode=mixed) ended one after 19.2 of 20 MiB, curl exit 18.
 */
const DRAIN_WAITED_S = 1;
/** Two downloads of $1, half a second apart, each printing "CODE BYTES" when it ends. */
const SLOW_DOWNLOADS = `for n in 1 2; do curl -s -o /dev/null --limit-rate 300k -m 600 -w '%{http_code} %{size_download}\\n' "$1" & sleep 0.5; done; wait`;

/**
 * Waits on a host until a shell condition holds, checking it every 100 ms at most $2 times,
 * and prints the VM's clock in ms when it did ("never" and exit 1 when it did not).
 */
const WATCH = 'i=0; until sh -c "$1" >/dev/null 2>&1; do i=$((i + 1)); if [ "$i" -ge "$2" ]; then echo never; exit 1; fi; sleep 0.1; done; date +%s%3N';
/** Runs $1 on a host and prints the VM's clock in ms when it has. */
const AT = 'sh -c "$1" && date +%s%3N';
const WATCH_CHECKS = 600;

function watch(topology: Topology, host: string, condition: string): Promise<ProcessResult> {
  return lvs(['lab', 'exec', topology, host, '--', 'sh', '-c', WATCH, 'sh', condition, String(WATCH_CHECKS)], BUDGET.exec);
}

function at(topology: Topology, host: string, command: string): Promise<ProcessResult> {
  return lvs(['lab', 'exec', topology, host, '--', 'sh', '-c', AT, 'sh', command], BUDGET.exec);
}

/** The VM's clock as WATCH or AT printed it. */
function clockOf(run: ProcessResult): number {
  const ms = Number(run.stdout.trim());
  if (run.exitCode !== 0 || !Number.isInteger(ms)) throw new Error(`no clock reading (exit ${run.exitCode}): ${run.stdout}${run.stderr}`);
  return ms;
}

/** An Apache config that denies the real servers' pages, for the roll that must fail. */
const DENY_CONF = '/etc/apache2/conf-enabled/zz-lvs-drill-deny.conf';
const DENY_PAGES = ['<Directory /var/www/html>', '    Require all denied', '</Directory>'];

/** Every playbook run's flags. Generous: 17 hosts under TCG on a loaded machine can take long to accept SSH. */
const RUN_FLAGS = ['--json', '--connect-timeout', '60'];

/** How long every step of every scenario took, printed at the end: the figures for BUDGET. */
const stepTimes: { step: string; ms: number }[] = [];

/**
 * One topology's steps, in order, each started when the one before has finished (whatever
 * its outcome) and only once the lab is up and checked. Each step's promise is its result.
 */
class Scenario {
  private previous: Promise<unknown>;

  constructor(
    private readonly name: string,
    private readonly ready: Promise<void>,
  ) {
    this.previous = ready;
  }

  step<T>(name: string, work: () => Promise<T>): Promise<T> {
    const result = Promise.all([this.ready, this.previous.catch(() => undefined)]).then(async () => {
      const started = Date.now();
      try {
        return await work();
      } finally {
        stepTimes.push({ step: `${this.name}: ${name}`, ms: Date.now() - started });
      }
    });
    this.previous = result.catch(() => undefined);
    return result;
  }

  /** Settles when every step has. */
  get done(): Promise<unknown> {
    return this.previous;
  }
}

/** Every step of one topology, started at once and chained. */
function startScenario(topology: SeedTopology, ready: Promise<void>) {
  const scenario = new Scenario(topology, ready);
  const cluster = declaredCluster(topology);
  const url = `http://${cluster.vip}:${cluster.port}/`;
  const forwarding = FORWARDING[topology].name;
  let labInventory = '';
  const inventories = () => ['-i', `inventories/lvs-${topology}`, '-i', labInventory];
  const playbook = `playbooks/lvs-${topology}.yml`;
  const onDirector = (realServers: object[]) =>
    lvs(['run', playbook, ...inventories(), ...RUN_FLAGS, '-l', 'director', '-e', JSON.stringify({ real_servers: realServers })], BUDGET.directorRun);
  const table = () => lvs(['lab', 'exec', topology, 'director', '--', 'ipvsadm', '-S', '-n'], BUDGET.exec);

  const inventory = scenario.step('lab inventory', async () => {
    const run = await lvs(['lab', 'inventory', topology], BUDGET.labCommand);
    labInventory = run.stdout.trim();
    return run;
  });
  const validate = scenario.step('validate', () => lvs(['validate', playbook, ...inventories()], BUDGET.validate));
  const converge = scenario.step('converge', () => timed(() => lvs(['run', playbook, ...inventories(), ...RUN_FLAGS], BUDGET.converge)));
  const rerun = scenario.step('no-op rerun', () => timed(() => lvs(['run', playbook, ...inventories(), ...RUN_FLAGS], BUDGET.rerun)));
  const curl = scenario.step('curl', () => curlFromClient(topology, url, 4));
  const tableAfterConverge = scenario.step('ipvsadm -S', table);
  const drain = scenario.step('drain', () =>
    onDirector([
      { address: cluster.rips[0], forwarding, weight: 0 },
      { address: cluster.rips[1], forwarding, weight: 1 },
    ]),
  );
  const tableAfterDrain = scenario.step('ipvsadm -S', table);
  const curlAfterDrain = scenario.step('curl', () => curlFromClient(topology, url, 4));
  const verifyAfterDrain = scenario.step('task http_verify', () =>
    lvs(['task', 'http_verify', `url=${url}`, 'servers=rs2', 'expect=only', '-l', 'client', ...inventories(), ...RUN_FLAGS], BUDGET.task),
  );
  const purge = scenario.step('purge', () => onDirector([{ address: cluster.rips[1], forwarding, weight: 1 }]));
  const tableAfterPurge = scenario.step('ipvsadm -S', table);

  // The reboot drill: the whole cluster converged again, then its director and real servers
  // power-cycled with what lvs does not own marked on them, and nothing of lvs run until
  // the client has been answered by both real servers again.
  const reconverge = scenario.step('converge before the reboots', () => lvs(['run', playbook, ...inventories(), ...RUN_FLAGS], BUDGET.converge));
  const marked = scenario.step('mark the hosts', () => Promise.all(REBOOTED.map((host) => lvs(['lab', 'exec', topology, host, '--', 'sh', '-c', MARK], BUDGET.exec))));
  const reboots = scenario.step('lab reboot', () =>
    Promise.all(REBOOTED.map((host) => timed(() => lvs(['lab', 'reboot', topology, host, '--json', '--timeout', String(BUDGET.reboot / 1000 - 60)], BUDGET.reboot)))),
  );
  const afterReboot = scenario.step('hosts after the reboot', () => Promise.all(REBOOTED.map((host) => lvs(['lab', 'exec', topology, host, '--', 'sh', '-c', AFTER_REBOOT], BUDGET.exec))));
  const statusAfterReboot = scenario.step('lab status', () => lvs(['lab', 'status', topology, '--json'], BUDGET.labCommand));
  const curlAfterReboot = scenario.step('curl', () => curlFromClient(topology, url, 4));
  const rerunAfterReboot = scenario.step('run after the reboots', () => timed(() => lvs(['run', playbook, ...inventories(), ...RUN_FLAGS], BUDGET.rerun)));

  // The rolling-update drill (nat and dr): the client's own loop counts its answers for the
  // whole roll; then, on nat, a roll whose check fails on the second server.
  const rolls = topology !== 'tun';
  // A drain's deadline for a loaded machine under TCG (the playbook's own is 120 s).
  const roll = (release: string) =>
    lvs(['run', 'playbooks/rolling-update.yml', ...inventories(), ...RUN_FLAGS, '-e', `release=${release}`, '-e', 'drain_deadline=600'], BUDGET.converge);
  const rollingUpdate = rolls
    ? scenario.step('rolling update under load', async () => {
        // Two slow downloads first: round robin gives one to each real server, so rs1 has a
        // long-lived connection when its drain starts.
        await Promise.all(REAL_SERVERS.map((host) => lvs(['lab', 'exec', topology, host, '--', 'sh', '-c', 'head -c "$2" /dev/zero > "$1"', 'sh', LARGE_FILE, String(LARGE_FILE_BYTES)], BUDGET.exec)));
        const downloads = lvs(['lab', 'exec', topology, 'client', '--', 'sh', '-c', SLOW_DOWNLOADS, 'sh', `${url}${LARGE_FILE_NAME}`], BUDGET.converge);
        const established = await Promise.all(cluster.rips.map((rip) => watch(topology, 'director', `ipvsadm -L -n -c | grep ESTABLISHED | grep -q -- ' ${rip}:${cluster.port}$'`)));
        const load = clientLoad(topology, url, ROLL_REQUESTS);
        const run = await timed(() => roll('v2'));
        const result = { run, client: await load.stop(), established, downloads: await downloads };
        await Promise.all(REAL_SERVERS.map((host) => lvs(['lab', 'exec', topology, host, '--', 'rm', '-f', LARGE_FILE], BUDGET.exec)));
        return result;
      })
    : undefined;
  const afterRoll = rolls
    ? scenario.step('hosts after the roll', async () => ({
        pages: await Promise.all(REAL_SERVERS.map((host) => lvs(['lab', 'exec', topology, host, '--', 'cat', '/var/www/html/index.html'], BUDGET.exec))),
        table: await table(),
      }))
    : undefined;
  const failingRoll =
    topology === 'nat'
      ? scenario.step('a roll that fails on rs2', async () => {
          // A config on rs2 that denies its pages, which its running web server has not read:
          // rs2 serves until the roll restarts it, then fails its direct check.
          await lvs(['lab', 'exec', topology, 'rs2', '--', 'sh', '-c', 'conf=$1; shift; printf "%s\\n" "$@" > "$conf"', 'sh', DENY_CONF, ...DENY_PAGES], BUDGET.exec);
          try {
            return { run: await roll('v3'), table: await table() };
          } finally {
            await lvs(['lab', 'exec', topology, 'rs2', '--', 'sh', '-c', 'rm -f "$1" && systemctl restart apache2', 'sh', DENY_CONF], BUDGET.exec);
          }
        })
      : undefined;
  return {
    cluster, scenario, inventory, validate, converge, rerun, curl, tableAfterConverge, drain, tableAfterDrain, curlAfterDrain, verifyAfterDrain, purge, tableAfterPurge,
    reconverge, marked, reboots, afterReboot, statusAfterReboot, curlAfterReboot, rerunAfterReboot, rollingUpdate, afterRoll, failingRoll,
  };
}

/**
 * keepalived's promises, from inventories/lvs-dr-ha: a stopped web server is out of the
 * table within delay_loop + retry x delay_before_retry = 4 s and back within delay_loop = 2 s
 * of its start; a master whose link goes down loses the VIP to the backup within
 * 3 x advert_int + skew = 3.6 s, and takes it back (it has the higher priority and
 * preempts) within the same once its link is up. Each bound here adds 6 s for TCG on a
 * loaded machine, and for the 100 ms between two looks at the host.
 */
const HA_BOUND_MS = { serverOut: 10_000, serverBack: 8_000, takeover: 10_000, takeBack: 10_000 };
/** How many of the client's requests may fail while the VIP moves, each way: 2 s of traffic at LOAD_RATE. */
const HA_FAILED_REQUESTS_PER_MOVE = 20;
/** How long the client's load goes on with the VIP on the backup, and after it is back. */
const HA_SETTLE_MS = 5_000;
/** At most this many requests while the VIP moves: 10 minutes of them. */
const HA_LOAD_REQUESTS = 6000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The client's requests after a server left or came back: 3 s of traffic. */
const HA_PROBE_REQUESTS = 30;

/** The director pair of dr-ha: converge, then a real server and the master director broken on purpose while the client's load counts. */
function startHaScenario(ready: Promise<void>) {
  const topology = 'dr-ha';
  const scenario = new Scenario(topology, ready);
  const cluster = declaredCluster(topology);
  const url = `http://${cluster.vip}:${cluster.port}/`;
  let labInventory = '';
  const inventories = () => ['-i', `inventories/lvs-${topology}`, '-i', labInventory];
  const playbook = `playbooks/lvs-${topology}.yml`;
  const run = () => timed(() => lvs(['run', playbook, ...inventories(), ...RUN_FLAGS], BUDGET.converge));
  const onHost = (host: string, script: string) => lvs(['lab', 'exec', topology, host, '--', 'sh', '-c', script], BUDGET.exec);
  const rs1 = ` ${cluster.rips[0]}:${cluster.port} `;
  const hasRs1 = `ipvsadm -S -n | grep -q -- '-r${rs1}'`;
  const hasVip = `ip -4 -o address show dev eth0 | grep -q ' ${cluster.vip}/'`;
  const placement = () =>
    Promise.all(['director', 'director2'].map((host) => onHost(host, `ip -4 -o address show dev eth0 | grep -c ' ${cluster.vip}/'; echo ---; ipvsadm -S -n`)));
  const probe = () => clientLoad(topology, url, HA_PROBE_REQUESTS).run;

  const inventory = scenario.step('lab inventory', async () => {
    const result = await lvs(['lab', 'inventory', topology], BUDGET.labCommand);
    labInventory = result.stdout.trim();
    return result;
  });
  const validate = scenario.step('validate', () => lvs(['validate', playbook, ...inventories()], BUDGET.validate));
  const converge = scenario.step('converge', run);
  const placementAfterConverge = scenario.step('VIP and tables', placement);

  // A real server down: its web server stopped, then started again, the director's table watched.
  const serverDown = scenario.step('rs1 stopped', async () => {
    const [out, stopped] = await Promise.all([watch(topology, 'director', `! ${hasRs1}`), at(topology, 'rs1', 'service apache2 stop >/dev/null')]);
    return { outMs: clockOf(out) - clockOf(stopped), answers: await probe() };
  });
  const serverBack = scenario.step('rs1 started', async () => {
    const [back, started] = await Promise.all([watch(topology, 'director', hasRs1), at(topology, 'rs1', 'service apache2 start >/dev/null')]);
    return { backMs: clockOf(back) - clockOf(started), answers: await probe() };
  });

  // The master director down: its data-plane link, while the client's load runs.
  const moveTheVip = async () => {
    await sleep(HA_SETTLE_MS);
    const [taken, down] = await Promise.all([watch(topology, 'director2', hasVip), at(topology, 'director', 'ip link set dev eth0 down')]);
    await sleep(HA_SETTLE_MS);
    const whileDown = await placement();
    const [takenBack, released, up] = await Promise.all([watch(topology, 'director', hasVip), watch(topology, 'director2', `! ${hasVip}`), at(topology, 'director', 'ip link set dev eth0 up')]);
    await sleep(HA_SETTLE_MS);
    return { takeoverMs: clockOf(taken) - clockOf(down), takeBackMs: Math.max(clockOf(takenBack), clockOf(released)) - clockOf(up), whileDown };
  };
  const directorDown = scenario.step('director link down and up', async () => {
    const load = clientLoad(topology, url, HA_LOAD_REQUESTS);
    const moves = await moveTheVip().then(
      (value) => ({ value }),
      (error: Error) => ({ error }),
    );
    // Whatever happened, the director's link is up again and the load stops.
    await onHost('director', 'ip link set dev eth0 up');
    const answers = await load.stop();
    if ('error' in moves) throw moves.error;
    return { ...moves.value, answers };
  });
  const placementAfterDrills = scenario.step('VIP and tables', placement);
  const rerunAfterDrills = scenario.step('run after the drills', run);
  return { scenario, cluster, inventory, validate, converge, placementAfterConverge, serverDown, serverBack, directorDown, placementAfterDrills, rerunAfterDrills };
}

/**
 * README's short tour, line by line on the bare lab, then what the lab's hosts show for it:
 * the ad hoc sysctl task set ip_forward on nat's director, and the check run left dr's
 * director as bare as before.
 */
function startShortTour(ready: Promise<void>) {
  const scenario = new Scenario('short tour', ready);
  const lines = SHORT_TOUR.map((line) => scenario.step(line, () => tourLine(line)));
  const natForwarding = scenario.step('nat director sysctl', () => lvs(['lab', 'exec', 'nat', 'director', '--', 'sysctl', '-n', 'net.ipv4.ip_forward'], BUDGET.exec));
  const drDirector = scenario.step('dr director bare', () =>
    lvs(['lab', 'exec', 'dr', 'director', '--', 'sh', '-c', 'ipvsadm -S -n; ip -4 -o address show dev eth0'], BUDGET.exec),
  );
  return { scenario, lines, natForwarding, drDirector };
}

const fileStarted = Date.now();
let up: Timed<ProcessResult> | undefined;
let upAgain: Timed<ProcessResult> | undefined;
let pids: { qemuPid: number; virtiofsdPid: number } | undefined;
let bareProbes: ProcessResult[] = [];
let labStatus: Status | undefined;
let scenarios: Record<SeedTopology, ReturnType<typeof startScenario>>;
let haScenario: ReturnType<typeof startHaScenario>;
/** Settles when every topology's steps have. */
const everyScenarioDone = () => Promise.all([...SEED_TOPOLOGIES.map((topology) => scenarios[topology].scenario.done), haScenario.scenario.done]);
let shortTour: ReturnType<typeof startShortTour>;

const BARE_PROBE = [
  'sh',
  '-c',
  'hostname; echo ---; ip -o link show | cut -d: -f2 | cut -d@ -f1; echo ---; ip -o -4 address show | tr -s " " | cut -d" " -f2,4; echo ---; ip -4 route show; echo ---; sysctl -n net.ipv4.ip_forward; echo ---; ipvsadm -S -n',
];

beforeAll(async () => {
  expect(existsSync(join(REPO_ROOT, 'dist', 'commands', 'lab', 'up.js'))).toBe(true);
  // A lab left by an interrupted run of this file.
  await lvs(['lab', 'down'], BUDGET.labCommand);
  let labReady!: () => void;
  let labFailed!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    labReady = resolve;
    labFailed = reject;
  });
  ready.catch(() => undefined);
  shortTour = startShortTour(ready);
  // The short tour touches nat's and dr's hosts; their scenarios start bare once it is done.
  const afterShortTour = shortTour.scenario.done.then(() => ready);
  afterShortTour.catch(() => undefined);
  const startsOn: Record<SeedTopology, Promise<void>> = { nat: afterShortTour, dr: afterShortTour, tun: ready };
  scenarios = Object.fromEntries(SEED_TOPOLOGIES.map((topology) => [topology, startScenario(topology, startsOn[topology])])) as typeof scenarios;
  haScenario = startHaScenario(ready);

  try {
    up = await timed(() => lvs(['lab', 'up', '--json', '--timeout', String(BUDGET.labUp / 1000 - 60)], BUDGET.labUp));
    if (up.value.exitCode !== 0) throw new Error(`lab up failed (exit ${up.value.exitCode}): ${up.value.stderr}`);
    pids = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
    labStatus = await status();
    upAgain = await timed(() => lvs(['lab', 'up'], BUDGET.labCommand));
    // Before any playbook runs: the hosts as the lab hands them over.
    bareProbes = await Promise.all(HOSTS.map(({ topology, host }) => lvs(['lab', 'exec', topology, host, '--', ...BARE_PROBE], BUDGET.exec)));
    labReady();
  } catch (error) {
    // The scenarios give up at once instead of waiting for a lab that will not come.
    labFailed(error as Error);
    throw error;
  }
}, BUDGET.labCommand * 3 + BUDGET.labUp + BUDGET.exec);

/** The longest a topology's steps can take in a row, each within its budget. */
const SCENARIO_BUDGET =
  2 * BUDGET.labCommand + BUDGET.validate + 4 * BUDGET.converge + 2 * BUDGET.rerun + 2 * BUDGET.directorRun + BUDGET.task + BUDGET.reboot + 16 * BUDGET.exec;
const sum = (budgets: number[]) => budgets.reduce((total, budget) => total + budget, 0);
const SHORT_TOUR_BUDGET = sum(SHORT_TOUR.map(tourLineBudget)) + 2 * BUDGET.exec;
/** What a test may wait for: the short tour, then a whole scenario. */
const STEP_TIMEOUT = SHORT_TOUR_BUDGET + SCENARIO_BUDGET;

afterAll(async () => {
  if (scenarios) await everyScenarioDone();
  await lvs(['lab', 'down'], BUDGET.labCommand);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    [
      `lab end-to-end file: ${seconds(Date.now() - fileStarted)}`,
      `lab up ${up ? seconds(up.ms) : '-'}, up again ${upAgain ? seconds(upAgain.ms) : '-'}`,
      ...stepTimes.map(({ step, ms }) => `${step}: ${seconds(ms)}`),
    ].join('\n'),
  );
}, STEP_TIMEOUT + BUDGET.labCommand);

describe('lvs lab', () => {
  it('boots the VM and every host answers over SSH', () => {
    expect(up!.value.stderr).not.toContain('ERROR');
    expect(up!.value.exitCode).toBe(0);
    const result = JSON.parse(up!.value.stdout);
    expect(result.alreadyUp).toBe(false);
    expect(processAlive(pids!.qemuPid)).toBe(true);
    console.log(`lab up: prepare ${result.prepareMs} ms, boot ${result.bootMs} ms, total ${up!.ms} ms`);

    const lab = labStatus!;
    expect(lab.running).toBe(true);
    expect(lab.qemuPid).toBe(pids!.qemuPid);
    expect(lab.hosts.map((host) => `${host.topology}/${host.name}:${host.sshd}`).sort()).toEqual(
      HOSTS.map(({ topology, host }) => `${topology}/${host}:listening`).sort(),
    );
  });

  it('is idempotent: up again says the lab is already up', () => {
    expect(upAgain!.value.exitCode).toBe(0);
    expect(upAgain!.value.stdout).toContain('already up');
    expect(JSON.parse(readFileSync(STATE_FILE, 'utf8')).qemuPid).toBe(pids!.qemuPid);
  });

  it('writes an inventory per topology with the forwarded ports and the lab known_hosts', async () => {
    const lab = labStatus!;
    for (const topology of TOPOLOGIES) {
      const run = await (topology === 'dr-ha' ? haScenario : scenarios[topology]).inventory;
      expect(run.exitCode).toBe(0);
      const inventory = parse(readFileSync(run.stdout.trim(), 'utf8'));
      const vars = inventory.all.vars;
      expect(vars.ansible_user).toBe('root');
      expect(existsSync(vars.ansible_ssh_private_key_file)).toBe(true);
      const knownHosts = readFileSync(vars.lvs_known_hosts_file, 'utf8');
      const groups = inventory.all.children;
      expect(Object.fromEntries(Object.entries(groups).map(([group, members]: [string, any]) => [group, Object.keys(members.hosts)]))).toEqual(GROUPS[topology]);
      for (const host of lab.hosts.filter((candidate) => candidate.topology === topology)) {
        const group = Object.values(groups).find((candidate: any) => host.name in candidate.hosts) as any;
        expect(group.hosts[host.name]).toEqual({ ansible_host: '127.0.0.1', ansible_port: host.port });
        expect(knownHosts).toContain(`[127.0.0.1]:${host.port} ssh-ed25519 `);
      }
    }
  }, STEP_TIMEOUT);

  it("starts every host bare: its own hostname, the guides' NICs up, no data-plane address, route or IPVS rule", () => {
    expect(bareProbes).toHaveLength(HOSTS.length);
    HOSTS.forEach(({ topology, host }, index) => {
      const run = bareProbes[index];
      expect({ topology, host, exitCode: run.exitCode, stderr: run.stderr }).toEqual({ topology, host, exitCode: 0, stderr: '' });
      const [hostname, links, addresses, routes, forwarding, ipvs] = run.stdout.split('---\n').map((part) => part.trim());
      expect(hostname).toBe(host);
      expect(links.split('\n').map((link) => link.trim()).sort()).toEqual(['lo', 'mgmt0', 'tunl0', ...NICS[topology][host]].sort());
      const addressLines = addresses.split('\n');
      expect(addressLines).toHaveLength(2);
      expect(addressLines[0]).toBe('lo 127.0.0.1/8');
      expect(addressLines[1]).toMatch(/^mgmt0 10\.250\.0\.\d+\/24$/);
      expect(routes).toMatch(/^10\.250\.0\.0\/24 dev mgmt0 proto kernel scope link src 10\.250\.0\.\d+$/);
      expect(forwarding).toBe('0');
      expect(ipvs).toBe('');
    });
  });

  it("gives a command's exit code, stdout and stderr back as its own, each word one word", async () => {
    const run = await lvs(['lab', 'exec', 'tun', 'client', '--', 'sh', '-c', 'echo "$1"; echo oops >&2; exit 3', 'sh', 'two words; $(id)'], BUDGET.exec);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('two words; $(id)\n');
    expect(run.stderr).toContain('oops');
  }, BUDGET.exec);
});

describe.each(SEED_TOPOLOGIES)('the shipped %s cluster on the lab', (topology) => {
  const ofThis = () => scenarios[topology];

  it('validates', async () => {
    const run = await ofThis().validate;
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^OK: 3 plays, \d+ tasks on 4 hosts checked; nothing was touched\.\n$/);
    expect(run.exitCode).toBe(0);
  }, STEP_TIMEOUT);

  it('converges, and its verification task sees the real servers in turn', async () => {
    const { value: run, ms } = await ofThis().converge;
    console.log(`${topology}: converge ${(ms / 1000).toFixed(0)} s`);
    const { stats } = report(run);
    for (const host of ['director', 'rs1', 'rs2', 'client']) {
      expect({ host, ...stats[host] }).toMatchObject({ host, failures: 0, unreachable: 0 });
      // The lab starts bare: every host has something to do.
      expect({ host, changed: stats[host].changed > 0 }).toEqual({ host, changed: true });
    }
    const verify = resultOf(run, 'http_verify', 'client');
    expect(verify?.status).toBe('ok');
    expect(verify?.noop).toMatch(/answered by: (rs1, rs2, rs1, rs2, rs1, rs2|rs2, rs1, rs2, rs1, rs2, rs1) \(round robin\)$/);
    expect(run.exitCode).toBe(0);
  }, STEP_TIMEOUT);

  it('changes nothing when run again', async () => {
    const { value: run, ms } = await ofThis().rerun;
    console.log(`${topology}: no-op rerun ${(ms / 1000).toFixed(0)} s`);
    const { stats } = report(run);
    expect(Object.keys(stats).sort()).toEqual(['client', 'director', 'rs1', 'rs2']);
    for (const [host, counts] of Object.entries(stats)) expect({ host, ...counts }).toMatchObject({ host, changed: 0, failures: 0, unreachable: 0 });
    expect(run.exitCode).toBe(0);
  }, STEP_TIMEOUT);

  it("answers the client's own curl with both real servers' pages in turn", async () => {
    const run = await ofThis().curl;
    expect(run.exitCode).toBe(0);
    const seen = answers(run);
    expect([
      ['rs1', 'rs2', 'rs1', 'rs2'],
      ['rs2', 'rs1', 'rs2', 'rs1'],
    ]).toContainEqual(seen);
  }, STEP_TIMEOUT);

  it('has the service in the director\'s IPVS table, with the topology\'s forwarding method', async () => {
    const run = await ofThis().tableAfterConverge;
    const { cluster } = ofThis();
    const service = `-t ${cluster.vip}:${cluster.port}`;
    expect(run.stdout.trim().split('\n')).toEqual([
      `-A ${service} -s rr`,
      ...cluster.rips.map((rip) => `-a ${service} -r ${rip}:${cluster.port} ${FORWARDING[topology].rule(1)}`),
    ]);
    expect(run.exitCode).toBe(0);
  }, STEP_TIMEOUT);

  it('sends every new request to rs2 once rs1 has weight 0', async () => {
    const { cluster, drain, tableAfterDrain, curlAfterDrain, verifyAfterDrain } = ofThis();
    const run = await drain;
    // Only the director changes; the real servers stay as they are.
    expect(report(run).stats).toEqual({ director: expect.objectContaining({ changed: 1, failures: 0 }) });
    expect(run.exitCode).toBe(0);
    const service = `-t ${cluster.vip}:${cluster.port}`;
    expect((await tableAfterDrain).stdout.trim().split('\n')).toEqual([
      `-A ${service} -s rr`,
      `-a ${service} -r ${cluster.rips[0]}:${cluster.port} ${FORWARDING[topology].rule(0)}`,
      `-a ${service} -r ${cluster.rips[1]}:${cluster.port} ${FORWARDING[topology].rule(1)}`,
    ]);
    expect(answers(await curlAfterDrain)).toEqual(['rs2', 'rs2', 'rs2', 'rs2']);
    const verify = await verifyAfterDrain;
    expect(resultOf(verify, 'http_verify', 'client')).toMatchObject({ status: 'ok', noop: expect.stringMatching(/answered by: rs2, rs2, rs2, rs2, rs2, rs2 \(only\)$/) });
    expect(verify.exitCode).toBe(0);
  }, STEP_TIMEOUT);

  it('drops a real server left out of the list from the table (purge)', async () => {
    const { cluster, purge, tableAfterPurge } = ofThis();
    const run = await purge;
    expect(report(run).stats).toEqual({ director: expect.objectContaining({ changed: 1, failures: 0 }) });
    expect(run.exitCode).toBe(0);
    const service = `-t ${cluster.vip}:${cluster.port}`;
    expect((await tableAfterPurge).stdout.trim().split('\n')).toEqual([
      `-A ${service} -s rr`,
      `-a ${service} -r ${cluster.rips[1]}:${cluster.port} ${FORWARDING[topology].rule(1)}`,
    ]);
  }, STEP_TIMEOUT);

  it('comes back from a reboot of its director and real servers serving, with nothing for lvs to do', async () => {
    const { reconverge, marked, reboots, afterReboot, statusAfterReboot, curlAfterReboot, rerunAfterReboot } = ofThis();
    expect(report(await reconverge).stats.director).toMatchObject({ failures: 0 });
    (await marked).forEach((run, index) => expect({ host: REBOOTED[index], exitCode: run.exitCode, stderr: run.stderr }).toEqual({ host: REBOOTED[index], exitCode: 0, stderr: '' }));
    const rebootRuns = await reboots;
    rebootRuns.forEach(({ value: run, ms }, index) => {
      console.log(`${topology}: lab reboot ${REBOOTED[index]} ${(ms / 1000).toFixed(0)} s`);
      expect({ host: REBOOTED[index], exitCode: run.exitCode, stderr: run.exitCode === 0 ? '' : run.stderr }).toEqual({ host: REBOOTED[index], exitCode: 0, stderr: '' });
    });
    // A real reboot: systemd is PID 1 with nothing failed, the marker in /run and the address typed by hand are gone.
    (await afterReboot).forEach((run, index) => {
      const [init, marker, handAddress, failed] = run.stdout.split('---\n').map((part) => part.trim());
      expect({ host: REBOOTED[index], init, handAddress, failed }).toEqual({ host: REBOOTED[index], init: 'systemd running', handAddress: '0', failed: '' });
      expect(marker).toMatch(/No such file or directory/);
    });
    const hosts = JSON.parse((await statusAfterReboot).stdout).hosts as { name: string; sshd: string; upSeconds: number }[];
    const uptime = (name: string) => hosts.find((host) => host.name === name)!.upSeconds;
    for (const host of REBOOTED) expect({ host, rebootedLater: uptime(host) < uptime('client') }).toEqual({ host, rebootedLater: true });
    // The client's own curl, before lvs runs again: what the boot brought back serves.
    expect([
      ['rs1', 'rs2', 'rs1', 'rs2'],
      ['rs2', 'rs1', 'rs2', 'rs1'],
    ]).toContainEqual(answers(await curlAfterReboot));
    const { value: rerun, ms } = await rerunAfterReboot;
    console.log(`${topology}: run after the reboots ${(ms / 1000).toFixed(0)} s`);
    for (const [host, counts] of Object.entries(report(rerun).stats)) expect({ host, ...counts }).toMatchObject({ host, changed: 0, failures: 0, unreachable: 0 });
    expect(rerun.exitCode).toBe(0);
  }, STEP_TIMEOUT);
});

describe.each(['nat', 'dr'] as const)('a rolling update of the %s cluster on the lab', (topology) => {
  const ofThis = () => scenarios[topology];

  it("drains, updates and restores one real server at a time without one failed request of the client's", async () => {
    const { run, client } = (await ofThis().rollingUpdate)!;
    console.log(`${topology}: rolling update ${(run.ms / 1000).toFixed(0)} s`);
    expect(failedSteps(run.value)).toEqual([]);
    expect(report(run.value).stats).toMatchObject({ rs1: { failures: 0 }, rs2: { failures: 0 } });
    expect(run.value.exitCode).toBe(0);
    const answersSeen = loadAnswers(client);
    const failed = failedAnswers(answersSeen);
    console.log(`${topology}: the client sent ${answersSeen.length} requests during the roll, ${failed.length} failed`);
    expect(answersSeen.length).toBeGreaterThan(20);
    expect(failed).toEqual([]);
    // Both releases answered during the roll; at its end only the new one, from both servers in turn.
    const releases = new Set(answersSeen.map((answer) => answer.release));
    expect([...releases].sort()).toEqual(['before', 'v2']);
    const last = answersSeen.slice(-4);
    expect(last.every((answer) => answer.release === 'v2')).toBe(true);
    expect(new Set(last.map((answer) => answer.server))).toEqual(new Set(['rs1', 'rs2']));

    const { pages, table } = (await ofThis().afterRoll)!;
    pages.forEach((page, index) => expect({ host: REAL_SERVERS[index], release: /<p>release v2<\/p>/.test(page.stdout) }).toEqual({ host: REAL_SERVERS[index], release: true }));
    const { cluster } = ofThis();
    expect(table.stdout.trim().split('\n').slice(1)).toEqual(cluster.rips.map((rip) => `-a -t ${cluster.vip}:${cluster.port} -r ${rip}:${cluster.port} ${FORWARDING[topology].rule(1)}`));
  }, STEP_TIMEOUT);

  it('waits in the drain for a long-lived connection to each real server, which completes', async () => {
    const { run, established, downloads } = (await ofThis().rollingUpdate)!;
    // Both downloads were open on the director before the roll began, one to each real server.
    established.forEach((watched, index) => expect({ rip: ofThis().cluster.rips[index], exitCode: watched.exitCode }).toEqual({ rip: ofThis().cluster.rips[index], exitCode: 0 }));
    // rs1's drain, the roll's first, had a connection to wait for.
    // A loop's result per item; with one director, the one item's result is the task's.
    const drainOnDirectors = resultOf(run.value, 'ipvs_member', 'rs1');
    const drain = drainOnDirectors?.results?.[0] ?? drainOnDirectors;
    console.log(`${topology}: rs1's drain: ${drain?.stdout ?? drain?.msg}`);
    expect(Number(/idle after (\d+)s/.exec(drain?.stdout ?? '')?.[1])).toBeGreaterThanOrEqual(DRAIN_WAITED_S);
    expect(downloads.stdout.trim().split('\n')).toEqual([`200 ${LARGE_FILE_BYTES}`, `200 ${LARGE_FILE_BYTES}`]);
    expect(downloads.exitCode).toBe(0);
  }, STEP_TIMEOUT);

  if (topology === 'nat') {
    it('stops a roll whose check fails on the second server: the first back in service, the second drained, exit 2', async () => {
      const { run, table } = (await ofThis().failingRoll)!;
      expect(run.exitCode).toBe(2);
      const { stats } = report(run);
      expect(stats.rs1).toMatchObject({ failures: 0 });
      expect(stats.rs2).toMatchObject({ failures: 1 });
      const { cluster } = ofThis();
      expect(table.stdout.trim().split('\n').slice(1)).toEqual([
        `-a -t ${cluster.vip}:${cluster.port} -r ${cluster.rips[0]}:${cluster.port} ${FORWARDING[topology].rule(1)}`,
        `-a -t ${cluster.vip}:${cluster.port} -r ${cluster.rips[1]}:${cluster.port} ${FORWARDING[topology].rule(0)}`,
      ]);
    }, STEP_TIMEOUT);
  }
});

describe('the shipped dr-ha cluster on the lab: keepalived on a director pair', () => {
  const ofThis = () => haScenario;
  /** Per director: how many VIPs its eth0 has, and its IPVS table. */
  const placementOf = (runs: ProcessResult[]) =>
    runs.map((run) => {
      const [vips, table] = run.stdout.split('---\n').map((part) => part.trim());
      return { vips: Number(vips), table: table.split('\n') };
    });
  const fullTable = () => {
    const { cluster } = ofThis();
    const service = `-t ${cluster.vip}:${cluster.port}`;
    return [`-A ${service} -s rr`, ...cluster.rips.map((rip) => `-a ${service} -r ${rip}:${cluster.port} -g -w 1`)];
  };
  const alternating = (answers: Answer[]) => {
    const servers = answers.map((answer) => answer.server);
    return servers.every((server, index) => index === 0 || server !== servers[index - 1]);
  };

  it('validates, and converges: its verification sees both real servers in turn', async () => {
    const validate = await ofThis().validate;
    expect(validate.stdout).toMatch(/^OK: 3 plays, \d+ tasks on 5 hosts checked; nothing was touched\.\n$/);
    const { value: converge, ms } = await ofThis().converge;
    console.log(`dr-ha: converge ${(ms / 1000).toFixed(0)} s`);
    expect(failedSteps(converge)).toEqual([]);
    for (const host of ['director', 'director2', 'rs1', 'rs2', 'client']) expect({ host, changed: report(converge).stats[host]?.changed > 0 }).toEqual({ host, changed: true });
    expect(resultOf(converge, 'http_verify', 'client')?.noop).toMatch(/answered by: (rs1, rs2, rs1, rs2, rs1, rs2|rs2, rs1, rs2, rs1, rs2, rs1) \(round robin\)$/);
    expect(converge.exitCode).toBe(0);
  }, STEP_TIMEOUT);

  it('puts the VIP on the master only, and the service with both real servers in both directors\' tables', async () => {
    expect(placementOf(await ofThis().placementAfterConverge)).toEqual([
      { vips: 1, table: fullTable() },
      { vips: 0, table: fullTable() },
    ]);
  }, STEP_TIMEOUT);

  it("takes a stopped web server out within keepalived's detection time, then every request goes to rs2; puts it back once started", async () => {
    const { outMs, answers: whileOut } = await ofThis().serverDown;
    console.log(`dr-ha: rs1 out of the table ${outMs} ms after its web server stopped`);
    expect(outMs).toBeLessThan(HA_BOUND_MS.serverOut);
    const out = loadAnswers(whileOut);
    expect(out).toHaveLength(HA_PROBE_REQUESTS);
    expect(out.filter((answer) => answer.code !== '200' || answer.server !== 'rs2')).toEqual([]);
    const { backMs, answers: afterBack } = await ofThis().serverBack;
    console.log(`dr-ha: rs1 back in the table ${backMs} ms after its web server started`);
    expect(backMs).toBeLessThan(HA_BOUND_MS.serverBack);
    const back = loadAnswers(afterBack);
    expect(back).toHaveLength(HA_PROBE_REQUESTS);
    expect(failedAnswers(back)).toEqual([]);
    expect(new Set(back.map((answer) => answer.server))).toEqual(new Set(['rs1', 'rs2']));
    expect({ servers: back.map((answer) => answer.server), alternating: alternating(back) }).toMatchObject({ alternating: true });
  }, STEP_TIMEOUT);

  it("moves the VIP to the backup when the master's link goes down and back when it returns, with few of the client's requests failed", async () => {
    const { takeoverMs, takeBackMs, whileDown, answers } = await ofThis().directorDown;
    const seen = loadAnswers(answers);
    const failed = failedAnswers(seen);
    console.log(`dr-ha: backup held the VIP ${takeoverMs} ms after the master's link went down, the master again ${takeBackMs} ms after it came up; the client sent ${seen.length} requests, ${failed.length} failed`);
    expect(takeoverMs).toBeLessThan(HA_BOUND_MS.takeover);
    expect(takeBackMs).toBeLessThan(HA_BOUND_MS.takeBack);
    // With the master's link down, only the backup holds the VIP, with the full table. (The
    // master's own checks fail without a link, so its table loses its real servers.)
    const [master, backup] = placementOf(whileDown);
    expect({ masterVips: master.vips, backup }).toEqual({ masterVips: 0, backup: { vips: 1, table: fullTable() } });
    expect(seen.length).toBeGreaterThan(HA_PROBE_REQUESTS);
    expect(failed.length).toBeLessThanOrEqual(2 * HA_FAILED_REQUESTS_PER_MOVE);
    // Served before, between and after the moves, by both real servers.
    expect([...new Set(seen.filter((answer) => answer.code === '200').map((answer) => answer.server))].sort()).toEqual(['rs1', 'rs2']);
    expect(failedAnswers(seen.slice(-HA_PROBE_REQUESTS))).toEqual([]);
  }, STEP_TIMEOUT);

  // The one run after the converge: it proves the playbook idempotent, and what keepalived
  // changed in the drills (the VIP's place, the table's servers) not drift.
  it('ends with the VIP on the master (it preempts), and a run after the drills changes nothing: what keepalived owns is not drift', async () => {
    expect(placementOf(await ofThis().placementAfterDrills)).toEqual([
      { vips: 1, table: fullTable() },
      { vips: 0, table: fullTable() },
    ]);
    const { value: rerun, ms } = await ofThis().rerunAfterDrills;
    console.log(`dr-ha: run after the drills ${(ms / 1000).toFixed(0)} s`);
    expect(failedSteps(rerun)).toEqual([]);
    for (const [host, counts] of Object.entries(report(rerun).stats)) expect({ host, ...counts }).toMatchObject({ host, changed: 0, failures: 0, unreachable: 0 });
    expect(rerun.exitCode).toBe(0);
  }, STEP_TIMEOUT);
});

describe("README.md's tour on the lab", () => {
  it('runs every line of the short tour as written', async () => {
    expect(SHORT_TOUR.length).toBeGreaterThanOrEqual(6);
    const runs = await Promise.all(shortTour.lines);
    SHORT_TOUR.forEach((line, index) => expect(outcome(line, runs[index])).toEqual({ line, exitCode: 0, output: '' }));
    const natForwarding = await shortTour.natForwarding;
    expect(natForwarding.stdout).toBe('1\n');
    // The check run touched nothing: no IPVS rule, no address on the director's NIC.
    const drDirector = await shortTour.drDirector;
    expect({ stdout: drDirector.stdout, exitCode: drDirector.exitCode }).toEqual({ stdout: '', exitCode: 0 });
  }, SHORT_TOUR_BUDGET);

  it('runs every line of "Try DR and TUN" as written, up to its lab down (which ends this file)', async () => {
    // `lab down` stays the last step of the flow: the last test below runs that line.
    expect(TOUR_LAB_DOWN).toMatch(/^npx lvs lab down\b/);
    expect(DR_AND_TUN_TOUR.slice(0, -1).filter((line) => / lab down\b/.test(line))).toEqual([]);
    const lines = DR_AND_TUN_TOUR.slice(0, -1);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    await everyScenarioDone();
    for (const line of lines) {
      const started = Date.now();
      const run = await tourLine(line);
      stepTimes.push({ step: `tour: ${line}`, ms: Date.now() - started });
      expect(outcome(line, run)).toEqual({ line, exitCode: 0, output: '' });
      if (line.includes(' curl ')) expect(run.stdout).toMatch(/served by rs[12]\b/);
    }
  }, STEP_TIMEOUT + sum(DR_AND_TUN_TOUR.map(tourLineBudget)));
});

describe('lvs lab down', () => {
  it("stops qemu and virtiofsd and leaves nothing running (the tour's last line)", async () => {
    await everyScenarioDone();
    const started = Date.now();
    const down = await tourLine(TOUR_LAB_DOWN);
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toContain('the lab is down');
    console.log(`lab down: ${Date.now() - started} ms`);
    expect(processAlive(pids!.qemuPid)).toBe(false);
    expect(processAlive(pids!.virtiofsdPid)).toBe(false);
    expect(existsSync(join(CACHE_DIR, 'run'))).toBe(false);
    expect((await status()).running).toBe(false);
  }, STEP_TIMEOUT + BUDGET.labCommand);
});
