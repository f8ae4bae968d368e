/**
 * Roles, imports, includes and blocks as the loader and compile read them: the order of a
 * play's tasks, Ansible's variable precedence for role defaults, role vars, block and task
 * vars and role params, template lookup in the role first, errors at the file and line of the
 * included file, and cycles refused.
 */
import { join } from 'node:path';
import type { CompiledRun, CompiledTask } from '../../../src/engine/compile/compiled-run';
import { loadPlaybook } from '../../../src/engine/playbook';
import { InputErrors } from '../../../src/errors';
import { compileFile, withPlaybook, type CompileOptions } from '../execute/scripted-run';
import { testRegistry } from '../execute/test-tasks';

/** Compiles `yaml` with its files on h1 (the inventory `hosts.yml` when the files have one). */
function compiled(yaml: string, files: Record<string, string>, options: CompileOptions = {}): CompiledRun {
  return withPlaybook(yaml, files, (file, dir) => compileFile(file, ['h1'], { ...(files['hosts.yml'] ? { inventory: join(dir, 'hosts.yml') } : {}), ...options }));
}

/** Each task's name and the `key=value` it sets on h1. */
function settings(run: CompiledRun, play = 0): string[] {
  const show = (task: CompiledTask): string => (task.kind === 'run' ? task.units.map((unit) => `${unit.args.key}=${unit.args.value ?? unit.context.templates[unit.args.src as string]}`).join(',') : task.kind);
  return run.plays[play].tasks.map((task, index) => `${task.name}: ${show(run.plays[play].hosts[0].tasks[index])}`);
}

function loadErrors(yaml: string, files: Record<string, string>): string[] {
  return withPlaybook(yaml, files, (file, dir) => {
    try {
      loadPlaybook(file, testRegistry(), { rolesPath: [] });
    } catch (error) {
      if (!(error instanceof InputErrors)) throw error;
      return error.errors.map((one) => one.describe().split(dir).join('DIR'));
    }
    throw new Error('expected the playbook to be refused');
  });
}

const ROLE = {
  'roles/web/defaults/main.yml': 'port: "80"\nonly_default: d\n',
  'roles/web/vars/main.yml': 'role_var: rv\n',
  'roles/web/meta/main.yml': 'dependencies:\n  - base\n',
  'roles/web/tasks/main.yml': '- { name: port, kv: { key: port, value: "{{ port }}" }, notify: reload }\n- { name: page, kv_template: { key: page, src: page.hbs } }\n',
  'roles/web/handlers/main.yml': '- { name: reload, kv: { key: reloaded, value: "1" } }\n',
  'roles/web/templates/page.hbs': 'role page {{ port }}',
  'templates/page.hbs': 'playbook page',
  'roles/base/tasks/main.yml': '- { name: base, kv: { key: base, value: none } }\n',
};

