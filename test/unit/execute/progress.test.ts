/**
 * Progress of a running command (PlannedCommand.progress): each line it writes to fd 3
 * becomes a task-progress event as it arrives, on the task's host (also when delegated),
 * redacted, and never for a secret task.
 */
import type { TaskUnit } from '../../../src/engine/compile/compiled-run';
import { HostRun } from '../../../src/engine/execute/host-run';
import { keyValueHost, ScriptedConnector, type Answer } from '../../support/scripted-shell';
import { linesOf, runScripted } from './scripted-run';
import { kvDrain } from './test-tasks';

const draining = (command: string): Answer | undefined =>
  command === 'drain a' ? { progress: ['3 connections left', '1 connection left from hunter2'], stdout: 'idle after 2s\n' } : undefined;

const PLAYBOOK = (extra = '') => `
- name: roll
  hosts: h1
  tasks:
    - { name: drain a, kv_drain: { key: a }${extra} }
`;

/** Runs the kv_drain unit on a scripted h1 with a redactor, collecting what onProgress hears. */
async function heard(secret: boolean): Promise<string[]> {
  const connector = new ScriptedConnector({ h1: keyValueHost({}, draining) });
  const shell = await connector.open('h1', { host: '127.0.0.1', port: 22 } as never);
  const unit: TaskUnit = { module: kvDrain, args: { key: 'a' }, context: { host: 'h1', templates: {}, files: {}, expressions: {} }, secret };
  const texts: string[] = [];
  const settings = { check: false, commandTimeoutMs: 1000, redact: (text: string) => text.replace(/hunter2/g, '********') };
  await new HostRun('h1', shell, settings, [unit]).runUnit(unit, (text) => texts.push(text));
  return texts;
}

describe('task progress', () => {
  it('reaches the listener line by line between the task starting and finishing; the result keeps only stdout', async () => {
    const { events, report } = await runScripted(PLAYBOOK(), { h1: keyValueHost({}, draining) });
    expect(linesOf(events, 'h1')).toEqual([
      'h1 connected',
      'h1 started drain a',
      'h1 progress drain a: 3 connections left',
      'h1 progress drain a: 1 connection left from hunter2',
      'h1 finished drain a ok',
      'h1 ok',
    ]);
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'ok', stdout: 'idle after 2s' });
  });

  it('is told on the task host when the task is delegated', async () => {
    const { events } = await runScripted(PLAYBOOK(', delegate_to: h2'), { h1: keyValueHost(), h2: keyValueHost({}, draining) }, { inventory: 'h1,h2,' });
    expect(linesOf(events, 'h1')).toEqual(expect.arrayContaining(['h1 progress drain a: 3 connections left']));
  });

  it('is redacted, and not told at all for a task that holds a secret', async () => {
    expect(await heard(false)).toEqual(['3 connections left', '1 connection left from ********']);
    expect(await heard(true)).toEqual([]);
  });
});
