/**
 * A counting semaphore: at most `limit` holders at once, the rest wait in arrival order.
 * Used to keep the number of open channels per SSH connection under the server's MaxSessions.
 */
export class Slots {
  private inUse = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a slot limit must be a whole number ≥ 1, not ${limit}`);
  }

  /** Resolves with the function that gives the slot back; calling it twice is harmless. */
  async acquire(): Promise<() => void> {
    if (this.inUse < this.limit) {
      this.inUse += 1;
    } else {
      // The holder that releases next hands its slot straight to us, so inUse stays put.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.inUse -= 1;
    };
  }
}
