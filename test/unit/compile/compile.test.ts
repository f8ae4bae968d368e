/**
 * Compile: every input error, with file:line:col and key, comes from the pure compile step,
 * so it is reported before anything connects. What only the host can tell (a registered
 * result) is left as a deferred task.
 */
import { compileRun } from '../../../src/engine/compile/compile';
import type { CompiledTask } from '../../../src/engine/compile/compiled-run';
import { loadInventories } from '../../../src/engine/inventory';
import { loadPlaybook } from '../../../src/engine/playbook';
import { InputError, InputErrors } from '../../../src/errors';
import { compileFile, compilePlaybook, withPlaybook, type CompileOptions } from '../execute/scripted-run';
import { testRegistry } from '../execute/test-tasks';

/** The errors of compiling `yaml` on h1 and h2, with the playbook's folder written DIR. */
function compileErrors(yaml: string, files: Record<string, string> = {}, options: CompileOptions = {}): { describe: string; position: unknown; key: unknown }[] {
  return withPlaybook(yaml, files, (file, dir) => {
    const hide = <T>(value: T): T => JSON.parse(JSON.stringify(value).split(dir).join('DIR'));
    try {
      compileFile(file, ['h1', 'h2'], options);
    } catch (error) {
      if (!(error instanceof InputErrors)) throw error;
      expect(error.errors.every((one) => one instanceof InputError)).toBe(true);
      return error.errors.map((one) => hide({ describe: one.describe(), position: one.position, key: one.key }));
    }
    throw new Error('expected the playbook not to compile');
  });
}

const RENDER = (src: string) => `
- hosts: all
  vars:
    port: 80
  tasks:
    - name: render
      kv_template:
        key: a
        src: ${src}
`;

describe('compile errors', () => {
  it('name a missing template file at the argument that names it, for every host', () => {
    expect(compileErrors(RENDER('nope.hbs'))).toEqual(
      ['h1', 'h2'].map((host) => ({
        describe: `DIR/playbook.yml:9:9: ${host}: render: template 'nope.hbs' not found; looked in DIR/templates/nope.hbs, DIR/nope.hbs`,
        position: { file: 'DIR/playbook.yml', line: 9, column: 9 },
        key: `${host}: render`,
      })),
    );
  });

  it('point an undefined variable in a template file at that file and line', () => {
    const template = '# managed by lvs\nlisten {{ port }}\nserver {{ upstream.host }}\n';
    const [first] = compileErrors(RENDER('site.conf.hbs'), { 'templates/site.conf.hbs': template });
    expect(first).toEqual({
      describe: "DIR/templates/site.conf.hbs:3:11: h1: render: undefined variable 'upstream.host' in template 'site.conf.hbs' (named by src at DIR/playbook.yml:9:9)",
      position: { file: 'DIR/templates/site.conf.hbs', line: 3, column: 11 },
      key: 'h1: render',
    });
  });

  // Handlebars gives no line for a path below a missing variable: the file is all it can name.
  it('name the whole path of an undefined variable below a missing one', () => {
    const [first] = compileErrors(RENDER('site.conf.hbs'), { 'site.conf.hbs': 'listen {{ port }}\n\nserver {{ upstream.server.host }}\n' });
    expect(first.describe).toBe("DIR/site.conf.hbs: h1: render: undefined variable 'upstream.server.host' in template 'site.conf.hbs' (named by src at DIR/playbook.yml:9:9)");
  });

  it('name each bad argument at its key', () => {
    const yaml = `
- hosts: all
  tasks:
    - name: bad key
      kv:
        key: Not-A-Key
        value: '1'
    - name: missing value
      kv:
        key: a
    - name: extra
      kv: { key: a, value: '1', mode: '0644' }
`;
    expect(compileErrors(yaml).map((error) => error.describe)).toEqual([
      'DIR/playbook.yml:6:9: h1: bad key: key: does not match the expected form ^[a-z0-9_]+$',
      'DIR/playbook.yml:9:7: h1: missing value: value: is required',
      'DIR/playbook.yml:12:33: h1: extra: mode: is not an argument of this task',
      'DIR/playbook.yml:6:9: h2: bad key: key: does not match the expected form ^[a-z0-9_]+$',
      'DIR/playbook.yml:9:7: h2: missing value: value: is required',
      'DIR/playbook.yml:12:33: h2: extra: mode: is not an argument of this task',
    ]);
  });

  it('name an undefined variable, and a variable only a later task registers, at the task', () => {
    const yaml = `
- hosts: all
  tasks:
    - { name: too early, kv: { key: a, value: '{{ later.changed }}' } }
    - { name: typo, kv: { key: b, value: '{{ nope }}' } }
    - { name: registers, kv: { key: c, value: '1' }, register: later }
`;
    expect(compileErrors(yaml).slice(0, 2)).toEqual([
      { describe: "DIR/playbook.yml:4:26: h1: too early: undefined variable 'later.changed'", position: { file: 'DIR/playbook.yml', line: 4, column: 26 }, key: 'h1: too early' },
      { describe: "DIR/playbook.yml:5:21: h1: typo: undefined variable 'nope'", position: { file: 'DIR/playbook.yml', line: 5, column: 21 }, key: 'h1: typo' },
    ]);
  });

  it('refuse a become_user that starts with a dash, in a task or a play, while loading the playbook', () => {
    const yaml = `
- hosts: all
  become_user: -oops
  tasks:
    - { name: as someone, kv: { key: a, value: '1' }, become: true, become_user: '-u root' }
`;
    withPlaybook(yaml, {}, (file, dir) => {
      let thrown: unknown;
      try {
        loadPlaybook(file, testRegistry());
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InputErrors);
      expect((thrown as InputErrors).errors.map((error) => error.describe().split(dir).join('DIR'))).toEqual([
        'DIR/playbook.yml:3:3: 0.become_user: must match pattern "^[A-Za-z_][A-Za-z0-9_.-]{0,31}$"',
        'DIR/playbook.yml:5:69: 0.tasks.0.become_user: must match pattern "^[A-Za-z_][A-Za-z0-9_.-]{0,31}$"',
      ]);
    });
  });

  // The playbook refuses a become_user with a leading dash, and so does the inventory or -e.
  it('refuse an ansible_become_user that starts with a dash', () => {
    const errors = compileErrors(`
- hosts: all
  become: true
  tasks:
    - { name: as someone, kv: { key: a, value: '1' } }
`, {}, { extraVars: { ansible_become_user: '-oops' } });
    expect(errors.map((error) => error.key)).toEqual(['h1: ansible_become_user', 'h2: ansible_become_user']);
  });
});

