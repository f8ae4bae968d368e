/**
 * Two lvs runs at once against the same host take turns there: neither fails, no line of
 * /etc/sysctl.conf that either persists is lost, and the one that waited said whose run it
 * waited for. A run that would wait longer than its --lock-timeout fails that host.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { runLvs } from '../support/cli';
import { startHosts, type TestLab } from '../support/netns-hosts';

const ROUNDS = 5;
const RUN_TIMEOUT_MS = 120_000;
/** Each run persists its own keys; the two sets never overlap. */
const KEYS = {
  a: ['net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.default.arp_ignore', 'net.ipv4.conf.all.accept_local'],
  b: ['net.ipv4.conf.all.arp_announce', 'net.ipv4.conf.default.arp_announce', 'net.ipv4.conf.default.accept_local'],
};

let lab: TestLab;
let dir: string;

beforeAll(async () => {
  lab = await startHosts(['shared']);
  dir = mkdtempSync(join(tmpdir(), 'lvs-concurrent-'));
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function playbook(name: string, keys: string[], value: number): string {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, stringify([{ name, hosts: 'all', tasks: keys.map((key) => ({ name: `${key} = ${value}`, sysctl: { name: key, value } })) }]));
  return file;
}

const run = (file: string, ...flags: string[]) => runLvs(['run', file, '-i', lab.inventoryFile, '--known-hosts', lab.knownHostsFile, ...flags], { timeoutMs: RUN_TIMEOUT_MS });

it(
  `${ROUNDS} rounds of two runs at once: both succeed, and every key of both is live and in /etc/sysctl.conf`,
  async () => {
    let waited = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Values change every round, so both runs rewrite the file every round.
      const value = round % 2 === 0 ? 1 : 2;
      const [first, second] = await Promise.all([run(playbook('a', KEYS.a, value)), run(playbook('b', KEYS.b, value))]);
      for (const result of [first, second]) expect({ exit: result.exitCode, stderr: result.stderr }).toEqual({ exit: 0, stderr: expect.any(String) });
      waited += [first, second].filter((result) => /shared \| waiting for the lvs run of pid \d+ on .+ since \S+ to finish on shared/.test(result.stdout)).length;
      const conf = (await lab.onHost('shared', 'cat /etc/sysctl.conf')).stdout;
      for (const key of [...KEYS.a, ...KEYS.b]) {
        expect(conf.split('\n').filter((line) => line.startsWith(`${key} `))).toEqual([`${key} = ${value}`]);
        expect((await lab.onHost('shared', `sysctl -n ${key}`)).stdout.trim()).toBe(String(value));
      }
    }
    // The runs overlapped: at least once, one of them waited for the other.
    expect(waited).toBeGreaterThan(0);
  },
  ROUNDS * RUN_TIMEOUT_MS,
);

it(
  'a run that would wait longer than --lock-timeout fails that host, naming the run that holds it',
  async () => {
    const slow = join(dir, 'slow.yml');
    writeFileSync(slow, stringify([{ hosts: 'all', tasks: [{ name: 'hold', slow_marker: { path: '/etc/held', seconds: 8 } }] }]));
    const plugin = resolve(__dirname, 'fixtures', 'slow-plugin.js');
    const holding = run(slow, '--plugin', plugin);
    // The slow run's fact (`sleep 8`) runs only once it holds the lock (the host's init sleeps too, but for 3600).
    const deadline = Date.now() + 60_000;
    while ((await lab.onHost('shared', "pgrep -xf 'sleep 8' >/dev/null && echo holding")).stdout.trim() !== 'holding') {
      if (Date.now() > deadline) throw new Error('the slow run never took the lock');
      await new Promise((wait) => setTimeout(wait, 100));
    }
    const impatient = await run(playbook('impatient', KEYS.a, 1), '--lock-timeout', '1');
    expect(impatient.exitCode).toBe(2);
    expect(impatient.stdout).toMatch(/shared \| FAILED: the lvs run of pid \d+ on .+ held shared for longer than the lock timeout \(1 s; see --lock-timeout\)/);
    expect(impatient.stdout).toMatch(/^shared +: ok=0 +changed=0 +unreachable=0 +failed=1 /m);
    expect((await holding).exitCode).toBe(0);
  },
  2 * RUN_TIMEOUT_MS,
);

it.each([
  ['a file that another writer changed after lvs read it', 'original\n'],
  ['a file that another writer made after lvs read it as absent', undefined],
])('does not overwrite %s', async (_case, original) => {
  await lab.onHost('shared', original === undefined ? 'rm -f /etc/racy' : `printf '%s' '${original}' > /etc/racy`);
  const plugin = resolve(__dirname, 'fixtures', 'racy-plugin.js');
  const result = await runLvs(['task', 'racy_write', 'path=/etc/racy', 'content=lvs', '-i', lab.inventoryFile, '-l', 'all', '--known-hosts', lab.knownHostsFile, '--plugin', plugin], { timeoutMs: RUN_TIMEOUT_MS });
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toMatch(original === undefined ? /\/etc\/racy appeared after lvs read it; it was not overwritten/ : /\/etc\/racy changed after lvs read it; it was not overwritten/);
  expect((await lab.onHost('shared', 'cat /etc/racy; ls /etc | grep -c racy.lvs- || true')).stdout).toBe(`${original ?? ''}intruder\n0\n`);
}, RUN_TIMEOUT_MS);
