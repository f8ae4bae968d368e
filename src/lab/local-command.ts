/**
 * Runs programs on this machine with an argv array (never a shell line), for the lab's own
 * plumbing: apt-get, dpkg, ssh-keygen, qemu. Output is captured so a failure can say why.
 */
import { spawn } from 'node:child_process';
import { LabError } from './lab-error';

export interface LocalResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface LocalOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
}

/** Runs a program to its end and returns what it printed, whatever its exit code. */
export function runLocal(program: string, args: readonly string[], options: LocalOptions = {}): Promise<LocalResult> {
  return runLocalRaw(program, args, options).then(({ stdout, stderr, exitCode }) => ({
    stdout: stdout.toString('utf8'),
    stderr: stderr.toString('utf8'),
    exitCode,
  }));
}

/** Like runLocal, with stdout as bytes (cpio archives). */
export function runLocalRaw(
  program: string,
  args: readonly string[],
  options: LocalOptions = {},
): Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new LabError(`cannot run ${program}: ${error.message}`)));
    child.on('close', (code, signal) =>
      resolve({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode: code ?? (signal ? 128 : 1) }),
    );
    if (child.stdin) {
      // A program may exit without reading its input; its exit code tells what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Runs a program and fails with its stderr unless it exits 0. */
export async function mustRunLocal(program: string, args: readonly string[], options: LocalOptions = {}): Promise<string> {
  const result = await runLocal(program, args, options);
  if (result.exitCode !== 0) {
    const output = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-15).join('\n');
    throw new LabError(`${[program, ...args].join(' ')} exited ${result.exitCode}${output ? `:\n${output}` : ''}`);
  }
  return result.stdout;
}
