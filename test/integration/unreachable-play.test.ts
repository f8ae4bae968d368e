/**
 * The plain (non-TTY) output of a play whose only host is unreachable must say so: the
 * play's line carries a failure mark, never the ✔ of a play that went well. The host is a
 * closed port on loopback, so the connection is refused at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runLvs } from '../support/cli';
import { freePort } from './throwaway-sshd';

/** Refused at once, but a busy machine may take long to start node and load the CLI. */
const COMMAND_TIMEOUT_MS = 90_000;

let dir: string;
let inventory: string;
let playbook: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-unreachable-play-'));
  inventory = join(dir, 'hosts.yml');
  writeFileSync(inventory, stringify({ all: { hosts: { ghost: { ansible_host: '127.0.0.1', ansible_port: await freePort() } } } }));
  playbook = join(dir, 'site.yml');
  writeFileSync(playbook, stringify([{ name: 'forwarding', hosts: 'all', tasks: [{ sysctl: { name: 'net.ipv4.ip_forward', value: 1 } }] }]));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const COMMANDS = {
  'lvs task': () => ['task', 'sysctl', 'name=net.ipv4.ip_forward', 'value=1', '-i', inventory, '-l', 'all', '--connect-timeout', '10'],
  'lvs run': () => ['run', playbook, '-i', inventory, '--connect-timeout', '10'],
};

describe('a play whose only host is unreachable', () => {
  it.each(Object.keys(COMMANDS) as (keyof typeof COMMANDS)[])('%s: exit 4, unreachable=1 in the recap, and the play is not shown as ok', async (command) => {
    const result = await runLvs(COMMANDS[command](), { timeoutMs: COMMAND_TIMEOUT_MS });
    const lines = `${result.stdout}\n${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toMatch(/^ghost +: ok=0 .*\bunreachable=1\b/m);
    const playLines = lines.filter((line) => /\bPLAY \[/.test(line));
    expect(playLines).not.toEqual([]);
    // A header may open the play; no line may call it ok, and the play's last word is its failure.
    for (const line of playLines) expect(line).not.toMatch(/✔|\bok\b(?!=)|\bdone\b/i);
    expect(playLines.at(-1)).toMatch(/✖|\bfailed\b|\bunreachable\b/i);
  }, COMMAND_TIMEOUT_MS + 10_000);
});