describe('Jinja2 syntax', () => {
  it('is refused at the task, naming the construct and its handlebars spelling', () => {
    const yaml = `
- hosts: all
  tasks:
    - { name: filter, kv: { key: a, value: "{{ port | default(80) }}" } }
    - { name: statement, kv: { key: b, value: "{% if x %}1{% endif %}" } }
    - { name: condition, kv: { key: c, value: '1' }, when: "port | ipaddr" }
`;
    expect(compileErrors(yaml).slice(0, 3)).toEqual([
      {
        describe: "DIR/playbook.yml:4:23: h1: filter: Jinja2 filter '| default(80)' is not handlebars: write {{default port 80}}",
        position: { file: 'DIR/playbook.yml', line: 4, column: 23 },
        key: 'h1: filter',
      },
      {
        describe: "DIR/playbook.yml:5:26: h1: statement: Jinja2 statement '{% if x %}' is not handlebars: write {{#if x}}...{{/if}}",
        position: { file: 'DIR/playbook.yml', line: 5, column: 26 },
        key: 'h1: statement',
      },
      {
        describe: expect.stringMatching(/^DIR\/playbook\.yml:6:\d+: h1: condition: when: condition 'port \| ipaddr': lvs has no filter 'ipaddr'; conditions read default, int/),
        position: expect.objectContaining({ file: 'DIR/playbook.yml', line: 6 }),
        key: 'h1: condition',
      },
    ]);
  });

  it('in a template file is pointed at with the file, line and column of the construct', () => {
    const [first] = compileErrors(RENDER('site.conf.hbs'), { 'site.conf.hbs': "# managed\nlisten {{ port | int }}\n" });
    expect(first).toEqual({
      describe: "DIR/site.conf.hbs:2:16: h1: render: Jinja2 filter '| int' is not handlebars: write {{int port}} in template 'site.conf.hbs' (named by src at DIR/playbook.yml:9:9)",
      position: { file: 'DIR/site.conf.hbs', line: 2, column: 16 },
      key: 'h1: render',
    });
  });
});

describe('a condition on a registered result', () => {
  it('waits for the result, then reads it as Ansible does (a loop is changed when an item changed); a later one is undefined', () => {
    const run = compilePlaybook(`
- hosts: all
  tasks:
    - { name: registers, kv: { key: a, value: '1' }, register: r }
    - { name: on change, kv: { key: b, value: '1' }, when: "r is changed and r.results | length > 0" }
    - { name: guarded, kv: { key: c, value: '1' }, when: "later is defined and later is failed" }
    - { name: registers later, kv: { key: d, value: '1' }, register: later }
`, ['h1']);
    const [, onChange, guarded] = run.plays[0].hosts[0].tasks;
    if (onChange.kind !== 'deferred') throw new Error('expected a deferred task');
    expect(onChange.compile({ r: { results: [{ changed: false }, { changed: true }] } }).kind).toBe('run');
    expect(onChange.compile({ r: { results: [{ changed: false }] } }).kind).toBe('skip');
    // What only a later task registers is undefined here, so `and` stops before `is failed`.
    expect(guarded).toEqual({ kind: 'skip', reason: 'condition is false: "later is defined and later is failed"' });
  });
});

