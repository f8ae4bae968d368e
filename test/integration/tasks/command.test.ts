/**
 * command and shell against a real sshd host: they run, their output is registered and read
 * by later tasks, creates/removes guard them (apply, again, --check), and a failure says why.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { HIDDEN } from '../../../src/engine/secrets';
import { runLvs } from '../../support/cli';
import { startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsTask, onHost, type HostResult } from './lvs-task';

const HOST = 'cmd1';
let lab: TestLab;
let dir: string;

const task = (name: 'command' | 'shell', words: string[], check = false) => lvsTask(lab, HOST, name, words, { check });
const exists = async (path: string) => (await lab.onHost(HOST, `test -e ${path}`)).exitCode === 0;

beforeAll(async () => {
  lab = await startHosts([HOST]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-command-'));
});

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a playbook that registers a command and reads its output', () => {
  it('runs them, and the next tasks read r.stdout in when: and in their arguments', async () => {
    const playbook = join(dir, 'register.yml');
    writeFileSync(
      playbook,
      `- hosts: all
  tasks:
    - name: read
      shell: echo "$GREETING from $(cat /etc/hostname)"; echo warn >&2
      environment: { GREETING: hello }
      register: r
    - name: use
      command:
        argv: [sh, -c, 'printf %s "$1" > /var/tmp/used', sh, '{{ r.stdout }}']
      when: r.rc == 0 and r.stderr == 'warn'
    - name: not when
      command: touch /var/tmp/never
      when: r.stdout == 'other'
    - name: guarded
      command: touch /var/tmp/never creates=/etc/hostname
      register: g
    - name: after the guard
      command: touch /var/tmp/after-guard
      when: g.rc == 0 and 'skipped' in g.stdout
`,
    );
    const run = await runLvs(['run', playbook, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, '--json']);
    expect(run.exitCode).toBe(0);
    const [read, use, skipped, guarded, afterGuard] = JSON.parse(run.stdout).plays[0].tasks.map((entry: { hosts: Record<string, HostResult> }) => entry.hosts[HOST]);
    expect(read).toMatchObject({
      status: 'changed',
      stdout: `hello from ${HOST}`,
      stderr: 'warn',
      rc: 0,
      stdout_lines: [`hello from ${HOST}`],
      stderr_lines: ['warn'],
      values: { cmd: 'echo "$GREETING from $(cat /etc/hostname)"; echo warn >&2' },
    });
    expect(use.status).toBe('changed');
    expect(skipped.status).toBe('skipped');
    expect(guarded).toMatchObject({ status: 'ok', noop: 'did not run: /etc/hostname exists' });
    expect(afterGuard.status).toBe('changed');
    expect(await exists('/var/tmp/after-guard')).toBe(true);
    expect(await onHost(lab, HOST, 'cat /var/tmp/used')).toBe(`hello from ${HOST}`);
    expect(await exists('/var/tmp/never')).toBe(false);
  });
});

describe('creates and removes', () => {
  it('apply: runs (changed), and the host has the file', async () => {
    const run = await task('command', ['touch', '/var/tmp/made', 'creates=/var/tmp/made']);
    expect(run.host).toMatchObject({ status: 'changed', rc: 0, values: { cmd: ['touch', '/var/tmp/made'] } });
    expect(await exists('/var/tmp/made')).toBe(true);
  });

  it('again: does not run (ok), saying why', async () => {
    const run = await task('command', ['touch', '/var/tmp/made', 'creates=/var/tmp/made']);
    expect(run.host).toMatchObject({ status: 'ok', noop: 'did not run: /var/tmp/made exists', values: { rc: 0, stdout: 'skipped, since /var/tmp/made exists' } });
  });

  it('--check with a new guard: reports that it would run, and the host is untouched', async () => {
    const run = await task('command', ['touch', '/var/tmp/made2', 'creates=/var/tmp/made2'], true);
    expect(run.host).toMatchObject({ status: 'changed', check_mode: true, commands: ['exec touch /var/tmp/made2'] });
    expect(await exists('/var/tmp/made2')).toBe(false);
  });

  it('removes: --check reports, apply removes, again is ok; a glob counts', async () => {
    expect((await task('shell', ['rm /var/tmp/ma*', 'removes=/var/tmp/ma*'], true)).host?.status).toBe('changed');
    expect(await exists('/var/tmp/made')).toBe(true);
    expect((await task('shell', ['rm /var/tmp/ma*', 'removes=/var/tmp/ma*'])).host?.status).toBe('changed');
    expect(await exists('/var/tmp/made')).toBe(false);
    expect((await task('shell', ['rm /var/tmp/ma*', 'removes=/var/tmp/ma*'])).host).toMatchObject({ status: 'ok', noop: 'did not run: /var/tmp/ma* does not exist' });
  });

  it('without a guard, --check skips it with the reason and runs nothing', async () => {
    const run = await task('command', ['touch', '/var/tmp/unguarded'], true);
    expect(run.host).toMatchObject({ status: 'skipped', msg: 'a command runs only without --check (creates or removes would say whether it runs)' });
    expect(await exists('/var/tmp/unguarded')).toBe(false);
  });
});

describe('what reaches the host', () => {
  it('stdin and chdir', async () => {
    // As with ansible -a, the words are one free-form line: a value with spaces is quoted in it.
    const run = await task('shell', ['cat > got; pwd >> got', 'chdir=/var/tmp', `stdin='a $(b) "c"'`]);
    expect(run.host?.status).toBe('changed');
    expect(await onHost(lab, HOST, 'cat /var/tmp/got')).toBe('a $(b) "c"\n/var/tmp\n');
  });

  it('command words full of shell syntax are plain words: nothing else runs', async () => {
    const run = await task('command', [`printf '%s|' '$(touch /var/tmp/pwned)' ';' '\`touch /var/tmp/pwned\`' '-n' "it's"`]);
    expect(run.host).toMatchObject({ status: 'changed', stdout: "$(touch /var/tmp/pwned)|;|`touch /var/tmp/pwned`|-n|it's|" });
    expect(await exists('/var/tmp/pwned')).toBe(false);
  });

  it('a failing command fails the host (exit 2) with its stderr, and keeps its output', async () => {
    const run = await task('shell', ['echo partial; echo "no such thing" >&2; exit 3']);
    expect(run.exitCode).toBe(2);
    expect(run.host).toMatchObject({ status: 'failed', rc: 3, stdout: 'partial', stderr: 'no such thing' });
    expect(run.host?.msg).toMatch(/exited 3: no such thing$/);
  });

  it('a secret in a failing command is hidden everywhere, its output too', async () => {
    const secret = 'pw-Zx81-secret';
    const run = await lvsTask(lab, HOST, 'shell', ['echo "{{ db_password }}" >&2; exit 1'], { flags: ['-e', `db_password=${secret}`] });
    expect(run.exitCode).toBe(2);
    expect(run.host).toMatchObject({ status: 'failed', msg: `failed: ${HIDDEN}`, stderr: HIDDEN, stderr_lines: [HIDDEN], rc: 1 });
    expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
  });

  it('a cmd that cannot be split is bad input, before any host is touched (exit 4)', async () => {
    const run = await task('command', [`echo 'unclosed`]);
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain('cmd: cannot split into words at column 6: no closing quotation');
  });
});
