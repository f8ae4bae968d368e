/**
 * Blocks, includes and handler flushes as the executor runs them on a host: a failure in a
 * block runs its rescue and the host goes on (the recap counts it rescued, not failed);
 * always runs after either; a failure no rescue takes stops the host after always; included
 * tasks run once per loop item with their own rows; handlers flush between sections.
 */
import { keyValueHost } from '../../support/scripted-shell';
import { linesOf, runScripted } from './scripted-run';

const readOnly = (key: string) => (command: string) => (command === `printf %s 1 > ${key}` ? { stderr: `sh: 1: cannot create ${key}: Read-only file system\n`, exitCode: 2 } : undefined);

const BLOCK = `
- hosts: all
  tasks:
    - name: guarded
      block:
        - { name: set a, kv: { key: a, value: '1' } }
        - { name: set b, kv: { key: b, value: '1' } }
      rescue:
        - { name: set r, kv: { key: r, value: '1' } }
      always:
        - { name: set z, kv: { key: z, value: '1' } }
    - { name: set c, kv: { key: c, value: '1' } }
`;

describe('a block', () => {
  it('that succeeds skips its rescue and runs always, then the tasks after it', async () => {
    const { events, report, exitCode } = await runScripted(BLOCK, { h1: keyValueHost({}) });
    expect(linesOf(events, 'h1').filter((line) => line.includes('finished'))).toEqual(['h1 finished set a changed', 'h1 finished set b changed', 'h1 finished set z changed', 'h1 finished set c changed']);
    expect(report.stats.h1).toEqual({ ok: 4, changed: 4, failures: 0, unreachable: 0, skipped: 0, ignored: 0, rescued: 0 });
    expect(exitCode).toBe(0);
  });

  it('that fails runs rescue and always; the host goes on and counts rescued, not failed', async () => {
    const h1 = keyValueHost({}, readOnly('a'));
    const { events, report, exitCode } = await runScripted(BLOCK, { h1 });
    expect(linesOf(events, 'h1').filter((line) => line.includes('finished'))).toEqual(['h1 finished set a failed', 'h1 finished set r changed', 'h1 finished set z changed', 'h1 finished set c changed']);
    const failed = events.find((event) => event.kind === 'task-finished' && event.task.name === 'set a');
    expect(failed).toMatchObject({ rescued: true });
    expect(report.stats.h1).toEqual({ ok: 3, changed: 3, failures: 0, unreachable: 0, skipped: 0, ignored: 0, rescued: 1 });
    expect(exitCode).toBe(0);
    expect([...h1.state.keys()].sort()).toEqual(['c', 'r', 'z']);
  });

  it('whose rescue fails too runs always, then stops the host as failed', async () => {
    const host = keyValueHost({}, (command) => readOnly('a')(command) ?? readOnly('r')(command));
    const { events, report, exitCode } = await runScripted(BLOCK, { h1: host });
    expect(linesOf(events, 'h1').filter((line) => line.includes('finished') || line === 'h1 failed')).toEqual(['h1 finished set a failed', 'h1 finished set r failed', 'h1 finished set z changed', 'h1 failed']);
    // Ansible counts the failure the rescue took, and the rescue's own failure.
    expect(report.stats.h1).toMatchObject({ failures: 1, rescued: 1 });
    expect(exitCode).toBe(2);
  });

  it('without rescue runs always after a failure and stops the host; nested, the outer rescue takes it', async () => {
    const nested = `
- hosts: all
  tasks:
    - block:
        - block:
            - { name: set a, kv: { key: a, value: '1' } }
            - { name: set b, kv: { key: b, value: '1' } }
          always:
            - { name: inner always, kv: { key: i, value: '1' } }
        - { name: after inner, kv: { key: n, value: '1' } }
      rescue:
        - { name: outer rescue, kv: { key: r, value: '1' } }
    - { name: set c, kv: { key: c, value: '1' } }
`;
    const { events, report } = await runScripted(nested, { h1: keyValueHost({}, readOnly('a')) });
    expect(linesOf(events, 'h1').filter((line) => line.includes('finished'))).toEqual(['h1 finished set a failed', 'h1 finished inner always changed', 'h1 finished outer rescue changed', 'h1 finished set c changed']);
    expect(report.stats.h1).toMatchObject({ failures: 0, rescued: 1 });
    const alone = `
- hosts: all
  tasks:
    - block:
        - { name: set a, kv: { key: a, value: '1' } }
      always:
        - { name: set z, kv: { key: z, value: '1' } }
    - { name: set c, kv: { key: c, value: '1' } }
`;
    const run = await runScripted(alone, { h1: keyValueHost({}, readOnly('a')) });
    expect(linesOf(run.events, 'h1').filter((line) => line.includes('finished') || line === 'h1 failed')).toEqual(['h1 finished set a failed', 'h1 finished set z changed', 'h1 failed']);
    expect(run.report.stats.h1).toMatchObject({ failures: 1, rescued: 0 });
  });

  it("passes its when, vars and tags to its tasks", async () => {
    const yaml = `
- hosts: all
  tasks:
    - block:
        - { name: set a, kv: { key: a, value: '{{ v }}' } }
        - { name: set b, kv: { key: b, value: '{{ v }}' }, vars: { v: own } }
      when: inventory_hostname == 'h1'
      vars: { v: from-block }
      tags: [blk]
    - { name: set c, kv: { key: c, value: '1' } }
`;
    const h1 = keyValueHost({});
    const { events } = await runScripted(yaml, { h1, h2: keyValueHost({}) }, { tags: ['blk'] });
    expect(Object.fromEntries(h1.state)).toEqual({ a: 'from-block', b: 'own' });
    expect(linesOf(events, 'h2').filter((line) => line.includes('finished'))).toEqual(['h2 finished set a skipped', 'h2 finished set b skipped']);
  });
});