describe('a play with roles', () => {
  it('runs pre_tasks, the roles (dependencies first, once), tasks, then post_tasks', () => {
    const yaml = `
- hosts: all
  pre_tasks:
    - { name: pre, kv: { key: pre, value: '1' } }
  roles:
    - web
    - role: base
  tasks:
    - { name: main, kv: { key: main, value: '1' } }
  post_tasks:
    - { name: post, kv: { key: post, value: '1' } }
`;
    const run = compiled(yaml, ROLE);
    expect(settings(run)).toEqual(['pre: pre=1', 'base : base: base=none', 'web : port: port=80', 'web : page: page=role page 80', 'main: main=1', 'post: post=1']);
    expect(run.plays[0].play.handlers.map((handler) => [handler.name, handler.listen])).toEqual([['web : reload', ['reload']]]);
    expect(run.plays[0].tree.map((node) => node.kind)).toEqual(['task', 'flush', 'task', 'task', 'task', 'task', 'flush', 'task']);
  });

  it('runs a role again when its params differ, and takes params above role vars, task and play vars', () => {
    const yaml = `
- hosts: all
  vars: { port: play }
  roles:
    - web
    - { role: web, port: param }
`;
    expect(settings(compiled(yaml, ROLE))).toEqual([
      'base : base: base=none',
      'web : port: port=play',
      'web : page: page=role page play',
      'web : port: port=param',
      'web : page: page=role page param',
    ]);
  });

  it("layers variables in Ansible's order: defaults < inventory < play < role vars < block vars < task vars < role params < extra vars", () => {
    const files = {
      'hosts.yml': 'all:\n  hosts:\n    h1:\n      d2: inventory\n      p: inventory\n',
      'roles/r/defaults/main.yml': 'd1: default\nd2: default\n',
      'roles/r/vars/main.yml': 'rv: role-vars\ntv: role-vars\nbv: role-vars\n',
      'roles/r/tasks/main.yml': [
        '- block:',
        '    - name: show',
        '      kv: { key: k, value: "{{ d1 }} {{ d2 }} {{ p }} {{ rv }} {{ bv }} {{ tv }} {{ rp }} {{ ev }}" }',
        '      vars: { tv: task, rp: task, ev: task }',
        '  vars: { bv: block, tv: block }',
        '',
      ].join('\n'),
    };
    const yaml = `
- hosts: all
  vars: { p: play, rv: play }
  roles:
    - { role: r, rp: param, ev: param }
`;
    expect(settings(compiled(yaml, files, { extraVars: { ev: 'extra' } }))).toEqual(['r : show: k=default inventory play role-vars block task param extra']);
  });

  it('looks up a template in the role, then the playbook templates/, then beside the playbook', () => {
    const yaml = `
- hosts: all
  roles: [web]
  tasks:
    - { name: mine, kv_template: { key: mine, src: page.hbs } }
`;
    expect(settings(compiled(yaml, ROLE)).slice(-2)).toEqual(['web : page: page=role page 80', 'mine: mine=playbook page']);
  });

  it('reads import_role (keywords on each task) and include_role (a task of its own, per host)', () => {
    const yaml = `
- hosts: all
  tasks:
    - import_role: { name: base }
      when: false
    - include_role: { name: web }
      vars: { port: "8080" }
`;
    const run = compiled(yaml, ROLE);
    expect(settings(run)).toEqual(['base : base: skip', 'include_role: web: include']);
    const include = run.plays[0].hosts[0].tasks[1];
    expect(include.kind === 'include' && include.passes[0].tasks.map((task) => task.name)).toEqual(['base : base', 'web : port', 'web : page']);
    expect(include.kind === 'include' && include.passes[0].compiled.map((task) => task.kind === 'run' && task.units[0].args.value)).toEqual(['none', '8080', undefined]);
  });
});

describe('role entries', () => {
  it("pass when, tags and become to the role's tasks; allow_duplicates runs a role each time; include_role loops", () => {
    const files = {
      ...ROLE,
      'roles/again/meta/main.yml': 'allow_duplicates: true\n',
      'roles/again/tasks/main.yml': '- { name: again, kv: { key: again, value: x } }\n',
    };
    const yaml = `
- hosts: all
  roles:
    - { role: base, when: "inventory_hostname == 'nobody'", tags: [b], become: true }
    - again
    - again
  tasks:
    - include_role: { name: base }
      loop: [1, 2]
`;
    const run = compiled(yaml, files);
    expect(settings(run)).toEqual(['base : base: skip', 'again : again: again=x', 'again : again: again=x', 'include_role: base: include']);
    expect(run.plays[0].tasks[0]).toMatchObject({ tags: ['b'], become: true, when: "inventory_hostname == 'nobody'" });
    const include = run.plays[0].hosts[0].tasks[3];
    expect(include.kind === 'include' && include.passes.map((pass) => pass.item)).toEqual([1, 2]);
  });
});

