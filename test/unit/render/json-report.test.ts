/** JsonReport: the run as one document in the shape of Ansible's json callback, from the events alone. */
import type { RunEvent } from '../../../src/engine/execute/events';
import { JsonReport } from '../../../src/render/json-report';
import { recordedRun } from './recorded-run';

function reportOf(events: RunEvent[]) {
  const report = new JsonReport();
  events.forEach(report.listener);
  return report.result();
}

const readOnlyFailure = (key: string) => ({
  status: 'failed',
  changed: false,
  failed: true,
  msg: `printf %s 1 > ${key} exited 1: Read-only file system`,
  diff: [{ subject: key, before: null, after: '1' }],
  commands: [`printf %s 1 > ${key}`],
  duration_ms: 0,
});

describe('JsonReport', () => {
  it('holds every play, task and host result, handlers after the tasks, the stats and the connections', async () => {
    expect(reportOf(await recordedRun())).toEqual({
      plays: [
        {
          play: { name: 'web', hosts: ['h1', 'h2', 'h3'] },
          tasks: [
            {
              task: { name: 'set a', action: 'kv' },
              hosts: {
                h1: { status: 'changed', changed: true, diff: [{ subject: 'a', before: '0', after: '1' }], commands: ['printf %s 1 > a'], duration_ms: 0 },
                h2: { status: 'ok', changed: false, noop: 'a is 1', diff: [], commands: [], duration_ms: 0 },
                // Like Ansible, an unreachable host is reported under the task it was about to run.
                h3: { status: 'unreachable', changed: false, unreachable: true, msg: 'connect ECONNREFUSED 127.0.0.3:22', diff: [], commands: [], duration_ms: 0 },
              },
            },
            {
              task: { name: 'only h2', action: 'kv' },
              hosts: {
                h1: { status: 'skipped', changed: false, msg: 'condition is false: "inventory_hostname == \'h2\'"', diff: [], commands: [], duration_ms: 0 },
                h2: { status: 'changed', changed: true, diff: [{ subject: 'b', before: null, after: '1' }], commands: ['printf %s 1 > b'], duration_ms: 0 },
              },
            },
            {
              task: { name: 'may fail', action: 'kv' },
              hosts: { h1: { status: 'ok', changed: false, noop: 'c is 1', diff: [], commands: [], duration_ms: 0 }, h2: readOnlyFailure('c') },
            },
            {
              task: { name: 'must work', action: 'kv' },
              hosts: { h1: { status: 'ok', changed: false, noop: 'd is 1', diff: [], commands: [], duration_ms: 0 }, h2: readOnlyFailure('d') },
            },
            {
              task: { name: 'done', action: 'kv', handler: true },
              hosts: { h1: { status: 'changed', changed: true, diff: [{ subject: 'h', before: null, after: 'ran' }], commands: ['printf %s ran > h'], duration_ms: 0 } },
            },
          ],
        },
        {
          play: { name: 'db', hosts: ['h1'] },
          tasks: [
            {
              task: { name: 'set e', action: 'kv' },
              hosts: { h1: { status: 'changed', changed: true, diff: [{ subject: 'e', before: null, after: '1' }], commands: ['printf %s 1 > e'], duration_ms: 0 } },
            },
          ],
        },
      ],
      stats: {
        h1: { ok: 5, changed: 3, failures: 0, unreachable: 0, skipped: 1, ignored: 0, rescued: 0 },
        h2: { ok: 2, changed: 1, failures: 1, unreachable: 0, skipped: 0, ignored: 1, rescued: 0 },
        h3: { ok: 0, changed: 0, failures: 0, unreachable: 1, skipped: 0, ignored: 0, rescued: 0 },
      },
      connections: { h1: { connections: 1, channels: 6 }, h2: { connections: 1, channels: 5 }, h3: { connections: 0, channels: 0 } },
      check_mode: false,
      duration_ms: 0,
    });
  });

  it('marks check mode, and where each host stopped when interrupted', async () => {
    const events = await recordedRun({ check: true });
    const finished = events.at(-1)!;
    if (finished.kind !== 'run-finished') throw new Error('the last event is not run-finished');
    const report = reportOf([...events.slice(0, -1), { ...finished, interrupted: { h1: "after 'set a'", h2: 'before its first task' } }]);
    expect(report.check_mode).toBe(true);
    expect(report.interrupted).toEqual({ h1: "after 'set a'", h2: 'before its first task' });
    expect(report.plays[0].tasks[0].hosts.h1).toEqual({ status: 'changed', changed: true, check_mode: true, diff: [{ subject: 'a', before: '0', after: '1' }], commands: ['printf %s 1 > a'], duration_ms: 0 });
  });

  it('has no result before the run has finished', async () => {
    const events = await recordedRun();
    const report = new JsonReport();
    events.slice(0, -1).forEach(report.listener);
    expect(() => report.result()).toThrow('the run has not finished');
  });
});
