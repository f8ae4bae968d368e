/**
 * Stopping a run on purpose or losing its connection never leaves a task half-applied: a
 * task whose commands have started runs to its end on the host. SIGTERM and SIGHUP stop a
 * run as Ctrl-C does (the running task finishes, none starts, the recap says where each
 * host stopped); a second signal aborts at once and says which tasks may be half-done; a
 * lost connection makes the host unreachable (exit 4) and the recap names the task.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { startHosts, type TestLab } from '../support/netns-hosts';

/** The slow step takes 4 s on the host; every wait below covers that on a busy machine many times over. */
const APPLY_SECONDS = 4;
const TEST_TIMEOUT_MS = 120_000;

let lab: TestLab;
let dir: string;

beforeAll(async () => {
  lab = await startHosts(['box']);
  dir = mkdtempSync(join(tmpdir(), 'lvs-signals-'));
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await lab.onHost('box', 'rm -f /etc/one /etc/one.half /etc/two /etc/two.half /etc/read');
});

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** Runs the two-task playbook; `during` is called once the slow task's apply is under way on the host. */
async function runAndDisturb(during: (child: ReturnType<typeof spawn>) => Promise<void>): Promise<Run> {
  const playbook = join(dir, 'slow.yml');
  writeFileSync(
    playbook,
    stringify([
      {
        hosts: 'all',
        tasks: [
          { name: 'slow one', slow_apply: { path: '/etc/one', seconds: APPLY_SECONDS } },
          { name: 'slow two', slow_apply: { path: '/etc/two', seconds: 0 } },
        ],
      },
    ]),
  );
  const cli = resolve(__dirname, '..', '..', 'bin', 'run.js');
  const plugin = resolve(__dirname, 'fixtures', 'slow-apply-plugin.js');
  const child = spawn(process.execPath, [cli, 'run', playbook, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, '--plugin', plugin], {
    env: { ...process.env, CI: 'true' },
  });
  const run: Run = { stdout: '', stderr: '', exitCode: null };
  child.stdout!.on('data', (chunk) => (run.stdout += chunk));
  child.stderr!.on('data', (chunk) => (run.stderr += chunk));
  const closed = new Promise<number | null>((done) => child.on('close', done));
  // The first half of the slow task is on the host: its commands are running now.
  const deadline = Date.now() + 60_000;
  while ((await lab.onHost('box', 'test -e /etc/one.half && echo started')).stdout.trim() !== 'started') {
    if (Date.now() > deadline) throw new Error(`the slow task never started:\n${run.stdout}\n${run.stderr}`);
    await new Promise((wait) => setTimeout(wait, 100));
  }
  await during(child);
  run.exitCode = await closed;
  return run;
}

/** Waits until the slow task's last step has had time to run, then lists the markers. */
async function markersAfterApply(): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await lab.onHost('box', 'for f in one.half one two.half two; do test -e /etc/$f && echo $f; done')).stdout.split('\n').filter(Boolean);
    if (found.includes('one') || Date.now() > deadline) return found;
    await new Promise((wait) => setTimeout(wait, 200));
  }
}

describe.each(['SIGTERM', 'SIGHUP'] as const)('%s during a task', (signal) => {
  it(
    'lets the task finish on the host, starts no other, prints the recap and exits 99',
    async () => {
      const run = await runAndDisturb(async (child) => {
        child.kill(signal);
      });
      expect(run.stderr).toContain(`Interrupted (${signal})`);
      expect(run.exitCode).toBe(99);
      expect(run.stdout).toMatch(/PLAY RECAP/);
      expect(run.stdout).toMatch(/box: stopped after 'slow one'/);
      expect(run.stdout).toMatch(/^box +: ok=1 +changed=1 /m);
      expect(await markersAfterApply()).toEqual(['one.half', 'one']);
    },
    TEST_TIMEOUT_MS,
  );
});

it(
  'a second signal aborts at once, names the task that may be half-done, and the task still completes on the host',
  async () => {
    const run = await runAndDisturb(async (child) => {
      child.kill('SIGINT');
      await new Promise((wait) => setTimeout(wait, 200));
      child.kill('SIGINT');
    });
    expect(run.exitCode).toBe(99);
    expect(run.stderr).toMatch(/Aborted \(SIGINT\)\. These tasks had started.*\n {2}box: 'slow one'/);
    expect(run.stdout).not.toMatch(/PLAY RECAP/);
    expect(await markersAfterApply()).toEqual(['one.half', 'one']);
  },
  TEST_TIMEOUT_MS,
);

it(
  'a connection lost during a task makes the host unreachable, the recap names the task, and the task completes on the host',
  async () => {
    const run = await runAndDisturb(async () => {
      // The per-connection sshd processes of this run; the listener stays.
      await lab.onHost('box', "pkill -KILL -f '^sshd: root'");
    });
    expect(run.exitCode).toBe(4);
    expect(run.stdout).toMatch(/^box +: ok=0 +changed=0 +unreachable=1 /m);
    expect(run.stdout).toMatch(/UNREACHABLE during a task[^\n]*\n {2}box: during 'slow one'/);
    expect(await markersAfterApply()).toEqual(['one.half', 'one']);
  },
  TEST_TIMEOUT_MS,
);

it(
  'SIGTERM while a task reads its facts: that task still plans and applies, the next one does not start',
  async () => {
    const playbook = join(dir, 'slow-read.yml');
    writeFileSync(
      playbook,
      stringify([
        {
          hosts: 'all',
          tasks: [
            { name: 'slow read', slow_marker: { path: '/etc/read', seconds: 3 } },
            { name: 'slow two', slow_apply: { path: '/etc/two', seconds: 0 } },
          ],
        },
      ]),
    );
    const cli = resolve(__dirname, '..', '..', 'bin', 'run.js');
    const plugins = ['slow-plugin.js', 'slow-apply-plugin.js'].flatMap((name) => ['--plugin', resolve(__dirname, 'fixtures', name)]);
    const child = spawn(process.execPath, [cli, 'run', playbook, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, ...plugins], { env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const closed = new Promise<number | null>((done) => child.on('close', done));
    // The fact's `sleep 3` runs on the host (the host's init sleeps too, but for 3600): the first task is reading its facts.
    const deadline = Date.now() + 60_000;
    while ((await lab.onHost('box', "pgrep -xf 'sleep 3' >/dev/null && echo reading")).stdout.trim() !== 'reading') {
      if (Date.now() > deadline) throw new Error(`the fact read never started:\n${stdout}\n${stderr}`);
      await new Promise((wait) => setTimeout(wait, 100));
    }
    child.kill('SIGTERM');
    expect(await closed).toBe(99);
    expect(stdout).toMatch(/box: stopped after 'slow read'/);
    expect((await lab.onHost('box', 'for f in read two.half two; do test -e /etc/$f && echo $f; done')).stdout.split('\n').filter(Boolean)).toEqual(['read']);
  },
  TEST_TIMEOUT_MS,
);