describe('conditions on inventory data', () => {
  it("index groups and hostvars with variables, and skip a host where `and` stops on an undefined variable", () => {
    const run = compilePlaybook(`
- hosts: all
  tasks:
    - { name: first host, kv: { key: a, value: '1' }, when: "inventory_hostname == groups['all'][0]" }
    - { name: by hostvars, kv: { key: b, value: '1' }, when: "hostvars[groups.all[1]] is defined and 'h2' in groups.all" }
    - { name: guarded, kv: { key: c, value: '1' }, when: "vip is defined and vip | length > 0" }
    - { name: converted, kv: { key: d, value: '1' }, when: "'8080' | int > 1024" }
`, ['h1', 'h2']);
    const kinds = run.plays[0].hosts.map((host) => host.tasks.map((task) => task.kind));
    expect(kinds).toEqual([
      ['run', 'run', 'skip', 'run'],
      ['skip', 'run', 'skip', 'run'],
    ]);
  });
});

describe('compiled tasks', () => {
  const kinds = (tasks: CompiledTask[]) => tasks.map((task) => (task.kind === 'deferred' ? `deferred on ${task.variable}` : task.kind));

  const PLAYBOOK = `
- hosts: all
  tasks:
    - { name: registers, kv: { key: a, value: '1' }, register: r, notify: reacts }
    - { name: reads r, kv: { key: b, value: 'was {{ r.changed }}' } }
    - { name: when r, kv: { key: c, value: '1' }, when: r.changed }
    - { name: plain, kv: { key: d, value: '{{ inventory_hostname }}' } }
    - { name: decided, kv: { key: e, value: '1' }, when: "inventory_hostname == 'h2'" }
  handlers:
    - { name: reacts, kv: { key: h, value: '{{ r.changed }}' } }
- hosts: all
  tasks:
    - { name: registers later, kv: { key: f, value: '1' }, register: later }
`;

  it('are decided before connecting unless they read a registered result', () => {
    const run = compilePlaybook(PLAYBOOK, ['h1', 'h2']);
    const [h1, h2] = run.plays[0].hosts;
    expect(kinds(h1.tasks)).toEqual(['run', 'deferred on r', 'deferred on r', 'run', 'skip']);
    expect(kinds(h2.tasks)).toEqual(['run', 'deferred on r', 'deferred on r', 'run', 'run']);
    // A handler runs after the play's tasks, so it may read what any of them registers.
    expect(kinds(h1.handlers)).toEqual(['deferred on r']);
    expect(h1.tasks[4]).toEqual({ kind: 'skip', reason: 'condition is false: "inventory_hostname == \'h2\'"' });
    const plain = h1.tasks[3];
    expect(plain.kind === 'run' && plain.units.map((unit) => unit.args)).toEqual([{ key: 'd', value: 'h1' }]);
  });

  it('compile a deferred task from the registered results, and say what is wrong when they lack something', () => {
    const run = compilePlaybook(PLAYBOOK, ['h1']);
    const [reads, when] = run.plays[0].hosts[0].tasks.slice(1, 3);
    if (reads.kind !== 'deferred' || when.kind !== 'deferred') throw new Error('expected deferred tasks');
    const now = reads.compile({ r: { changed: true } });
    expect(now.kind === 'run' && now.units.map((unit) => unit.args)).toEqual([{ key: 'b', value: 'was true' }]);
    expect(when.compile({ r: { changed: false } })).toEqual({ kind: 'skip', reason: 'condition is false: "r.changed"' });
    expect(() => reads.compile({ r: {} })).toThrow("undefined variable 'r.changed'");
  });

  it('compile without any connection: the inputs are files and data only', () => {
    // compileRun takes no connector: this is the whole of what it needs.
    withPlaybook(PLAYBOOK, {}, (file) => {
      const registry = testRegistry();
      const run = compileRun({ playbook: loadPlaybook(file, registry), inventory: loadInventories(['h1,']), registry, extraVars: {}, tags: [], skipTags: [], check: true, templateDirs: [] });
      expect(run.check).toBe(true);
      expect(run.plays.map((play) => play.hosts.map((host) => host.name))).toEqual([['h1'], ['h1']]);
    });
  });
});
