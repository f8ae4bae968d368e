/**
 * No value is read as an option, through the built CLI against a real sshd host: a value
 * that starts with `-` (-x, --help, -p FILE) for any argument of any built-in task is bad
 * input. lvs exits 4 naming the argument (and, from a playbook, its file:line), and the
 * host's sshd log shows that nobody even connected. The matrix is shared with the unit test
 * (test/unit/tasks/argument-matrix.ts), which checks that it lists every argument.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runLvs } from '../support/cli';
import { sshdActivity, startHosts, type TestLab } from '../support/netns-hosts';
import { DASH_VALUES, REFUSED, withValue, type ArgumentRow } from '../unit/tasks/argument-matrix';

const HOST = 'dash1';
let lab: TestLab;
let dir: string;

beforeAll(async () => {
  lab = await startHosts([HOST]);
  dir = mkdtempSync(join(tmpdir(), 'lvs-dash-values-'));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await lab?.destroy();
});

const connectionFlags = () => ['-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile];

/** `lvs task` takes key=value words, so rows whose arguments hold a list go through the playbook below only. */
const scalarOnly = (row: ArgumentRow) => Object.values(row.args).every((value) => typeof value !== 'object');
const taskRows = REFUSED.filter((row) => row.operand && scalarOnly(row));

/** One task per row, in block style, so each argument has a line of its own; returns the YAML and the line of each row's key. */
function playbook(value: string): { yaml: string; keyLines: number[] } {
  const lines = [`- hosts: ${HOST}`, '  tasks:'];
  const keyLines: number[] = [];
  REFUSED.forEach((row) => {
    lines.push(`    - name: ${JSON.stringify(`${row.task} ${row.key}`)}`, `      ${row.task}:`);
    for (const [name, argument] of Object.entries(withValue(row.args, row.key, value))) {
      if (!Array.isArray(argument)) {
        if (name === row.key) keyLines.push(lines.length + 1);
        lines.push(`        ${name}: ${JSON.stringify(argument)}`);
        continue;
      }
      lines.push(`        ${name}:`);
      argument.forEach((item: unknown, index) => {
        const fields = typeof item === 'object' && item !== null ? Object.entries(item) : [[undefined, item] as const];
        fields.forEach(([field, fieldValue], position) => {
          // A key inside a nested list (virtual_servers.0.real_servers.0.address) is on its field's line, in flow style.
          const at = field === undefined ? `${name}.${index}` : `${name}.${index}.${field}`;
          if (row.key === at || row.key.startsWith(`${at}.`)) keyLines.push(lines.length + 1);
          const bullet = position === 0 ? '- ' : '  ';
          lines.push(`          ${bullet}${field === undefined ? '' : `${field}: `}${JSON.stringify(fieldValue)}`);
        });
      });
    }
  });
  return { yaml: `${lines.join('\n')}\n`, keyLines };
}

/**
 * Each `lvs task` run costs a CLI start (1-2 s), so each row gets one of the values in turn;
 * the playbook runs below put every value in every argument.
 */
describe('lvs task', () => {
  it.each(taskRows.map((row, index) => [`${row.task} ${row.key}`, DASH_VALUES[index % DASH_VALUES.length], row] as const))(
    '%s=%j: exit 4 naming the argument, before connecting',
    async (_label, value, row) => {
      const words = Object.entries(withValue(row.args, row.key, value)).map(([name, argument]) => `${name}=${argument}`);
      const run = await runLvs(['task', row.task, ...words, '-l', HOST, '--json', ...connectionFlags()]);
      expect(run.exitCode).toBe(4);
      expect(run.stdout).toBe('');
      const errors = run.stderr.trim().split('\n');
      expect(errors).toEqual([expect.stringMatching(new RegExp(`^ERROR: <command line>: ${HOST}: ${row.task}: ${row.key.replace(/\./g, '\\.')}: `))]);
    },
  );
});

describe.each(DASH_VALUES)('the value %j', (value) => {
  it('lvs run: every argument of every task refused at once, each at its file:line', async () => {
    const { yaml, keyLines } = playbook(value);
    const file = join(dir, `dash-${DASH_VALUES.indexOf(value)}.yml`);
    writeFileSync(file, yaml);
    const run = await runLvs(['run', file, ...connectionFlags()]);
    expect(run.exitCode).toBe(4);
    const errors = run.stderr.trim().split('\n');
    expect(errors).toHaveLength(REFUSED.length);
    REFUSED.forEach((row, index) => {
      const key = row.key.replace(/\./g, '\\.');
      expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^ERROR: ${file}:${keyLines[index]}:\\d+: ${HOST}: ${row.task} ${key}: ${key}: `)));
    });
  });
});

describe("the host's sshd", () => {
  it('saw no connection in all of the above; a valid --check run then logs in (the log does count logins)', async () => {
    expect(sshdActivity(lab.readSshdLog(HOST))).toEqual({ connections: 0, logins: 0, execRequests: 0 });
    const run = await runLvs(['task', 'sysctl', 'name=net.ipv4.ip_forward', 'value=1', '-l', HOST, '--check', '--json', ...connectionFlags()]);
    expect(run.exitCode).toBe(0);
    expect(sshdActivity(lab.readSshdLog(HOST)).logins).toBe(1);
  });
});
