/**
 * Round trips, the cost that matters over SSH: a no-op run costs one exec per host and
 * user, a converge one more per changed task; facts are read ahead only for tasks that run
 * as the same user, and each exec carries the become of its task.
 */
import { keyValueHost } from '../../support/scripted-shell';
import { runScripted } from './scripted-run';

const FOUR_TASKS = `
- name: one
  hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' } }
    - { name: set b, kv: { key: b, value: '1' } }
- name: two
  hosts: all
  tasks:
    - { name: set c, kv: { key: c, value: '1' } }
    - { name: set d, kv: { key: d, value: '1' } }
`;
const ALL_SET = { a: '1', b: '1', c: '1', d: '1' };

describe('round trips', () => {
  it('a no-op run of a whole playbook costs exactly one exec per host', async () => {
    const { connector, report } = await runScripted(FOUR_TASKS, { h1: keyValueHost(ALL_SET), h2: keyValueHost(ALL_SET) });
    for (const host of ['h1', 'h2']) expect(connector.execsOf(host)).toEqual([{ apply: [], read: ['cat a', 'cat b', 'cat c', 'cat d'] }]);
    expect(report.connections).toEqual({ h1: { connections: 1, channels: 1 }, h2: { connections: 1, channels: 1 } });
    expect(connector.opens.sort()).toEqual(['h1', 'h1', 'h2', 'h2']);
  });

  it('a converge costs one more exec per changed task, which reads back what is ahead', async () => {
    const { connector } = await runScripted(FOUR_TASKS, { h1: keyValueHost({ a: '0', b: '1', c: '1', d: '0' }) });
    expect(connector.execsOf('h1')).toEqual([
      { apply: [], read: ['cat a', 'cat b', 'cat c', 'cat d'] },
      { apply: ['printf %s 1 > a'], read: ['cat a', 'cat b', 'cat c', 'cat d'] },
      { apply: ['printf %s 1 > d'], read: ['cat d'] },
    ]);
  });

  it('a task ahead sees the host as a change left it, without another read', async () => {
    // set b writes the value set a wrote over: after set a, b reads as 1 already.
    const linked = keyValueHost({ a: '0', b: '0', c: '1', d: '1' }, (command, _become, state) => {
      if (command !== 'printf %s 1 > a') return undefined;
      state.set('a', '1');
      state.set('b', '1');
      return {};
    });
    const { connector, report } = await runScripted(FOUR_TASKS, { h1: linked });
    expect(report.plays[0].tasks[1].hosts.h1).toMatchObject({ status: 'ok', noop: 'b is 1' });
    expect(connector.execsOf('h1')).toEqual([
      { apply: [], read: ['cat a', 'cat b', 'cat c', 'cat d'] },
      { apply: ['printf %s 1 > a'], read: ['cat a', 'cat b', 'cat c', 'cat d'] },
    ]);
  });
});

describe('become per task', () => {
  const MIXED = `
- name: tasks choose
  hosts: all
  tasks:
    - { name: as login, kv: { key: a, value: '1' } }
    - { name: as root, kv: { key: b, value: '1' }, become: true }
    - { name: as postgres, kv: { key: c, value: '1' }, become: true, become_user: postgres }
    - { name: as login again, kv: { key: d, value: '1' } }
    - { name: as root again, kv: { key: e, value: '1' }, become: true }
- name: play becomes
  hosts: all
  become: true
  tasks:
    - { name: from the play, kv: { key: f, value: '1' } }
    - { name: task says no, kv: { key: g, value: '1' }, become: false }
`;
  const IN_PLACE = { a: '1', b: '1', c: '1', d: '1', e: '1', f: '1', g: '1' };

  it('reads ahead only the facts of tasks with the same become, one exec per identity', async () => {
    const { connector } = await runScripted(MIXED, { h1: keyValueHost(IN_PLACE) });
    expect(connector.execsOf('h1')).toEqual([
      { apply: [], read: ['cat a', 'cat d', 'cat g'] },
      { become: { user: 'root' }, apply: [], read: ['cat b', 'cat e', 'cat f'] },
      { become: { user: 'postgres' }, apply: [], read: ['cat c'] },
    ]);
  });

  it('applies a change as the task’s user; the change clears what other users read, so they read again', async () => {
    const { connector } = await runScripted(MIXED, { h1: keyValueHost({ ...IN_PLACE, b: '0' }) });
    expect(connector.execsOf('h1')).toEqual([
      { apply: [], read: ['cat a', 'cat d', 'cat g'] },
      { become: { user: 'root' }, apply: [], read: ['cat b', 'cat e', 'cat f'] },
      { become: { user: 'root' }, apply: ['printf %s 1 > b'], read: ['cat b', 'cat e', 'cat f'] },
      { become: { user: 'postgres' }, apply: [], read: ['cat c'] },
      { apply: [], read: ['cat d', 'cat g'] },
    ]);
  });

  it('takes the user and password of the host’s ansible_become variables, and a task can turn it off', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: host says become, kv: { key: a, value: '1' } }
    - { name: task says no, kv: { key: b, value: '1' }, become: false }
`;
    const { connector } = await runScripted(playbook, { h1: keyValueHost({ a: '1', b: '1' }) }, {
      extraVars: { ansible_become: true, ansible_become_user: 'admin', ansible_become_password: 'pw' },
    });
    expect(connector.execsOf('h1')).toEqual([
      { become: { user: 'admin', password: 'pw' }, apply: [], read: ['cat a'] },
      { apply: [], read: ['cat b'] },
    ]);
  });
});
