/**
 * The task and play keywords at run time, with the scripted shell: failed_when and
 * changed_when override a result, until runs a task again, run_once runs on one host of the
 * batch and shares its result, delegate_to runs elsewhere one unit at a time, serial lists
 * make the batches, and max_fail_percentage and any_errors_fatal stop the play.
 */
import { formatRecap } from '../../../src/render/recap';
import { keyValueHost, unreachableHost, type Answer } from '../../support/scripted-shell';
import { eventLines, linesOf, runScripted } from './scripted-run';

/** The write of `key` fails the first `times` times, then works. */
const failsFirst = (key: string, times: number) => {
  let failures = 0;
  return (command: string): Answer | undefined => {
    if (!command.startsWith(`printf %s`) || !command.endsWith(`> ${key}`) || failures >= times) return undefined;
    failures++;
    return { stderr: `${key}: busy\n`, exitCode: 1 };
  };
};
const readOnly = (key: string) => (command: string): Answer | undefined => (command.endsWith(`> ${key}`) ? { stderr: `cannot create ${key}: Read-only file system\n`, exitCode: 2 } : undefined);
const writes = (execs: { apply: string[] }[]) => execs.flatMap((exec) => exec.apply);

describe('failed_when and changed_when', () => {
  it('a failure whose failed_when is false is ok; an ok whose failed_when is true fails; a list needs all', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: tolerated, kv: { key: a, value: '1' }, register: r, failed_when: false }
    - { name: judged by the result, kv: { key: b, value: '1' }, register: rb, failed_when: [rb.changed, "inventory_hostname == 'h2'"] }
    - { name: after, kv: { key: c, value: '1' } }
`;
    const { events, report, exitCode } = await runScripted(playbook, { h1: keyValueHost({}, readOnly('a')), h2: keyValueHost({}) });
    expect(linesOf(events, 'h1')).toEqual(['h1 connected', 'h1 started tolerated', 'h1 finished tolerated ok', 'h1 started judged by the result', 'h1 finished judged by the result changed', 'h1 started after', 'h1 finished after changed', 'h1 ok']);
    expect(linesOf(events, 'h2')).toEqual(['h2 connected', 'h2 started tolerated', 'h2 finished tolerated changed', 'h2 started judged by the result', 'h2 finished judged by the result failed', 'h2 failed']);
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'ok', changed: false, failed_when_result: false, msg: 'printf %s 1 > a exited 2: cannot create a: Read-only file system' });
    expect(report.plays[0].tasks[0].hosts.h1.failed).toBeUndefined();
    expect(report.plays[0].tasks[1].hosts.h2).toMatchObject({ status: 'failed', changed: true, failed: true, failed_when_result: true, msg: 'failed_when is true: ["rb.changed","inventory_hostname == \'h2\'"]' });
    expect(report.stats.h2.failures).toBe(1);
    expect(exitCode).toBe(2);
  });

  it('changed_when false makes a change ok and notifies nothing; true makes a no-op changed and notifies', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: quiet, kv: { key: a, value: '1' }, changed_when: false, notify: h }
    - { name: loud, kv: { key: b, value: '1' }, changed_when: true, notify: h }
  handlers:
    - { name: h, kv: { key: h, value: ran } }
`;
    const { events, connector } = await runScripted(playbook, { h1: keyValueHost({ b: '1' }) });
    expect(linesOf(events, 'h1')).toEqual(['h1 connected', 'h1 started quiet', 'h1 finished quiet ok', 'h1 started loud', 'h1 finished loud changed notifies h', 'h1 started handler h', 'h1 finished handler h changed', 'h1 ok']);
    // The quiet change was still made.
    expect(writes(connector.execsOf('h1'))).toEqual(['printf %s 1 > a', 'printf %s ran > h']);
  });

  it('in check mode judge the check result: changed_when false reports no change', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: quiet, kv: { key: a, value: '1' }, changed_when: false }
    - { name: would, kv: { key: b, value: '1' } }
