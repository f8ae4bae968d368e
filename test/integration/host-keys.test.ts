/**
 * Host keys as OpenSSH treats them, through the real CLI against a real OpenSSH server that
 * has both an ed25519 and an RSA host key (throwaway-sshd.ts): a changed key of the type
 * OpenSSH would ask for is refused even when another known key still matches; known_hosts
 * files that cannot be read are bad input before any connection; unusable lines are told
 * once per file.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { InputError, UnreachableError } from '../../src/errors';
import { sh } from '../../src/shell/quote';
import { KnownHostsReader } from '../../src/transport/known-hosts-reader';
import { SshConnection, type SshOptions } from '../../src/transport/ssh';
import { type ProcessResult } from '../support/run-process';
import { runLvs } from '../support/cli';
import { type KeyPair, type Sshd, makeKeyPair, startSshd } from './throwaway-sshd';

/** A busy machine may take long to start node and load the CLI. */
const COMMAND_TIMEOUT_MS = 90_000;

let dir: string;
let home: string;
let key: KeyPair;
/** OpenSSH's own client logs in with this one, so the server's log tells its logins from lvs's. */
let opensshKey: KeyPair;
/** The host's ed25519 key before it was "reinstalled": a key the host does not have. */
let oldEd25519: KeyPair;
let sshd: Sshd & { pid: number };
let inventory: string;
/** `[127.0.0.1]:PORT`, the name OpenSSH and lvs look the host up by. */
let hostName: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-host-keys-test-'));
  // The CLI always reads ~/.ssh/known_hosts as well: HOME points at an empty one here.
  home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  key = makeKeyPair(dir, 'client');
  opensshKey = makeKeyPair(dir, 'openssh-client');
  oldEd25519 = makeKeyPair(dir, 'old-host-ed25519');
  sshd = await startSshd({ authorizedKeys: { root: [key.publicKey, opensshKey.publicKey] }, hostKeyTypes: ['ed25519', 'rsa'] });
  hostName = `[127.0.0.1]:${sshd.port}`;
  inventory = join(dir, 'hosts.yml');
  writeFileSync(
    inventory,
    stringify({ all: { hosts: { web1: { ansible_host: '127.0.0.1', ansible_port: sshd.port, ansible_user: 'root', ansible_ssh_private_key_file: key.privateKeyFile } } } }),
  );
});

afterAll(async () => {
  try {
    await sshd?.stop();
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

/** Writes a known_hosts file and returns its path. */
function knownHosts(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map((line) => `${line}\n`).join(''));
  return file;
}

/** `type base64` of a public key line. */
const keyOf = (publicKey: string) => publicKey.split(' ').slice(0, 2).join(' ');

/** `ssh-keygen -lf`: the fingerprint an OpenSSH user sees. */
function fingerprintOf(publicKey: string): string {
  const file = join(dir, 'fingerprint.pub');
  writeFileSync(file, `${publicKey}\n`);
  return execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).split(' ')[1];
}

/** `lvs task` of a read-only check (sysctl in check mode) on the host, with `--known-hosts FILE`. */
function lvsCheck(knownHostsFile: string): Promise<ProcessResult> {
  return runLvs(['task', 'sysctl', 'name=net.ipv4.ip_forward', 'value=1', '--check', '-i', inventory, '-l', 'all', '--known-hosts', knownHostsFile], {
    env: { HOME: home },
    timeoutMs: COMMAND_TIMEOUT_MS,
  });
}

/** What real OpenSSH does with the same known_hosts file: its exit code and stderr. */
function openSsh(knownHostsFile: string): { exitCode: number; stderr: string } {
  try {
    execFileSync(
      'ssh',
      ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null',
        '-i', opensshKey.privateKeyFile, '-p', String(sshd.port), 'root@127.0.0.1', 'true'],
      { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
    );
    return { exitCode: 0, stderr: '' };
  } catch (error) {
    const failed = error as { status: number; stderr: string };
    return { exitCode: failed.status, stderr: failed.stderr };
  }
}

/** Runs `action` and returns what the server logged meanwhile (sshd -e, LogLevel VERBOSE). */
async function serverLogDuring<T>(action: () => Promise<T>): Promise<{ result: T; log: string }> {
  const before = sshd.log().length;
  const result = await action();
  return { result, log: sshd.log().slice(before) };
}

/** Logins of lvs (by its key) that the server accepted. */
const accepted = (log: string) => log.split(/\r?\n/).filter((line) => line.startsWith('Accepted publickey for root ') && line.endsWith(fingerprintOf(key.publicKey))).length;

describe('a host whose ed25519 key changed while its RSA key did not', () => {
  const changedLines = () => ({
    oldEd25519: `${hostName} ${keyOf(oldEd25519.publicKey)}`,
    currentRsa: `${hostName} ${sshd.hostPublicKeys.rsa}`,
  });

  it.each([
    ['before', (lines: ReturnType<typeof changedLines>) => [lines.oldEd25519, lines.currentRsa], 1],
    ['after', (lines: ReturnType<typeof changedLines>) => [lines.currentRsa, lines.oldEd25519], 2],
  ])('is refused as changed, with both fingerprints, when the old ed25519 line comes %s the RSA line (as OpenSSH does)', async (_order, lines, oldLine) => {
    const file = knownHosts(`changed-ed25519-${oldLine}`, lines(changedLines()));
    expect(openSsh(file)).toMatchObject({ exitCode: 255, stderr: expect.stringContaining('REMOTE HOST IDENTIFICATION HAS CHANGED') });

    const { result, log } = await serverLogDuring(() => lvsCheck(file));
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toMatch(/^web1 +: ok=0 .*\bunreachable=1\b/m);
    expect(result.stdout).toContain(
      `THE HOST KEY OF root@127.0.0.1:${sshd.port} HAS CHANGED: it now offers ssh-ed25519 key ${fingerprintOf(sshd.hostPublicKeys.ed25519)}, ` +
        `but known_hosts expects ${fingerprintOf(oldEd25519.publicKey)} (${file}:${oldLine})`,
    );
    expect(result.stdout).toContain(`ssh-keygen -R '${hostName}' -f ${file}`);
    // Refused before the login: the server never saw the client's key.
    expect(accepted(log)).toBe(0);
  }, 2 * COMMAND_TIMEOUT_MS);

  it('connects when the known ed25519 key is the current one, RSA line or not', async () => {
    for (const [name, lines] of [
      ['current-ed25519', [`${hostName} ${sshd.hostPublicKeys.ed25519}`]],
      ['current-both', [`${hostName} ${sshd.hostPublicKeys.rsa}`, `${hostName} ${sshd.hostPublicKeys.ed25519}`]],
    ] as const) {
      const file = knownHosts(name, [...lines]);
      expect(openSsh(file).exitCode).toBe(0);
      const { result, log } = await serverLogDuring(() => lvsCheck(file));
      expect(result).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^web1 +: ok=1 .*\bunreachable=0\b/m) });
      expect(accepted(log)).toBe(1);
      // What the "nothing connects" cases below look for, seen here when something did.
      expect(log).toMatch(/^Connection from 127\.0\.0\.1 port \d+ on /m);
    }
  }, 3 * COMMAND_TIMEOUT_MS);

  it('connects when the host is known by its RSA key only', async () => {
    const file = knownHosts('only-rsa', [`${hostName} ${sshd.hostPublicKeys.rsa}`]);
    expect(openSsh(file).exitCode).toBe(0);
    const { result, log } = await serverLogDuring(() => lvsCheck(file));
    expect(result).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^web1 +: ok=1 .*\bunreachable=0\b/m) });
    expect(accepted(log)).toBe(1);
  }, 2 * COMMAND_TIMEOUT_MS);
});

