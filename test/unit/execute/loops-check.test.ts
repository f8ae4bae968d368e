/** Loops (one unit per item, one aggregated result) and check mode (facts and plan, never apply). */
import { formatRecap } from '../../../src/render/recap';
import { keyValueHost } from '../../support/scripted-shell';
import { linesOf, runScripted } from './scripted-run';

const loopOf = (items: string, extra = '') => `
- hosts: all
  tasks:
    - { name: many, kv: { key: '{{ item }}', value: x }, loop: ${items}${extra} }
    - { name: after, kv: { key: z, value: x } }
`;

describe('a loop', () => {
  it('runs one unit per item and reports one result that holds them all', async () => {
    const host = keyValueHost({ a: 'x', z: 'x' });
    const { report, connector } = await runScripted(loopOf('[a, b, c]'), { h1: host });
    const item = (key: string, changed: boolean) =>
      changed
        ? { status: 'changed', changed: true, item: key, diff: [{ subject: key, before: null, after: 'x' }], commands: [`printf %s x > ${key}`], duration_ms: expect.any(Number) }
        : { status: 'ok', changed: false, item: key, noop: `${key} is x`, diff: [], commands: [], duration_ms: expect.any(Number) };
    expect(report.plays[0].tasks[0].hosts.h1).toEqual({
      status: 'changed',
      changed: true,
      diff: [
        { subject: 'b', before: null, after: 'x' },
        { subject: 'c', before: null, after: 'x' },
      ],
      commands: ['printf %s x > b', 'printf %s x > c'],
      results: [item('a', false), item('b', true), item('c', true)],
      duration_ms: expect.any(Number),
    });
    expect(Object.fromEntries(host.state)).toEqual({ a: 'x', b: 'x', c: 'x', z: 'x' });
    // The items are units like tasks: read ahead together, one apply per changed item.
    expect(connector.execsOf('h1')).toEqual([
      { apply: [], read: ['cat a', 'cat b', 'cat c', 'cat z'] },
      { apply: ['printf %s x > b'], read: ['cat b', 'cat c', 'cat z'] },
      { apply: ['printf %s x > c'], read: ['cat c', 'cat z'] },
    ]);
    expect(report.stats.h1).toEqual({ ok: 2, changed: 1, failures: 0, unreachable: 0, skipped: 0, ignored: 0, rescued: 0 });
  });

  it('that changes nothing joins the items’ no-op reasons', async () => {
    const { report } = await runScripted(loopOf('[a, b]'), { h1: keyValueHost({ a: 'x', b: 'x', z: 'x' }) });
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'ok', changed: false, noop: 'a is x; b is x' });
  });

  it('that fails at one item still runs the others, and fails the task with that item’s message', async () => {
    const host = keyValueHost({}, (command) => (command === 'printf %s x > b' ? { stderr: 'no space left\n', exitCode: 1 } : undefined));
    const { report, events } = await runScripted(loopOf('[a, b, c]'), { h1: host });
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'failed', changed: true, failed: true, msg: 'printf %s x > b exited 1: no space left' });
    expect(report.plays[0].tasks[0].hosts.h1.results?.map((result) => result.status)).toEqual(['changed', 'failed', 'changed']);
    expect(linesOf(events, 'h1').slice(-2)).toEqual(['h1 finished many failed', 'h1 failed']);
  });

  it('with a condition on the item runs only the items it holds for', async () => {
    const host = keyValueHost({ z: 'x' });
    const { report } = await runScripted(loopOf('[a, b, c]', ", when: item != 'b'"), { h1: host });
    expect(report.plays[0].tasks[0].hosts.h1.results?.map((result) => result.item)).toEqual(['a', 'c']);
    expect([...host.state.keys()].sort()).toEqual(['a', 'c', 'z']);
  });

  it.each([
    { items: '[]', extra: '', reason: 'the loop is empty' },
    { items: '[a, b]', extra: ", when: item == 'q'", reason: 'condition is false: "item == \'q\'"' },
  ])('over $items$extra is skipped: $reason', async ({ items, extra, reason }) => {
    const { report } = await runScripted(loopOf(items, extra), { h1: keyValueHost({ z: 'x' }) });
    expect(report.plays[0].tasks[0].hosts.h1).toEqual({ status: 'skipped', changed: false, msg: reason, diff: [], commands: [], duration_ms: 0 });
    expect(report.stats.h1).toEqual({ ok: 1, changed: 0, failures: 0, unreachable: 0, skipped: 1, ignored: 0, rescued: 0 });
  });
});

describe('check mode', () => {
  const PLAYBOOK = `
- hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, notify: done }
    - { name: set b, kv: { key: b, value: '1' } }
  handlers:
    - { name: done, kv: { key: h, value: ran } }
`;

  it('reads facts and plans, never applies, and reports would-be changes with check_mode', async () => {
    const host = keyValueHost({ a: '0', b: '1' });
    const { report, connector, events, exitCode } = await runScripted(PLAYBOOK, { h1: host }, { check: true });
    expect(report.plays[0].tasks[0].hosts.h1).toEqual({
      status: 'changed',
      changed: true,
      check_mode: true,
      diff: [{ subject: 'a', before: '0', after: '1' }],
      commands: ['printf %s 1 > a'],
      duration_ms: expect.any(Number),
    });
    expect(report.plays[0].tasks[1].hosts.h1).toMatchObject({ status: 'ok', noop: 'b is 1' });
    // The notified handler runs in check mode too: it only reads.
    expect(linesOf(events, 'h1').slice(-3)).toEqual(['h1 started handler done', 'h1 finished handler done changed', 'h1 ok']);
    expect(connector.execsOf('h1')).toEqual([
      { apply: [], read: ['cat a', 'cat b'] },
      { apply: [], read: ['cat h'] },
    ]);
    expect(Object.fromEntries(host.state)).toEqual({ a: '0', b: '1' });
    expect(report.check_mode).toBe(true);
    expect(exitCode).toBe(0);
    expect(formatRecap(report).split('\n').slice(-2)).toEqual(['', 'CHECK MODE: nothing was changed; "changed" means "would change".']);
  });
});
