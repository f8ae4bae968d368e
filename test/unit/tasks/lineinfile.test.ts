/**
 * lineinfile: Ansible's rules, case by case (expected contents written out), with their
 * no-op twins; hostile values; and the commands run for real in this machine's sh.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Plan } from '../../../src/api';
import type { RemoteFile } from '../../../src/facts/file';
import lineinfile from '../../../src/tasks/lineinfile';
import { argumentProblems, commandLines, context, Parsed, planWith } from './plan-with-fixtures';
import { applyHere } from './local-shell';

const PATH = '/etc/app.conf';
const file = (content: string): RemoteFile => ({ exists: true, content, mode: '644', owner: 'root', group: 'root', sha256: require('crypto').createHash('sha256').update(content).digest('hex') });
const plan = (args: Record<string, unknown>, content: string | null): Plan =>
  planWith(lineinfile, { path: PATH, ...args }, { file: new Parsed(content === null ? { exists: false, content: '' } : file(content)) });
/** The file's content after the plan, or `unchanged`. */
const after = (args: Record<string, unknown>, content: string | null) => {
  const result = plan(args, content);
  return result.changes.length ? result.changes[0].after : 'unchanged';
};

describe('lineinfile, as Ansible decides', () => {
  it('replaces the last line the regexp matches; twin: unchanged once it holds the line', () => {
    expect(after({ regexp: '^a=', line: 'a=9' }, 'a=1\nb=2\na=3\n')).toBe('a=1\nb=2\na=9\n');
    expect(after({ regexp: '^a=', line: 'a=9' }, 'a=1\nb=2\na=9\n')).toBe('unchanged');
  });

  it('with firstmatch, the first', () => {
    expect(after({ regexp: '^a=', line: 'a=9', firstmatch: true }, 'a=1\nb=2\na=3\n')).toBe('a=9\nb=2\na=3\n');
  });

  it('appends when nothing matches, ending the last line first; twin: the line is there', () => {
    expect(after({ line: 'new' }, 'x')).toBe('x\nnew\n');
    expect(after({ line: 'new' }, '')).toBe('new\n');
    expect(after({ line: 'new' }, 'new\nx\n')).toBe('unchanged');
  });

  it('a regexp that matches nothing leaves the file alone when the exact line is there', () => {
    expect(after({ regexp: '^baz', line: 'foo' }, 'foo\nbar\n')).toBe('unchanged');
  });

  it('finds a line without its line ending, and (as Ansible does) rewrites it with \\n', () => {
    expect(after({ line: 'a' }, 'a\r\nb\r\n')).toBe('a\nb\r\n');
    expect(after({ line: 'a' }, 'a\nb\r\n')).toBe('unchanged');
  });

  it('insertafter: after the last matching line; twin: the line is already there', () => {
    expect(after({ line: 'new', insertafter: '^\\[s\\]' }, '[s]\nk=1\n[s]\nk=2\n')).toBe('[s]\nk=1\n[s]\nnew\nk=2\n');
    expect(after({ line: 'new', insertafter: '^\\[s\\]' }, '[s]\nk=1\n[s]\nnew\nk=2\n')).toBe('unchanged');
    expect(after({ line: 'new', insertafter: '^\\[s\\]', firstmatch: true }, '[s]\nk=1\n[s]\nk=2\n')).toBe('[s]\nnew\nk=1\n[s]\nk=2\n');
    // Here lvs differs from Ansible, which makes "k=2new" of it.
    expect(after({ line: 'new', insertafter: '^k=2' }, '[s]\nk=2')).toBe('[s]\nk=2\nnew\n');
  });

  it('insertbefore: before the last matching line; BOF; no match means the end', () => {
    expect(after({ line: 'new', insertbefore: '^\\[s\\]' }, '[s]\nk=1\n[s]\nk=2\n')).toBe('[s]\nk=1\nnew\n[s]\nk=2\n');
    expect(after({ line: 'new', insertbefore: 'BOF' }, 'a\n')).toBe('new\na\n');
    expect(after({ line: 'new', insertafter: 'BOF' }, 'a\n')).toBe('new\na\n');
    expect(after({ line: 'new', insertbefore: '^nothing' }, 'a\n')).toBe('a\nnew\n');
    expect(after({ line: 'new', insertafter: '^nothing' }, 'a\n')).toBe('a\nnew\n');
  });

  it('a regexp match wins over insertafter', () => {
    expect(after({ regexp: '^k=', line: 'k=9', insertafter: '^\\[s\\]' }, '[s]\nk=1\n')).toBe('[s]\nk=9\n');
  });

  it('search_string: the last line holding the string, literally', () => {
    expect(after({ search_string: 'a.b', line: 'a.b = 2' }, 'a.b = 1\naxb = 1\n')).toBe('a.b = 2\naxb = 1\n');
    expect(after({ search_string: '[x]', line: 'y' }, 'x\n[x] 1\n')).toBe('x\ny\n');
  });

  it('backrefs fill the line from the match (\\1, \\g<1>, \\g<name>, (?P<name>)); no match: unchanged, nothing added', () => {
    expect(after({ regexp: '^(host=).*', line: '\\1example', backrefs: true }, 'host=old\n')).toBe('host=example\n');
    expect(after({ regexp: '^(host=).*', line: '\\g<1>1\\\\x', backrefs: true }, 'host=old\n')).toBe('host=1\\x\n');
    expect(after({ regexp: '^(?P<key>\\w+)=(?P<value>.*)$', line: '\\g<key> = \\g<value>', backrefs: true }, 'a=1\n')).toBe('a = 1\n');
    expect(after({ regexp: '^(host=).*', line: '\\1example', backrefs: true }, 'other\n')).toBe('unchanged');
    // Without backrefs, \1 is two characters of the line.
    expect(after({ regexp: '^(host=).*', line: '\\1example' }, 'host=old\n')).toBe('\\1example\n');
  });

  it('state absent removes every matching line: by regexp, search_string or the exact line; twin: none left', () => {
    expect(after({ state: 'absent', regexp: '^#' }, '#a\nb\n# c\n')).toBe('b\n');
    expect(after({ state: 'absent', search_string: 'tmp' }, '/tmp/x\n/var\nmytmp\n')).toBe('/var\n');
    expect(after({ state: 'absent', line: 'b' }, 'b\nbb\nb\n')).toBe('bb\n');
    expect(after({ state: 'absent', regexp: '^#' }, 'b\n')).toBe('unchanged');
  });

  it('a missing file: state absent has nothing to do; present fails unless create, which makes it with its directory', () => {
    expect(plan({ state: 'absent', line: 'x' }, null).noop).toBe('/etc/app.conf is not there, so neither is the line');
    expect(() => plan({ line: 'x' }, null)).toThrow('/etc/app.conf does not exist (create=true makes it)');
    const created = plan({ line: 'x', create: true }, null);
    expect(created.changes).toEqual([{ subject: PATH, before: null, after: 'x\n' }]);
    expect(commandLines(created)[0]).toBe('mkdir -p -- /etc');
  });

  it('a directory at path fails the task', () => {
    expect(() => planWith(lineinfile, { path: PATH, line: 'x' }, { file: new Parsed({ exists: false, content: '', otherType: 'directory' }) })).toThrow(
      'path /etc/app.conf is a directory, which lvs does not replace with a file',
    );
  });

  it('a file that is not UTF-8 is not edited', () => {
    const bytes = Buffer.from([0x61, 0xff, 0x0a]);
    const odd: RemoteFile = { exists: true, content: bytes.toString('utf8'), mode: '644', owner: 'root', group: 'root', sha256: require('crypto').createHash('sha256').update(bytes).digest('hex') };
    expect(() => planWith(lineinfile, { path: PATH, line: 'x' }, { file: new Parsed(odd) })).toThrow('/etc/app.conf is not UTF-8 text');
  });

  it('only the mode differs: chmod in place', () => {
    const result = plan({ line: 'a', mode: '0600' }, 'a\n');
    expect(commandLines(result)).toEqual(['chmod -- 0600 /etc/app.conf']);
  });

  it('the noop says what the file holds', () => {
    expect(plan({ line: 'a' }, 'a\n').noop).toBe('/etc/app.conf holds "a"');
  });
});

