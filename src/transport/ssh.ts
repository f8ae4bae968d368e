/**
 * One SSH connection per host (ssh2), optionally through a jump host, that runs commands on
 * a bounded number of channels at a time.
 */
import { homedir } from 'os';
import type { Duplex } from 'stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { CommandResult } from '../api';
import { UnreachableError } from '../errors';
import { CredentialSequence, gatherCredentials, type Credential } from './auth';
import { type Become, becomeCommand } from './become';
import { followCommand } from './command-run';
import { hostKeyAlgorithms } from './host-key-algorithms';
import { type KnownHosts, hostString } from './known-hosts';
import { KnownHostsReader } from './known-hosts-reader';
import { ProcessGroupAnnouncement, killProcessGroup } from './process-group';
import type { ShellCommand } from '../shell/quote';
import { redact } from './redact';
import { Slots } from './slots';
import { type ConnectStage, type Endpoint, type Ssh2Error, connectFailure, describeEndpoint, hostKeyRefusal } from './unreachable';

export interface SshTarget {
  /** The inventory name, for messages. */
  name: string;
  host: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  password?: string;
  /** `-o ProxyJump=user@host:port`: the host is reached through this one. */
  jump?: { host: string; port: number; user: string };
}

export interface SshOptions {
  /** Off: any host key is accepted (Ansible's host_key_checking = False). */
  hostKeyChecking: boolean;
  knownHostsFiles: string[];
  /**
   * Reads the known_hosts files once for the whole run and tells their warnings (give every
   * connection of a run the same one). Without it, each connection reads the files itself
   * and their warnings go nowhere.
   */
  knownHostsReader?: KnownHostsReader;
  /** From the TCP connect to a logged-in session (ssh2's readyTimeout), per SSH server. */
  connectTimeoutMs: number;
  /** Channels open at once on one connection; OpenSSH's MaxSessions defaults to 10. */
  maxChannels: number;
}

export interface ExecOptions {
  /** Written to the command's stdin, which is then closed. Without it stdin is closed at once. */
  stdin?: string;
  /**
   * Keeps stdin open (after `stdin`) until this settles: for a command that holds something,
   * such as a lock, for as long as lvs needs it, and lets go when its stdin ends.
   */
  stdinOpenUntil?: Promise<unknown>;
  /** Called with the command's stdout as it arrives. */
  onStdout?: (text: string) => void;
  timeoutMs?: number;
  become?: Become;
}

export { CommandTimeoutError } from './command-run';

/** What a run uses unless told otherwise. */
export function defaultSshOptions(): SshOptions {
  return {
    hostKeyChecking: true,
    knownHostsFiles: [`${homedir()}/.ssh/known_hosts`],
    connectTimeoutMs: 10_000,
    maxChannels: 4,
  };
}

/** How long the kill of a timed-out command may take (it may need sudo's password check). */
const KILL_TIMEOUT_MS = 10_000;

/** Pauses before each retry of a channel the server refused. */
const OPEN_RETRY_DELAYS_MS = [20, 50, 100, 200];

/** SSH-level keepalive, like ServerAliveInterval 15 / ServerAliveCountMax 3. */
const KEEPALIVE = { keepaliveInterval: 15_000, keepaliveCountMax: 3 };

export class SshConnection {
  /** What this connection cost, for the benchmark's trace: SSH connections (a jump host counts) and channels. */
  readonly counters = { connections: 0, channels: 0 };
  private lostReason: string | undefined;

  private constructor(
    private readonly target: SshTarget,
    private readonly client: Client,
    private readonly jumpClient: Client | undefined,
    private readonly slots: Slots,
  ) {
    this.counters.connections = jumpClient ? 2 : 1;
    client.on('error', (error) => {
      this.lostReason ??= error.message;
    });
    // The jump connection only carries this one; it has no reason to outlive it.
    client.on('close', () => {
      this.lostReason ??= 'the connection was closed';
      jumpClient?.end();
    });
  }