describe('imports', () => {
  it('import_tasks brings the file in, its when and tags on every task; import_playbook adds the plays of another file', () => {
    const yaml = `
- import_playbook: more/other.yml
- hosts: all
  tasks:
    - import_tasks: tasks/extra.yml
      tags: [x]
      vars: { v: from-import }
`;
    const files = {
      'tasks/extra.yml': '- { name: one, kv: { key: one, value: "{{ v }}" } }\n- import_tasks: nested.yml\n',
      'tasks/nested.yml': '- { name: two, kv: { key: two, value: "2" } }\n',
      'more/other.yml': '- hosts: all\n  vars_files: [vars.yml]\n  tasks:\n    - { name: other, kv: { key: o, value: "{{ w }}" } }\n',
      'more/vars.yml': 'w: beside-the-import\n',
    };
    const run = compiled(yaml, files);
    expect(settings(run, 0)).toEqual(['other: o=beside-the-import']);
    expect(settings(run, 1)).toEqual(['one: one=from-import', 'two: two=2']);
    expect(run.plays[1].tasks.map((task) => task.tags)).toEqual([['x'], ['x']]);
    expect(settings(compiled(yaml, files, { skipTags: ['x'] }), 1)).toEqual([]);
  });

  it('--start-at-task begins at the named task (its own name or role : name) and skips those before', () => {
    const yaml = `
- hosts: all
  roles: [web]
  tasks:
    - { name: main, kv: { key: main, value: '1' } }
`;
    expect(settings(compiled(yaml, ROLE, { startAtTask: 'page' }))).toEqual(['web : page: page=role page 80', 'main: main=1']);
    expect(settings(compiled(yaml, ROLE, { startAtTask: 'web : port' }))[0]).toBe('web : port: port=80');
    expect(() => compiled(yaml, ROLE, { startAtTask: 'nothing' })).toThrow(/--start-at-task 'nothing': no task of the playbook has that name/);
  });
});

describe('variables built from loop items and registered results', () => {
  it("a task's own vars read its loop item, under its loop_var too", () => {
    const yaml = `
- hosts: all
  tasks:
    - name: each
      kv: { key: '{{ key }}', value: '{{ value }}' }
      vars: { key: 'k_{{ item }}', value: "{{ item }}-{{ suffix }}", suffix: s }
      loop: [a, b]
    - name: named
      kv: { key: '{{ key }}', value: '{{ i }}' }
      vars: { key: 'n_{{ entry.name }}' }
      loop: [{ name: x }, { name: y }]
      loop_control: { loop_var: entry, index_var: i }
`;
    expect(settings(compiled(yaml, {}))).toEqual(['each: k_a=a-s,k_b=b-s', 'named: n_x=0,n_y=1']);
  });

  it("a task's vars and the play's read a registered result once the host has it, and the loop item with it", () => {
    const yaml = `
- hosts: all
  vars: { from_play: 'play-{{ r.changed }}' }
  tasks:
    - { name: one, kv: { key: a, value: '1' }, register: r }
    - { name: own, kv: { key: b, value: '{{ x }}' }, vars: { x: 'task-{{ r.changed }}' } }
    - { name: play, kv: { key: c, value: '{{ from_play }}' } }
    - { name: looped, kv: { key: '{{ item }}', value: '{{ x }}' }, vars: { x: '{{ item }}-{{ r.changed }}' }, loop: [d, e] }
`;
    const tasks = compiled(yaml, {}).plays[0].hosts[0].tasks.slice(1);
    expect(tasks.map((task) => task.kind)).toEqual(['deferred', 'deferred', 'deferred']);
    const now = tasks.map((task) => (task.kind === 'deferred' ? task.compile({ r: { changed: true } }) : task));
    expect(now.map((task) => task.kind === 'run' && task.units.map((unit) => `${unit.args.key}=${unit.args.value}`).join(','))).toEqual(['b=task-true', 'c=play-true', 'd=d-true,e=e-true']);
  });

  it("include_tasks loops under its loop_control's loop_var and index_var; the included tasks' vars read them", () => {
    const files = { 'one.yml': "- { name: set, kv: { key: '{{ key }}', value: '{{ outer }}{{ n }}' }, vars: { key: 'key_{{ outer }}' } }\n" };
    const yaml = `
- hosts: all
  tasks:
    - include_tasks: one.yml
      loop: [a, b]
      loop_control: { loop_var: outer, index_var: n }
`;
    const run = compiled(yaml, files);
    const include = run.plays[0].hosts[0].tasks[0];
    expect(include.kind === 'include' && include.passes.map((pass) => pass.compiled.map((task) => task.kind === 'run' && `${task.units[0].args.key}=${task.units[0].args.value}`))).toEqual([['key_a=a0'], ['key_b=b1']]);
  });

  it('refuses loop_control on a static import, and the keys an include cannot honour', () => {
    const yaml = `
- hosts: all
  tasks:
    - import_tasks: one.yml
      loop_control: { loop_var: outer }
    - include_tasks: one.yml
      loop: [a]
      loop_control: { loop_var: outer, pause: 1 }
`;
    expect(loadErrors(yaml, { 'one.yml': '[]\n' })).toEqual([
      expect.stringMatching(/^DIR\/playbook\.yml:4:7: 0\.tasks\.0\.import_tasks: import_tasks is static: it cannot loop or register/),
      "DIR/playbook.yml:8:40: 0.tasks.1.loop_control.pause: 'pause' is not a loop_control keyword",
    ]);
  });
});

