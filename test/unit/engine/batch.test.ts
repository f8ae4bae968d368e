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

  it("frames a progress command's fd 3 lines as they come, keeping its stdout, stderr and exit code apart", () => {
    const batch = batchScript([sh`echo out; echo '3 left; $(x)' >&3; echo err >&2; echo '1 left' >&3; exit 5`, sh`echo next`], { progress: [0] });
    const stdout = runLocally(batch.script);
    const progress = stdout.split('\n').map((line) => batch.progress(line)).filter(Boolean);
    expect(progress).toEqual([
      { index: 0, text: '3 left; $(x)' },
      { index: 0, text: '1 left' },
    ]);
    expect(batch.parse(stdout)).toEqual([
      { stdout: 'out\n', stderr: 'err\n', exitCode: 5 },
      { stdout: 'next\n', stderr: '', exitCode: 0 },
    ]);
  });

  it('has no fd 3 for a command that does not declare progress', () => {
    const batch = batchScript([sh`echo x >&3`]);
    const stdout = runLocally(batch.script);
    expect(stdout.split('\n').some((line) => batch.progress(line))).toBe(false);
    expect(batch.parse(stdout)[0].exitCode).not.toBe(0);
  });
});
