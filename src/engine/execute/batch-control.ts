/**
 * What the hosts of one serial batch share while each goes through the play on its own:
 *
 * - run_once: the first host of the batch (in play order) that reaches the task runs it, and
 *   every other host of the batch gets its result. A host waits only for the hosts before it
 *   to reach the task, pass it or stop, so a first host that failed earlier or is unreachable
 *   never holds the others up, and hosts waiting for a fork (always later ones) cannot either.
 * - the play's failure limits, as Ansible's linear strategy applies them after each task
 *   (plugins/strategy/linear.py): any_errors_fatal stops the play at the first failed or
 *   unreachable host; max_fail_percentage stops it when the failed hosts of the batch are
 *   MORE than that percentage of the batch (`len(failed) / batch_size > percentage`, failed
 *   hosts only). Hosts then finish the task they are running and start no other.
 */
import type { HostTaskResult } from './results';

export interface OnceResult {
  /** The host that ran the task. */
  leader: string;
  result: HostTaskResult;
}

/** Where a host is in the play: tasks count from 0, handlers after all tasks. */
export type Position = number;

const DONE = Number.POSITIVE_INFINITY;

export class BatchControl {
  private readonly positions = new Map<string, Position>();
  private readonly arrivals = new Map<Position, Set<string>>();
  private readonly shared = new Map<Position, Promise<HostTaskResult>>();
  private waiting: (() => void)[] = [];
  private readonly failedHosts = new Set<string>();
  /** Why the play stops, once it does. */
  stop: string | undefined;

  constructor(
    /** The batch's hosts in play order. */
    readonly hosts: string[],
    private readonly maxFailPercentage: number | undefined,
  ) {
    for (const host of hosts) this.positions.set(host, 0);
  }

  private changed(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** The host is about to look at the task at `position` (and may pass it). */
  reached(host: string, position: Position): void {
    this.positions.set(host, position);
    this.changed();
  }

  /** The host is done with the play, however it ended. */
  left(host: string): void {
    this.positions.set(host, DONE);
    this.changed();
  }

  /** Runs `run` on the first host to reach the run_once task at `position`; the others get its result. */
  async once(host: string, position: Position, run: () => Promise<HostTaskResult>): Promise<OnceResult> {
    let arrived = this.arrivals.get(position);
    if (!arrived) this.arrivals.set(position, (arrived = new Set()));
    arrived.add(host);
    this.positions.set(host, position);
    this.changed();
    const before = this.hosts.slice(0, Math.max(0, this.hosts.indexOf(host)));
    await this.until(() => before.every((other) => arrived.has(other) || this.positions.get(other)! > position));
    const leader = this.hosts.find((other) => arrived.has(other))!;
    if (leader === host) {
      const finished = run();
      this.shared.set(position, finished);
      this.changed();
      return { leader, result: await finished };
    }
    await this.until(() => this.shared.has(position));
    return { leader, result: await this.shared.get(position)! };
  }

  /** A host of the batch failed (or was unreachable); `fatal` when any_errors_fatal applies. */
  failed(host: string, how: { unreachable: boolean; fatal: boolean; task?: string }): void {
    const where = how.task ? ` at '${how.task}'` : '';
    if (how.fatal) this.stop ??= `any_errors_fatal: ${host} ${how.unreachable ? 'was unreachable' : 'failed'}${where}`;
    if (how.unreachable) return;
    this.failedHosts.add(host);
    const limit = this.maxFailPercentage;
    if (limit !== undefined && this.failedHosts.size / this.hosts.length > limit / 100) {
      this.stop ??= `max_fail_percentage ${limit}: ${this.failedHosts.size} of the batch's ${this.hosts.length} hosts failed`;
    }
  }
}