`;
    const { events, connector } = await runScripted(playbook, { h1: keyValueHost({}) }, { check: true });
    expect(linesOf(events, 'h1')).toEqual(['h1 connected', 'h1 started quiet', 'h1 finished quiet ok', 'h1 started would', 'h1 finished would changed', 'h1 ok']);
    expect(writes(connector.execsOf('h1'))).toEqual([]);
  });

  it('a condition that cannot be decided on the host fails the task and says why', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: t, kv: { key: a, value: '1' }, register: r, failed_when: r.stdout == 'x' }
`;
    const { report } = await runScripted(playbook, { h1: keyValueHost({}) });
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({
      status: 'failed',
      failed: true,
      msg: "failed_when: undefined variable 'r.stdout' in condition 'r.stdout == 'x'' (test it with 'is defined')",
    });
  });

  it('see earlier registered results and the loop item, and judge each item on its own', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: first, kv: { key: a, value: '1' }, register: first }
    - name: items
      kv: { key: '{{ item }}', value: '1' }
      loop: [b, c]
      register: r
      failed_when: first.changed and item == 'c'
`;
    const { report } = await runScripted(playbook, { h1: keyValueHost({}) });
    const items = report.plays[0].tasks[1].hosts.h1;
    expect(items.status).toBe('failed');
    expect(items.results?.map((result) => [result.item, result.status])).toEqual([
      ['b', 'changed'],
      ['c', 'failed'],
    ]);
  });
});

describe('until, retries and delay', () => {
  it('runs the task again until the condition holds, and records the attempts', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: settle, kv: { key: a, value: '1' }, register: r, until: not r.failed, retries: 4, delay: 0 }
    - { name: seen, kv: { key: b, value: '{{ r.attempts }}' } }
`;
    const { report, connector } = await runScripted(playbook, { h1: keyValueHost({}, failsFirst('a', 2)) });
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'changed', attempts: 3 });
    expect(writes(connector.execsOf('h1'))).toEqual(['printf %s 1 > a', 'printf %s 1 > a', 'printf %s 1 > a', 'printf %s 3 > b']);
  });

  it.each([
    { retries: '', attempts: 3 },
    { retries: 'retries: 1,', attempts: 2 },
    { retries: 'retries: 0,', attempts: 1 },
  ])('gives up failed after Ansible 2.14\'s number of attempts ($retries -> $attempts)', async ({ retries, attempts }) => {
    const playbook = `
- hosts: all
  tasks:
    - { name: never, kv: { key: a, value: '1' }, register: r, until: not r.failed, ${retries} delay: 0 }
`;
    const { report, connector } = await runScripted(playbook, { h1: keyValueHost({}, readOnly('a')) });
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({
      status: 'failed',
      attempts,
      msg: `until is still false after ${attempts} attempt${attempts === 1 ? '' : 's'}: "not r.failed"; printf %s 1 > a exited 2: cannot create a: Read-only file system`,
    });
    expect(writes(connector.execsOf('h1'))).toHaveLength(attempts);
  });

  it('waits `delay` seconds between attempts', async () => {
    const playbook = `
- hosts: all
  tasks:
    - { name: settle, kv: { key: a, value: '1' }, register: r, until: not r.failed, retries: 2, delay: 0.2 }
`;
    const started = Date.now();
    await runScripted(playbook, { h1: keyValueHost({}, failsFirst('a', 2)) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });
});

