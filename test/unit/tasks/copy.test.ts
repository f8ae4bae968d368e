/**
 * copy: the plan (content and src, binary bytes, force, backup, mode preserve, trees) with
 * its no-op twins, and the commands run for real in this machine's sh on a scratch dir.
 */
import { createHash } from 'crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { SourceFile, TaskContext } from '../../../src/api';
import copy from '../../../src/tasks/copy';
import { argumentProblems, commandLines, Parsed, planWith } from './plan-with-fixtures';
import { applyHere, planHere } from './local-shell';

const BINARY = Buffer.from([0x00, 0xff, 0x0a, 0x0d, 0x80, 0x27, 0x24, 0x28]);
const sourceFile = (content: Buffer, mode = '644'): SourceFile => ({ type: 'file', content, mode, entries: [] });
const withFiles = (files: Record<string, SourceFile>): TaskContext => ({ host: 'h1', templates: {}, files, expressions: {} });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lvs copy 'q' "));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8);

describe('copy plan', () => {
  it('writes content to a missing file atomically, 0644 by default', () => {
    const result = planWith(copy, { content: 'hello\n', dest: '/etc/motd' }, { dest: new Parsed({ exists: false, content: '' }) });
    expect(result.changes).toEqual([{ subject: '/etc/motd', before: null, after: 'hello\n' }]);
    expect(commandLines(result)).toEqual([
      '{ { lvs_dest=$(readlink -f -- /etc/motd) || lvs_dest=/etc/motd; } && ' +
        `{ [ -f "$lvs_dest" ] || [ ! -e "$lvs_dest" ] || { echo '/etc/motd is not a regular file' >&2; false; }; } && ` +
        'lvs_tmp=$(mktemp -- "$lvs_dest.lvs-XXXXXX") && printf %s aGVsbG8K | base64 -d > "$lvs_tmp" && chmod -- 0644 "$lvs_tmp" && ' +
        `{ [ ! -e "$lvs_dest" ] || { echo '/etc/motd appeared after lvs read it; it was not overwritten' >&2; false; }; } && ` +
        'mv -f -- "$lvs_tmp" "$lvs_dest"; } || { lvs_rc=$?; rm -f -- "$lvs_tmp"; exit $lvs_rc; }',
    ]);
  });

  it('validate: src or content, one of them', () => {
    expect(argumentProblems(copy, { dest: '/etc/x' })).toEqual(['src: give src (a local file) or content']);
    expect(argumentProblems(copy, { dest: '/etc/x', src: 'a', content: 'b' })).toEqual(['content: give src or content, not both']);
    expect(argumentProblems(copy, { dest: '/etc/x', content: 'b', mode: 'preserve' })).toEqual(['mode: preserve needs a src file to take the mode from']);
    expect(argumentProblems(copy, { dest: '/etc/x', src: '../secret' })).toEqual([expect.stringMatching(/^src: does not match/)]);
    expect(argumentProblems(copy, { dest: '/etc/x', src: '/etc/shadow' })).toEqual([expect.stringMatching(/^src: does not match/)]);
    expect(argumentProblems(copy, { dest: '/etc/x', content: 'b', mode: 'u+rwx' })).toEqual([expect.stringMatching(/^mode: does not match/)]);
  });

});

