/**
 * What a failure costs: a failing task stops its host only; ignore_errors lets it pass; a
 * task whose change does not take, a batch that ends early and a host that cannot be
 * reached or drops mid-run each fail that host with the reason, and the recap counts it.
 */
import { UnreachableError } from '../../../src/errors';
import { formatRecap } from '../../../src/render/recap';
import { keyValueHost, unreachableHost } from '../../support/scripted-shell';
import { eventLines, linesOf, runScripted, TWO_PLAYS } from './scripted-run';


const THREE_TASKS = `
- name: play
  hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' } }
    - { name: set b, kv: { key: b, value: '1' } }
    - { name: set c, kv: { key: c, value: '1' } }
`;

const readOnly = (key: string) => (command: string) => (command === `printf %s 1 > ${key}` || command === `printf %s touched > ${key}` ? { stderr: `sh: 1: cannot create ${key}: Read-only file system\n`, exitCode: 2 } : undefined);

describe('a failing task', () => {
  it('stops its host only: no later task, no handler, no later play there; the others go on', async () => {
    const { events, report, exitCode } = await runScripted(TWO_PLAYS, { h1: keyValueHost({}, readOnly('b')), h2: keyValueHost({}) });
    expect(linesOf(events, 'h1')).toEqual(['h1 connected', 'h1 started set a', 'h1 finished set a changed notifies done', 'h1 started set b', 'h1 finished set b failed', 'h1 failed']);
    expect(linesOf(events, 'h2')).toEqual([
      'h2 connected',
      'h2 started set a',
      'h2 finished set a changed notifies done',
      'h2 started set b',
      'h2 finished set b changed',
      'h2 started set c',
      'h2 finished set c changed',
      'h2 started handler done',
      'h2 finished handler done changed',
      'h2 ok',
      'h2 connected',
      'h2 started set e',
      'h2 finished set e changed',
      'h2 ok',
    ]);
    expect(eventLines(events).filter((line) => line.startsWith('batch started'))).toEqual(['batch started first: h1 h2', 'batch started second: h2']);
    expect(report.plays[0].tasks[1].hosts.h1).toEqual({
      status: 'failed',
      changed: false,
      failed: true,
      msg: 'printf %s 1 > b exited 2: sh: 1: cannot create b: Read-only file system',
      diff: [{ subject: 'b', before: null, after: '1' }],
      commands: ['printf %s 1 > b'],
      duration_ms: expect.any(Number),
    });
    expect(report.stats).toEqual({
      h1: { ok: 1, changed: 1, failures: 1, unreachable: 0, skipped: 0, ignored: 0, rescued: 0 },
      h2: { ok: 5, changed: 5, failures: 0, unreachable: 0, skipped: 0, ignored: 0, rescued: 0 },
    });
    expect(exitCode).toBe(2);
  });

  it('with ignore_errors is counted as ignored and the host goes on', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, ignore_errors: true }
    - { name: set b, kv: { key: b, value: '1' } }
`;
    const { events, connector, report, exitCode } = await runScripted(playbook, { h1: keyValueHost({}, readOnly('a')) });
    expect(linesOf(events, 'h1')).toEqual(['h1 connected', 'h1 started set a', 'h1 finished set a failed (ignored)', 'h1 started set b', 'h1 finished set b changed', 'h1 ok']);
    expect(report.stats.h1).toEqual({ ok: 1, changed: 1, failures: 0, unreachable: 0, skipped: 0, ignored: 1, rescued: 0 });
    expect(exitCode).toBe(0);
    // The failed apply may have changed anything, so b's fact, read ahead before it, is read again.
    expect(connector.execsOf('h1')).toEqual([
      { apply: [], read: ['cat a', 'cat b'] },
      { apply: ['printf %s 1 > a'], read: ['cat a', 'cat b'] },
      { apply: [], read: ['cat b'] },
      { apply: ['printf %s 1 > b'], read: ['cat b'] },
    ]);
  });

  it('whose change does not take (the re-plan is not empty) fails as not idempotent', async () => {
    const ignoresWrites = keyValueHost({ a: '0' }, (command) => (command.startsWith('printf') ? {} : undefined));
    const { report, exitCode } = await runScripted(THREE_TASKS, { h1: ignoresWrites });
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({
      status: 'failed',
      failed: true,
      msg: 'not idempotent: after applying, the host still differs (a: "0" -> "1"); this is a bug in the kv task',
      diff: [{ subject: 'a', before: '0', after: '1' }],
      commands: ['printf %s 1 > a'],
    });
    expect(Object.keys(report.plays[0].tasks[1].hosts)).toEqual([]);
    expect(exitCode).toBe(2);
  });
});

describe('a task whose commands are the change (Plan.action)', () => {
  const touch = `
- hosts: all
  tasks:
    - { name: touch a, kv_touch: { key: a } }
`;

  it('is changed on every run, though its re-plan asks for the commands again', async () => {
    const host = keyValueHost({ a: '0' });
    const first = await runScripted(touch, { h1: host });
    expect(first.report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'changed', diff: [{ subject: 'a', before: '0', after: 'touched' }] });
    const second = await runScripted(touch, { h1: host });
    expect(second.report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'changed', diff: [{ subject: 'a', before: 'touched', after: 'touched' }] });
    expect(second.exitCode).toBe(0);
  });

  it('still fails when one of its commands fails', async () => {
    const { report, exitCode } = await runScripted(touch, { h1: keyValueHost({ a: '0' }, readOnly('a')) });
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'failed', msg: 'printf %s touched > a exited 2: sh: 1: cannot create a: Read-only file system' });
    expect(exitCode).toBe(2);
  });
});

describe('a batch that ends early', () => {
  const dies = (when: (command: string, seen: number) => boolean, stderr = 'Killed\n', exitCode = 137) => {
    let seen = 0;
    return keyValueHost({ b: '1', c: '1' }, (command) => (when(command, ++seen) ? { shellDies: { stderr, exitCode } } : undefined));
  };

  it('while reading facts fails the host with the remote stderr and exit code, and no fact parser sees undefined', async () => {
    const { events, report, exitCode } = await runScripted(THREE_TASKS, { h1: dies((command) => command === 'cat b') });
    expect(linesOf(events, 'h1')).toEqual(['h1 connected', 'h1 started set a', 'h1 finished set a failed', 'h1 failed']);
    expect(report.plays[0].tasks[0].hosts.h1).toEqual({
      status: 'failed',
      changed: false,
      failed: true,
      msg: 'sh -s exited 137: Killed (the remote shell stopped after 1 of 3 commands)',
      diff: [],
      commands: [],
      duration_ms: expect.any(Number),
    });
    expect(exitCode).toBe(2);
  });

  it('while reading back after a change fails the host, though the change was made', async () => {
    // The second `cat a` is the read-back after `printf %s 1 > a`.
    let catA = 0;
    const host = keyValueHost({ b: '1', c: '1' }, (command) => (command === 'cat a' && ++catA === 2 ? { shellDies: { stderr: '', exitCode: 255 } } : undefined));
    const { events, connector, report } = await runScripted(THREE_TASKS, { h1: host });
    expect(connector.execsOf('h1')).toEqual([
      { apply: [], read: ['cat a', 'cat b', 'cat c'] },
      { apply: ['printf %s 1 > a'], read: ['cat a', 'cat b', 'cat c'] },
    ]);
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'failed', msg: 'sh -s exited 255 (the remote shell stopped after 1 of 4 commands)' });
    expect(host.state.get('a')).toBe('1');
    expect(linesOf(events, 'h1').at(-1)).toBe('h1 failed');
  });

  it('before its first frame names the exit code alone when stderr is empty', async () => {
    const { report } = await runScripted(THREE_TASKS, { h1: dies((_command, seen) => seen === 1, '', 1) });
    expect(report.plays[0].tasks[0].hosts.h1.msg).toBe('sh -s exited 1 (the remote shell stopped after 0 of 3 commands)');
  });
});

describe('an unreachable host', () => {
  it('at connect is reported under the first task, stops nothing else, and makes the exit code 4', async () => {
    const { events, report, exitCode, connector } = await runScripted(TWO_PLAYS, {
      h1: keyValueHost({ a: '1', b: '1', c: '1', e: '1' }),
      h2: unreachableHost('connect ECONNREFUSED 127.0.0.2:22', 'is sshd running on the host?'),
    });
    expect(linesOf(events, 'h2')).toEqual(['h2 unreachable: connect ECONNREFUSED 127.0.0.2:22 (is sshd running on the host?)', 'h2 unreachable']);
    expect(linesOf(events, 'h1')).toEqual([
      'h1 connected',
      'h1 started set a',
      'h1 finished set a ok',
      'h1 started set b',
      'h1 finished set b ok',
      'h1 started set c',
      'h1 finished set c ok',
      'h1 ok',
      'h1 connected',
      'h1 started set e',
      'h1 finished set e ok',
      'h1 ok',
    ]);
    expect(report.plays.map((play) => play.play)).toEqual([
      { name: 'first', hosts: ['h1', 'h2'] },
      { name: 'second', hosts: ['h1'] },
    ]);
    expect(report.plays[0].tasks.map((task) => Object.keys(task.hosts).sort())).toEqual([['h1', 'h2'], ['h1'], ['h1']]);
    expect(report.plays[0].tasks[0].hosts.h2).toEqual({
      status: 'unreachable',
      changed: false,
      unreachable: true,
      msg: 'connect ECONNREFUSED 127.0.0.2:22 (is sshd running on the host?)',
      diff: [],
      commands: [],
      duration_ms: 0,
    });
    expect(report.stats.h2).toEqual({ ok: 0, changed: 0, failures: 0, unreachable: 1, skipped: 0, ignored: 0, rescued: 0 });
    // h1 read the facts of both plays in one exec.
    expect(report.connections).toEqual({ h1: { connections: 1, channels: 1 }, h2: { connections: 0, channels: 0 } });
    expect(connector.opens.filter((host) => host === 'h2')).toEqual(['h2']);
    expect(exitCode).toBe(4);
  });

  it('mid-task (the connection drops) is unreachable from there on, and the recap says so', async () => {
    const drops = keyValueHost({}, (command) => {
      if (command === 'printf %s 1 > b') throw new UnreachableError('h1', 'connection lost: read ECONNRESET');
      return undefined;
    });
    const { events, report, exitCode } = await runScripted(TWO_PLAYS, { h1: drops, h2: keyValueHost({ a: '1', b: '1', c: '1', e: '1' }) });
    expect(linesOf(events, 'h1')).toEqual(['h1 connected', 'h1 started set a', 'h1 finished set a changed notifies done', 'h1 started set b', 'h1 finished set b unreachable', 'h1 unreachable']);
    expect(report.plays[0].tasks[1].hosts.h1).toMatchObject({ status: 'unreachable', unreachable: true, msg: 'connection lost: read ECONNRESET' });
    expect(report.plays[1].play.hosts).toEqual(['h2']);
    expect(report.stats.h1).toEqual({ ok: 1, changed: 1, failures: 0, unreachable: 1, skipped: 0, ignored: 0, rescued: 0 });
    expect(exitCode).toBe(4);
    expect(formatRecap({ stats: report.stats, check_mode: false }).split('\n')).toEqual([
      `PLAY RECAP ${'*'.repeat(60)}`,
      'h1                        : ok=1    changed=1    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0',
      'h2                        : ok=4    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0',
    ]);
  });
});
