/**
 * The real `lvs inventory` CLI, run in a child process. The command and what it imports are
 * compiled into a private folder first, so the tests do not depend on the shared dist/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

export interface CliResult {
  stdout: string;
  stderr: string;
  exit: number | null;
}

export interface InventoryCli {
  run(...argv: string[]): CliResult;
  remove(): void;
}

export function buildInventoryCli(): InventoryCli {
  const build = mkdtempSync(join(tmpdir(), 'lvs-inventory-cli-'));
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
  return {
    run: (...argv) => {
      const result = spawnSync(process.execPath, [join(build, 'bin', 'run.js'), 'inventory', ...argv], { encoding: 'utf8', timeout: 30_000 });
      return { stdout: result.stdout, stderr: result.stderr, exit: result.status };
    },
    remove: () => rmSync(build, { recursive: true, force: true }),
  };
}