describe('copy in this machine\'s sh', () => {
  it('binary bytes from src arrive unchanged; the diff describes them; again: nothing', () => {
    const dest = join(dir, 'blob.bin');
    const context = withFiles({ 'blob.bin': sourceFile(BINARY) });
    const { plan, again } = applyHere(copy, { src: 'blob.bin', dest }, context);
    expect(plan.changes).toEqual([{ subject: dest, before: null, after: `(binary: 8 bytes, sha256 ${createHash('sha256').update(BINARY).digest('hex')})` }]);
    expect(readFileSync(dest).equals(BINARY)).toBe(true);
    expect(again.changes).toEqual([]);
    expect(again.noop?.startsWith(`${dest} already holds blob.bin (8 bytes), mode 644 `)).toBe(true);
  });

  it('content replaces a different file, keeping its mode, with an Ansible-named backup; twin: unchanged', () => {
    const dest = join(dir, '-dash "name" $(touch pwned).conf');
    writeFileSync(dest, 'old\n');
    chmodSync(dest, 0o640);
    const { plan, again } = applyHere(copy, { content: "new $(touch pwned) `x` \\\n", dest, backup: true }, withFiles({}));
    expect(plan.changes).toEqual([{ subject: dest, before: 'old\n', after: "new $(touch pwned) `x` \\\n" }]);
    expect(again.changes).toEqual([]);
    expect(readFileSync(dest, 'utf8')).toBe("new $(touch pwned) `x` \\\n");
    expect(mode(dest)).toBe('640');
    const names = readdirSync(dir);
    expect(names).not.toContain('pwned');
    const backups = names.filter((name) => /^-dash "name" \$\(touch pwned\)\.conf\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/.test(name));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, backups[0]), 'utf8')).toBe('old\n');
  });

  it('force false leaves a different file alone but fixes its mode', () => {
    const dest = join(dir, 'kept');
    writeFileSync(dest, 'mine\n');
    const { plan } = applyHere(copy, { content: 'theirs\n', dest, force: false, mode: '0600' }, withFiles({}));
    expect(plan.changes).toEqual([{ subject: `${dest} mode`, before: '644', after: '0600' }]);
    expect(readFileSync(dest, 'utf8')).toBe('mine\n');
    expect(mode(dest)).toBe('600');
  });

  it('mode preserve takes the source file\'s mode', () => {
    const dest = join(dir, 'script.sh');
    applyHere(copy, { src: 'script.sh', dest, mode: 'preserve' }, withFiles({ 'script.sh': sourceFile(Buffer.from('#!/bin/sh\n'), '750') }));
    expect(mode(dest)).toBe('750');
  });

  it('a directory at dest fails the task', () => {
    mkdirSync(join(dir, 'd'));
    expect(() => planHere(copy, { content: 'x', dest: join(dir, 'd') }, withFiles({}))).toThrow(`dest ${join(dir, 'd')} is a directory, which lvs does not replace with a file`);
  });

  const tree: SourceFile = {
    type: 'directory',
    content: Buffer.alloc(0),
    mode: '755',
    entries: [
      { path: 'a.conf', type: 'file', content: Buffer.from('a\n'), mode: '644' },
      { path: 'sub', type: 'directory', content: Buffer.alloc(0), mode: '755' },
      { path: 'sub/b.bin', type: 'file', content: BINARY, mode: '600' },
    ],
  };

  it('src dir/ copies what the directory holds into dest, making directories; one file changed later is the only write', () => {
    const dest = join(dir, 'conf.d');
    const context = withFiles({ 'conf/': tree });
    const { plan, again } = applyHere(copy, { src: 'conf/', dest }, context);
    expect(plan.changes.map((change) => [change.subject, change.before])).toEqual([
      [dest, null],
      [join(dest, 'a.conf'), null],
      [join(dest, 'sub'), null],
      [join(dest, 'sub/b.bin'), null],
    ]);
    expect(again.noop).toBe(`${dest} already holds the 2 files of conf/`);
    expect(readFileSync(join(dest, 'a.conf'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(dest, 'sub/b.bin')).equals(BINARY)).toBe(true);
    writeFileSync(join(dest, 'a.conf'), 'edited\n');
    const fixed = applyHere(copy, { src: 'conf/', dest }, context);
    expect(fixed.plan.changes).toEqual([{ subject: join(dest, 'a.conf'), before: 'edited\n', after: 'a\n' }]);
    expect(fixed.again.changes).toEqual([]);
  });

  it('src dir (no slash) copies the directory itself into dest', () => {
    applyHere(copy, { src: 'conf', dest: dir }, withFiles({ conf: tree }));
    expect(readFileSync(join(dir, 'conf/a.conf'), 'utf8')).toBe('a\n');
  });

  it('a file where a directory of the tree goes fails the task', () => {
    const dest = join(dir, 'conf.d');
    mkdirSync(dest);
    writeFileSync(join(dest, 'sub'), 'x');
    expect(() => planHere(copy, { src: 'conf/', dest }, withFiles({ 'conf/': tree }))).toThrow(`${join(dest, 'sub')} is a file, where the directory of conf/ is to be copied`);
  });
});

describe('the copy example', () => {
  it('is valid, as `lvs tasks copy` prints it', () => {
    expect(argumentProblems(copy, { ...copy.example })).toEqual([]);
  });
});

describe('copy into a directory, as Ansible does', () => {
  it('dest ending in / is made, and the src file goes into it under its own name; twin: nothing', () => {
    const dest = `${join(dir, 'new dir')}/`;
    const context = withFiles({ 'app.conf': sourceFile(Buffer.from('x = 1\n')) });
    const { plan, again } = applyHere(copy, { src: 'app.conf', dest }, context);
    expect(plan.changes).toEqual([
      { subject: join(dir, 'new dir'), before: null, after: 'directory' },
      { subject: join(dir, 'new dir/app.conf'), before: null, after: 'x = 1\n' },
    ]);
    expect(again.noop?.startsWith(`${join(dir, 'new dir/app.conf')} already holds app.conf (6 bytes)`)).toBe(true);
    expect(readFileSync(join(dir, 'new dir/app.conf'), 'utf8')).toBe('x = 1\n');
  });

  it('a dest that is a directory on the host takes the src file in under its own name', () => {
    const context = withFiles({ 'app.conf': sourceFile(Buffer.from('x = 1\n')) });
    applyHere(copy, { src: 'app.conf', dest: dir }, context);
    expect(readFileSync(join(dir, 'app.conf'), 'utf8')).toBe('x = 1\n');
  });

  it('dest/ that is a file fails; content needs a file path', () => {
    writeFileSync(join(dir, 'f'), 'x');
    const context = withFiles({ 'app.conf': sourceFile(Buffer.from('x = 1\n')) });
    expect(() => planHere(copy, { src: 'app.conf', dest: `${join(dir, 'f')}/` }, context)).toThrow(`dest ${join(dir, 'f')}/ is a file, not a directory to copy app.conf into`);
    expect(argumentProblems(copy, { content: 'x', dest: '/etc/x/' })).toEqual(['dest: content is written to a file: give its path, without the trailing /']);
  });
});
