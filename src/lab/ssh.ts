/**
 * Reaching the lab's hosts from this machine: a probe for each sshd's banner through qemu's
 * hostfwd, and commands run with OpenSSH's client, the lab key and the lab's known_hosts.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { sh } from '../shell/quote';

/**
 * qemu accepts a forwarded connection even while nothing listens in the guest (and then
 * closes it), so a host is up only once its sshd has sent its `SSH-` banner.
 */
export function probeSshBanner(port: number, timeoutMs = 5_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (up: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(up);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.length >= 4) finish(received.startsWith('SSH-'));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

export interface SshTarget {
  port: number;
  privateKey: string;
  knownHosts: string;
}

/** OpenSSH client options: this lab's key and known_hosts only, nothing from ~/.ssh. */
function sshArgs(target: SshTarget, argv: readonly string[]): string[] {
  return [
    '-F', '/dev/null',
    '-i', target.privateKey,
    '-p', String(target.port),
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${target.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'ConnectTimeout=60',
    '-o', 'LogLevel=ERROR',
    'root@127.0.0.1',
    '--',
    // ssh joins its arguments into one shell line: quoting each keeps them separate words.
    sh`${[...argv]}`.text,
  ];
}

export interface SshExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs argv on a lab host. With `passthrough`, the command uses this process's stdin, stdout
 * and stderr (and the result's strings stay empty).
 */
export function sshExec(target: SshTarget, argv: readonly string[], passthrough = false): Promise<SshExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', sshArgs(target, argv), { stdio: passthrough ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? (signal ? 255 : 1),
      }),
    );
  });
}
