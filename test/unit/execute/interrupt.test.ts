/**
 * Ctrl-C: the executor lets the running tasks finish and starts no new one, no new serial
 * batch and no new play; run-finished says where each host stopped.
 */
import type { Interruption } from '../../../src/engine/execute/executor';
import { keyValueHost } from '../../support/scripted-shell';
import { eventLines, linesOf, runScripted, TWO_PLAYS } from './scripted-run';


/** A host that asks for an interruption while it runs `command`. */
function interruptsAt(interruption: Interruption, command: string) {
  return keyValueHost({}, (text) => {
    if (text === command) interruption.requested = true;
    return undefined;
  });
}

describe('an interruption', () => {
  it('lets the running task finish and starts no other task, handler or play', async () => {
    const interruption: Interruption = { requested: false };
    const host = interruptsAt(interruption, 'printf %s 1 > b');
    const { events, exitCode, report } = await runScripted(TWO_PLAYS, { h1: host }, { interruption });
    expect(eventLines(events)).toEqual([
      'batch started first: h1',
      'h1 connected',
      'h1 started set a',
      'h1 finished set a changed notifies done',
      'h1 started set b',
      'h1 finished set b changed',
      'h1 interrupted',
      'batch finished first: h1',
      'run finished (interrupted)',
    ]);
    expect(host.state.get('b')).toBe('1');
    const finished = events.at(-1);
    expect(finished?.kind === 'run-finished' && finished.interrupted).toEqual({ h1: "after 'set b'" });
    expect(report.interrupted).toEqual({ h1: "after 'set b'" });
    expect(exitCode).toBe(99);
  });

  it('stops each host after the task it was running', async () => {
    const interruption: Interruption = { requested: false };
    const slow = keyValueHost({});
    slow.latencyMs = 50;
    const { events } = await runScripted(TWO_PLAYS, { h1: interruptsAt(interruption, 'printf %s 1 > b'), h2: slow }, { interruption });
    expect(linesOf(events, 'h2')).toEqual(['h2 connected', 'h2 started set a', 'h2 finished set a changed notifies done', 'h2 interrupted']);
    const finished = events.at(-1);
    expect(finished?.kind === 'run-finished' && finished.interrupted).toEqual({ h1: "after 'set b'", h2: "after 'set a'" });
  });

  it('starts no host that was waiting for a fork, and does not connect to it', async () => {
    const interruption: Interruption = { requested: false };
    const { events, connector } = await runScripted(TWO_PLAYS, { h1: interruptsAt(interruption, 'printf %s 1 > b'), h2: keyValueHost({}) }, { interruption, forks: 1 });
    expect(linesOf(events, 'h2')).toEqual(['h2 interrupted']);
    expect(connector.opens).toEqual(['h1']);
    const finished = events.at(-1);
    expect(finished?.kind === 'run-finished' && finished.interrupted).toEqual({ h1: "after 'set b'", h2: 'before its first task' });
  });

  it('starts no further serial batch', async () => {
    const interruption: Interruption = { requested: false };
    const playbook = `
- name: roll
  hosts: all
  serial: 1
  tasks:
    - { name: set a, kv: { key: a, value: '1' } }
    - { name: set b, kv: { key: b, value: '1' } }
`;
    const { events, connector } = await runScripted(playbook, { h1: interruptsAt(interruption, 'printf %s 1 > a'), h2: keyValueHost({}) }, { interruption });
    expect(eventLines(events)).toEqual([
      'batch started roll: h1',
      'h1 connected',
      'h1 started set a',
      'h1 finished set a changed',
      'h1 interrupted',
      'batch finished roll: h1',
      'run finished (interrupted)',
    ]);
    expect(connector.opens).toEqual(['h1']);
    const finished = events.at(-1);
    expect(finished?.kind === 'run-finished' && finished.interrupted).toEqual({ h1: "after 'set a'", h2: 'before its first task' });
  });
});
