/**
 * No value is read as an option: every argument of every built-in task refuses a value
 * that starts with `-` (-x, --help, -p FILE), through the engine's own argument checking,
 * so it is bad input before any host is touched. The few free-text arguments that accept
 * one are listed with the reason it cannot reach a command as an option.
 */
import type { TaskModule } from '../../../src/api';
import { builtinTasks } from '../../../src/tasks';
import { captured } from '../fixtures/network';
import { ACCEPTED, DASH_VALUES, REFUSED, withValue } from './argument-matrix';
import { acceptedArguments, argumentProblems, commandLines, Parsed, planWith } from './plan-with-fixtures';
import type { RemoteFile } from '../../../src/facts/file';

const moduleNamed = (name: string): TaskModule => builtinTasks.find((module) => module.name === name)!;

/** `task.key` for every argument in the schemas, a list's items as `.0`. */
function schemaArguments(): string[] {
  type Schema = { type?: unknown; properties?: Record<string, Schema>; items?: Schema };
  const leaves = (schema: Schema, prefix: string): string[] =>
    Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
      if (property.type !== 'array') return [`${prefix}${name}`];
      const items = property.items ?? {};
      return items.properties ? leaves(items, `${prefix}${name}.0.`) : [`${prefix}${name}.0`];
    });
  return builtinTasks.flatMap((module) => leaves(module.schema as Schema, `${module.name}.`)).sort();
}

describe('the matrix', () => {
  it('covers every argument of every built-in task', () => {
    const listed = [...REFUSED, ...ACCEPTED].map((entry) => `${entry.task}.${entry.key}`).sort();
    expect(listed).toEqual(schemaArguments());
  });

  it.each([...REFUSED, ...ACCEPTED].map((entry) => [`${entry.task} ${entry.key}`, entry] as const))('%s: its arguments are valid as they stand', (_label, entry) => {
    expect(() => acceptedArguments(moduleNamed(entry.task), entry.args)).not.toThrow();
  });
});

describe.each(DASH_VALUES)('the value %j', (value) => {
  it.each(REFUSED.map((entry) => [`${entry.task} ${entry.key}`, entry] as const))('is refused as %s, naming that key alone', (_label, entry) => {
    const problems = argumentProblems(moduleNamed(entry.task), withValue(entry.args, entry.key, value));
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.startsWith(`${entry.key}: `)).toBe(true);
  });

  it.each(ACCEPTED.map((entry) => [`${entry.task} ${entry.key}`, entry] as const))('is taken as %s, which no command reads as an option', (_label, entry) => {
    expect(argumentProblems(moduleNamed(entry.task), withValue(entry.args, entry.key, value))).toEqual([]);
  });
});

describe('the names that used to pass', () => {
  it.each([
    ['sysctl', { name: '-p/root/evil.conf', value: 1 }, 'name'],
    ['sysctl', { name: '-a.b', value: 1 }, 'name'],
    ['kmod', { name: '--help' }, 'name'],
    ['kmod', { name: '-v' }, 'name'],
    ['link', { dev: '-x' }, 'dev'],
    ['ifaddr', { address: '10.0.0.1/32', dev: 'lo', label: '-lo' }, 'label'],
    ['route', { dest: 'default', dev: '--help' }, 'dev'],
  ] as const)('%s %j is refused at %s', (task, args, key) => {
    expect(argumentProblems(moduleNamed(task), args)).toEqual([expect.stringMatching(new RegExp(`^${key}: does not match`))]);
  });

  it('a dash inside a name is still fine: interface names, VLANs, module names', () => {
    expect(argumentProblems(moduleNamed('sysctl'), { name: 'net.ipv4.conf.br-lan.rp_filter', value: 0 })).toEqual([]);
    expect(argumentProblems(moduleNamed('kmod'), { name: 'nf_conntrack-ftp' })).toEqual([]);
    expect(argumentProblems(moduleNamed('link'), { dev: 'br-lan' })).toEqual([]);
    expect(argumentProblems(moduleNamed('ifaddr'), { address: '10.0.0.1/32', dev: 'br-lan', label: 'br-lan:0' })).toEqual([]);
  });
});

describe('sysctl value', () => {
  const stockFile = new Parsed<RemoteFile>({ exists: true, content: 'net.ipv4.ip_forward = 1\n', mode: '644', owner: 'root', group: 'root' });

  it('-1 and --help reach sysctl inside KEY=VALUE, after --', () => {
    for (const [value, word] of [
      [-1, 'net.ipv4.ip_forward=-1'],
      ['--help', 'net.ipv4.ip_forward=--help'],
      ['-p /tmp/x', "'net.ipv4.ip_forward=-p /tmp/x'"],
    ] as const) {
      const plan = planWith(moduleNamed('sysctl'), { name: 'net.ipv4.ip_forward', value }, { liveValue: captured('sysctl-ip-forward-0'), file: stockFile });
      expect(commandLines(plan)[0].startsWith(`lvs_err=$(sysctl -q -w -- ${word} 2>&1 >/dev/null); lvs_now=$(sysctl -n -- net.ipv4.ip_forward `)).toBe(true);
    }
  });
});
