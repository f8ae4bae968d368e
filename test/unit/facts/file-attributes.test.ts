/**
 * The shared helpers of the file tasks: attribute drift and the commands that fix it
 * (written out literally), and the facts that read a path and a tree, run in this machine's sh.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { askedAttributes, attributeDrift, attributesForRewrite, setFileAttributes } from '../../../src/changes/file';
import { firstAttributeDrift, remotePath } from '../../../src/facts/file';
import { runHere } from '../tasks/local-shell';

describe('attribute helpers', () => {
  it('askedAttributes keeps only what is given', () => {
    expect(askedAttributes({ mode: '0644', owner: undefined, group: '' })).toEqual({ mode: '0644' });
  });

  it('attributeDrift compares modes as numbers and skips what is not asked; twin: nothing differs', () => {
    expect(attributeDrift('/x', { mode: '0600', owner: 'www-data' }, { mode: '644', owner: 'root', group: 'root' })).toEqual({
      set: { mode: '0600', owner: 'www-data' },
      changes: [
        { subject: '/x mode', before: '644', after: '0600' },
        { subject: '/x owner', before: 'root', after: 'www-data' },
      ],
    });
    expect(attributeDrift('/x', { mode: '0644', owner: 'root' }, { mode: '644', owner: 'root', group: 'adm' })).toEqual({ set: {}, changes: [] });
  });

  it('attributesForRewrite keeps the old file\'s attributes unless told, never an UNKNOWN name', () => {
    expect(attributesForRewrite({}, { exists: true, mode: '640', owner: 'UNKNOWN', group: 'adm' })).toEqual({ mode: '640', group: 'adm' });
    expect(attributesForRewrite({ owner: 'root' }, { exists: false })).toEqual({ owner: 'root' });
  });

  it('setFileAttributes: plain, recursive, or on a link itself, every operand quoted after --', () => {
    const path = "/tmp/a b'$(id)";
    const lines = (how?: { recursive?: boolean; linkItself?: boolean }) => setFileAttributes(path, { mode: '0755', owner: 'root', group: 'adm' }, how).map((command) => command.text);
    expect(lines()).toEqual([`chmod -- 0755 '/tmp/a b'\\''$(id)'`, `chown -- root:adm '/tmp/a b'\\''$(id)'`]);
    expect(lines({ recursive: true })).toEqual([`chmod -R -- 0755 '/tmp/a b'\\''$(id)'`, `chown -R -- root:adm '/tmp/a b'\\''$(id)'`]);
    expect(lines({ linkItself: true })).toEqual([`chown -h -- root:adm '/tmp/a b'\\''$(id)'`]);
  });
});

describe('path facts in this machine\'s sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "lvs path 'q' "));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('remotePath: a file, a directory through a link, a dangling link, nothing', () => {
    writeFileSync(join(dir, 'f'), 'x', { mode: 0o640 });
    mkdirSync(join(dir, 'd'));
    symlinkSync('d', join(dir, 'to d'));
    symlinkSync('/nowhere', join(dir, 'dangling'));
    const read = (name: string) => remotePath(join(dir, name)).parse(runHere(remotePath(join(dir, name)).command));
    expect(read('f')).toMatchObject({ self: { type: 'file', mode: '640' }, resolved: { type: 'file' } });
    expect(read('to d')).toMatchObject({ self: { type: 'link' }, resolved: { type: 'directory' }, linkTarget: 'd' });
    expect(read('dangling')).toMatchObject({ self: { type: 'link' }, resolved: undefined, linkTarget: '/nowhere' });
    expect(read('nothing')).toEqual({});
  });

  it('firstAttributeDrift: the first entry whose mode differs, links left out; null when none does or the path is no directory', () => {
    mkdirSync(join(dir, 't/sub'), { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, 't/sub/f'), 'x', { mode: 0o600 });
    symlinkSync('/etc/hostname', join(dir, 't/link'));
    const read = (path: string, mode: string) => firstAttributeDrift(path, { mode }).parse(runHere(firstAttributeDrift(path, { mode }).command));
    expect(read(join(dir, 't/sub'), '0755')).toBe(join(dir, 't/sub/f'));
    runHere(setFileAttributes(join(dir, 't'), { mode: '0755' }, { recursive: true })[0]);
    expect(read(join(dir, 't'), '0755')).toBeNull();
    expect(read(join(dir, 'missing'), '0755')).toBeNull();
  });
});
