/**
 * Real OpenSSH servers for the transport's integration tests, each in a private mount
 * namespace: its own host key and authorized_keys, and an overlay on /etc where test users
 * (with passwords and sudo rules) are created. The machine's own accounts, sshd config and
 * logs are never touched, and everything is gone once the server's processes end.
 *
 * An "isolated" server also gets its own network namespace, so nothing outside can reach it;
 * `startJumpHost` puts a jump host in front of it, the only way in.
 */
import { type ChildProcess, execFileSync, spawn } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'fs';
import { type AddressInfo, createServer, type Server } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { sh } from '../../src/shell/quote';

export interface TestUser {
  name: string;
  password?: string;
  /** A sudo rule for the user: with the user's password, or NOPASSWD. */
  sudo?: 'password' | 'nopasswd';
}

export interface SshdOptions {
  /** Public key lines accepted per user name (root included). */
  authorizedKeys?: Record<string, string[]>;
  users?: TestUser[];
  /** In its own network namespace, listening on 127.0.0.2:22 there. */
  isolated?: boolean;
  maxSessions?: number;
  /** Host key types, in the order sshd offers them; ed25519 alone by default. */
  hostKeyTypes?: Array<'ed25519' | 'ecdsa' | 'rsa'>;
}

export interface Sshd {
  address: string;
  /** SSH sessions being served right now (counted for the jump host only). */
  sessions?(): number;
  port: number;
  /** `type base64` of the server's (first) host key. */
  hostPublicKey: string;
  /** `type base64` of each host key, by type. */
  hostPublicKeys: Record<string, string>;
  /** The server's stderr so far (sshd -e), for failing tests. */
  log(): string;
  stop(): Promise<void>;
}

/** A client key pair made by ssh-keygen. */
export interface KeyPair {
  privateKeyFile: string;
  publicKey: string;
}

export function makeKeyPair(dir: string, name: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): KeyPair {
  const privateKeyFile = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', privateKeyFile]);
  return { privateKeyFile, publicKey: readFileSync(`${privateKeyFile}.pub`, 'utf8').trim() };
}

/** A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP server that accepts connections and never says a word: an SSH handshake that never ends. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface Prepared {
  dir: string;
  hostPublicKeys: Record<string, string>;
  /** argv that sets up the namespace's mounts and users and then execs sshd in `mode`. */
  command(mode: 'daemon' | 'inetd'): string[];
}

/** Writes the server's directory: host key, config, authorized keys, namespace setup script. */
function prepare(options: SshdOptions, listen: string): Prepared {
  const dir = mkdtempSync(join(tmpdir(), 'lvs-sshd-'));
  chmodSync(dir, 0o755); // test users read their authorized_keys and live in home/ below
  const hostKeyTypes = options.hostKeyTypes ?? ['ed25519'];
  const hostPublicKeys: Record<string, string> = {};
  for (const type of hostKeyTypes) {
    const file = join(dir, `host_${type}_key`);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'throwaway-host', '-f', file]);
    hostPublicKeys[type] = readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  }

  mkdirSync(join(dir, 'authorized_keys'), { mode: 0o755 });
  for (const [user, keys] of Object.entries(options.authorizedKeys ?? {})) {
    writeFileSync(join(dir, 'authorized_keys', user), `${keys.join('\n')}\n`, { mode: 0o644 });
  }
  for (const sub of ['etc-upper', 'etc-work', 'home']) mkdirSync(join(dir, sub), { mode: 0o755 });
  writeFileSync(join(dir, 'empty'), '');

  writeFileSync(
    join(dir, 'sshd_config'),
    [
      listen,
      ...hostKeyTypes.map((type) => `HostKey ${dir}/host_${type}_key`),
      `AuthorizedKeysFile ${dir}/authorized_keys/%u`,
      'UsePAM no',
      'StrictModes no',
      'PidFile none',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `MaxSessions ${options.maxSessions ?? 10}`,
      'PrintMotd no',
      'PrintLastLog no',
      'AllowTcpForwarding yes',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );

  const userSetup = (options.users ?? []).map((user) => {
    const home = join(dir, 'home', user.name);
    const lines = [
      sh`useradd --no-create-home --home-dir ${home} --shell /bin/sh ${user.name}`.text,
      sh`mkdir -p ${home}`.text,
      sh`chown ${user.name} ${home}`.text,
    ];
    // Without a password the account stays locked ('!'), and sshd refuses locked accounts
    // even for key logins; '*' means "no password login" but leaves keys working.
    if (user.password !== undefined) lines.push(sh`printf '%s\\n' ${`${user.name}:${user.password}`} | chpasswd`.text);
    else lines.push(sh`usermod -p '*' ${user.name}`.text);
    if (user.sudo) {
      const rule = `${user.name} ALL=(ALL:ALL) ${user.sudo === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL`;
      const file = `/etc/sudoers.d/lvs-test-${user.name}`;
      lines.push(sh`printf '%s\\n' ${rule} > ${file}`.text, sh`chmod 0440 ${file}`.text);
    }
    return lines.join('\n');
  });
  writeFileSync(
    join(dir, 'setup.sh'),
    [
      'set -eu',
      'dir=$1 mode=$2',
      // Users, sudo rules, logins (lastlog, wtmp) and sshd's privilege separation directory
      // land in this namespace's own /etc, /run and /var/log.
      'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$dir/etc-upper,workdir=$dir/etc-work" /etc',
      'mount -t tmpfs -o mode=0755 tmpfs /run',
      'mkdir -m 0755 /run/sshd',
      'mount -t tmpfs tmpfs /var/log',
      'mount -t tmpfs tmpfs /var/mail',
      // The machine's .bashrc runs pyenv init, which slows every command root runs over SSH.
      'if [ -e /root/.bashrc ]; then mount --bind "$dir/empty" /root/.bashrc; fi',
      'if [ "$mode" = daemon ]; then',
      options.isolated ? '  ip link set lo up' : '  :',
      ...userSetup.map((lines) => lines.replace(/^/gm, '  ')),
      '  exec /usr/sbin/sshd -D -e -f "$dir/sshd_config"',
      'fi',
      'exec /usr/sbin/sshd -i -e -f "$dir/sshd_config"',
      '',
    ].join('\n'),
  );
  return {
    dir,
    hostPublicKeys,
    command: (mode) => ['unshare', '--mount', '--propagation', 'private', ...(options.isolated ? ['--net'] : []), 'sh', join(dir, 'setup.sh'), dir, mode],
  };
}

