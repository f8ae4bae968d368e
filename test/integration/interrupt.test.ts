/**
 * Ctrl-C during a run: the task under way finishes (no host is left half-changed), no new
 * task starts, the recap says where each host stopped, and the exit code is 99.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { startHosts, type TestLab } from '../support/netns-hosts';

let lab: TestLab;
let dir: string;

beforeAll(async () => {
  lab = await startHosts(['box']);
  dir = mkdtempSync(join(tmpdir(), 'lvs-interrupt-'));
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('finishes the running task, starts no other, reports where it stopped and exits 99', async () => {
  const playbook = join(dir, 'slow.yml');
  writeFileSync(
    playbook,
    stringify([
      {
        hosts: 'all',
        tasks: [
          { name: 'first marker', slow_marker: { path: '/etc/first', seconds: 0 } },
          // Seen before the second marker's fact (3 s) has finished: the interrupt lands mid-task.
          { name: 'second marker', slow_marker: { path: '/etc/second', seconds: 3 } },
          { name: 'third marker', slow_marker: { path: '/etc/third', seconds: 0 } },
        ],
      },
    ]),
  );
  const cli = resolve(__dirname, '..', '..', 'bin', 'run.js');
  const plugin = resolve(__dirname, 'fixtures', 'slow-plugin.js');
  const child = spawn(process.execPath, [cli, 'run', playbook, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, '--plugin', plugin], {
    env: { ...process.env, CI: 'true' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    // The first task's result line means the batch with the slow fact is under way.
    if (/first marker/.test(stdout) && !child.killed) child.kill('SIGINT');
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exitCode = await new Promise<number | null>((done) => child.on('close', done));
  expect(stderr).toContain('Interrupted');
  expect(exitCode).toBe(99);
  expect(stdout).toMatch(/INTERRUPTED/);
  expect(stdout).toMatch(/box: stopped after '(first|second) marker'/);
  const files = await lab.onHost('box', 'for f in first second third; do test -e /etc/$f && echo $f; done');
  expect(files.stdout).not.toContain('third');
  expect(files.stdout).toContain('first');
}, 60_000);
