/**
 * The scripted shell must read what the engine really sends and answer as a real `sh -s`
 * does, or the executor tests below it prove nothing: each case here runs the same batch
 * script through a real local sh and through the scripted shell.
 */
import { spawnSync } from 'node:child_process';
import { batchScript } from '../../../src/engine/execute/batch';
import { sh } from '../../../src/shell/quote';
import { keyValueHost, parseBatchScript, ScriptedConnector, type ScriptedHost } from '../../support/scripted-shell';

const realSh = (script: string) => spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });

/** Answers as sh would for the few commands the cases use. */
const echoHost: ScriptedHost<undefined> = {
  state: undefined,
  answer: (command) => {
    if (command === 'printf %s hi') return { stdout: 'hi' };
    if (command === 'echo oops >&2; exit 3') return { stderr: 'oops\n', exitCode: 3 };
    if (command === "printf '%s\\n' 'it'\\''s'\nprintf two") return { stdout: "it's\ntwo" };
    throw new Error(`unexpected command ${command}`);
  },
};

async function scripted(script: string) {
  const connector = new ScriptedConnector({ h1: echoHost });
  const shell = await connector.open('h1', { connection: 'ssh', host: 'h1', port: 22, user: 'root', become: false, becomeUser: 'root' });
  return { result: await shell.exec(sh`sh -s`, { stdin: script }), connector };
}

describe('the scripted shell', () => {
  const multiLine = sh`printf '%s\\n' ${"it's"}\nprintf two`;

  it('answers a fact batch byte for byte as sh -s does', async () => {
    const batch = batchScript([sh`printf %s hi`, sh`echo oops >&2; exit 3`, multiLine]);
    const real = realSh(batch.script);
    const { result, connector } = await scripted(batch.script);
    expect(result).toEqual({ stdout: real.stdout, stderr: real.stderr, exitCode: real.status });
    expect(batch.parse(result.stdout)).toEqual([
      { stdout: 'hi', stderr: '', exitCode: 0 },
      { stdout: '', stderr: 'oops\n', exitCode: 3 },
      { stdout: "it's\ntwo", stderr: '', exitCode: 0 },
    ]);
    expect(connector.execsOf('h1')).toEqual([{ apply: [], read: ['printf %s hi', 'echo oops >&2; exit 3', "printf '%s\\n' 'it'\\''s'\nprintf two"] }]);
  });

  it('stops where sh stops, at the first failing command of an apply batch, skipping the read-back', async () => {
    const batch = batchScript([sh`printf %s hi`, sh`echo oops >&2; exit 3`, multiLine], { stopOnError: true, then: [sh`printf %s hi`] });
    const real = realSh(batch.script);
    const { result, connector } = await scripted(batch.script);
    expect(result).toEqual({ stdout: real.stdout, stderr: real.stderr, exitCode: real.status });
    expect(batch.parse(result.stdout).map((one) => one.exitCode)).toEqual([0, 3]);
    expect(connector.execsOf('h1')).toEqual([{ apply: ['printf %s hi', 'echo oops >&2; exit 3', "printf '%s\\n' 'it'\\''s'\nprintf two"], read: ['printf %s hi'] }]);
  });

  it('refuses a script that is not the batch framing', async () => {
    const batch = batchScript([sh`printf %s hi`]);
    expect(() => parseBatchScript(batch.script.replace('lvs_rc=$?', 'rc=$?'))).toThrow(/the command at line 5 is never closed/);
    expect(() => parseBatchScript(batch.script.replace('export LANG=C LC_ALL=C', 'export LANG=C'))).toThrow(/line 2 is not "export LANG=C LC_ALL=C"/);
    expect(() => parseBatchScript(batch.script.replace(/ 0 "\$lvs_rc"/, ' 1 "$lvs_rc"'))).toThrow(/frame 1 where 0 belongs/);
    await expect(scripted('echo hi\n')).rejects.toThrow(/not a batch script/);
  });

  it('gives a dying shell the frames it printed, its stderr and its exit code', async () => {
    const connector = new ScriptedConnector({ h1: keyValueHost({ a: '1' }, (command) => (command === 'cat b' ? { shellDies: { stderr: 'Killed\n', exitCode: 137 } } : undefined)) });
    const shell = await connector.open('h1', { connection: 'ssh', host: 'h1', port: 22, user: 'root', become: false, becomeUser: 'root' });
    const batch = batchScript([sh`cat a`, sh`cat b`, sh`cat c`]);
    const result = await shell.exec(sh`sh -s`, { stdin: batch.script });
    expect(result.stderr).toBe('Killed\n');
    expect(result.exitCode).toBe(137);
    expect(batch.parse(result.stdout)).toEqual([{ stdout: '1', stderr: '', exitCode: 0 }]);
  });

  it('is a key-value host: cat reads, printf writes, a missing key fails as cat does', async () => {
    const host = keyValueHost({ a: '1' });
    expect(host.answer('cat a', undefined, host.state)).toEqual({ stdout: '1' });
    expect(host.answer("printf %s 'two words' > b", undefined, host.state)).toEqual({});
    expect([...host.state]).toEqual([['a', '1'], ['b', 'two words']]);
    expect(host.answer('cat c', undefined, host.state)).toEqual({ stderr: 'cat: c: No such file or directory\n', exitCode: 1 });
    expect(host.answer('rm -rf c', undefined, host.state)).toEqual({ stderr: 'sh: 1: rm: not found\n', exitCode: 127 });
  });
});
