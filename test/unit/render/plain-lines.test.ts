/** PlainLines: one line per finished task, prefixed with the host, then the recap. */
import { PlainLines } from '../../../src/render/plain-lines';
import { recordedRun } from './recorded-run';

async function render(diff: boolean, check = false): Promise<string[]> {
  const events = await recordedRun({ check });
  let output = '';
  const lines = new PlainLines({ diff, write: (text) => (output += text) });
  events.forEach(lines.listener);
  await lines.done();
  return output.split('\n');
}

const RECAP = [
  `PLAY RECAP ${'*'.repeat(60)}`,
  'h1                        : ok=5    changed=3    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0',
  'h2                        : ok=2    changed=1    unreachable=0    failed=1    skipped=0    rescued=0    ignored=1',
  'h3                        : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0',
];

describe('PlainLines', () => {
  it('prints every task result as a line, unreachable hosts, and the recap', async () => {
    expect(await render(false)).toEqual([
      'PLAY [web] ****************************************',
      'h1 | changed: set a (0.00s)',
      'h1 | skipped: only h2 (condition is false: "inventory_hostname == \'h2\'")',
      'h1 | ok: may fail (0.00s) - c is 1',
      'h1 | ok: must work (0.00s) - d is 1',
      'h1 | changed: handler done (0.00s)',
      'h2 | ok: set a (0.00s) - a is 1',
      'h2 | changed: only h2 (0.00s)',
      'h2 | FAILED (ignored): may fail (0.00s): printf %s 1 > c exited 1: Read-only file system',
      'h2 | FAILED: must work (0.00s): printf %s 1 > d exited 1: Read-only file system',
      'h3 | UNREACHABLE: connect ECONNREFUSED 127.0.0.3:22',
      'PLAY [web] failed: 2 of 3 hosts failed or were unreachable',
      'PLAY [db] ****************************************',
      'h1 | changed: set e (0.00s)',
      'PLAY [db] done on 1 hosts: h1',
      '',
      ...RECAP,
      '',
    ]);
  });

  it('shows the changes under each result with --diff, and says would change in check mode', async () => {
    expect(await render(true, true)).toEqual([
      'PLAY [web] **************************************** (check mode)',
      'h1 | would change: set a (0.00s)',
      'h1 |     a: 0 -> 1',
      'h1 | skipped: only h2 (condition is false: "inventory_hostname == \'h2\'")',
      'h1 | ok: may fail (0.00s) - c is 1',
      'h1 | ok: must work (0.00s) - d is 1',
      'h1 | would change: handler done (0.00s)',
      'h1 |     h: (absent) -> ran',
      'h2 | ok: set a (0.00s) - a is 1',
      'h2 | would change: only h2 (0.00s)',
      'h2 |     b: (absent) -> 1',
      'h2 | would change: may fail (0.00s)',
      'h2 |     c: (absent) -> 1',
      'h2 | would change: must work (0.00s)',
      'h2 |     d: (absent) -> 1',
      'h3 | UNREACHABLE: connect ECONNREFUSED 127.0.0.3:22',
      'PLAY [web] failed: 1 of 3 hosts failed or were unreachable',
      'PLAY [db] **************************************** (check mode)',
      'h1 | would change: set e (0.00s)',
      'h1 |     e: (absent) -> 1',
      'h2 | would change: set e (0.00s)',
      'h2 |     e: (absent) -> 1',
      'PLAY [db] done on 2 hosts: h1, h2',
      '',
      `PLAY RECAP ${'*'.repeat(60)}`,
      'h1                        : ok=5    changed=3    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0',
      'h2                        : ok=5    changed=4    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0',
      'h3                        : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0',
      '',
      'CHECK MODE: nothing was changed; "changed" means "would change".',
      '',
    ]);
  });

  it('shows a task’s time in seconds with two decimals', async () => {
    const events = await recordedRun();
    const finished = events.find((event) => event.kind === 'task-finished')!;
    if (finished.kind !== 'task-finished') throw new Error('no task-finished event');
    let output = '';
    new PlainLines({ diff: false, write: (text) => (output += text) }).listener({ ...finished, result: { ...finished.result, duration_ms: 1234 } });
    expect(output).toBe('h1 | changed: set a (1.23s)\n');
  });

  it('marks a failure that a rescue takes as rescued', async () => {
    const events = await recordedRun();
    const finished = events.find((event) => event.kind === 'task-finished')!;
    if (finished.kind !== 'task-finished') throw new Error('no task-finished event');
    let output = '';
    const failed = { ...finished.result, status: 'failed' as const, changed: false, msg: 'broke', duration_ms: 0 };
    new PlainLines({ diff: false, write: (text) => (output += text) }).listener({ ...finished, result: failed, rescued: true });
    expect(output).toBe('h1 | FAILED (rescued): set a (0.00s): broke\n');
  });
});
