import { spawnSync } from 'node:child_process';
import { batchScript } from '../../../src/engine/execute/batch';
import { sh } from '../../../src/shell/quote';

/** Runs a batch script in a real local `sh -s`, as the remote side does. */
function runLocally(script: string): string {
  const result = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('batchScript', () => {
  it('returns stdout, stderr and exit code of every command, whatever bytes they print', () => {
    const batch = batchScript([sh`printf 'a b\\n\\nc'`, sh`echo oops >&2; exit 3`, sh`printf '%s' ${"it's $(id) `x`"}`]);
    const results = batch.parse(runLocally(batch.script));
    expect(results).toEqual([
      { stdout: 'a b\n\nc', stderr: '', exitCode: 0 },
      { stdout: '', stderr: 'oops\n', exitCode: 3 },
      { stdout: "it's $(id) `x`", stderr: '', exitCode: 0 },
    ]);
  });

  it('runs commands with LANG=C and without stdin', () => {
    const batch = batchScript([sh`echo "$LANG"; cat`]);
    expect(batch.parse(runLocally(batch.script))[0]).toEqual({ stdout: 'C\n', stderr: '', exitCode: 0 });
  });

  it('stops at the first failing command, skipping the read-back too', () => {
    const batch = batchScript([sh`true`, sh`false`, sh`echo never`], { stopOnError: true, then: [sh`echo readback`] });
    const results = batch.parse(runLocally(batch.script));
    expect(results.map((result) => result.exitCode)).toEqual([0, 1]);
  });

  it('reads back after the commands when they all succeed', () => {
    const batch = batchScript([sh`true`], { stopOnError: true, then: [sh`echo readback`] });
    expect(batch.parse(runLocally(batch.script)).map((result) => result.stdout)).toEqual(['', 'readback\n']);
  });

  it('keeps one command from ending the script for the others', () => {
    const batch = batchScript([sh`exit 4`, sh`echo still here`]);
    expect(batch.parse(runLocally(batch.script)).map((result) => result.stdout)).toEqual(['', 'still here\n']);
  });

  it('ignores lines that only look like its frames', () => {
    const batch = batchScript([sh`echo 'lvs-000000000000 0 0 x y'`]);
    expect(batch.parse(runLocally(batch.script))[0].stdout).toBe('lvs-000000000000 0 0 x y\n');
  });
});