describe('known_hosts files that cannot be read', () => {
  it('--known-hosts DIR is bad input (exit 4) naming the directory, and nothing connects', async () => {
    const { result, log } = await serverLogDuring(() => lvsCheck(dir));
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain(`${dir}: is a directory, not a known_hosts file (name the file itself, such as ${dir}/known_hosts)`);
    expect(result.stderr).not.toMatch(/EISDIR|\bat \S+\.js:\d+/);
    expect(log).not.toMatch(/Connection from /);
  }, COMMAND_TIMEOUT_MS);

  it('a file that cannot be opened is bad input naming the file and why', async () => {
    const loop = join(dir, 'known_hosts-loop');
    symlinkSync(loop, loop);
    const { result, log } = await serverLogDuring(() => lvsCheck(loop));
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain(`${loop}: cannot read this known_hosts file: too many symbolic links encountered (ELOOP)`);
    expect(log).not.toMatch(/Connection from /);
  }, COMMAND_TIMEOUT_MS);
});

describe('the transport with a run-wide known_hosts reader', () => {
  const options = (knownHostsFiles: string[], reader: KnownHostsReader): SshOptions => ({
    hostKeyChecking: true,
    knownHostsFiles,
    knownHostsReader: reader,
    connectTimeoutMs: 5_000,
    maxChannels: 4,
  });
  const target = () => ({ name: 'web1', host: '127.0.0.1', port: sshd.port, user: 'root', privateKeyFile: key.privateKeyFile });

  it('tells each unusable line of a file once, by file:line, however many connections read it', async () => {
    const file = knownHosts('with-bad-lines', [
      `@cert-authority *.example ${keyOf(oldEd25519.publicKey)}`,
      'only-a-name',
      `${hostName} ${sshd.hostPublicKeys.ed25519}`,
    ]);
    const warnings: string[] = [];
    const reader = new KnownHostsReader((warning) => warnings.push(warning));
    for (let round = 0; round < 2; round++) {
      const connection = await SshConnection.open(target(), options([file], reader));
      try {
        expect((await connection.exec(sh`echo ok`)).stdout).toBe('ok\n');
      } finally {
        connection.close();
      }
    }
    expect(warnings).toEqual([
      `${file}:1: @cert-authority lines are not supported by lvs (it cannot check host certificates), line ignored; ` +
        'a host it covers needs its own key in known_hosts',
      `${file}:2: expected "hosts key-type base64-key", line ignored`,
    ]);
  });

  it('refuses a host known only through @cert-authority, saying that line does not count', async () => {
    const file = knownHosts('only-cert-authority', [`@cert-authority [127.0.0.1]:* ${keyOf(oldEd25519.publicKey)}`]);
    const error = await SshConnection.open(target(), options([file], new KnownHostsReader(() => undefined))).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).message).toBe(
      `the host key of root@127.0.0.1:${sshd.port} is not known: it offers ssh-ed25519 key ${fingerprintOf(sshd.hostPublicKeys.ed25519)}`,
    );
    expect((error as UnreachableError).hint).toMatch(new RegExp(`^lvs cannot check host certificates, so the @cert-authority line at ${file}:1 does not vouch for it; `));
  });

  it('rejects with an InputError before connecting when a file cannot be read', async () => {
    const { result, log } = await serverLogDuring(() =>
      SshConnection.open(target(), options([dir], new KnownHostsReader(() => undefined))).then(
        () => undefined,
        (reason: unknown) => reason,
      ),
    );
    expect(result).toBeInstanceOf(InputError);
    expect((result as InputError).describe()).toContain(`${dir}: is a directory, not a known_hosts file`);
    expect(log).not.toMatch(/Connection from /);
  });
});
