/**
 * The SSH transport against real OpenSSH servers (see throwaway-sshd.ts): login, exec,
 * channel limits, host key checking, jump hosts, timeouts, password and agent logins, sudo.
 */
import { type ChildProcess, execFileSync, spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { UnreachableError } from '../../src/errors';
import { writeFileAtomically } from '../../src/changes/file';
import { joinCommands, sh, unshown } from '../../src/shell/quote';
import { CommandTimeoutError, SshConnection, type SshOptions, type SshTarget } from '../../src/transport/ssh';
import { type TestLab, startHosts } from '../support/netns-hosts';
import { type KeyPair, type Sshd, freePort, makeKeyPair, startJumpHost, startSshd, startSilentServer } from './throwaway-sshd';

const DEPLOY_PASSWORD = "dep'loy pass $(x)";
const SUDO_CHECK_TIMEOUT = 15_000;

let dir: string;
let key: KeyPair;
let strangerKey: KeyPair;
let sshd: Sshd & { pid: number };
let knownHostsFile: string;
const opened: SshConnection[] = [];

function options(overrides: Partial<SshOptions> = {}): SshOptions {
  return { hostKeyChecking: true, knownHostsFiles: [knownHostsFile], connectTimeoutMs: 5_000, maxChannels: 4, ...overrides };
}

function target(overrides: Partial<SshTarget> = {}): SshTarget {
  return { name: 'web1', host: sshd.address, port: sshd.port, user: 'root', privateKeyFile: key.privateKeyFile, ...overrides };
}

async function open(targetOverrides: Partial<SshTarget> = {}, optionOverrides: Partial<SshOptions> = {}) {
  const connection = await SshConnection.open(target(targetOverrides), options(optionOverrides));
  opened.push(connection);
  return connection;
}

/** Writes a known_hosts file and returns its path. */
function knownHosts(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map((line) => `${line}\n`).join(''));
  return file;
}

/** `ssh-keygen -lf` of a public key: the fingerprint OpenSSH users see. */
function fingerprintOf(publicKey: string): string {
  const file = join(dir, `fingerprint-${Date.now()}.pub`);
  writeFileSync(file, `${publicKey}\n`);
  return execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).split(' ')[1];
}

async function openError(promise: Promise<unknown>): Promise<UnreachableError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UnreachableError);
  return error as UnreachableError;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-ssh-test-'));
  key = makeKeyPair(dir, 'client');
  strangerKey = makeKeyPair(dir, 'stranger');
  sshd = await startSshd({
    authorizedKeys: { root: [key.publicKey], lvsnopass: [key.publicKey] },
    users: [
      { name: 'lvsdeploy', password: DEPLOY_PASSWORD, sudo: 'password' },
      { name: 'lvsnopass', sudo: 'nopasswd' },
    ],
  });
  knownHostsFile = knownHosts('known_hosts', [`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`]);
});

afterEach(() => {
  opened.splice(0).forEach((connection) => connection.close());
});

