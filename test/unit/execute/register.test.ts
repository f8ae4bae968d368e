/**
 * `register`: a later task's `when` or arguments that read a registered result are compiled
 * on the host's turn, from what the run registered there; if they still cannot be, that
 * host's task fails with the reason.
 */
import { keyValueHost } from '../../support/scripted-shell';
import { linesOf, runScripted } from './scripted-run';

const READS_RESULT = `
- hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, register: a_result }
    - { name: when changed, kv: { key: b, value: '1' }, when: a_result.changed }
    - { name: when not changed, kv: { key: c, value: '1' }, when: not a_result.changed }
    - { name: value from result, kv: { key: d, value: '{{ a_result.changed }}' } }
    - { name: value from diff, kv: { key: e, value: 'after={{ a_result.diff.0.after }}' } }
`;

describe('a task that reads a registered result', () => {
  it('decides its condition and renders its arguments on each host from that host’s result', async () => {
    const h1 = keyValueHost({ a: '0' });
    const h2 = keyValueHost({ a: '1' });
    const { events, report, connector } = await runScripted(READS_RESULT, { h1, h2 });
    expect(linesOf(events, 'h1')).toEqual([
      'h1 connected',
      'h1 started set a',
      'h1 finished set a changed',
      'h1 started when changed',
      'h1 finished when changed changed',
      'h1 started when not changed',
      'h1 finished when not changed skipped',
      'h1 started value from result',
      'h1 finished value from result changed',
      'h1 started value from diff',
      'h1 finished value from diff changed',
      'h1 ok',
    ]);
    expect(Object.fromEntries(h1.state)).toEqual({ a: '1', b: '1', d: 'true', e: 'after=1' });
    expect(report.plays[0].tasks[2].hosts.h1).toEqual({ status: 'skipped', changed: false, msg: 'condition is false: "not a_result.changed"', diff: [], commands: [], duration_ms: 0 });
    expect(linesOf(events, 'h2').filter((line) => line.includes('finished'))).toEqual([
      'h2 finished set a ok',
      'h2 finished when changed skipped',
      'h2 finished when not changed changed',
      'h2 finished value from result changed',
      'h2 finished value from diff failed',
    ]);
    expect(Object.fromEntries(h2.state)).toEqual({ a: '1', c: '1', d: 'false' });
    // a_result.diff is empty on h2: the deferred compile fails that host's task, with the reason.
    expect(report.plays[0].tasks[4].hosts.h2).toEqual({ status: 'failed', changed: false, failed: true, msg: "undefined variable 'a_result.diff.0.after'", diff: [], commands: [], duration_ms: 0 });
    // A deferred task is not known in advance, so its facts are read on its turn.
    expect(connector.execsOf('h2')).toEqual([
      { apply: [], read: ['cat a'] },
      { apply: [], read: ['cat c'] },
      { apply: ['printf %s 1 > c'], read: ['cat c'] },
      { apply: [], read: ['cat d'] },
      { apply: ['printf %s false > d'], read: ['cat d'] },
    ]);
  });

  it('fails on the host when its condition reads a field the result lacks', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, register: r }
    - { name: reads nothing, kv: { key: b, value: '1' }, when: r.nothing }
    - { name: after, kv: { key: c, value: '1' } }
`;
    const { events, report, exitCode } = await runScripted(playbook, { h1: keyValueHost({ a: '1' }) });
    expect(linesOf(events, 'h1')).toEqual(['h1 connected', 'h1 started set a', 'h1 finished set a ok', 'h1 started reads nothing', 'h1 finished reads nothing failed', 'h1 failed']);
    expect(report.plays[0].tasks[1].hosts.h1.msg).toBe("when: undefined variable 'r.nothing' in condition 'r.nothing' (test it with 'is defined')");
    expect(exitCode).toBe(2);
  });

  it('sees what a task registered in an earlier play, and what a skipped task registered', async () => {
    const playbook = `
- name: one
  hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, register: first }
    - { name: never runs, kv: { key: z, value: '1' }, when: false, register: skipped_one }
- name: two
  hosts: all
  tasks:
    - { name: copy, kv: { key: b, value: 'changed={{ first.changed }} skipped={{ skipped_one.skipped }}' } }
`;
    const host = keyValueHost({ a: '0' });
    const { exitCode } = await runScripted(playbook, { h1: host });
    expect(exitCode).toBe(0);
    expect(host.state.get('b')).toBe('changed=true skipped=true');
  });

  it('reads the registered results of a loop item by item', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: many, kv: { key: '{{ item }}', value: x }, loop: [a, b], register: many }
    - { name: summary, kv: { key: s, value: '{{ many.results.0.changed }}/{{ many.results.1.changed }}/{{ many.changed }}' } }
`;
    const host = keyValueHost({ a: 'x' });
    await runScripted(playbook, { h1: host });
    expect(host.state.get('s')).toBe('false/true/true');
  });

  // Ansible: a variable registered by an earlier task is defined when the later task runs,
  // even if that task was skipped, so `is defined` on it holds.
  // So a condition that names a registered variable is decided when its task's turn comes.
  it('treats a registered variable as defined once its task has run', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, register: r }
    - { name: if defined, kv: { key: b, value: '1' }, when: r is defined }
    - { name: if not defined, kv: { key: c, value: '1' }, when: r is not defined }
`;
    const host = keyValueHost({ a: '1' });
    const { events } = await runScripted(playbook, { h1: host });
    expect(linesOf(events, 'h1').filter((line) => line.includes('finished'))).toEqual(['h1 finished set a ok', 'h1 finished if defined changed', 'h1 finished if not defined skipped']);
  });
});