/** Every process in the mount namespace of `pid` (sshd and the sessions it started). */
function processesSharingMountNamespace(pid: number): number[] {
  let namespace: string;
  try {
    namespace = readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return [];
  }
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((other) => {
      try {
        return readlinkSync(`/proc/${other}/ns/mnt`) === namespace;
      } catch {
        return false;
      }
    });
}

function waitForExit(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd & { pid: number }> {
  const address = options.isolated ? '127.0.0.2' : '127.0.0.1';
  const port = options.isolated ? 22 : await freePort();
  const prepared = prepare(options, `ListenAddress ${address}:${port}`);
  const [command, ...args] = prepared.command('daemon');
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s:\n${log}`)), 10_000);
    const check = () => {
      if (!log.includes('Server listening on')) return;
      clearTimeout(timer);
      child.stderr!.off('data', check);
      resolve();
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}:\n${log}`));
    });
  });
  const pid = child.pid!;

  return {
    address,
    port,
    pid,
    hostPublicKey: Object.values(prepared.hostPublicKeys)[0],
    hostPublicKeys: prepared.hostPublicKeys,
    log: () => log,
    stop: async () => {
      // Found through sshd's namespace, so this must run while sshd is still alive.
      for (const other of processesSharingMountNamespace(pid)) {
        try {
          process.kill(other, 'SIGKILL');
        } catch {
          // It ended between the listing and the kill.
        }
      }
      await waitForExit(child);
      rmSync(prepared.dir, { recursive: true, force: true });
    },
  };
}

/**
 * A jump host in front of an isolated server: a TCP relay on 127.0.0.1 that hands each
 * connection to an `sshd -i` started inside the isolated server's network namespace. The
 * jump host has its own host key and authorized keys; it can reach 127.0.0.2:22, the
 * client cannot.
 */
export async function startJumpHost(target: Sshd & { pid: number }, options: SshdOptions): Promise<Sshd> {
  const prepared = prepare(options, '');
  const sessions = new Set<ChildProcess>();
  let log = '';
  const server: Server = createServer((socket) => {
    const [command, ...args] = prepared.command('inetd');
    const child = spawn('nsenter', [`--net=/proc/${target.pid}/ns/net`, '--', command, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    sessions.add(child);
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    socket.pipe(child.stdin!);
    child.stdout!.pipe(socket);
    socket.on('error', () => child.kill('SIGKILL'));
    socket.on('close', () => child.kill('SIGTERM'));
    child.on('exit', () => {
      sessions.delete(child);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    hostPublicKey: Object.values(prepared.hostPublicKeys)[0],
    hostPublicKeys: prepared.hostPublicKeys,
    log: () => log,
    sessions: () => sessions.size,
    stop: async () => {
      await Promise.all(
        [...sessions].map((child) => {
          child.kill('SIGKILL');
          return waitForExit(child);
        }),
      );
      await new Promise((resolve) => server.close(resolve));
      rmSync(prepared.dir, { recursive: true, force: true });
    },
  };
}
