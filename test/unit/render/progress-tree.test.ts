/**
 * ProgressTree: listr2 rows driven by the events. listr2 draws on process.stdout (its
 * simple renderer here, with no TTY), so stdout is captured; the recap goes through the
 * renderer's own write.
 */
import type { RunEvent } from '../../../src/engine/execute/events';
import type { Interruption } from '../../../src/engine/execute/executor';
import { ProgressTree } from '../../../src/render/progress-tree';
import { keyValueHost } from '../../support/scripted-shell';
import { runScripted } from '../execute/scripted-run';
import { PLAYBOOK, recordedRun } from './recorded-run';

let stdout = '';
beforeEach(() => {
  stdout = '';
  // listr2 writes failed rows to stderr, the rest to stdout: both are what the user sees.
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
  }
});
afterEach(() => jest.restoreAllMocks());

/** done(), or a rejection if the tree is still waiting for an event after 5 s. */
function finished(tree: ProgressTree): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('ProgressTree.done() did not resolve')), 5000);
  });
  return Promise.race([tree.done(), timeout]).finally(() => clearTimeout(timer));
}

/** The captured lines without colour codes. */
const shown = () => stdout.replace(/\u001b\[[0-9;]*m/g, '').split('\n');

function replay(events: RunEvent[]): { tree: ProgressTree; written: () => string } {
  let written = '';
  const tree = new ProgressTree({ diff: false, write: (text) => (written += text) });
  events.forEach(tree.listener);
  return { tree, written: () => written };
}

describe('ProgressTree', () => {
  it('completes a run with an unreachable host, a failing host, a skipped task and a handler, and then prints the recap', async () => {
    const { tree, written } = replay(await recordedRun());
    await finished(tree);
    const lines = shown();
    expect(lines).toEqual(expect.arrayContaining([expect.stringContaining('PLAY [web]: 2 of 3 hosts failed or unreachable')]));
    expect(lines).toEqual(expect.arrayContaining([expect.stringContaining('h3: UNREACHABLE: connect ECONNREFUSED 127.0.0.3:22')]));
    expect(lines).toEqual(expect.arrayContaining([expect.stringContaining('failed: must work (0.00s): printf %s 1 > d exited 1: Read-only file system')]));
    expect(lines).toEqual(expect.arrayContaining([expect.stringContaining('failed (ignored): may fail (0.00s)')]));
    expect(lines).toEqual(expect.arrayContaining([expect.stringContaining('skipped: only h2 (condition is false: "inventory_hostname == \'h2\'")')]));
    expect(lines).toEqual(expect.arrayContaining([expect.stringContaining('changed: done (0.00s)')]));
    expect(lines.some((line) => line.includes('PLAY [db]') && !line.includes('failed'))).toBe(true);
    expect(written()).toBe(
      [
        '',
        `PLAY RECAP ${'*'.repeat(60)}`,
        'h1                        : ok=5    changed=3    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0',
        'h2                        : ok=2    changed=1    unreachable=0    failed=1    skipped=0    rescued=0    ignored=1',
        'h3                        : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0',
        '',
      ].join('\n'),
    );
  });

  it('completes while listening to a live run, hosts at once', async () => {
    let written = '';
    const tree = new ProgressTree({ diff: true, write: (text) => (written += text) });
    await runScripted(PLAYBOOK, { h1: keyValueHost({ a: '0' }), h2: keyValueHost({}) }, { listener: tree.listener });
    await finished(tree);
    expect(shown()).toEqual(expect.arrayContaining([expect.stringContaining('a: 0 -> 1')]));
    expect(written).toContain('h2                        : ok=6    changed=6');
  });

  it('completes an interrupted run, showing the rows that never started as skipped', async () => {
    const interruption: Interruption = { requested: false };
    const stops = keyValueHost({}, (command) => {
      if (command === 'printf %s 1 > c') interruption.requested = true;
      return undefined;
    });
    let written = '';
    const tree = new ProgressTree({ diff: false, write: (text) => (written += text) });
    await runScripted(PLAYBOOK, { h1: stops, h2: keyValueHost({}) }, { forks: 1, interruption, listener: tree.listener });
    await finished(tree);
    expect(shown()).toEqual(expect.arrayContaining([expect.stringContaining('must work: not started, the run was interrupted')]));
    expect(shown()).toEqual(expect.arrayContaining([expect.stringContaining('h2: not started, the run was interrupted')]));
    expect(written).toContain("  h1: stopped after 'may fail'\n  h2: stopped before its first task");
  });

  it('shows a rescued failure, rows a block jumps over, included tasks and flushed handlers, and a failure after always', async () => {
    const yaml = `
- hosts: all
  pre_tasks:
    - { name: pre, kv: { key: p, value: '1' }, notify: done }
  tasks:
    - block:
        - { name: breaks, kv: { key: a, value: '1' } }
      rescue:
        - { name: mends, kv: { key: r, value: '1' } }
    - block:
        - { name: works, kv: { key: w, value: '1' } }
      rescue:
        - { name: never needed, kv: { key: n, value: '1' } }
    - { name: more, include_tasks: more.yml }
    - block:
        - { name: breaks again, kv: { key: b, value: '1' } }
      always:
        - { name: cleans up, kv: { key: c, value: '1' } }
  handlers:
    - { name: done, kv: { key: h, value: '1' } }
`;
    const readOnly = (command: string) => (['printf %s 1 > a', 'printf %s 1 > b'].includes(command) ? { stderr: 'read-only\n', exitCode: 2 } : undefined);
    const tree = new ProgressTree({ diff: false, write: () => undefined });
    await runScripted(yaml, { h1: keyValueHost({}, readOnly) }, { listener: tree.listener, files: { 'more.yml': '- { name: included, kv: { key: i, value: "1" } }\n' } });
    await finished(tree);
    const lines = shown().join('\n');
    expect(lines).toContain('changed: handler done');
    expect(lines).toContain('failed (rescued): breaks');
    expect(lines).toContain('never needed: not run');
    expect(lines).toContain('changed: included');
    expect(lines).toContain('changed: cleans up');
    expect(lines).toContain('h1: FAILED after its always tasks');
  });
});

describe('ProgressTree with the play keywords', () => {
  it('finishes a play stopped by its failure limit, and a task that waited for a delegate held by another run', async () => {
    const playbook = `
- name: roll
  hosts: all
  any_errors_fatal: true
  tasks:
    - { name: t1, kv: { key: a, value: '1' } }
    - { name: t2, kv: { key: b, value: '1' } }
`;
    const slow = keyValueHost({});
    slow.latencyMs = 30;
    const { events } = await runScripted(playbook, { h1: keyValueHost({}, (command) => (command.endsWith('> a') ? { stderr: 'Read-only file system\n', exitCode: 1 } : undefined)), h2: slow });
    // As the executor tells it when h2's task waits for a delegate that another run holds.
    const started = events.findIndex((event) => event.kind === 'task-started' && event.host === 'h2');
    const play = events[started].kind === 'task-started' ? events[started].play : undefined!;
    events.splice(started + 1, 0, { kind: 'host-waiting', play, host: 'h2', message: 'waiting for the lvs run of pid 1 on x to finish on d1' });
    const { tree, written } = replay(events);
    await finished(tree);
    expect(shown()).toEqual(expect.arrayContaining([expect.stringContaining('t2: not started, the play was stopped by its failure limit')]));
    expect(written()).toContain("STOPPED: play 'roll' ended (any_errors_fatal: h1 failed at 't1')");
  });
});
