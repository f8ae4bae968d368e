import { spawn } from 'child_process';

export interface ProcessResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs: number;
}

/**
 * Runs a program to completion and collects its output. A non-zero exit is a result, not
 * an error; a program killed by a signal or still running after timeoutMs is an error,
 * so a hung test fails with the output seen so far instead of hanging the suite.
 */
export function runProcess(file: string, args: string[], options: RunProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const command = [file, ...args].join(' ');
      if (timedOut) {
        reject(new Error(`${command} timed out after ${options.timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
      } else if (code === null) {
        reject(new Error(`${command} was killed by ${signal}\nstdout: ${stdout}\nstderr: ${stderr}`));
      } else {
        resolve({ stdout, stderr, exitCode: code });
      }
    });
    // A program that exits without reading its input must not crash the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