describe('lineinfile arguments', () => {
  it.each([
    [{ line: 'x', regexp: '(' }, /^regexp: not a valid regular expression: \/\(\/: Unterminated group$/],
    [{ line: 'x', insertafter: '[a-' }, /^insertafter: not a valid regular expression: /],
    [{ line: 'x', insertbefore: '*x' }, /^insertbefore: not a valid regular expression: /],
    [{ line: 'x', regexp: '(?x)a' }, /^regexp: not a valid regular expression: the inline flag \(\?x\) is not supported/],
    [{ line: 'x', insertafter: 'a', insertbefore: 'b' }, /^insertbefore: give insertafter or insertbefore, not both$/],
    [{ line: 'x', regexp: 'a', search_string: 'b' }, /^search_string: give regexp or search_string, not both$/],
    [{ line: 'x', backrefs: true }, /^regexp: is required with backrefs$/],
    [{ regexp: 'a' }, /^line: is required when state is present$/],
    [{ state: 'absent' }, /^line: give line, regexp or search_string when state is absent$/],
    [{ line: 'two\nlines' }, /^line: does not match/],
  ])('%j is refused: %s', (args, message) => {
    expect(argumentProblems(lineinfile, { path: PATH, ...args })).toEqual([expect.stringMatching(message)]);
  });

  it('EOF and BOF are not regular expressions to check; a catastrophic pattern is valid (the user\'s to weigh)', () => {
    expect(argumentProblems(lineinfile, { path: PATH, line: 'x', insertafter: 'EOF' })).toEqual([]);
    expect(argumentProblems(lineinfile, { path: PATH, line: 'x', insertbefore: 'BOF' })).toEqual([]);
    expect(argumentProblems(lineinfile, { path: PATH, line: 'x', regexp: '^(a+)+$' })).toEqual([]);
  });

  it.each(['relative/path', '/etc/../x', '/etc/a\nb', '-x'])('path %j is refused', (path) => {
    expect(argumentProblems(lineinfile, { path, line: 'x' })).toEqual([expect.stringMatching(/^path: does not match/)]);
  });
});

describe('lineinfile in this machine\'s sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "lvs lineinfile 'q' -x "));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a path with spaces, quotes and a dash-led segment, a line full of shell syntax: written as they are, nothing run', () => {
    const path = join(dir, '-odd "name" $(touch pwned)');
    writeFileSync(path, 'keep\nold = 1\n');
    const line = "new = $(touch pwned) `touch pwned` 'q' \\1 \\\\ ;";
    const { plan: first, again } = applyHere(lineinfile, { path, regexp: '^old', line, backup: true }, context);
    expect(first.changes).toHaveLength(1);
    expect(again.changes).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe(`keep\n${line}\n`);
    const names = readdirSync(dir);
    expect(names).not.toContain('pwned');
    // The backup Ansible makes: PATH.PID.YYYY-MM-DD@HH:MM:SS~, holding the old content.
    const backups = names.filter((name) => /^-odd "name" \$\(touch pwned\)\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/.test(name));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, backups[0]), 'utf8')).toBe('keep\nold = 1\n');
  });

  it('create makes the file and its directory, mode 0644 unless told; the mode of an edited file is kept', () => {
    const path = join(dir, 'sub/dir/new.conf');
    applyHere(lineinfile, { path, line: 'a', create: true }, context);
    expect(readFileSync(path, 'utf8')).toBe('a\n');
    expect((statSync(path).mode & 0o777).toString(8)).toBe('644');
    const kept = join(dir, 'kept.conf');
    writeFileSync(kept, 'x\n', { mode: 0o600 });
    applyHere(lineinfile, { path: kept, line: 'a' }, context);
    expect((statSync(kept).mode & 0o777).toString(8)).toBe('600');
  });

  it('compare and swap: a file changed after it was read is not overwritten', () => {
    const path = join(dir, 'racy.conf');
    writeFileSync(path, 'a\n');
    const { planHere, runHere } = require('./local-shell');
    const planned: Plan = planHere(lineinfile, { path, line: 'b' }, context);
    writeFileSync(path, 'changed meanwhile\n');
    const result = runHere(planned.commands[0].run);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('changed after lvs read it; it was not overwritten');
    expect(readFileSync(path, 'utf8')).toBe('changed meanwhile\n');
    expect(readdirSync(dir)).toEqual(['racy.conf']);
  });
});

describe('the lineinfile example', () => {
  it('is valid, as `lvs tasks lineinfile` prints it', () => {
    expect(argumentProblems(lineinfile, { ...lineinfile.example })).toEqual([]);
  });
});
