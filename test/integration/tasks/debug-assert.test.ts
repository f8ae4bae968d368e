/**
 * debug and assert in a real run: what --json and the plain lines show, a secret hidden,
 * and an assert on a registered result decided once that result exists.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { HIDDEN } from '../../../src/engine/secrets';
import { runLvs } from '../../support/cli';
import { startHosts, type TestLab } from '../../support/netns-hosts';
import type { HostResult } from './lvs-task';

const HOST = 'dbg1';
const SECRET = 'Kq7-very-secret-value';
let lab: TestLab;
let dir: string;
let playbook: string;

beforeAll(async () => {
  lab = await startHosts([HOST]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-debug-'));
  playbook = join(dir, 'site.yml');
  writeFileSync(
    playbook,
    `- hosts: all
  vars:
    greeting: hello
    db_password: ${SECRET}
  tasks:
    - debug: msg="{{ greeting }} from {{ inventory_hostname }}"
    - debug: var=greeting
    - debug: var=db_password
    - name: count
      shell: echo 42
      register: r
    - debug: { var: r.stdout }
    - name: holds
      assert:
        that: [r.rc == 0, "r.stdout == '42'"]
        success_msg: the answer is there
    - name: fails
      assert:
        that: r.stdout == '43'
        fail_msg: not 43
`,
  );
});

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (...flags: string[]) => runLvs(['run', playbook, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, ...flags]);

describe('debug and assert', () => {
  it('--json: the messages and values, the secret hidden, the false condition named', async () => {
    const result = await run('--json');
    expect(result.exitCode).toBe(2);
    const [msg, greeting, secret, , stdout, holds, fails] = JSON.parse(result.stdout).plays[0].tasks.map((entry: { hosts: Record<string, HostResult> }) => entry.hosts[HOST]);
    expect(msg).toMatchObject({ status: 'ok', noop: `hello from ${HOST}`, values: { msg: `hello from ${HOST}` } });
    expect(greeting).toMatchObject({ status: 'ok', noop: 'greeting: hello', values: { greeting: 'hello' } });
    expect(secret).toMatchObject({ status: 'ok', noop: HIDDEN, values: { db_password: HIDDEN } });
    expect(stdout).toMatchObject({ status: 'ok', values: { 'r.stdout': '42' } });
    expect(holds).toMatchObject({ status: 'ok', noop: 'the answer is there', values: { msg: 'the answer is there' } });
    expect(fails).toMatchObject({ status: 'failed', msg: "not 43 (false: r.stdout == '43')" });
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });

  it('plain lines: each message on its host line, the failure with its reason', async () => {
    const result = await run();
    expect(result.exitCode).toBe(2);
    const lines = result.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${HOST} \\| ok: debug \\(\\d+\\.\\d\\ds\\) - hello from ${HOST}$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${HOST} \\| ok: debug \\(\\d+\\.\\d\\ds\\) - r.stdout: 42$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${HOST} \\| FAILED: fails \\(\\d+\\.\\d\\ds\\): not 43 \\(false: r.stdout == '43'\\)$`)));
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });
});
