import { join } from 'node:path';
import { InputErrors } from '../../../src/errors';
import { loadPlaybook } from '../../../src/engine/playbook';
import { createRegistry } from '../../../src/engine/registry';

const fixture = (name: string) => join(__dirname, 'fixtures', name);
const registry = createRegistry({ projectDir: __dirname });

function errorsOf(file: string): string[] {
  try {
    loadPlaybook(fixture(file), registry);
  } catch (error) {
    expect(error).toBeInstanceOf(InputErrors);
    return (error as InputErrors).errors.map((item) => item.describe());
  }
  throw new Error('expected the playbook to be rejected');
}

describe('loadPlaybook', () => {
  it('reads plays, free-form and map arguments, notify, tags and when', () => {
    const playbook = loadPlaybook(fixture('good.yml'), registry);
    const [play] = playbook.plays;
    expect(play.name).toBe('cluster');
    expect(play.tasks.map((task) => task.action)).toEqual(['sysctl', 'ifaddr']);
    expect(play.tasks[0].args).toEqual({ name: 'net.ipv4.ip_forward', value: '{{ forward }}' });
    expect(play.tasks[0].notify).toEqual(['restart web']);
    expect(play.tasks[0].tags).toEqual(['net']);
    expect(play.tasks[1].when).toBe('vip is defined');
    expect(play.tasks[1].locate('label')).toMatchObject({ line: 14, column: 9 });
    expect(play.handlers[0].name).toBe('restart web');
  });

  it('names an unknown task with file, line, column and the nearest task', () => {
    const [error] = errorsOf('broken-args.yml');
    expect(error).toMatch(/broken-args\.yml:9:7: 0\.tasks\.1\.sysctll: unknown task 'sysctll' \(did you mean 'sysctl'\? known tasks: /);
  });

  it('names play keywords that are wrong or misspelt', () => {
    const errors = errorsOf('bad-shape.yml');
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/bad-shape\.yml:3:3: 0\.become: must be boolean/),
        expect.stringMatching(/bad-shape\.yml:4:3: 0\.taks: 'taks' is not a play keyword/),
      ]),
    );
  });

  it('refuses a task with two task modules', () => {
    expect(errorsOf('two-modules.yml')[0]).toMatch(/two-modules\.yml:3:7: 0\.tasks\.0: a task has exactly one task module key, found sysctl, route/);
  });

  it('refuses a notify that no handler answers', () => {
    expect(errorsOf('bad-notify.yml')[0]).toMatch(/bad-notify\.yml:3:7: 0\.tasks\.0\.notify: notifies 'restart web', but the play has no such handler \(handlers: restart apache\)/);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(() => loadPlaybook(fixture('../../engine/fixtures/missing.yml'), registry)).toThrow(/cannot read file/);
  });
});