describe('loop_control', () => {
  it('pauses between items (not after the last) and shows the label, never the item, in the failure line', async () => {
    const playbook = `
- hosts: all
  tasks:
    - name: keys
      kv: { key: '{{ entry.key }}', value: '{{ position }}' }
      loop: [{ key: a, note: first }, { key: b, note: second }]
      loop_control: { loop_var: entry, index_var: position, label: '{{ entry.key }}', pause: 0.2 }
`;
    const started = Date.now();
    const { report, connector } = await runScripted(playbook, { h1: keyValueHost({}, readOnly('b')) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(writes(connector.execsOf('h1'))).toEqual(['printf %s 0 > a', 'printf %s 1 > b']);
    const result = report.plays[0].tasks[0].hosts.h1;
    expect(result.results?.map((item) => item.item_label)).toEqual(['a', 'b']);
    const { failedItem } = await import('../../../src/render/renderer');
    expect(failedItem(result)).toBe(' (item=b)');
  });
});

describe('run_once', () => {
  const playbook = `
- hosts: all
  tasks:
    - { name: prepare, kv: { key: p, value: '1' } }
    - { name: once, kv: { key: o, value: '{{ inventory_hostname }}' }, run_once: true, register: r }
    - { name: everyone sees it, kv: { key: seen, value: '{{ r.changed }}' } }
`;

  it('runs on the first host of the batch; every host gets its result and register', async () => {
    const { events, connector, report } = await runScripted(playbook, { h1: keyValueHost({}), h2: keyValueHost({}), h3: keyValueHost({}) });
    expect(writes(connector.execsOf('h1'))).toEqual(['printf %s 1 > p', 'printf %s h1 > o', 'printf %s true > seen']);
    expect(writes(connector.execsOf('h2'))).toEqual(['printf %s 1 > p', 'printf %s true > seen']);
    expect(writes(connector.execsOf('h3'))).toEqual(['printf %s 1 > p', 'printf %s true > seen']);
    expect(linesOf(events, 'h2')).toContain('h2 finished once ok');
    expect(report.plays[0].tasks[1].hosts.h2).toMatchObject({ status: 'ok', run_once_host: 'h1', noop: 'run_once: ran on h1 (changed)' });
  });

  it('a first host that failed earlier or was unreachable holds nobody up: the next one runs it', async () => {
    const { connector, exitCode } = await runScripted(playbook, { h1: unreachableHost('connect ECONNREFUSED'), h2: keyValueHost({}, readOnly('p')), h3: keyValueHost({}) });
    expect(writes(connector.execsOf('h3'))).toEqual(['printf %s 1 > p', 'printf %s h3 > o', 'printf %s true > seen']);
    expect(exitCode).toBe(4);
  });

  it('a failure on the host that ran it fails every host of the batch', async () => {
    const { events, connector } = await runScripted(playbook, { h1: keyValueHost({}, readOnly('o')), h2: keyValueHost({}) });
    expect(linesOf(events, 'h2').slice(-2)).toEqual(['h2 finished once failed', 'h2 failed']);
    expect(writes(connector.execsOf('h2'))).toEqual(['printf %s 1 > p']);
  });

  it('with one fork the hosts run one after another and still share one run', async () => {
    const { connector } = await runScripted(playbook, { h1: keyValueHost({}, readOnly('p')), h2: keyValueHost({}), h3: keyValueHost({}) }, { forks: 1 });
    expect(writes(connector.execsOf('h2'))).toEqual(['printf %s 1 > p', 'printf %s h2 > o', 'printf %s true > seen']);
    expect(writes(connector.execsOf('h3'))).toEqual(['printf %s 1 > p', 'printf %s true > seen']);
  });

  it('is shared per serial batch: each batch runs it once', async () => {
    const serial = playbook.replace('- hosts: all', '- hosts: all\n  serial: 2');
    const { connector } = await runScripted(serial, { h1: keyValueHost({}), h2: keyValueHost({}), h3: keyValueHost({}), h4: keyValueHost({}) });
    expect(['h1', 'h2', 'h3', 'h4'].map((host) => writes(connector.execsOf(host)).includes(`printf %s ${host} > o`))).toEqual([true, false, true, false]);
  });
});

describe('delegate_to', () => {
  const inventory = 'h1,h2,d1,';
  const playbook = `
- hosts: h1:h2
  tasks:
    - { name: drain, kv: { key: '{{ inventory_hostname }}', value: '0' }, delegate_to: d1, register: r }
    - { name: own, kv: { key: a, value: '{{ r.changed }}' } }
- hosts: d1
  tasks:
    - { name: d1 own, kv: { key: h1, value: '1' } }
`;

  it("runs on the delegate with the task's variables, one unit at a time there", async () => {
    const { connector, events } = await runScripted(playbook, { h1: keyValueHost({}), h2: keyValueHost({}), d1: keyValueHost({}) }, { inventory, latencyMs: 5 });
    expect(writes(connector.execsOf('d1')).sort()).toEqual(['printf %s 0 > h1', 'printf %s 0 > h2', 'printf %s 1 > h1']);
    expect(writes(connector.execsOf('h1'))).toEqual(['printf %s true > a']);
    expect(connector.execsOf('h1').flatMap((exec) => exec.read)).not.toContain('cat h1');
    // Two hosts delegating to d1 at once never overlap there.
    const onD1 = connector.execs.filter((exec) => exec.host === 'd1').sort((a, b) => a.start - b.start);
    const applyingAt = onD1.filter((exec) => exec.apply.length);
    for (const [index, exec] of onD1.entries()) if (index > 0) expect(exec.start).toBeGreaterThan(onD1[index - 1].end!);
    expect(applyingAt).toHaveLength(3);
    expect(eventLines(events).filter((line) => line.startsWith('h1 finished drain'))).toEqual(['h1 finished drain changed']);
  });

  it('a change a delegated task made is seen by the delegate\'s own later task, not what it had read ahead', async () => {
    const sameTime = `
- hosts: d1:h1
  tasks:
    - { name: first, kv: { key: z, value: '1' } }
    - { name: drain, kv: { key: h1, value: '0' }, delegate_to: d1, when: "inventory_hostname == 'h1'" }
    - { name: check, kv: { key: h1, value: '0' }, when: "inventory_hostname == 'd1'" }
`;
    const d1 = keyValueHost({});
    d1.latencyMs = 30;
    const h1 = keyValueHost({});
    h1.latencyMs = 20;
    const { events, connector } = await runScripted(sameTime, { h1, d1 }, { inventory: 'h1,d1,' });
    // d1 read `cat h1` ahead (absent) before h1's delegated task wrote it.
    expect(connector.execsOf('d1')[0].read).toContain('cat h1');
    expect(linesOf(events, 'd1')).toContain('d1 finished check ok');
    expect(writes(connector.execsOf('d1'))).toEqual(['printf %s 1 > z', 'printf %s 0 > h1']);
  });

  it('a delegate that cannot be reached makes the task unreachable on the host it ran for', async () => {
    const { report } = await runScripted(playbook, { h1: keyValueHost({}), h2: keyValueHost({}), d1: unreachableHost('connect ECONNREFUSED 10.0.0.9:22') }, { inventory });
    expect(report.plays[0].tasks[0].hosts.h1).toMatchObject({ status: 'unreachable', delegated_to: 'd1', msg: 'delegate_to d1: connect ECONNREFUSED 10.0.0.9:22' });
  });
});

describe('serial, max_fail_percentage, any_errors_fatal', () => {
  const hosts = (failing: string[], count = 5) =>
    Object.fromEntries(Array.from({ length: count }, (_, index) => `h${index + 1}`).map((name) => [name, keyValueHost({}, failing.includes(name) ? readOnly('a') : undefined)]));
  const batchesOf = (lines: string[]) => lines.filter((line) => line.startsWith('batch started')).map((line) => line.replace(/^batch started \w+: /, ''));

  it('a serial list makes batches of each size in turn, the last one repeating', async () => {
    const playbook = `
- name: p
  hosts: all
  serial: [1, 2]
  tasks:
    - { kv: { key: a, value: '1' } }
`;
    const { events } = await runScripted(playbook, hosts([]));
    expect(batchesOf(eventLines(events))).toEqual(['h1', 'h2 h3', 'h4 h5']);
  });

  it('max_fail_percentage stops the play when MORE than that share of a batch failed: later batches and plays do not run, exit 2', async () => {
    const playbook = `
- name: p
  hosts: all
  serial: 2
  max_fail_percentage: 49
  tasks:
    - { name: t1, kv: { key: a, value: '1' } }
    - { name: t2, kv: { key: b, value: '1' } }
- name: later
  hosts: all
  tasks:
    - { kv: { key: c, value: '1' } }
`;
    const { events, report, exitCode, connector } = await runScripted(playbook, hosts(['h3']));
    expect(batchesOf(eventLines(events))).toEqual(['h1 h2', 'h3 h4']);
    expect(events.find((event) => event.kind === 'batch-finished' && event.stop)).toMatchObject({ hosts: ['h3', 'h4'], stop: "max_fail_percentage 49: 1 of the batch's 2 hosts failed" });
    expect(report.stopped).toEqual({ play: 'p', reason: "max_fail_percentage 49: 1 of the batch's 2 hosts failed", notRun: ['h5'] });
    expect(connector.execsOf('h5')).toEqual([]);
    expect(exitCode).toBe(2);
    expect(formatRecap(report)).toContain("STOPPED: play 'p' ended (max_fail_percentage 49: 1 of the batch's 2 hosts failed); no later batch or play ran.\n  not run on: h5");
  });

  it('max_fail_percentage 50 lets a batch with exactly half failed go on (Ansible compares with >)', async () => {
    const playbook = `
- name: p
  hosts: all
  serial: 2
  max_fail_percentage: 50
  tasks:
    - { kv: { key: a, value: '1' } }
`;
    const { events, report } = await runScripted(playbook, hosts(['h3']));
    expect(batchesOf(eventLines(events))).toEqual(['h1 h2', 'h3 h4', 'h5']);
    expect(report.stopped).toBeUndefined();
  });

  it('max_fail_percentage 0 and serial 1 stop at the first failing host', async () => {
    const playbook = `
- name: roll
  hosts: all
  serial: 1
  max_fail_percentage: 0
  tasks:
    - { kv: { key: a, value: '1' } }
`;
    const { events, report, exitCode } = await runScripted(playbook, hosts(['h2']));
    expect(batchesOf(eventLines(events))).toEqual(['h1', 'h2']);
    expect(report.stopped?.notRun).toEqual(['h3', 'h4', 'h5']);
    expect(exitCode).toBe(2);
  });

  it('a batch whose every host failed ends the run, as in Ansible, even without a limit', async () => {
    const playbook = `
- name: p
  hosts: all
  serial: 2
  tasks:
    - { kv: { key: a, value: '1' } }
`;
    const { events, report } = await runScripted(playbook, hosts(['h1', 'h2']));
    expect(batchesOf(eventLines(events))).toEqual(['h1 h2']);
    expect(report.stopped).toEqual({ play: 'p', reason: 'every host of the batch failed or was unreachable (h1, h2)', notRun: ['h3', 'h4', 'h5'] });
  });

  it.each([
    ['the play', 'any_errors_fatal: true', ''],
    ['the task', '', ', any_errors_fatal: true'],
  ])('any_errors_fatal on %s: the first failure ends the play for every host after its current task', async (_where, playLevel, taskLevel) => {
    const playbook = `
- name: p
  hosts: all
  ${playLevel}
  tasks:
    - { name: t1, kv: { key: a, value: '1' }${taskLevel} }
    - { name: t2, kv: { key: b, value: '1' } }
`;
    const slow = keyValueHost({});
    slow.latencyMs = 30;
    const { events, report, exitCode } = await runScripted(playbook, { h1: keyValueHost({}, readOnly('a')), h2: slow });
    expect(linesOf(events, 'h2')).toEqual(['h2 connected', 'h2 started t1', 'h2 finished t1 changed', 'h2 stopped']);
    expect(report.stopped).toEqual({ play: 'p', reason: "any_errors_fatal: h1 failed at 't1'", notRun: [] });
    expect(exitCode).toBe(2);
  });

  it('a task-level any_errors_fatal: false overrides the play', async () => {
    const playbook = `
- name: p
  hosts: all
  any_errors_fatal: true
  tasks:
    - { name: t1, kv: { key: a, value: '1' }, any_errors_fatal: false }
    - { name: t2, kv: { key: b, value: '1' } }
`;
    const { events, report } = await runScripted(playbook, { h1: keyValueHost({}, readOnly('a')), h2: keyValueHost({}) });
    expect(linesOf(events, 'h2').at(-1)).toBe('h2 ok');
    expect(report.stopped).toBeUndefined();
  });

  it('order reverse_inventory makes the batches from the last host', async () => {
    const playbook = `
- name: p
  hosts: all
  serial: 2
  order: reverse_inventory
  tasks:
    - { kv: { key: a, value: '1' } }
`;
    const { events } = await runScripted(playbook, hosts([]));
    expect(batchesOf(eventLines(events))).toEqual(['h5 h4', 'h3 h2', 'h1']);
  });
});
