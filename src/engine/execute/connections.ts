/**
 * One SSH connection per host for the whole run, opened on first use and shared by every
 * play. A host that could not be reached stays unreachable for the rest of the run. A host
 * whose connection is `local` (Ansible's ansible_connection=local, and the implicit
 * localhost) is the controller itself: its commands run in a local shell, without SSH.
 */
import { UnreachableError } from '../../errors';
import { LocalShell } from '../../transport/local-shell';
import { SshConnection, type SshOptions } from '../../transport/ssh';
import type { ConnectionTarget } from '../inventory';
import type { Connector } from './executor';

export class ConnectionPool implements Connector {
  private readonly connections = new Map<string, Promise<SshConnection | LocalShell>>();

  constructor(private readonly options: SshOptions) {}

  open(name: string, target: ConnectionTarget): Promise<SshConnection | LocalShell> {
    let connection = this.connections.get(name);
    if (!connection && target.connection === 'local') {
      connection = Promise.resolve(new LocalShell(name));
      this.connections.set(name, connection);
    }
    if (!connection) {
      connection = SshConnection.open(
        { name, host: target.host, port: target.port, user: target.user, privateKeyFile: target.privateKeyFile, password: target.password, jump: target.jump },
        {
          ...this.options,
          hostKeyChecking: target.hostKeyChecking === false ? false : this.options.hostKeyChecking,
          knownHostsFiles: [...this.options.knownHostsFiles, ...(target.knownHostsFiles ?? [])],
        },
      );
      this.connections.set(name, connection);
    }
    return connection;
  }

  /** SSH connections and exec channels opened per host, for --json and the benchmark. */
  async counters(): Promise<Record<string, { connections: number; channels: number }>> {
    const entries = await Promise.all(
      [...this.connections].map(async ([name, connection]) => {
        try {
          return [name, { ...(await connection).counters }] as const;
        } catch (error) {
          if (error instanceof UnreachableError) return [name, { connections: 0, channels: 0 }] as const;
          throw error;
        }
      }),
    );
    return Object.fromEntries(entries);
  }

  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.connections.values()].map(async (connection) => {
        try {
          const opened = await connection;
          if (opened instanceof SshConnection) opened.close();
        } catch {
          // Unreachable hosts have nothing to close.
        }
      }),
    );
  }
}
