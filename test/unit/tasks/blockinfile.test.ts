/** blockinfile: Ansible's rules, case by case (expected contents written out), with their no-op twins. */
import { createHash } from 'crypto';
import type { Plan } from '../../../src/api';
import type { RemoteFile } from '../../../src/facts/file';
import blockinfile from '../../../src/tasks/blockinfile';
import { argumentProblems, commandLines, Parsed, planWith } from './plan-with-fixtures';

const PATH = '/etc/hosts';
const file = (content: string): RemoteFile => ({ exists: true, content, mode: '644', owner: 'root', group: 'root', sha256: createHash('sha256').update(content).digest('hex') });
const plan = (args: Record<string, unknown>, content: string | null): Plan =>
  planWith(blockinfile, { path: PATH, ...args }, { file: new Parsed(content === null ? { exists: false, content: '' } : file(content)) });
const after = (args: Record<string, unknown>, content: string | null) => {
  const result = plan(args, content);
  return result.changes.length ? result.changes[0].after : 'unchanged';
};
const BEGIN = '# BEGIN ANSIBLE MANAGED BLOCK\n';
const END = '# END ANSIBLE MANAGED BLOCK\n';

describe('blockinfile, as Ansible decides', () => {
  it('appends the block with its markers, ending the last line first; twin: the block is there', () => {
    expect(after({ block: 'a\nb' }, 'x')).toBe(`x\n${BEGIN}a\nb\n${END}`);
    expect(after({ block: 'a\nb\n' }, `x\n${BEGIN}a\nb\n${END}`)).toBe('unchanged');
  });

  it('replaces the block between the markers in place', () => {
    expect(after({ block: 'new\n' }, `top\n${BEGIN}old\nolder\n${END}bottom\n`)).toBe(`top\n${BEGIN}new\n${END}bottom\n`);
  });

  it('state absent, or an empty block, removes block and markers; twin: no block', () => {
    const content = `top\n${BEGIN}old\n${END}bottom\n`;
    expect(after({ state: 'absent' }, content)).toBe('top\nbottom\n');
    expect(after({ block: '' }, content)).toBe('top\nbottom\n');
    expect(after({ state: 'absent' }, 'top\nbottom\n')).toBe('unchanged');
    expect(plan({ state: 'absent' }, null).noop).toBe('/etc/hosts is not there, so neither is the block');
  });

  it('marker with {mark}, marker_begin and marker_end', () => {
    expect(after({ block: 'a', marker: '<!-- {mark} lvs -->', marker_begin: 'start', marker_end: 'stop' }, '')).toBe('<!-- start lvs -->\na\n<!-- stop lvs -->\n');
  });

  it('insertafter and insertbefore: the last matching line; BOF; no match means the end', () => {
    const content = '[a]\n[b]\n[a]\nz\n';
    expect(after({ block: 'k', insertafter: '^\\[a\\]' }, content)).toBe(`[a]\n[b]\n[a]\n${BEGIN}k\n${END}z\n`);
    expect(after({ block: 'k', insertbefore: '^\\[a\\]' }, content)).toBe(`[a]\n[b]\n${BEGIN}k\n${END}[a]\nz\n`);
    expect(after({ block: 'k', insertbefore: 'BOF' }, content)).toBe(`${BEGIN}k\n${END}${content}`);
    expect(after({ block: 'k', insertafter: '^nothing' }, 'z\n')).toBe(`z\n${BEGIN}k\n${END}`);
  });

  it('a (?m) pattern is matched against the whole file', () => {
    expect(after({ block: 'k', insertafter: '(?m)^a\\nb$' }, 'a\nb\nc\n')).toBe(`a\nb\n${BEGIN}k\n${END}c\n`);
  });

  it('prepend_newline and append_newline add blank lines around an inserted block', () => {
    expect(after({ block: 'k', insertafter: '^a', prepend_newline: true, append_newline: true }, 'a\nb\n')).toBe(`a\n\n${BEGIN}k\n${END}\nb\n`);
  });

  it('a missing file fails unless create, which makes it with its directory', () => {
    expect(() => plan({ block: 'k' }, null)).toThrow('/etc/hosts does not exist (create=true makes it)');
    const created = plan({ block: 'k', create: true }, null);
    expect(created.changes[0]).toEqual({ subject: PATH, before: null, after: `${BEGIN}k\n${END}` });
    expect(commandLines(created)[0]).toBe('mkdir -p -- /etc');
  });

  it('a block full of shell syntax goes into the file as it is, never into a command', () => {
    const block = "$(touch /tmp/pwned) `id` 'q' \\ ;";
    const result = plan({ block }, '');
    expect(result.changes[0].after).toBe(`${BEGIN}${block}\n${END}`);
    expect(commandLines(result).join('\n')).not.toContain('touch /tmp/pwned');
  });

  it('the noop names the marker', () => {
    expect(plan({ block: 'k' }, `${BEGIN}k\n${END}`).noop).toBe('/etc/hosts holds the block marked "# BEGIN ANSIBLE MANAGED BLOCK"');
  });
});

describe('blockinfile arguments', () => {
  it.each([
    [{ insertafter: '(' }, /^insertafter: not a valid regular expression: /],
    [{ insertbefore: '[' }, /^insertbefore: not a valid regular expression: /],
    [{ insertafter: 'a', insertbefore: 'b' }, /^insertbefore: give insertafter or insertbefore, not both$/],
    [{ marker: '# lvs' }, /^marker: the opening and closing markers must differ/],
    [{ marker_begin: 'X', marker_end: 'X' }, /^marker: the opening and closing markers must differ/],
    [{ marker: 'a\n{mark}' }, /^marker: does not match/],
  ])('%j is refused: %s', (args, message) => {
    expect(argumentProblems(blockinfile, { path: PATH, block: 'k', ...args })).toEqual([expect.stringMatching(message)]);
  });
});

describe('the blockinfile example', () => {
  it('is valid, as `lvs tasks blockinfile` prints it', () => {
    expect(argumentProblems(blockinfile, { ...blockinfile.example })).toEqual([]);
  });
});
