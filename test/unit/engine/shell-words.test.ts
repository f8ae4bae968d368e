import { ShellSyntaxError, splitShellWords } from '../../../src/shell/words';

const texts = (line: string, comments = true) => splitShellWords(line, { comments }).map((word) => word.text);

describe('splitShellWords (shlex.split in POSIX mode)', () => {
  it('splits on whitespace and keeps quoted spaces', () => {
    expect(texts(`web1 a=1  label="web tier" other='x y'`)).toEqual(['web1', 'a=1', 'label=web tier', 'other=x y']);
  });

  it('reports where each word starts, and how it was written', () => {
    expect(splitShellWords('  web1 key="v v"', { comments: false })).toEqual([
      { text: 'web1', column: 3, written: 'web1' },
      { text: 'key=v v', column: 8, written: 'key="v v"' },
    ]);
    expect(splitShellWords(String.raw`a\ b {{ x }}c #d`, { comments: true, templates: true }).map((word) => word.written)).toEqual([String.raw`a\ b`, '{{ x }}c']);
  });

  it('treats # as a comment even inside a word, but not inside quotes', () => {
    expect(texts('web1 pass=ab#cd more')).toEqual(['web1', 'pass=ab']);
    expect(texts('web1 pass="ab#cd"')).toEqual(['web1', 'pass=ab#cd']);
    expect(texts('web1 pass=ab#cd', false)).toEqual(['web1', 'pass=ab#cd']);
  });

  it('handles escapes as POSIX shells do', () => {
    expect(texts(String.raw`a\ b "c\"d\e" 'f\g' ""`)).toEqual(['a b', 'c"d\\e', 'f\\g', '']);
  });

  it('fails on an unclosed quote or a final backslash', () => {
    expect(() => splitShellWords('a "b', { comments: true })).toThrow(new ShellSyntaxError('no closing quotation', 3));
    expect(() => splitShellWords('a \\', { comments: true })).toThrow(ShellSyntaxError);
  });
});
