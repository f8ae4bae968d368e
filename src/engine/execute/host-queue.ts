/**
 * One unit at a time on each host: a host's own tasks and the tasks other hosts delegate to
 * it each read, plan and apply as a whole, never interleaved with another on the same host
 * (a plan made from facts that another unit is changing would be wrong).
 */
export class HostQueue {
  private readonly tails = new Map<string, Promise<void>>();

  async exclusive<T>(host: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(host) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.tails.set(host, before.then(() => mine));
    await before;
    try {
      return await work();
    } finally {
      done();
    }
  }
}