describe('refused', () => {
  it('an error inside an imported file at its own file and line, and a role that is not there', () => {
    const yaml = `
- hosts: all
  roles: [missing]
  tasks:
    - import_tasks: bad.yml
`;
    const errors = loadErrors(yaml, { 'bad.yml': '- name: fine\n  kv: { key: a, value: "1" }\n- name: broken\n  kvv: { key: a }\n' });
    expect(errors).toEqual([
      expect.stringMatching(/^DIR\/playbook\.yml:3:11: 0\.roles\.0: role 'missing' not found; looked in DIR\/roles\/missing, DIR\/missing/),
      expect.stringMatching(/^DIR\/bad\.yml:4:3: 1\.kvv: unknown task 'kvv'/),
    ]);
  });

  it('a task file that imports itself, a role that depends on itself, and an import_playbook cycle', () => {
    expect(loadErrors('- hosts: all\n  tasks:\n    - import_tasks: a.yml\n', { 'a.yml': '- import_tasks: b.yml\n', 'b.yml': '- import_tasks: a.yml\n' })).toEqual([
      'DIR/b.yml:1:3: 0.import_tasks: imports itself: DIR/a.yml -> DIR/b.yml -> DIR/a.yml',
    ]);
    expect(loadErrors('- hosts: all\n  roles: [r]\n', { 'roles/r/meta/main.yml': 'dependencies: [r]\n' })[0]).toMatch(/^DIR\/roles\/r\/meta\/main\.yml:1:16: dependencies\.0: role 'r' depends on itself/);
    expect(loadErrors('- import_playbook: playbook.yml\n', {})).toEqual(['DIR/playbook.yml:1:3: 0.import_playbook: imports itself: DIR/playbook.yml -> DIR/playbook.yml']);
  });

  it('an include_tasks that includes its own file (at compile time, not a loop without end), or a file that is not there', () => {
    const files = { 'again.yml': '- { name: set a, kv: { key: a, value: "1" } }\n- include_tasks: again.yml\n' };
    withPlaybook('- hosts: all\n  tasks:\n    - include_tasks: again.yml\n', files, (file, dir) => {
      expect(() => compileFile(file, ['h1'])).toThrow(`${dir}/again.yml:2:3: 1.include_tasks: imports itself: ${dir}/again.yml -> ${dir}/again.yml`);
    });
    withPlaybook('- hosts: all\n  tasks:\n    - include_tasks: missing.yml\n', {}, (file, dir) => {
      expect(() => compileFile(file, ['h1'])).toThrow(`${dir}/playbook.yml:3:7: 0.tasks.0.include_tasks: ${dir}/missing.yml not found`);
    });
  });

  it('a block keyword that is not one, and a static import with a templated name', () => {
    const yaml = `
- hosts: all
  tasks:
    - block:
        - { name: a, kv: { key: a, value: '1' } }
      resuce: []
    - import_tasks: "{{ x }}.yml"
`;
    expect(loadErrors(yaml, {})).toEqual([
      "DIR/playbook.yml:6:7: 0.tasks.0.resuce: 'resuce' is not a block keyword",
      expect.stringMatching(/^DIR\/playbook\.yml:7:7: 0\.tasks\.1\.import_tasks: import_tasks is static: its name cannot be a template \(include_tasks reads/),
    ]);
  });
});
