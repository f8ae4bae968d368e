/**
 * A touch (the file task's action) is changed on every run, not failed as "not idempotent"
 * because its second plan still has the change. The host is this
 * machine's own sh (`sh -s` with the batch on stdin, as a host runs it), on a scratch dir.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, statSync, utimesSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { CommandResult } from '../../../src/api';
import { checkArguments } from '../../../src/engine/arguments';
import { HostRun, type RemoteShell } from '../../../src/engine/execute/host-run';
import type { ShellCommand } from '../../../src/shell/quote';
import file from '../../../src/tasks/file';

const localShell: RemoteShell = {
  async exec(command: ShellCommand, options = {}): Promise<CommandResult> {
    const result = spawnSync('sh', ['-c', command.text], { input: options.stdin, encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C' }, timeout: 10_000 });
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? -1 };
  },
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvs-repeats-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const unit = (args: Record<string, unknown>) => ({ module: file, args: checkArguments(file, args).args, context: { host: 'here', templates: {}, files: {}, expressions: {} }, secret: false });
const hostRun = () => new HostRun('here', localShell, { check: false, commandTimeoutMs: 10_000, redact: (text) => text });

describe('a touch, an action that changes something', () => {
  it('is changed each time it runs, and does what it says', async () => {
    const path = join(dir, 'stamp');
    expect((await hostRun().runUnit(unit({ path, state: 'touch' }))).status).toBe('changed');
    utimesSync(path, 1000, 1000);
    const again = await hostRun().runUnit(unit({ path, state: 'touch' }));
    expect(again).toMatchObject({ status: 'changed', diff: [{ subject: `${path} times`, before: 'as they were', after: 'now' }] });
    expect(statSync(path).mtimeMs).toBeGreaterThan(1_000_000);
  });

  it('twin: not an action, touch with both times kept is ok the second time', async () => {
    const path = join(dir, 'kept');
    const args = { path, state: 'touch', access_time: 'preserve', modification_time: 'preserve' };
    expect((await hostRun().runUnit(unit(args))).status).toBe('changed');
    expect((await hostRun().runUnit(unit(args))).status).toBe('ok');
  });
});
