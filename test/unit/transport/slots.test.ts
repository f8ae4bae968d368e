import { Slots } from '../../../src/transport/slots';

/** Runs `count` jobs through the slots; each holds its slot for a few event-loop turns. */
async function runJobs(slots: Slots, count: number) {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, job) => {
      const release = await slots.acquire();
      started.push(job);
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      release();
      release(); // a second call must not free a second slot
    }),
  );
  return { peak, started };
}

describe('Slots', () => {
  it('lets at most `limit` holders in at once, in arrival order', async () => {
    const { peak, started } = await runJobs(new Slots(4), 10);
    expect(peak).toBe(4);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('runs everything at once when the limit allows it', async () => {
    expect((await runJobs(new Slots(16), 10)).peak).toBe(10);
  });

  it('is reusable after a burst', async () => {
    const slots = new Slots(2);
    await runJobs(slots, 5);
    expect((await runJobs(slots, 5)).peak).toBe(2);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects the limit %p', (limit) => {
    expect(() => new Slots(limit)).toThrow(RangeError);
  });
});