  static async open(target: SshTarget, options: SshOptions): Promise<SshConnection> {
    const slots = new Slots(options.maxChannels);
    const reader = options.knownHostsReader ?? new KnownHostsReader(() => undefined);
    const knownHosts = options.hostKeyChecking ? await reader.load(options.knownHostsFiles.map(expandHome)) : undefined;
    const { credentials } = await gatherCredentials(target.name, {
      privateKeyFile: target.privateKeyFile === undefined ? undefined : expandHome(target.privateKeyFile),
      password: target.password,
      agentSocket: process.env.SSH_AUTH_SOCK,
      home: homedir(),
    });
    const session = { hostName: target.name, knownHosts, options };

    let jumpClient: Client | undefined;
    let tunnel: Duplex | undefined;
    if (target.jump) {
      const jump: Endpoint = { role: 'jump host', ...target.jump };
      // The password belongs to the target host: it is not offered to the jump host.
      const jumpCredentials = credentials.filter((credential) => credential.kind !== 'password');
      jumpClient = await connectClient(session, jump, jumpCredentials);
      try {
        tunnel = await forwardThrough(jumpClient, target, jump, options.connectTimeoutMs);
      } catch (error) {
        jumpClient.end();
        throw error;
      }
    }
    const endpoint: Endpoint = { role: 'host', host: target.host, port: target.port, user: target.user };
    try {
      const client = await connectClient(session, endpoint, credentials, tunnel);
      return new SshConnection(target, client, jumpClient, slots);
    } catch (error) {
      jumpClient?.end();
      throw error;
    }
  }

  /**
   * Runs `command` through the login user's shell. Resolves with its output and exit code
   * (128 + N when killed by signal N), whatever the code; rejects when the command could not
   * run or finish: UnreachableError if the connection failed, CommandTimeoutError on timeout.
   */
  async exec(command: ShellCommand, options: ExecOptions = {}): Promise<CommandResult> {
    return this.run(command, options, this.slots);
  }

  close(): void {
    this.client.end();
    this.jumpClient?.end();
  }

  /** Runs a command on a channel of its own, taking a slot of `slots` if given. */
  private async run(command: ShellCommand, options: ExecOptions, slots: Slots | undefined): Promise<CommandResult> {
    const { command: wrapped, dialog } = becomeCommand(command, this.target.user, options.become);
    const secrets = [options.become?.password, this.target.password];
    const shown = redact(wrapped.shown, secrets);
    const announcement = options.timeoutMs === undefined ? undefined : new ProcessGroupAnnouncement();
    const sent = announcement ? announcement.wrap(wrapped) : wrapped;
    const release = slots ? await slots.acquire() : () => undefined;
    this.counters.channels += 1;
    let started: { finished: Promise<CommandResult> };
    try {
      started = await this.openExecChannel(sent.text, (channel) => {
        // The server still counts the channel until it has confirmed the close.
        channel.on('close', release);
        return followCommand(channel, {
          host: this.target.name,
          shown,
          secrets,
          stdin: options.stdin,
          stdinOpenUntil: options.stdinOpenUntil,
          onStdout: options.onStdout,
          timeoutMs: options.timeoutMs,
          sudo: dialog && { dialog, password: options.become!.password! },
          processGroup: announcement && {
            announcement,
            kill: (group) => this.killProcessGroup(group, options.become),
          },
          lostReason: () => this.lostReason,
        });
      });
    } catch (error) {
      release();
      const refusedByServer = (error as { reason?: unknown }).reason !== undefined;
      throw new UnreachableError(
        this.target.name,
        redact(`cannot start ${shown}: ${(error as Error).message}`, secrets),
        refusedByServer ? 'sshd may allow fewer sessions per connection (MaxSessions) than maxChannels' : undefined,
      );
    }
    return started.finished;
  }

  /**
   * Kills a timed-out command's process group as the same user it ran as (a command run
   * with sudo is out of the login user's reach). The kill runs outside the channel limit:
   * the command it kills still holds its slot. If it cannot run (say, no room under
   * MaxSessions), the command runs on until it ends by itself: resolves with why.
   */
  private async killProcessGroup(processGroup: number, become: Become | undefined): Promise<string | undefined> {
    return this.run(killProcessGroup(processGroup), { become, timeoutMs: KILL_TIMEOUT_MS }, undefined).then(
      () => undefined,
      (error: Error) => error.message,
    );
  }

