/**
 * Drives the real `lvs inventory` CLI in a child process. The command and what it imports
 * are compiled into a private folder first, so the test does not depend on the shared dist/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers';

const ROOT = join(__dirname, '..', '..', '..');
let build: string;

beforeAll(() => {
  build = mkdtempSync(join(tmpdir(), 'lvs-inventory-cli-'));
  execFileSync(process.execPath, [
    join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
    ...['--outDir', join(build, 'dist'), '--rootDir', join(ROOT, 'src'), '--module', 'commonjs', '--target', 'es2022', '--lib', 'es2023'],
    ...['--strict', '--esModuleInterop', '--skipLibCheck', '--types', 'node'],
    join(ROOT, 'src', 'commands', 'inventory.ts'),
    // bin/run.js loads it first.
    join(ROOT, 'src', 'cli', 'debug-redaction.ts'),
  ]);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  writeFileSync(join(build, 'package.json'), JSON.stringify({ name: manifest.name, version: manifest.version, oclif: manifest.oclif }));
  mkdirSync(join(build, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'run.js'), join(build, 'bin', 'run.js'));
  symlinkSync(join(ROOT, 'node_modules'), join(build, 'node_modules'));
}, 120_000);

afterAll(() => rmSync(build, { recursive: true, force: true }));

function lvsInventory(...argv: string[]) {
  const result = spawnSync(process.execPath, [join(build, 'bin', 'run.js'), 'inventory', ...argv], { encoding: 'utf8', timeout: 30_000 });
  return { stdout: result.stdout, stderr: result.stderr, exit: result.status };
}

describe('lvs inventory', () => {
  it('--graph merges several -i sources', () => {
    expect(lvsInventory('-i', fixture('merge', 'first.yml'), '-i', 'ops@10.0.0.9:2222,', '--graph')).toEqual({
      stdout: ['@all:', '  |--@ungrouped:', '  |  |--10.0.0.9', '  |--@web:', '  |  |--web1', '  |  |--web2', ''].join('\n'),
      stderr: '',
      exit: 0,
    });
  });

  it('--list and --host print JSON with passwords redacted', () => {
    const list = lvsInventory('-i', fixture('ini', 'cluster.ini'), '--list');
    expect(list.exit).toBe(0);
    expect(JSON.parse(list.stdout)._meta.hostvars.director.ansible_password).toBe('********');
    expect(list.stdout).not.toContain('pa ss');
    const host = lvsInventory('-i', fixture('yaml', 'cluster.yml'), '--host', 'director');
    expect(host.exit).toBe(0);
    expect(JSON.parse(host.stdout)).toMatchObject({ ansible_become_password: '********', role: 'director' });
    expect(host.stdout).not.toContain('s3cret');
  });

  it('exits 4 and prints where the input is wrong', () => {
    expect(lvsInventory('-i', fixture('errors', 'hosts-list.yml'), '--list')).toEqual({
      stdout: '',
      stderr: `ERROR: ${fixture('errors', 'hosts-list.yml')}:2:3: web.hosts: 'hosts' of group 'web' must be a mapping, found a list\n`,
      exit: 4,
    });
    expect(lvsInventory('-i', 'web1,', '--host', 'nosuch')).toMatchObject({ stderr: "ERROR: --host: no host named 'nosuch' in the inventory\n", exit: 4 });
  });

  it('takes exactly one of --list, --graph and --host', () => {
    expect(lvsInventory('-i', 'a,', '--list', '--graph')).toMatchObject({ exit: 5, stdout: '' });
    expect(lvsInventory('-i', 'a,').stderr).toContain('Exactly one of the following must be provided: --graph, --host, --list');
  });
});
