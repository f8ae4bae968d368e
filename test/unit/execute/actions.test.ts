/**
 * Plans that are actions (Plan.action): their commands run without a re-plan, even with no
 * changes; the output of the command marked `output` becomes the result; --check runs,
 * reports or skips them as the plan says; a wait extends the batch's timeout.
 */
import { defineTask, noop, type Fact, type Plan, type TaskModule } from '../../../src/api';
import type { TaskUnit } from '../../../src/engine/compile/compiled-run';
import { HostRun, type RemoteShell } from '../../../src/engine/execute/host-run';
import { sh } from '../../../src/shell/quote';
import { ScriptedConnector, type Answer } from '../../support/scripted-shell';

/** A task whose plan is given by the test, with one fact, so that a re-read would show. */
const planned = (plan: Plan): TaskModule =>
  defineTask<{}, { marker: Fact<string> }>({
    name: 'planned',
    description: 'A plan given by the test.',
    schema: { type: 'object', additionalProperties: false, properties: {} },
    example: {},
    facts: () => ({ marker: { command: sh`cat marker`, parse: (result) => result.stdout } }),
    plan: () => plan,
  });

const unitOf = (module: TaskModule): TaskUnit => ({ module, args: {}, context: { host: 'h1', templates: {}, files: {}, expressions: {} }, secret: false });

async function run(plan: Plan, options: { check?: boolean; answers?: Record<string, Answer> } = {}) {
  const connector = new ScriptedConnector({
    h1: { state: undefined, answer: (command) => options.answers?.[command] ?? (command === 'cat marker' ? { stdout: 'm' } : { stderr: `${command}: not found`, exitCode: 127 }) },
  });
  const inner = await connector.open('h1', { host: '127.0.0.1', port: 22 } as never);
  const timeouts: (number | undefined)[] = [];
  const shell: RemoteShell = { exec: (command, execOptions) => (timeouts.push(execOptions?.timeoutMs), inner.exec(command, execOptions)) };
  const unit = unitOf(planned(plan));
  const result = await new HostRun('h1', shell, { check: options.check ?? false, commandTimeoutMs: 1000, redact: (text) => text.replace(/hunter2/g, '********') }, [unit]).runUnit(unit);
  const { duration_ms: _duration, ...rest } = result;
  return { result: rest, execs: connector.execsOf('h1'), timeouts };
}

const say = { run: sh`say`, output: true as const };
const ANSWERS = { say: { stdout: 'hello\nworld\n\n', stderr: 'warn\n' } };

describe('an action', () => {
  it('runs, keeps the output of its output command, and is not re-planned (its facts are not read again)', async () => {
    const { result, execs } = await run({ changes: [{ subject: 'runs', before: null, after: 'say' }], commands: [say], action: { check: 'report' }, result: { cmd: ['say'] } }, { answers: ANSWERS });
    expect(result).toEqual({
      status: 'changed',
      changed: true,
      diff: [{ subject: 'runs', before: null, after: 'say' }],
      commands: ['say'],
      stdout: 'hello\nworld',
      stderr: 'warn',
      rc: 0,
      stdout_lines: ['hello', 'world'],
      stderr_lines: ['warn'],
      values: { cmd: ['say'] },
    });
    expect(execs).toEqual([
      { apply: [], read: ['cat marker'] },
      { apply: ['say'], read: [] },
    ]);
  });

  it('runs with no changes, and is then ok with its reason', async () => {
    const { result } = await run({ changes: [], commands: [say], noop: 'waited', action: { check: 'run' } }, { answers: ANSWERS });
    expect(result).toMatchObject({ status: 'ok', changed: false, noop: 'waited', rc: 0 });
  });

  it('fails on a non-zero exit with its stderr, redacted, and keeps the output', async () => {
    const { result } = await run({ changes: [], commands: [say], action: { check: 'run' } }, { answers: { say: { stdout: 'partial', stderr: 'bad hunter2', exitCode: 3 } } });
    expect(result).toMatchObject({ status: 'failed', failed: true, msg: 'say exited 3: bad ********', rc: 3, stdout: 'partial', stderr: 'bad ********' });
  });

  it('in --check: runs (run), reports without running (report), or is skipped with the reason (skip)', async () => {
    const plan = (check: Plan['action']): Plan => ({ changes: [{ subject: 'runs', before: null, after: 'say' }], commands: [say], action: check });
    const ran = await run({ changes: [], commands: [say], action: { check: 'run' } }, { check: true, answers: ANSWERS });
    expect(ran.result).toMatchObject({ status: 'ok', check_mode: true, stdout: 'hello\nworld' });
    expect(ran.execs.map((exec) => exec.apply)).toEqual([[], ['say']]);
    const reported = await run(plan({ check: 'report' }), { check: true });
    expect(reported.result).toMatchObject({ status: 'changed', check_mode: true, commands: ['say'] });
    expect(reported.execs.map((exec) => exec.apply)).toEqual([[]]);
    const skipped = await run(plan({ check: { skip: 'it cannot be known' } }), { check: true });
    expect(skipped.result).toEqual({ status: 'skipped', changed: false, msg: 'it cannot be known', diff: [], commands: ['say'], check_mode: true });
    expect(skipped.execs.map((exec) => exec.apply)).toEqual([[]]);
  });

  it('gives the batch of a command that waits that much more time than --command-timeout', async () => {
    const { timeouts } = await run({ changes: [], commands: [{ ...say, waitsUpTo: 30 }], action: { check: 'run' } }, { answers: ANSWERS });
    expect(timeouts).toEqual([1000, 31_000]);
  });

  it('refuses result names the engine sets, and output names when it keeps an output', async () => {
    expect((await run({ ...noop('x'), result: { changed: false } })).result).toMatchObject({ status: 'failed', msg: "planned: the plan's result may not set changed, which lvs sets itself" });
    expect((await run({ changes: [], commands: [say], action: { check: 'run' }, result: { rc: 0 } })).result).toMatchObject({ status: 'failed', msg: "planned: the plan's result may not set rc, which lvs sets itself" });
    expect((await run({ ...noop('not run'), result: { rc: 0, stdout: 'skipped' } })).result).toMatchObject({ status: 'ok', values: { rc: 0, stdout: 'skipped' } });
  });
});
