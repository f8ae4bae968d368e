/**
 * wait_for against a real sshd host: a port that a task opens a moment later, a file that
 * appears, a wait that times out saying what it saw, and a port that drains. The listeners
 * are started through the host's sshd by shell tasks of the same run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runLvs } from '../../support/cli';
import { startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsTask, type HostResult } from './lvs-task';

const HOST = 'wf1';
let lab: TestLab;
let dir: string;

beforeAll(async () => {
  lab = await startHosts([HOST]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-wait-for-'));
});

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the tasks as a playbook on the host; the results of its tasks, in order. */
async function play(tasks: string, ...flags: string[]): Promise<{ exitCode: number; results: HostResult[] }> {
  const playbook = join(dir, 'site.yml');
  writeFileSync(playbook, `- hosts: all\n  tasks:\n${tasks.replace(/^/gm, '    ')}\n`);
  const run = await runLvs(['run', playbook, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, '--json', ...flags]);
  return { exitCode: run.exitCode, results: JSON.parse(run.stdout).plays[0].tasks.map((entry: { hosts: Record<string, HostResult> }) => entry.hosts[HOST]) };
}

const address = () => lab.hosts[0].address;

describe('wait_for', () => {
  it('waits for a port that opens two seconds later, longer than --command-timeout', async () => {
    const { exitCode, results } = await play(
      `- shell: (sleep 2; exec busybox nc -l -p 5555) </dev/null >/dev/null 2>&1 &
- wait_for: { port: 5555, timeout: 20 }`,
      '--command-timeout',
      '1',
    );
    expect(exitCode).toBe(0);
    const wait = results[1] as HostResult & { duration_ms: number };
    expect(wait).toMatchObject({ status: 'ok', rc: 0, noop: 'waited for 127.0.0.1:5555 to be open' });
    expect(wait.stdout).toMatch(/^127\.0\.0\.1:5555 is open after [2-9]s$/);
    expect(wait.duration_ms).toBeGreaterThanOrEqual(1500);
  });

  it('times out, failing the host with what it saw last', async () => {
    const run = await lvsTask(lab, HOST, 'wait_for', ['port=5556', 'timeout=2']);
    expect(run.exitCode).toBe(2);
    expect(run.host?.msg).toMatch(/exited 1: timed out after 2s waiting for 127\.0\.0\.1:5556 to be open; last seen: 127\.0\.0\.1:5556 is closed \(Connection refused\)$/);
    expect(run.host?.rc).toBe(1);
  });

  it('a port of another address: open is ok (in --check too), stopped times out seeing it open', async () => {
    expect((await lvsTask(lab, HOST, 'wait_for', [`host=${address()}`, 'port=22', 'timeout=5'], { check: true })).host).toMatchObject({ status: 'ok', check_mode: true });
    const stopped = await lvsTask(lab, HOST, 'wait_for', [`host=${address()}`, 'port=22', 'state=stopped', 'timeout=1', 'msg=sshd is still up']);
    expect(stopped.exitCode).toBe(2);
    expect(stopped.host?.msg).toContain(`sshd is still up (last seen: ${address()}:22 is open)`);
  });

  it("searches a port's banner: sshd's greeting matches, another regex times out saying so", async () => {
    const found = await lvsTask(lab, HOST, 'wait_for', [`host=${address()}`, 'port=22', 'search_regex=^SSH-2\\.0-OpenSSH', 'timeout=10', 'connect_timeout=1']);
    expect(found.host).toMatchObject({ status: 'ok', stdout: expect.stringMatching(new RegExp(`^${address().replace(/\./g, '\\.')}:22 is open after \\d+s$`)) });
    const missing = await lvsTask(lab, HOST, 'wait_for', [`host=${address()}`, 'port=22', 'search_regex=^HTTP/', 'timeout=1', 'connect_timeout=1']);
    expect(missing.exitCode).toBe(2);
    expect(missing.host?.msg).toContain(`last seen: ${address()}:22 is open, but what it sent does not match ^HTTP/`);
  });

  it('waits for a file to appear holding a line that matches, and for it to go', async () => {
    const { exitCode, results } = await play(
      `- shell: (sleep 1; echo starting > /var/tmp/flag; sleep 1; echo ready >> /var/tmp/flag) </dev/null >/dev/null 2>&1 &
- wait_for: { path: /var/tmp/flag, search_regex: '^ready$', timeout: 20 }
- shell: (sleep 1; rm /var/tmp/flag) </dev/null >/dev/null 2>&1 &
- wait_for: { path: /var/tmp/flag, state: absent, timeout: 20 }`,
    );
    expect(exitCode).toBe(0);
    expect(results[1].stdout).toMatch(/^\/var\/tmp\/flag exists after [2-9]s$/);
    expect(results[3].stdout).toMatch(/^\/var\/tmp\/flag does not exist after [1-9]s$/);
    expect((await lab.onHost(HOST, 'test -e /var/tmp/flag')).exitCode).toBe(1);
  });

  it('drained: fails while a connection is up, naming it, then waits until it is gone', async () => {
    const { exitCode, results } = await play(
      `- shell: |
    (sleep 4 | busybox nc -l -p 5558) >/dev/null 2>&1 &
    sleep 0.5
    (sleep 4 | busybox nc 127.0.0.1 5558) >/dev/null 2>&1 &
    sleep 0.5
- wait_for: { port: 5558, state: drained, timeout: 1, active_connection_states: [ESTABLISHED] }
  ignore_errors: true
- wait_for: { port: 5558, state: drained, timeout: 20, active_connection_states: [ESTABLISHED] }`,
    );
    expect(exitCode).toBe(0);
    expect(results[1].status).toBe('failed');
    expect(results[1].msg).toMatch(/timed out after 1s waiting for port 5558 to be drained; last seen: 1 active connections on port 5558, such as ESTAB \S*127\.0\.0\.1\]?:5558 -> /);
    expect(results[2]).toMatchObject({ status: 'ok' });
    expect(results[2].stdout).toMatch(/^no active connections on port 5558 after [1-9]s$/);
  });
});