afterAll(async () => {
  try {
    await sshd?.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('exec', () => {
  it('logs in with a key and returns stdout, stderr and the exit code', async () => {
    const connection = await open();
    const result = await connection.exec(sh`printf '%s\n' ${'out put'}; printf err >&2; exit 3`);
    expect(result).toEqual({ stdout: 'out put\n', stderr: 'err', exitCode: 3 });
    expect(await connection.exec(sh`id -un`)).toEqual({ stdout: 'root\n', stderr: '', exitCode: 0 });
    expect(connection.counters).toEqual({ connections: 1, channels: 2 });
  });

  it('writes stdin and then closes it; without stdin, the command reads end of file at once', async () => {
    const connection = await open();
    expect((await connection.exec(sh`cat`, { stdin: "line 1\nline 'two' $(x)\n" })).stdout).toBe("line 1\nline 'two' $(x)\n");
    expect(await connection.exec(sh`cat; echo done`)).toEqual({ stdout: 'done\n', stderr: '', exitCode: 0 });
  });

  it('moves a megabyte each way', async () => {
    const connection = await open();
    const megabyte = 1024 * 1024;
    const out = await connection.exec(sh`head -c ${megabyte} /dev/zero | tr '\\0' x`);
    expect(out.stdout.length).toBe(megabyte);
    expect(out.stdout).toMatch(/^x+$/);
    const input = 'y'.repeat(megabyte - 1) + '\n';
    expect((await connection.exec(sh`wc -c`, { stdin: input })).stdout.trim()).toBe(String(megabyte));
  });

  it('reports death by signal as 128 + the signal number', async () => {
    const connection = await open();
    expect((await connection.exec(sh`kill -TERM $$`)).exitCode).toBe(128 + 15);
  });
});

describe('channel limit', () => {
  /** Runs 10 commands at once; each counts, on the host, how many are running with it. */
  async function peakConcurrency(maxChannels: number, server: Sshd): Promise<number> {
    const running = mkdtempSync(join(tmpdir(), 'lvs-running-'));
    try {
      const connection = await open({ host: server.address, port: server.port }, { maxChannels, knownHostsFiles: [knownHostsFor(server)] });
      const command = sh`touch ${running}/$$; sleep 0.3; ls ${running} | wc -l; rm ${running}/$$`;
      const results = await Promise.all(Array.from({ length: 10 }, () => connection.exec(command)));
      expect(results.map((result) => result.exitCode)).toEqual(Array(10).fill(0));
      expect(connection.counters.channels).toBe(10);
      return Math.max(...results.map((result) => Number(result.stdout.trim())));
    } finally {
      rmSync(running, { recursive: true, force: true });
    }
  }

  function knownHostsFor(server: Sshd): string {
    return knownHosts(`known_hosts-${server.port}`, [`[${server.address}]:${server.port} ${server.hostPublicKey}`]);
  }

  it('keeps 10 concurrent execs to 4 channels, which a server with MaxSessions 4 accepts', async () => {
    const limited = await startSshd({ authorizedKeys: { root: [key.publicKey] }, maxSessions: 4 });
    try {
      expect(await peakConcurrency(4, limited)).toBe(4);
    } finally {
      opened.splice(0).forEach((connection) => connection.close());
      await limited.stop();
    }
  });

  it('runs more at once when allowed (the count above can see more than 4)', async () => {
    expect(await peakConcurrency(8, sshd)).toBe(8);
  });
});

describe('host key checking', () => {
  it('refuses an unknown host key, naming its SHA256 fingerprint and the line to add', async () => {
    const error = await openError(open({}, { knownHostsFiles: [knownHosts('empty', [])] }));
    const fingerprint = fingerprintOf(sshd.hostPublicKey);
    expect(error.host).toBe('web1');
    expect(error.message).toBe(`the host key of root@127.0.0.1:${sshd.port} is not known: it offers ssh-ed25519 key ${fingerprint}`);
    expect(error.hint).toContain(`add this line to ${join(dir, 'empty')}: [127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`);
  });

  it('refuses a changed host key, shows both fingerprints and warns of an attack', async () => {
    const file = knownHosts('changed', ['# an old key', `[127.0.0.1]:${sshd.port} ${strangerKey.publicKey}`]);
    const error = await openError(open({}, { knownHostsFiles: [file] }));
    expect(error.message).toContain(`THE HOST KEY OF root@127.0.0.1:${sshd.port} HAS CHANGED`);
    expect(error.message).toContain(fingerprintOf(sshd.hostPublicKey));
    expect(error.message).toContain(`${fingerprintOf(strangerKey.publicKey)} (${file}:2)`);
    expect(error.message).toContain('man-in-the-middle');
    expect(error.hint).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f ${file}`);
  });

  it('refuses a revoked host key', async () => {
    const file = knownHosts('revoked', [`@revoked * ${sshd.hostPublicKey}`, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`]);
    const error = await openError(open({}, { knownHostsFiles: [file] }));
    expect(error.message).toContain(`is marked @revoked in ${file}:1`);
  });

  it('accepts an entry hashed by ssh-keygen -H', async () => {
    const file = knownHosts('hashed', [`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`]);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const connection = await open({}, { knownHostsFiles: [file] });
    expect((await connection.exec(sh`echo ok`)).stdout).toBe('ok\n');
  });

  it('asks for the key type known_hosts has, as OpenSSH does, when the host has several', async () => {
    const multiKey = await startSshd({ authorizedKeys: { root: [key.publicKey] }, hostKeyTypes: ['ed25519', 'ecdsa', 'rsa'] });
    try {
      const hostTarget = { host: multiKey.address, port: multiKey.port };
      for (const type of ['rsa', 'ecdsa', 'ed25519']) {
        const file = knownHosts(`only-${type}`, [`[127.0.0.1]:${multiKey.port} ${multiKey.hostPublicKeys[type]}`]);
        const connection = await open(hostTarget, { knownHostsFiles: [file] });
        expect((await connection.exec(sh`echo ok`)).stdout).toBe('ok\n');
        connection.close();
      }
      // Without that hint ssh2 takes ed25519 first, so the RSA case above proves the hint works.
      const unknown = await openError(open(hostTarget, { knownHostsFiles: [knownHosts('none', [])] }));
      expect(unknown.message).toContain(`ssh-ed25519 key ${fingerprintOf(multiKey.hostPublicKeys.ed25519)}`);
    } finally {
      opened.splice(0).forEach((connection) => connection.close());
      await multiKey.stop();
    }
  });

  it('accepts any key when checking is off', async () => {
    const connection = await open({}, { hostKeyChecking: false, knownHostsFiles: [knownHosts('empty', [])] });
    expect((await connection.exec(sh`echo ok`)).stdout).toBe('ok\n');
  });
});

describe('unreachable hosts', () => {
  it('reports a refused connection', async () => {
    const port = await freePort();
    const error = await openError(open({ port }));
    expect(error.message).toBe(`connection refused by root@127.0.0.1:${port}`);
    expect(error.hint).toContain(`listening on port ${port}`);
  });

  it('gives up on a server that never answers after the connect timeout', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const error = await openError(open({ port: silent.port }, { connectTimeoutMs: 700 }));
      expect(error.message).toBe(`no SSH handshake with root@127.0.0.1:${silent.port} within 700 ms`);
      expect(error.hint).toMatch(/if the host is only far away or slow, raise --connect-timeout \(0\.7 s now; it covers the TCP connect, the SSH handshake and the login/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await silent.close();
    }
  });

  it('fails when the key file cannot be used, before connecting', async () => {
    const error = await openError(open({ privateKeyFile: join(dir, 'missing_key') }));
    expect(error.message).toBe(`cannot use the private key ${join(dir, 'missing_key')}: the file does not exist`);
  });
});

describe('command timeout', () => {
  /** Times out a command that would sleep 31.7 s, then checks on a fresh channel that it is gone. */
  async function expectKilled(connection: SshConnection, become?: { user: string; password?: string }) {
    const started = Date.now();
    const error = await connection.exec(sh`echo started; echo warming >&2; sleep 31.7`, { timeoutMs: 700, become }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect(error).toMatchObject({ host: 'web1', timeoutMs: 700, partial: { stdout: 'started\n', stderr: 'warming\n' } });
    // The bounds only need to be well below the sleep's 31.7 s; on a loaded machine the
    // timeout's 0.7 s plus the kill took 2.007 s once, so they leave room for that.
    expect(Date.now() - started).toBeLessThan(10_000);
    // With maxChannels 1 this waits for the timed-out channel's slot: it must come back
    // long before the sleep would have ended, with the sleep gone.
    const survivors = await connection.exec(sh`pgrep -f ${'sleep 31[.]7'}`);
    expect(survivors).toEqual({ stdout: '', stderr: '', exitCode: 1 });
    expect(Date.now() - started).toBeLessThan(15_000);
  }

  it('kills the command of a root login, rejects with a timeout error and frees the channel', async () => {
    await expectKilled(await open({}, { maxChannels: 1 }));
  });

  it('kills the command of a non-root login', async () => {
    await expectKilled(await open({ user: 'lvsnopass' }, { maxChannels: 1 }));
  });

  it('kills a command that sudo runs as root for a non-root login', async () => {
    await expectKilled(await open({ user: 'lvsnopass' }, { maxChannels: 1 }), { user: 'root' });
    const connection = await open({ user: 'lvsdeploy', privateKeyFile: undefined, password: DEPLOY_PASSWORD }, { maxChannels: 1 });
    await expectKilled(connection, { user: 'root', password: DEPLOY_PASSWORD });
  });

  it('kills a command that sudo runs as another user for a root login', async () => {
    await expectKilled(await open({}, { maxChannels: 1 }), { user: 'nobody' });
  });

  it('says how long it took in all when the kill is slow, not just the timeout', async () => {
    // sshd runs ~/.ssh/rc before every session's command (sshd(8), FILES): once the command
    // has made its flag file, the session that kills it starts 3 s late.
    const slow = await startSshd({ authorizedKeys: { lvsslow: [key.publicKey] }, users: [{ name: 'lvsslow' }] });
    try {
      const slowTarget = { host: slow.address, port: slow.port, user: 'lvsslow' };
      const slowKnownHosts = knownHosts(`known_hosts-${slow.port}`, [`[${slow.address}]:${slow.port} ${slow.hostPublicKey}`]);
      const connection = await open(slowTarget, { knownHostsFiles: [slowKnownHosts] });
      const rc = 'if [ -e "$HOME/kill-slowly" ]; then sleep 3; fi';
      expect((await connection.exec(sh`mkdir -p "$HOME/.ssh" && printf '%s\n' ${rc} > "$HOME/.ssh/rc"`)).exitCode).toBe(0);

      const started = Date.now();
      const error = await connection.exec(sh`touch "$HOME/kill-slowly"; sleep 31.7`, { timeoutMs: 700 }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      const tookMs = Date.now() - started;
      expect(error).toBeInstanceOf(CommandTimeoutError);
      const { elapsedMs, message } = error as CommandTimeoutError;
      expect(tookMs).toBeGreaterThanOrEqual(3_700);
      expect(Math.abs(elapsedMs - tookMs)).toBeLessThan(300);
      const said = /^touch "\$HOME\/kill-slowly"; sleep 31\.7 did not finish within its timeout of 700 ms and was killed, (\d+\.\d) s after it started$/.exec(message);
      expect(said).not.toBeNull();
      expect(Math.abs(Number(said![1]) * 1000 - tookMs)).toBeLessThan(400);
      expect(await connection.exec(sh`pgrep -f ${'sleep 31[.]7'}`)).toMatchObject({ stdout: '', exitCode: 1 });
    } finally {
      opened.splice(0).forEach((connection) => connection.close());
      await slow.stop();
    }
  });

  it('says that the command may still be running when the kill could not run', async () => {
    // MaxSessions 1: the timed-out command holds the only session, so the kill finds no room.
    // A root login also gets no SSH signal (see process-group.ts): nothing stops the sleep.
    const full = await startSshd({ authorizedKeys: { root: [key.publicKey] }, maxSessions: 1 });
    try {
      const fullKnownHosts = knownHosts(`known_hosts-${full.port}`, [`[${full.address}]:${full.port} ${full.hostPublicKey}`]);
      const connection = await open({ host: full.address, port: full.port }, { knownHostsFiles: [fullKnownHosts], maxChannels: 1 });
      const error = await connection.exec(sh`sleep 31.9`, { timeoutMs: 700 }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(CommandTimeoutError);
      const { message, killFailure } = error as CommandTimeoutError;
      expect(killFailure).toMatch(/^cannot start kill -s KILL -- -\d+: /);
      expect(message).toMatch(/^sleep 31\.9 did not finish within its timeout of 700 ms; lvs could not kill it \(cannot start kill -s KILL -- -\d+: .*\) and gave up on it \d+\.\d s after it started: it may still be running$/);
      // It is, as a second connection (with a session of its own) sees.
      const observer = await open({ host: full.address, port: full.port }, { knownHostsFiles: [fullKnownHosts] });
      expect((await observer.exec(sh`pgrep -f ${'sleep 31[.]9'}`)).exitCode).toBe(0);
    } finally {
      opened.splice(0).forEach((connection) => connection.close());
      await full.stop();
    }
  });
});

describe('commands in errors', () => {
  const content = 'top secret content\n';
  const encoded = Buffer.from(content).toString('base64');

  it('names a timed-out command by its shown form: file content as its size, never as base64', async () => {
    const connection = await open();
    const file = join(dir, 'written-before-the-timeout');
    const command = joinCommands([writeFileAtomically(file, content), sh`sleep 31.7`], ' && ');
    const error = await connection.exec(command, { timeoutMs: 700 }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect(readFileSync(file, 'utf8')).toBe(content);
    const shown =
      `{ { lvs_dest=$(readlink -f -- ${file}) || lvs_dest=${file}; } && { [ -f "$lvs_dest" ] || [ ! -e "$lvs_dest" ] || { echo '${file} is not a regular file' >&2; false; }; } && ` +
      `lvs_tmp=$(mktemp -- "$lvs_dest.lvs-XXXXXX") && printf %s <19 bytes> | base64 -d > "$lvs_tmp" && chmod -- 0644 "$lvs_tmp" && ` +
      `mv -f -- "$lvs_tmp" "$lvs_dest"; } || { lvs_rc=$?; rm -f -- "$lvs_tmp"; exit $lvs_rc; } && sleep 31.7`;
    const { message } = error as Error;
    expect(message).toMatch(/ did not finish within its timeout of 700 ms and was killed, \d+\.\d s after it started$/);
    expect(message.replace(/ did not finish within .*$/, '')).toBe(shown);
    expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toContain(encoded);
  });

  it('names a command that cannot start by its shown form, sudo wrapper included', async () => {
    const connection = await open();
    connection.close();
    const error = await openError(connection.exec(sh`printf %s ${unshown(encoded, '19 bytes')} >/dev/null`, { become: { user: 'nobody' } }));
    expect(error.message).toMatch(/^cannot start sudo -H -n -u nobody -- sh -c 'printf %s <19 bytes> >\/dev\/null': \S/);
    expect(error.message).not.toContain(encoded);
  });
});

describe('jump host', () => {
  let isolated: Sshd & { pid: number };
  let jump: Sshd;
  let jumpKnownHosts: string;

  beforeAll(async () => {
    isolated = await startSshd({ authorizedKeys: { root: [key.publicKey] }, isolated: true });
    jump = await startJumpHost(isolated, { authorizedKeys: { root: [key.publicKey] } });
    jumpKnownHosts = knownHosts('known_hosts-jump', [`[127.0.0.1]:${jump.port} ${jump.hostPublicKey}`, `127.0.0.2 ${isolated.hostPublicKey}`]);
  });
  afterAll(async () => {
    await jump?.stop();
    await isolated?.stop();
  });

  const viaJump = () => ({ host: '127.0.0.2', port: 22, jump: { host: '127.0.0.1', port: jump.port, user: 'root' } });

  it('reaches a host that cannot be reached directly', async () => {
    const direct = await openError(open({ host: '127.0.0.2', port: 22 }, { knownHostsFiles: [jumpKnownHosts] }));
    expect(direct.message).toBe('connection refused by root@127.0.0.2:22');

    const connection = await open(viaJump(), { knownHostsFiles: [jumpKnownHosts] });
    const result = await connection.exec(sh`echo $SSH_CONNECTION; ip -o -4 address show | wc -l`);
    // The session came in on 127.0.0.2:22 of a network namespace whose only interface is lo.
    expect(result.stdout).toMatch(/^\S+ \d+ 127\.0\.0\.2 22\n1\n$/);
    expect(connection.counters).toEqual({ connections: 2, channels: 1 });
    expect(jump.sessions!()).toBe(1);

    connection.close();
    await waitFor(() => jump.sessions!() === 0);
  });

  it("checks the jump host's own key", async () => {
    const onlyTarget = knownHosts('known_hosts-target-only', [`127.0.0.2 ${isolated.hostPublicKey}`]);
    const error = await openError(open(viaJump(), { knownHostsFiles: [onlyTarget] }));
    expect(error.message).toContain(`the host key of jump host root@127.0.0.1:${jump.port} is not known`);
    await waitFor(() => jump.sessions!() === 0);
  });

  it("checks the target's key through the jump host, and closes the jump connection on failure", async () => {
    const onlyJump = knownHosts('known_hosts-jump-only', [`[127.0.0.1]:${jump.port} ${jump.hostPublicKey}`]);
    const error = await openError(open(viaJump(), { knownHostsFiles: [onlyJump] }));
    expect(error.message).toContain('the host key of root@127.0.0.2:22 is not known');
    await waitFor(() => jump.sessions!() === 0);
  });

  it('says when the jump host cannot reach the target', async () => {
    const error = await openError(open({ ...viaJump(), port: 2222 }, { knownHostsFiles: [jumpKnownHosts] }));
    expect(error.message).toMatch(new RegExp(`^jump host root@127\\.0\\.0\\.1:${jump.port} cannot reach 127\\.0\\.0\\.2:2222: `));
    await waitFor(() => jump.sessions!() === 0);
  });
});

describe('password and agent logins', () => {
  it('tries the key first, then the password (as the server log shows)', async () => {
    const connection = await open({ user: 'lvsdeploy', privateKeyFile: strangerKey.privateKeyFile, password: DEPLOY_PASSWORD });
    expect((await connection.exec(sh`id -un`)).stdout).toBe('lvsdeploy\n');
    const log = sshd.log();
    const failedKey = log.lastIndexOf('Failed publickey for lvsdeploy');
    const acceptedPassword = log.lastIndexOf('Accepted password for lvsdeploy');
    expect(failedKey).toBeGreaterThan(-1);
    expect(acceptedPassword).toBeGreaterThan(failedKey);
  });

  it('says which methods it tried when all failed, without the password', async () => {
    const error = await openError(open({ user: 'lvsdeploy', privateKeyFile: strangerKey.privateKeyFile, password: 'wrong password' }));
    expect(error.message).toBe(
      `authentication failed for lvsdeploy@127.0.0.1:${sshd.port}: tried publickey (${strangerKey.privateKeyFile}), password; ` +
        'the server accepts publickey, password',
    );
    expect(JSON.stringify(error) + error.message + error.hint).not.toContain('wrong password');
  });

  describe('through ssh-agent', () => {
    let agent: ChildProcess;
    const savedSocket = process.env.SSH_AUTH_SOCK;

    beforeAll(async () => {
      const socket = join(dir, 'agent.sock');
      agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      await waitFor(() => {
        try {
          execFileSync('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
          return true;
        } catch (error) {
          return (error as { status?: number }).status === 1; // 1: running, no keys yet
        }
      });
      execFileSync('ssh-add', [key.privateKeyFile], { env: { SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
      process.env.SSH_AUTH_SOCK = socket;
    });
    afterAll(() => {
      if (savedSocket === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = savedSocket;
      agent?.kill();
    });

    it('logs in with a key held by the agent when no key file is configured', async () => {
      const connection = await open({ privateKeyFile: undefined });
      expect((await connection.exec(sh`id -un`)).stdout).toBe('root\n');
    });
  });
});

describe('become (real sudo)', () => {
  it('runs as another user with sudo -n when no password is needed', async () => {
    const connection = await open();
    expect(await connection.exec(sh`id -un`, { become: { user: 'nobody' } })).toEqual({ stdout: 'nobody\n', stderr: '', exitCode: 0 });
    // become to the login user itself needs no sudo
    expect((await connection.exec(sh`id -un`, { become: { user: 'root' } })).stdout).toBe('root\n');
  });

  it('gives the password to sudo only, and stdin to the command only', async () => {
    const connection = await open({ user: 'lvsdeploy', privateKeyFile: undefined, password: DEPLOY_PASSWORD });
    const become = { user: 'root', password: DEPLOY_PASSWORD };
    const result = await connection.exec(sh`id -un; cat`, { become, stdin: 'payload\n', timeoutMs: SUDO_CHECK_TIMEOUT });
    expect(result).toEqual({ stdout: 'root\npayload\n', stderr: '', exitCode: 0 });
  });

  it('never hands the password to a command that sudo lets run without one (NOPASSWD)', async () => {
    const connection = await open({ user: 'lvsnopass' });
    const result = await connection.exec(sh`id -un; cat`, {
      become: { user: 'root', password: 'not needed' },
      stdin: 'payload\n',
      timeoutMs: SUDO_CHECK_TIMEOUT,
    });
    expect(result).toEqual({ stdout: 'root\npayload\n', stderr: '', exitCode: 0 });
  });

  it('fails at once on a wrong password, and the password appears nowhere', async () => {
    const connection = await open({ user: 'lvsdeploy', privateKeyFile: undefined, password: DEPLOY_PASSWORD });
    const result = await connection.exec(sh`id -un`, { become: { user: 'root', password: 'wrong secret' }, timeoutMs: SUDO_CHECK_TIMEOUT });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('1 incorrect password attempt');
    expect(result.stderr).not.toContain('lvs-sudo');
    expect(JSON.stringify(result)).not.toContain('wrong secret');
  });

  it('fails at once when sudo wants a password and none is configured', async () => {
    const connection = await open({ user: 'lvsdeploy', privateKeyFile: undefined, password: DEPLOY_PASSWORD });
    const result = await connection.exec(sh`id -un`, { become: { user: 'root' }, timeoutMs: SUDO_CHECK_TIMEOUT });
    expect(result).toEqual({ stdout: '', stderr: 'sudo: a password is required\n', exitCode: 1 });
  });

  it('keeps the become password out of a timeout error', async () => {
    const connection = await open({ user: 'lvsdeploy', privateKeyFile: undefined, password: DEPLOY_PASSWORD });
    const error = await connection
      .exec(sh`sleep 30`, { become: { user: 'root', password: DEPLOY_PASSWORD }, timeoutMs: 1_500 })
      .then(() => undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(CommandTimeoutError);
    const shown = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(shown).toContain('sudo -H -S');
    expect(shown).not.toContain(DEPLOY_PASSWORD);
  });
});

describe('a netns lab host (test/support/netns-hosts.ts)', () => {
  let lab: TestLab;
  beforeAll(async () => {
    lab = await startHosts(['rs1']);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('connects with the lab key and known_hosts, and fails cleanly once sshd is gone', async () => {
    const [host] = lab.hosts;
    const labTarget = { name: 'rs1', host: host.address, port: host.port, user: 'root', privateKeyFile: lab.keyFile };
    const connection = await SshConnection.open(labTarget, options({ knownHostsFiles: [lab.knownHostsFile] }));
    opened.push(connection);
    expect(await connection.exec(sh`hostname`)).toEqual({ stdout: 'rs1\n', stderr: '', exitCode: 0 });

    await lab.stop('rs1');
    const lost = await connection.exec(sh`true`).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(lost).toBeInstanceOf(UnreachableError);
    expect((lost as Error).message).toMatch(/^cannot start true: /);
    const refused = await openError(SshConnection.open(labTarget, options({ knownHostsFiles: [lab.knownHostsFile] })));
    expect(refused.message).toBe(`connection refused by root@${host.address}:22`);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
