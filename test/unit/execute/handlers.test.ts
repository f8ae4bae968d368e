/** Handlers: notified only by a change, run once after the tasks, in the play's handler order. */
import { keyValueHost } from '../../support/scripted-shell';
import { linesOf, runScripted } from './scripted-run';

const PLAYBOOK = `
- name: web
  hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, notify: [second, first] }
    - { name: set b, kv: { key: b, value: '1' }, notify: second }
    - { name: keep c, kv: { key: c, value: '1' }, notify: third }
    - { name: set d, kv: { key: d, value: '1' }, notify: config changed }
  handlers:
    - { name: first, kv: { key: h1, value: ran } }
    - { name: second, kv: { key: h2, value: ran } }
    - { name: third, kv: { key: h3, value: ran } }
    - { name: fourth, kv: { key: h4, value: ran }, listen: config changed }
`;

describe('handlers', () => {
  it('run once each, after all tasks, in handler order, for changes only, and answer to listen', async () => {
    const changing = keyValueHost({ a: '0', b: '0', c: '1', d: '0' });
    const { events, connector } = await runScripted(PLAYBOOK, { h1: changing });
    expect(linesOf(events, 'h1')).toEqual([
      'h1 connected',
      'h1 started set a',
      'h1 finished set a changed notifies second, first',
      'h1 started set b',
      'h1 finished set b changed notifies second',
      'h1 started keep c',
      'h1 finished keep c ok',
      'h1 started set d',
      'h1 finished set d changed notifies config changed',
      'h1 started handler first',
      'h1 finished handler first changed',
      'h1 started handler second',
      'h1 finished handler second changed',
      'h1 started handler fourth',
      'h1 finished handler fourth changed',
      'h1 ok',
    ]);
    const handlerRefs = events.flatMap((event) => (event.kind === 'task-started' && event.task.handler ? [[event.task.index, event.task.name]] : []));
    expect(handlerRefs).toEqual([
      [0, 'first'],
      [1, 'second'],
      [3, 'fourth'],
    ]);
    expect(Object.fromEntries(changing.state)).toEqual({ a: '1', b: '1', c: '1', d: '1', h1: 'ran', h2: 'ran', h4: 'ran' });
    // Handlers are not read ahead with the tasks: each one reads its facts, then applies.
    expect(connector.execsOf('h1')).toEqual([
      { apply: [], read: ['cat a', 'cat b', 'cat c', 'cat d'] },
      { apply: ['printf %s 1 > a'], read: ['cat a', 'cat b', 'cat c', 'cat d'] },
      { apply: ['printf %s 1 > b'], read: ['cat b', 'cat c', 'cat d'] },
      { apply: ['printf %s 1 > d'], read: ['cat d'] },
      { apply: [], read: ['cat h1'] },
      { apply: ['printf %s ran > h1'], read: ['cat h1'] },
      { apply: [], read: ['cat h2'] },
      { apply: ['printf %s ran > h2'], read: ['cat h2'] },
      { apply: [], read: ['cat h4'] },
      { apply: ['printf %s ran > h4'], read: ['cat h4'] },
    ]);
  });

  it('do not run on a host where nothing changed, while they do on the host that changed', async () => {
    const { events, connector, report } = await runScripted(PLAYBOOK, {
      h1: keyValueHost({ a: '1', b: '1', c: '1', d: '0' }),
      h2: keyValueHost({ a: '1', b: '1', c: '1', d: '1' }),
    });
    expect(linesOf(events, 'h1').filter((line) => line.includes('handler'))).toEqual(['h1 started handler fourth', 'h1 finished handler fourth changed']);
    expect(linesOf(events, 'h2')).toEqual([
      'h2 connected',
      'h2 started set a',
      'h2 finished set a ok',
      'h2 started set b',
      'h2 finished set b ok',
      'h2 started keep c',
      'h2 finished keep c ok',
      'h2 started set d',
      'h2 finished set d ok',
      'h2 ok',
    ]);
    expect(connector.execsOf('h2')).toEqual([{ apply: [], read: ['cat a', 'cat b', 'cat c', 'cat d'] }]);
    expect(report.stats).toEqual({
      h1: { ok: 5, changed: 2, failures: 0, unreachable: 0, skipped: 0, ignored: 0, rescued: 0 },
      h2: { ok: 4, changed: 0, failures: 0, unreachable: 0, skipped: 0, ignored: 0, rescued: 0 },
    });
  });

  it('that find nothing to do count as ok', async () => {
    const { events } = await runScripted(PLAYBOOK, { h1: keyValueHost({ a: '0', b: '1', c: '1', d: '1', h1: 'ran', h2: 'ran' }) });
    expect(linesOf(events, 'h1').filter((line) => line.includes('handler'))).toEqual([
      'h1 started handler first',
      'h1 finished handler first ok',
      'h1 started handler second',
      'h1 finished handler second ok',
    ]);
  });
});
