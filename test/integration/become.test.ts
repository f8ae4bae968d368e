/**
 * `become` per play and per task, with non-root login users on real sshd hosts: `deploy`
 * may sudo without a password, `ops` must give its password (ansible_become_password), and
 * `app` is a plain account to become. The template task writes a new file, so the file's
 * owner, read on the host itself, is the user the task ran as.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { sh } from '../../src/shell/quote';
import { runLvs } from '../support/cli';
import { startHosts, type TestLab } from '../support/netns-hosts';
import type { ProcessResult } from '../support/run-process';

const OPS_PASSWORD = "op's pa$$ $(touch /var/tmp/lvs-pwned) `x`";
/** One lvs run, on a busy machine: it connects, reads facts, writes a file or two. */
const RUN_TIMEOUT_MS = 90_000;
/** A test with two runs and a few host checks. */
const TEST_TIMEOUT_MS = 2 * RUN_TIMEOUT_MS + 30_000;

let lab: TestLab;
let dir: string;
let inventory: string;
let playbookCount = 0;

beforeAll(async () => {
  lab = await startHosts(['nopasswd', 'withpasswd'], {
    users: [{ name: 'deploy', sudo: 'nopasswd' }, { name: 'ops', password: OPS_PASSWORD, sudo: 'password' }, { name: 'app' }],
  });
  dir = mkdtempSync(join(tmpdir(), 'lvs-become-'));
  const login = (host: string, user: string, vars: Record<string, unknown> = {}) => {
    const entry = lab.hosts.find((candidate) => candidate.name === host)!;
    return { ansible_host: entry.address, ansible_port: entry.port, ansible_user: user, ansible_ssh_private_key_file: lab.keyFile, ...vars };
  };
  inventory = join(dir, 'hosts.yml');
  // Several inventory names log in to the same two hosts, each in its own way.
  writeFileSync(
    inventory,
    stringify({
      all: {
        hosts: {
          deploy: login('nopasswd', 'deploy'),
          'deploy-as-app': login('nopasswd', 'deploy', { ansible_become: true, ansible_become_user: 'app' }),
          ops: login('withpasswd', 'ops', { ansible_become_password: OPS_PASSWORD }),
          'ops-without-password': login('withpasswd', 'ops'),
        },
      },
    }),
  );
  writeFileSync(join(dir, 'stamp.hbs'), 'written for {{ inventory_hostname }}\n');
}, 120_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Task {
  dest: string;
  become?: boolean;
  become_user?: string;
}

/** Runs a one-play playbook of template tasks (each writing `dest`) on one inventory name. */
async function runPlay(limit: string, tasks: Task[], play: { become?: boolean } = {}): Promise<ProcessResult> {
  playbookCount += 1;
  const playbook = join(dir, `site-${playbookCount}.yml`);
  writeFileSync(
    playbook,
    stringify([
      {
        name: 'become',
        hosts: 'all',
        ...play,
        tasks: tasks.map(({ dest, ...keywords }) => ({ name: `write ${dest}`, template: { src: 'stamp.hbs', dest }, ...keywords })),
      },
    ]),
  );
  return runLvs(['run', playbook, '-i', inventory, '-l', limit, '--known-hosts', lab.knownHostsFile, '--json'], { timeoutMs: RUN_TIMEOUT_MS });
}

/** The exit code, with the output shown when it is not the expected one. */
function outcome(run: ProcessResult): { exitCode: number; output?: string } {
  return run.exitCode === 0 ? { exitCode: 0 } : { exitCode: run.exitCode, output: `${run.stdout}\n${run.stderr}` };
}

/** Who owns each file, read on the host itself; `absent` for a file that is not there. */
async function owners(host: string, files: string[]): Promise<string[]> {
  const result = await lab.onHost(host, sh`for f in ${files}; do stat -c %U "$f" 2>/dev/null || echo absent; done`.text);
  return result.stdout.trim().split('\n');
}

describe('become, with a non-root login user', () => {
  it('a task without become runs as the login user, a task with become: true as root', async () => {
    const [plain, root] = ['/var/tmp/lvs-task-plain', '/var/tmp/lvs-task-become'];
    const run = await runPlay('deploy', [{ dest: plain }, { dest: root, become: true }]);
    expect(outcome(run)).toEqual({ exitCode: 0 });
    expect(await owners('nopasswd', [plain, root])).toEqual(['deploy', 'root']);
  }, TEST_TIMEOUT_MS);

  it('a task with become_user runs as that user', async () => {
    const file = '/var/tmp/lvs-task-become-app';
    const run = await runPlay('deploy', [{ dest: file, become: true, become_user: 'app' }]);
    expect(outcome(run)).toEqual({ exitCode: 0 });
    expect(await owners('nopasswd', [file])).toEqual(['app']);
  }, TEST_TIMEOUT_MS);

  it('a task that needs root fails without become (exit 2) and works with it', async () => {
    const file = '/etc/lvs-become-test';
    const denied = await runPlay('deploy', [{ dest: file }]);
    expect(denied.exitCode).toBe(2);
    expect(await owners('nopasswd', [file])).toEqual(['absent']);

    const allowed = await runPlay('deploy', [{ dest: file, become: true }]);
    expect(outcome(allowed)).toEqual({ exitCode: 0 });
    expect(await owners('nopasswd', [file])).toEqual(['root']);
  }, TEST_TIMEOUT_MS);

  it('a play with become: true runs its tasks as root, except one with become: false', async () => {
    const [root, plain] = ['/var/tmp/lvs-play-become', '/var/tmp/lvs-play-become-task-false'];
    const run = await runPlay('deploy', [{ dest: root }, { dest: plain, become: false }], { become: true });
    expect(outcome(run)).toEqual({ exitCode: 0 });
    expect(await owners('nopasswd', [root, plain])).toEqual(['root', 'deploy']);
  }, TEST_TIMEOUT_MS);

  it('ansible_become and ansible_become_user host variables apply to a task that says nothing', async () => {
    const file = '/var/tmp/lvs-host-vars-become';
    const run = await runPlay('deploy-as-app', [{ dest: file }]);
    expect(outcome(run)).toEqual({ exitCode: 0 });
    expect(await owners('nopasswd', [file])).toEqual(['app']);
  }, TEST_TIMEOUT_MS);
});

describe('become, with a login user whose sudo asks for a password', () => {
  it('gives sudo ansible_become_password for a task with become: true, and shows it nowhere', async () => {
    const [plain, root] = ['/var/tmp/lvs-ops-plain', '/var/tmp/lvs-ops-become'];
    const run = await runPlay('ops', [{ dest: plain }, { dest: root, become: true }]);
    expect(outcome(run)).toEqual({ exitCode: 0 });
    expect(await owners('withpasswd', [plain, root])).toEqual(['ops', 'root']);
    expect(`${run.stdout}${run.stderr}`).not.toContain(OPS_PASSWORD);
    expect(await owners('withpasswd', ['/var/tmp/lvs-pwned'])).toEqual(['absent']);
  }, TEST_TIMEOUT_MS);

  it('without the password, the task with become fails (exit 2) and the host is untouched', async () => {
    const file = '/var/tmp/lvs-ops-no-password';
    const run = await runPlay('ops-without-password', [{ dest: file, become: true }]);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(/password is required/);
    expect(await owners('withpasswd', [file])).toEqual(['absent']);
  }, TEST_TIMEOUT_MS);
});
