/**
 * file: every state run for real in this machine's sh on a scratch dir (plan, apply, re-plan),
 * with its no-op twin; the remotePath fact on captured output; argument rules.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseRemotePath } from '../../../src/facts/file';
import file from '../../../src/tasks/file';
import { argumentProblems, commandLines, context } from './plan-with-fixtures';
import { applyHere, planHere } from './local-shell';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lvs file 'q' -x "));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const mode = (path: string) => (lstatSync(path).mode & 0o7777).toString(8);
const apply = (args: Record<string, unknown>) => applyHere(file, args, context);

describe('remotePath fact', () => {
  // Captured from its command on Debian 12 (coreutils 9.1).
  it('parses a file, a link with its target, a dangling link and nothing', () => {
    expect(parseRemotePath({ stdout: '644 root root 1234 2049 regular empty file\n644 root root 1234 2049 regular empty file\n', stderr: '', exitCode: 0 })).toEqual({
      self: { type: 'file', mode: '644', owner: 'root', group: 'root', inode: '1234', device: '2049' },
      resolved: { type: 'file', mode: '644', owner: 'root', group: 'root', inode: '1234', device: '2049' },
    });
    expect(parseRemotePath({ stdout: '777 root root 99 2049 symbolic link\n755 root root 12 2049 directory\n../etc dir\n', stderr: '', exitCode: 0 })).toMatchObject({
      self: { type: 'link' },
      resolved: { type: 'directory', mode: '755' },
      linkTarget: '../etc dir',
    });
    expect(parseRemotePath({ stdout: '777 root root 99 2049 symbolic link\ndangling\n/nowhere\n', stderr: '', exitCode: 0 })).toEqual({
      self: { type: 'link', mode: '777', owner: 'root', group: 'root', inode: '99', device: '2049' },
      resolved: undefined,
      linkTarget: '/nowhere',
    });
    expect(parseRemotePath({ stdout: 'absent\n', stderr: '', exitCode: 0 })).toEqual({});
    expect(() => parseRemotePath({ stdout: 'garbage\n', stderr: '', exitCode: 0 })).toThrow('cannot understand stat output: "garbage"');
  });
});

describe('file states in this machine\'s sh', () => {
  it('directory: made with its parents and mode; twin: nothing; a new mode fixed in place', () => {
    const path = join(dir, 'a b/$(touch pwned)/c');
    const made = apply({ path, state: 'directory', mode: '0750' });
    expect(made.plan.changes).toEqual([{ subject: path, before: 'absent', after: 'directory' }]);
    expect(made.again.noop).toMatch(/ is a directory, mode 750 /);
    expect(mode(path)).toBe('750');
    expect(readdirSync(dir)).toEqual(['a b']);
    expect(apply({ path, state: 'directory', mode: '0755' }).plan.changes).toEqual([{ subject: `${path} mode`, before: '750', after: '0755' }]);
  });

  it('directory with recurse: everything under it gets the mode, links left alone; twin: nothing', () => {
    const path = join(dir, 'tree');
    mkdirSync(join(path, 'sub'), { recursive: true });
    writeFileSync(join(path, 'sub/f'), 'x', { mode: 0o600 });
    symlinkSync('/etc/hostname', join(path, 'link'));
    const { plan, again } = apply({ path, state: 'directory', mode: '0755', recurse: true });
    expect(plan.changes).toEqual([{ subject: `${path} (recursively)`, before: `${join(path, 'sub/f')} differs`, after: 'mode 0755' }]);
    expect(commandLines(plan)).toEqual([`chmod -R -- 0755 '${path.replace(/'/g, `'\\''`)}'`]);
    expect(again.changes).toEqual([]);
    expect(mode(join(path, 'sub/f'))).toBe('755');
  });

  it('file: only attributes, and the file must exist', () => {
    const path = join(dir, 'f');
    expect(() => planHere(file, { path }, context)).toThrow(`file ${path} is absent, cannot continue (state touch creates it)`);
    writeFileSync(path, 'x', { mode: 0o644 });
    const { plan, again } = apply({ path, mode: '0600' });
    expect(plan.changes).toEqual([{ subject: `${path} mode`, before: '644', after: '0600' }]);
    expect(again.noop).toMatch(/ is a file, mode 600 /);
    mkdirSync(join(dir, 'd'));
    expect(() => planHere(file, { path: join(dir, 'd'), state: 'file' }, context)).toThrow(`${join(dir, 'd')} is a directory, not a file`);
  });

  it('no state: what the path is now, as in Ansible (a directory keeps being one)', () => {
    const path = join(dir, 'd');
    mkdirSync(path, { mode: 0o755 });
    const { plan, again } = apply({ path, mode: '0700' });
    expect(plan.changes).toEqual([{ subject: `${path} mode`, before: '755', after: '0700' }]);
    expect(again.noop).toMatch(/ is a directory, mode 700 /);
    expect(() => planHere(file, { path: join(dir, 'nothing'), mode: '0700' }, context)).toThrow(`file ${join(dir, 'nothing')} is absent, cannot continue`);
  });

  it('absent: a file, a link (not its target), a directory with what it holds; twin: nothing', () => {
    const target = join(dir, 'keep');
    writeFileSync(target, 'x');
    symlinkSync(target, join(dir, 'link'));
    expect(apply({ path: join(dir, 'link'), state: 'absent' }).plan.changes).toEqual([{ subject: join(dir, 'link'), before: 'link', after: 'absent' }]);
    mkdirSync(join(dir, 'd/e'), { recursive: true });
    expect(apply({ path: join(dir, 'd'), state: 'absent' }).again.noop).toBe(`${join(dir, 'd')} is absent`);
    expect(readdirSync(dir)).toEqual(['keep']);
  });

  it('link: made, kept as written (relative), replaced when it points elsewhere; twin: nothing', () => {
    writeFileSync(join(dir, 'one'), '1');
    writeFileSync(join(dir, 'two'), '2');
    const path = join(dir, 'current');
    const made = apply({ path, state: 'link', src: 'one' });
    expect(made.plan.changes).toEqual([{ subject: path, before: 'absent', after: 'link to one' }]);
    expect(made.again.noop).toBe(`${path} is a link to one`);
    expect(readlinkSync(path)).toBe('one');
    const moved = apply({ path, state: 'link', src: 'two' });
    expect(moved.plan.changes).toEqual([{ subject: path, before: 'link to one', after: 'link to two' }]);
    expect(readlinkSync(path)).toBe('two');
    expect(readdirSync(dir).sort()).toEqual(['current', 'one', 'two']);
  });

  it('link: a missing src or a file in the way needs force', () => {
    const path = join(dir, 'l');
    expect(() => planHere(file, { path, state: 'link', src: 'nowhere' }, context)).toThrow('src nowhere does not exist');
    expect(apply({ path, state: 'link', src: 'nowhere', force: true }).again.noop).toBe(`${path} is a link to nowhere`);
    const busy = join(dir, 'busy');
    writeFileSync(busy, 'x');
    expect(() => planHere(file, { path: busy, state: 'link', src: '/etc/hostname' }, context)).toThrow(`${busy} is a file; use force=true to replace it with a link`);
    apply({ path: busy, state: 'link', src: '/etc/hostname', force: true });
    expect(readlinkSync(busy)).toBe('/etc/hostname');
  });

  it('hard: the same inode as src; twin: nothing; another file needs force', () => {
    const src = join(dir, 'data');
    writeFileSync(src, 'x');
    const path = join(dir, 'hard');
    expect(apply({ path, state: 'hard', src }).again.noop).toBe(`${path} is a hard link to ${src}`);
    expect(statSync(path).ino).toBe(statSync(src).ino);
    const other = join(dir, 'other');
    writeFileSync(other, 'y');
    expect(() => planHere(file, { path: other, state: 'hard', src }, context)).toThrow(`${other} is a file other than ${src}; use force=true`);
    apply({ path: other, state: 'hard', src, force: true });
    expect(statSync(other).ino).toBe(statSync(src).ino);
  });

  it('touch: creates a file; on an existing one it is a change every time (as in Ansible), and the engine is told it is an action', () => {
    const path = join(dir, 'stamp');
    const made = apply({ path, state: 'touch', mode: '0640' });
    expect(made.plan.changes).toEqual([{ subject: path, before: 'absent', after: 'file' }]);
    expect(made.plan.action).toEqual({ check: 'report' });
    expect(mode(path)).toBe('640');
    utimesSync(path, 1000, 1000);
    const again = apply({ path, state: 'touch' });
    expect(again.plan.action).toEqual({ check: 'report' });
    expect(again.plan.changes).toEqual([{ subject: `${path} times`, before: 'as they were', after: 'now' }]);
    expect(statSync(path).mtimeMs).toBeGreaterThan(1_000_000);
  });

  it('touch with both times preserve is idempotent', () => {
    const path = join(dir, 'stamp');
    apply({ path, state: 'touch' });
    utimesSync(path, 1000, 1000);
    const { plan } = apply({ path, state: 'touch', access_time: 'preserve', modification_time: 'preserve' });
    expect(plan.changes).toEqual([]);
    const made = apply({ path: join(dir, 'new'), state: 'touch', access_time: 'preserve', modification_time: 'preserve' });
    expect(made.plan.action).toBeUndefined();
    expect(made.again.changes).toEqual([]);
    expect(statSync(path).mtimeMs).toBe(1_000_000);
  });
});

describe('file arguments', () => {
  it.each([
    [{ path: '/x', state: 'link' }, 'src: is required when state is link'],
    [{ path: '/x', src: '/y' }, 'src: only a link (state link or hard) has a src'],
    [{ path: '/x', state: 'link', src: '/y', mode: '0644' }, 'mode: a symbolic link has no mode of its own; set it on src'],
    [{ path: '/x', state: 'file', recurse: true, mode: '0644' }, 'recurse: only with state directory'],
    [{ path: '/x', state: 'directory', recurse: true }, 'recurse: give mode, owner or group to set under the directory'],
    [{ path: '/x', state: 'absent', mode: '0644' }, 'state: an absent path has no mode, owner or group'],
    [{ path: '/x', access_time: 'preserve' }, 'access_time: only with state touch'],
  ])('%j: %s', (args, message) => {
    expect(argumentProblems(file, args)).toEqual([message]);
  });

  it.each([
    ['mode', { path: '/x', mode: 'u+rwx' }],
    ['mode', { path: '/x', mode: '0644; id' }],
    ['path', { path: 'relative' }],
    ['src', { path: '/x', state: 'link', src: '-x' }],
    ['owner', { path: '/x', owner: '-root' }],
  ])('%s in %j is refused', (key, args) => {
    expect(argumentProblems(file, args)).toEqual([expect.stringMatching(new RegExp(`^${key}: does not match`))]);
  });
});

describe('the file example', () => {
  it('is valid, as `lvs tasks file` prints it', () => {
    expect(argumentProblems(file, { ...file.example })).toEqual([]);
  });
});
