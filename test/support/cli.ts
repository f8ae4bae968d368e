import * as path from 'path';
import { ProcessResult, runProcess } from './run-process';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CLI_ENTRY = path.join(REPO_ROOT, 'bin', 'run.js');

export interface RunLvsOptions {
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string>;
  /** Defaults to the repository root. */
  cwd?: string;
  /** Written to the CLI's stdin, which is then closed. */
  input?: string;
  /** Defaults to 120 s; the CLI is killed and the promise rejects after it. */
  timeoutMs?: number;
}

/**
 * Runs the built CLI (`npm run build` puts it in dist/) as a user would: `node bin/run.js ...args`.
 * Integration tests drive lvs through this, then check the hosts themselves.
 */
export function runLvs(args: string[], options: RunLvsOptions = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, [CLI_ENTRY, ...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    timeoutMs: options.timeoutMs ?? 120_000,
  });
}
