/**
 * The task and play keywords of src/engine/task-control.ts at compile time: what each one
 * compiles to, and each bad value refused as an input error at its file:line:col and key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InputErrors } from '../../../src/errors';
import type { CompiledTask } from '../../../src/engine/compile/compiled-run';
import { orderHosts } from '../../../src/engine/compile/host-order';
import { compilePlaybook, type CompileOptions } from '../execute/scripted-run';

function errorsOf(yaml: string, hosts = ['h1'], options: CompileOptions = {}): string[] {
  try {
    compilePlaybook(yaml, hosts, options);
  } catch (error) {
    if (!(error instanceof InputErrors)) throw error;
    return error.errors.map((item) => item.describe().replace(/^.*playbook\.yml/, 'playbook.yml'));
  }
  throw new Error('expected the playbook to be refused');
}

const run = (task: CompiledTask) => {
  if (task.kind !== 'run') throw new Error(`expected a task to run, got ${task.kind}`);
  return task;
};

describe('failed_when, changed_when, until', () => {
  it('compile to outcome rules with Ansible 2.14 attempts: until alone runs 3 times, retries N runs N + 1 times, 0 once', () => {
    const compiled = compilePlaybook(
      `
- hosts: all
  tasks:
    - { name: plain, kv: { key: a, value: '1' } }
    - { name: judged, kv: { key: a, value: '1' }, register: r, failed_when: [r.changed, "inventory_hostname == 'h1'"], changed_when: false }
    - { name: until default, kv: { key: a, value: '1' }, register: r, until: not r.failed }
    - { name: until 5, kv: { key: a, value: '1' }, register: r, until: not r.failed, retries: 5, delay: 0.5 }
    - { name: until 0, kv: { key: a, value: '1' }, register: r, until: not r.failed, retries: 0 }
    - { name: templated, kv: { key: a, value: '1' }, register: r, until: not r.failed, retries: '{{ tries }}', delay: '{{ wait }}' }
`,
      ['h1'],
      { extraVars: { tries: 2, wait: 0 } },
    );
    const outcomes = compiled.plays[0].hosts[0].tasks.map((task) => run(task).outcome);
    expect(outcomes).toEqual([
      undefined,
      { failedWhen: ['r.changed', "inventory_hostname == 'h1'"], changedWhen: false, attempts: 1, delayMs: 5000, register: 'r' },
      { until: 'not r.failed', attempts: 3, delayMs: 5000, register: 'r' },
      { until: 'not r.failed', attempts: 6, delayMs: 500, register: 'r' },
      { until: 'not r.failed', attempts: 1, delayMs: 5000, register: 'r' },
      { until: 'not r.failed', attempts: 3, delayMs: 0, register: 'r' },
    ]);
    // The conditions are decided on the host: each unit carries the variables they see.
    expect(run(compiled.plays[0].hosts[0].tasks[1]).units[0].vars?.inventory_hostname).toBe('h1');
    expect(run(compiled.plays[0].hosts[0].tasks[0]).units[0].vars).toBeUndefined();
  });

  it('refuse a condition that cannot be read, at the line of its key; a variable not registered yet waits for the run', () => {
    expect(
      errorsOf(`
- hosts: all
  tasks:
    - name: bad failed
      kv: { key: a, value: '1' }
      register: r
      failed_when: r.rc == == 1
    - name: bad changed
      kv: { key: a, value: '1' }
      changed_when: [true, "r.rc ="]
    - name: bad until
      kv: { key: a, value: '1' }
      until: "{{ r.rc }}"
    - name: later
      kv: { key: a, value: '1' }
      failed_when: not_yet_registered.changed
    - name: bad retries
      kv: { key: a, value: '1' }
      until: true
      retries: "{{ word }}"
`,
        ['h1'],
        { extraVars: { word: 'three' } },
      ),
    ).toEqual([
      "playbook.yml:7:7: h1: bad failed: failed_when: condition 'r.rc == == 1': unexpected '==' (at column 9)",
      "playbook.yml:10:7: h1: bad changed: changed_when: condition 'r.rc =': unexpected '=' (at column 6)",
      "playbook.yml:13:7: h1: bad until: until: condition '{{ r.rc }}' must be a bare expression: write it without {{ }} or {% %}",
      'playbook.yml:20:7: h1: bad retries: retries: must be a whole number of 0 or more, got "{{ word }}"',
    ]);
  });

  it('refuse a value of the wrong shape when the playbook is loaded', () => {
    expect(
      errorsOf(`
- hosts: all
  tasks:
    - { name: t, kv: { key: a, value: '1' }, retries: -1, failed_when: { a: 1 }, loop_control: { extended: true }, run_once: 'yes' }
`),
    ).toEqual([
      'playbook.yml:4:59: 0.tasks.0.failed_when: must be string',
      'playbook.yml:4:59: 0.tasks.0.failed_when: must be boolean',
      'playbook.yml:4:59: 0.tasks.0.failed_when: must be array',
      'playbook.yml:4:46: 0.tasks.0.retries: must be >= 0',
      'playbook.yml:4:46: 0.tasks.0.retries: must be string',
      'playbook.yml:4:116: 0.tasks.0.run_once: must be boolean',
      "playbook.yml:4:98: 0.tasks.0.loop_control.extended: 'extended' is not a loop_control keyword",
    ]);
  });
});

describe('delegate_to', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvs-delegate-'));
    writeFileSync(
      join(dir, 'hosts.yml'),
      stringify({
        all: {
          children: {
            web: { hosts: { w1: { ansible_host: '10.0.0.1', ansible_user: 'web' }, w2: { ansible_host: '10.0.0.2' } } },
            directors: { hosts: { d1: { ansible_host: '10.0.0.9', ansible_port: 2222, ansible_user: 'ops', ansible_become_password: 'sudo-secret' } } },
          },
        },
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the unit with the delegate's connection and become, keeping the task's variables; localhost is the controller", () => {
    const compiled = compilePlaybook(
      `
- hosts: web
  become: true
  vars: { director: d1 }
  tasks:
    - { name: drain, kv: { key: '{{ inventory_hostname }}', value: '0' }, delegate_to: '{{ director }}' }
    - { name: local, kv: { key: a, value: '1' }, delegate_to: localhost }
    - { name: itself, kv: { key: a, value: '1' }, delegate_to: '{{ inventory_hostname }}' }
`,
      [],
      { inventory: join(dir, 'hosts.yml') },
    );
    const [w1] = compiled.plays[0].hosts;
    const [drain, local, itself] = w1.tasks.map((task) => run(task).units[0]);
    expect(drain.args).toEqual({ key: 'w1', value: '0' });
    expect(drain.delegate).toEqual({ host: 'd1', target: expect.objectContaining({ host: '10.0.0.9', port: 2222, user: 'ops' }) });
    expect(drain.become).toEqual({ user: 'root', password: 'sudo-secret' });
    expect(local.delegate).toEqual({ host: 'localhost', target: expect.objectContaining({ host: 'localhost', connection: 'local' }) });
    expect(itself.delegate).toBeUndefined();
    expect(w1.target).toMatchObject({ host: '10.0.0.1', user: 'web' });
  });

  it('refuses a delegate that is no host of the inventory, at the line of the key', () => {
    expect(
      errorsOf(
        `
- hosts: web
  tasks:
    - name: typo
      kv: { key: a, value: '1' }
      delegate_to: d9
    - name: unset
      kv: { key: a, value: '1' }
      delegate_to: '{{ nowhere }}'
`,
        [],
        { inventory: join(dir, 'hosts.yml') },
      ),
    ).toEqual([
      "playbook.yml:6:7: w1: typo: delegate_to: 'd9' is not a host of the inventory (nor localhost)",
      "playbook.yml:9:7: w1: unset: delegate_to: undefined variable 'nowhere'",
      "playbook.yml:6:7: w2: typo: delegate_to: 'd9' is not a host of the inventory (nor localhost)",
      "playbook.yml:9:7: w2: unset: delegate_to: undefined variable 'nowhere'",
    ]);
  });
  it("a block's delegate_to, run_once and any_errors_fatal pass to its tasks, each task's own winning; a bad delegate is refused at the block's line", () => {
    const compiled = compilePlaybook(
      `
- hosts: web
  tasks:
    - block:
        - { name: inherits, kv: { key: a, value: '1' } }
        - { name: own, kv: { key: a, value: '1' }, delegate_to: localhost, run_once: false, any_errors_fatal: false }
      rescue:
        - { name: rescue, kv: { key: a, value: '1' } }
      delegate_to: d1
      run_once: true
      any_errors_fatal: true
      delegate_facts: true
`,
      [],
      { inventory: join(dir, 'hosts.yml') },
    );
    const { tasks } = compiled.plays[0];
    expect(tasks.map((task) => [task.name, task.control.delegateTo, task.control.runOnce, task.control.anyErrorsFatal])).toEqual([
      ['inherits', 'd1', true, true],
      ['own', 'localhost', false, false],
      ['rescue', 'd1', true, true],
    ]);
    expect(compiled.plays[0].hosts[0].tasks.map((task) => run(task).units[0].delegate?.host)).toEqual(['d1', 'localhost', 'd1']);
    expect(
      errorsOf(
        `
- hosts: web
  tasks:
    - block:
        - { name: inside, kv: { key: a, value: '1' } }
      delegate_to: d9
`,
        [],
        { inventory: join(dir, 'hosts.yml') },
      ),
    ).toEqual([
      "playbook.yml:6:7: w1: inside: delegate_to: 'd9' is not a host of the inventory (nor localhost)",
      "playbook.yml:6:7: w2: inside: delegate_to: 'd9' is not a host of the inventory (nor localhost)",
    ]);
  });
});

describe('loop_control', () => {
  it('names the loop variable and the index, renders the label per item and keeps the pause', () => {
    const compiled = compilePlaybook(
      `
- hosts: all
  tasks:
    - name: keys
      kv: { key: '{{ entry.key }}', value: '{{ position }}' }
      loop: [{ key: a, secret: s1 }, { key: b, secret: s2 }]
      loop_control: { loop_var: entry, index_var: position, label: '{{ entry.key }}', pause: 0.25 }
`,
      ['h1'],
    );
    const task = run(compiled.plays[0].hosts[0].tasks[0]);
    expect(task.units.map((unit) => [unit.args, unit.label, unit.item])).toEqual([
      [{ key: 'a', value: '0' }, 'a', { key: 'a', secret: 's1' }],
      [{ key: 'b', value: '1' }, 'b', { key: 'b', secret: 's2' }],
    ]);
    expect(task.pauseMs).toBe(250);
  });
});

describe('play keywords', () => {
  it('read serial lists, max_fail_percentage, any_errors_fatal and order', () => {
    const compiled = compilePlaybook(
      `
- hosts: all
  serial: [1, '50%']
  max_fail_percentage: 25
  any_errors_fatal: true
  order: reverse_sorted
  tasks:
    - { kv: { key: a, value: '1' } }
`,
      ['h2', 'h1', 'h3'],
    );
    const [play] = compiled.plays;
    expect(play.play.serial).toEqual([1, '50%']);
    expect(play.play.control).toEqual({ maxFailPercentage: 25, anyErrorsFatal: true, order: 'reverse_sorted' });
    expect(play.hosts.map((host) => host.name)).toEqual(['h3', 'h2', 'h1']);
  });

  it('refuse what Ansible refuses', () => {
    expect(
      errorsOf(`
- hosts: all
  serial: [1, 0]
  max_fail_percentage: 101
  order: random
  tasks: []
`),
    ).toEqual([
      'playbook.yml:3:3: 0.serial: must be integer',
      'playbook.yml:3:3: 0.serial: must be string',
      'playbook.yml:3:15: 0.serial.1: must be >= 1',
      'playbook.yml:3:15: 0.serial.1: must be string',
      'playbook.yml:4:3: 0.max_fail_percentage: must be <= 100',
      'playbook.yml:4:3: 0.max_fail_percentage: must be string',
      'playbook.yml:5:3: 0.order: must be equal to one of the allowed values',
    ]);
  });

  it.each([
    ['inventory', ['b', 'c', 'a']],
    ['reverse_inventory', ['a', 'c', 'b']],
    ['sorted', ['a', 'b', 'c']],
    ['reverse_sorted', ['c', 'b', 'a']],
  ] as const)('order %s', (order, expected) => {
    expect(orderHosts(['b', 'c', 'a'], order)).toEqual(expected);
  });

  it('order shuffle gives every host once, in the order the random numbers pick', () => {
    const shuffled = orderHosts(['a', 'b', 'c', 'd'], 'shuffle', () => 0);
    expect(shuffled).toEqual(['b', 'c', 'd', 'a']);
    expect([...orderHosts(['a', 'b', 'c', 'd'], 'shuffle')].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