  /**
   * sshd frees a session slot only after the channel's close has gone both ways, and it
   * may read our next open before that. With maxChannels close to MaxSessions, a refused
   * open is therefore retried a few times before it counts.
   */
  private async openExecChannel<T>(command: string, onOpen: (channel: ClientChannel) => T): Promise<{ finished: T }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.openExecChannelOnce(command, onOpen);
      } catch (error) {
        const refusedByServer = (error as { reason?: unknown }).reason !== undefined;
        const delayMs = OPEN_RETRY_DELAYS_MS[attempt];
        if (!refusedByServer || delayMs === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /**
   * `onOpen` runs inside ssh2's callback: ssh2 goes on parsing the packets that arrived
   * with the exec reply, and a short command's output, exit status and close often come in
   * that same read. Listeners added a tick later would miss the exit status.
   */
  private openExecChannelOnce<T>(command: string, onOpen: (channel: ClientChannel) => T): Promise<{ finished: T }> {
    return new Promise((resolve, reject) => {
      try {
        this.client.exec(command, { pty: false }, (error, channel) => {
          if (error) reject(error);
          else resolve({ finished: onOpen(channel) });
        });
      } catch (error) {
        // ssh2 throws instead of calling back when the connection is already gone.
        reject(new Error(this.lostReason ?? (error as Error).message));
      }
    });
  }
}

interface Session {
  hostName: string;
  /** Undefined when host key checking is off. */
  knownHosts: KnownHosts | undefined;
  options: SshOptions;
}

/** Connects and logs in to one SSH server, over `sock` when it sits behind a jump host. */
function connectClient(session: Session, endpoint: Endpoint, credentials: Credential[], sock?: Duplex): Promise<Client> {
  const { hostName, knownHosts, options } = session;
  const name = hostString(endpoint.host, endpoint.port);
  const sequence = new CredentialSequence(credentials, endpoint.user);
  let refusal: UnreachableError | undefined;
  let reached: ConnectStage = 'nothing';

  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    sock,
    readyTimeout: options.connectTimeoutMs,
    ...KEEPALIVE,
    authHandler: sequence.handler,
    hostVerifier: (keyBlob: Buffer): boolean => {
      if (!knownHosts) return true;
      const verdict = knownHosts.lookup(name, keyBlob);
      if (verdict === 'match') return true;
      refusal = hostKeyRefusal(hostName, endpoint, verdict, keyBlob, knownHosts, expandHome(options.knownHostsFiles[0] ?? defaultSshOptions().knownHostsFiles[0]));
      return false;
    },
    algorithms: { serverHostKey: hostKeyAlgorithms(knownHosts?.keyTypesFor(name) ?? []) },
  };

  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const fail = (error: UnreachableError) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(error);
    };
    client.on('connect', () => (reached = 'tcp'));
    client.on('handshake', () => (reached = 'handshake'));
    client.on('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', (error: Ssh2Error) => {
      if (settled) return;
      // ssh2 reports an agent it cannot use, or a key it cannot sign with, and then goes
      // on with the next credential by itself.
      if (error.level === 'agent') return;
      if (error.level === 'client-authentication' && !sequence.exhausted) return;
      if (refusal) return fail(refusal);
      fail(connectFailure(hostName, endpoint, error, { timeoutMs: options.connectTimeoutMs, reached, authentication: sequence.describe() }));
    });
    client.on('close', () => {
      fail(refusal ?? new UnreachableError(hostName, `${describeEndpoint(endpoint)} closed the connection during the SSH handshake`));
    });
    try {
      client.connect(config);
    } catch (error) {
      fail(new UnreachableError(hostName, `cannot connect to ${describeEndpoint(endpoint)}: ${(error as Error).message}`));
    }
  });
}

/** Opens a TCP stream from the jump host to the target (what `ssh -J` does with direct-tcpip). */
function forwardThrough(jumpClient: Client, target: SshTarget, jump: Endpoint, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const failed = (reason: string) =>
      new UnreachableError(
        target.name,
        `${describeEndpoint(jump)} cannot reach ${target.host}:${target.port}: ${reason}`,
        'check the address and port of the host as the jump host sees them, and AllowTcpForwarding in its sshd_config',
      );
    const timer = setTimeout(() => reject(failed(`no answer within ${timeoutMs} ms`)), timeoutMs);
    jumpClient.forwardOut('127.0.0.1', 0, target.host, target.port, (error, stream) => {
      clearTimeout(timer);
      if (error) reject(failed(error.message.replace(/^\(SSH\) /, '')));
      else resolve(stream);
    });
  });
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}