describe('include_tasks', () => {
  it('runs the file once per item, each task a row of its own; its when decides the include itself', async () => {
    const yaml = `
- hosts: all
  tasks:
    - name: per key
      include_tasks: "{{ kind }}.yml"
      loop: [x, z]
    - name: never
      include_tasks: missing.yml
      when: false
`;
    const files = { 'keys.yml': "- { name: set key, kv: { key: '{{ item }}', value: '1' } }\n" };
    const h1 = keyValueHost({});
    const { events, report } = await runScripted(yaml, { h1 }, { files, extraVars: { kind: 'keys' } });
    expect(report.plays[0].tasks.map(({ task, hosts }) => `${task.name}${task.included ? ' (included)' : ''}: ${hosts.h1?.status}`)).toEqual([
      'per key: ok',
      'never: skipped',
      'set key (included): changed',
      'set key (included): changed',
    ]);
    // As Ansible counts it: the include is ok once per item it included.
    expect(report.stats.h1).toMatchObject({ ok: 4, changed: 2, skipped: 1 });
    expect(linesOf(events, 'h1').filter((line) => line.includes('finished'))).toEqual(['h1 finished per key ok', 'h1 finished set key changed', 'h1 finished set key changed', 'h1 finished never skipped']);
    const included = events.filter((event) => event.kind === 'task-started' && event.task.includedBy !== undefined);
    expect(included.map((event) => event.kind === 'task-started' && event.task)).toEqual([
      { index: 0, name: 'set key', action: 'kv', handler: false, includedBy: 0 },
      { index: 0, name: 'set key', action: 'kv', handler: false, includedBy: 0 },
    ]);
    expect(Object.fromEntries(h1.state)).toEqual({ x: '1', z: '1' });
  });

  it('whose name reads a registered result is compiled when the host reaches it', async () => {
    const yaml = `
- hosts: all
  tasks:
    - { name: set a, kv: { key: a, value: '1' }, register: first }
    - name: include by result
      include_tasks: "{{ first.diff.0.after }}.yml"
`;
    const files = { '1.yml': '- { name: set c, kv: { key: c, value: "1" } }\n' };
    const h1 = keyValueHost({});
    const { events } = await runScripted(yaml, { h1 }, { files });
    expect(linesOf(events, 'h1').filter((line) => line.includes('finished'))).toEqual(['h1 finished set a changed', 'h1 finished include by result ok', 'h1 finished set c changed']);
    expect(Object.fromEntries(h1.state)).toEqual({ a: '1', c: '1' });
  });
});

describe('handlers', () => {
  it('flush after pre_tasks, after roles and tasks, and after post_tasks, as Ansible does', async () => {
    const yaml = `
- hosts: all
  pre_tasks:
    - { name: pre, kv: { key: p, value: '1' }, notify: done }
  tasks:
    - { name: main, kv: { key: m, value: '1' }, notify: done }
  post_tasks:
    - { name: post, kv: { key: q, value: '1' }, notify: done }
  handlers:
    - { name: done, kv: { key: h, value: '{{ inventory_hostname }}' } }
`;
    const { events } = await runScripted(yaml, { h1: keyValueHost({}) });
    expect(linesOf(events, 'h1').filter((line) => line.includes('finished'))).toEqual([
      'h1 finished pre changed notifies done',
      'h1 finished handler done changed',
      'h1 finished main changed notifies done',
      'h1 finished handler done ok',
      'h1 finished post changed notifies done',
      'h1 finished handler done ok',
    ]);
  });

  it('refuses, before the run, an included task that notifies a handler the play does not have', async () => {
    const yaml = `
- hosts: all
  tasks:
    - include_tasks: notifies.yml
`;
    const files = { 'notifies.yml': '- { name: set a, kv: { key: a, value: "1" }, notify: nobody }\n' };
    await expect(runScripted(yaml, { h1: keyValueHost({}) }, { files })).rejects.toThrow(/notifies\.yml:1:3: set a\.notify: notifies 'nobody', but the play has no such handler/);
  });
});
