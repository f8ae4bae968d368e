/** task-progress in the views: the tree's row shows the latest line, the plain log prints them throttled, JSON ignores them. */
import type { RunEvent } from '../../../src/engine/execute/events';
import { JsonReport } from '../../../src/render/json-report';
import { PlainLines } from '../../../src/render/plain-lines';
import { ProgressTree } from '../../../src/render/progress-tree';
import { keyValueHost } from '../../support/scripted-shell';
import { runScripted } from '../execute/scripted-run';

const PLAYBOOK = `
- name: roll
  hosts: h1
  tasks:
    - { name: drain a, kv_drain: { key: a } }
`;

async function recorded(): Promise<RunEvent[]> {
  const host = keyValueHost({}, (command) => (command === 'drain a' ? { progress: ['3 left', '2 left', '1 left'], stdout: 'idle after 3s\n' } : undefined));
  const { events } = await runScripted(PLAYBOOK, { h1: host });
  return events.map((event) => ('result' in event ? { ...event, result: { ...event.result, duration_ms: 0 } } : event));
}

describe('task progress in the views', () => {
  afterEach(() => jest.restoreAllMocks());

  it('plain lines print the first progress line and then at most one per interval', async () => {
    const events = await recorded();
    const clock = jest.spyOn(Date, 'now');
    let output = '';
    const lines = new PlainLines({ diff: false, write: (text) => (output += text) }, 5000);
    // The three lines arrive at 0 s, 1 s and 6 s.
    const times = [0, 1000, 6000];
    for (const event of events) {
      if (event.kind === 'task-progress') clock.mockReturnValue(times.shift()!);
      lines.listener(event);
    }
    expect(output.split('\n').filter((line) => line.startsWith('h1 |'))).toEqual(['h1 | drain a: 3 left', 'h1 | drain a: 1 left', 'h1 | ok: drain a (0.00s)']);
  });

  it('the JSON report is the same with or without them', async () => {
    const events = await recorded();
    const withProgress = new JsonReport();
    const without = new JsonReport();
    events.forEach(withProgress.listener);
    events.filter((event) => event.kind !== 'task-progress').forEach(without.listener);
    expect(withProgress.result()).toEqual(without.result());
  });

  // Without a TTY listr2 falls back to its simple renderer, which does not redraw titles: what
  // this proves is that progress events between a task's start and end do not derail the rows.
  it('the tree takes progress events in its stride and shows the result on the row', async () => {
    let stdout = '';
    for (const stream of [process.stdout, process.stderr]) {
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stdout += chunk.toString();
        return true;
      });
    }
    const tree = new ProgressTree({ diff: false, write: () => undefined });
    (await recorded()).forEach(tree.listener);
    await tree.done();
    expect(stdout).toContain('ok: drain a (0.00s)');
  });
});
