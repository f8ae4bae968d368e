/**
 * Ansible's lineinfile: one line present in a file (replacing the last line a regexp or
 * search string matches, else inserted after or before a matching line, at the end by
 * default) or absent (every matching line removed), computed from the file's content and
 * written back with compare-and-swap.
 */
import { defineTask, noop, type Fact, type Plan } from '../api';
import { remoteFile, type RemoteFile } from '../facts/file';
import { editedFile, planEdit } from './file-edit';
import { ABSOLUTE_PATH, ACCOUNT_NAME, FILE_MODE } from './patterns';
import { compileRegexp, expandBackrefs, regexpProblem, splitLines } from './regexp';

interface LineArgs {
  path: string;
  line?: string;
  regexp?: string;
  search_string?: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
  create: boolean;
  backrefs: boolean;
  firstmatch: boolean;
  backup: boolean;
  mode?: string;
  owner?: string;
  group?: string;
}

/** A line without its line ending, as Ansible compares lines (rstrip of \r and \n). */
const bare = (line: string) => line.replace(/[\r\n]+$/, '');

/** The file's new lines with `line` present, following Ansible's lineinfile step by step. */
function present(args: LineArgs, lines: string[]): string[] {
  const line = args.line!;
  const insertAfter = args.insertafter ?? (args.insertbefore === undefined ? 'EOF' : undefined);
  const insertBefore = args.insertbefore;
  const pattern = args.regexp === undefined ? undefined : compileRegexp(args.regexp);
  const anchor = insertAfter !== undefined && !['BOF', 'EOF'].includes(insertAfter) ? compileRegexp(insertAfter) : insertBefore !== undefined && insertBefore !== 'BOF' ? compileRegexp(insertBefore) : undefined;
  let found = -1;
  let insertAt = -1;
  let match: RegExpExecArray | undefined;
  let searched = false;
  for (const [index, current] of lines.entries()) {
    const result = pattern?.exec(current.replace(/\n$/, ''));
    if (result) {
      [found, match, searched] = [index, result, true];
      if (args.firstmatch) break;
    } else if (args.search_string !== undefined && current.includes(args.search_string)) {
      [found, searched] = [index, true];
      if (args.firstmatch) break;
    }
  }
  if (!searched) {
    for (const [index, current] of lines.entries()) {
      if (bare(current) === line) {
        found = index;
      } else if (anchor?.test(current.replace(/\n$/, ''))) {
        insertAt = insertAfter !== undefined ? index + 1 : index;
        if (args.firstmatch) break;
      }
    }
  }
  const next = [...lines];
  if (found !== -1) {
    let replacement = args.backrefs && match ? expandBackrefs(line, match) : line;
    if (!replacement.endsWith('\n')) replacement += '\n';
    if (next[found] !== replacement) next[found] = replacement;
    return next;
  }
  // With backrefs, a line is never made up without a match to fill it in.
  if (args.backrefs) return next;
  if (insertBefore === 'BOF' || insertAfter === 'BOF') return [`${line}\n`, ...next];
  if (insertAfter === 'EOF' || insertAt === -1) {
    if (next.length && !/[\r\n]$/.test(next[next.length - 1])) next[next.length - 1] += '\n';
    return [...next, `${line}\n`];
  }
  if (insertAfter !== undefined) {
    // Not again when the line after the anchor is already the line.
    if (insertAt === next.length) {
      // Ansible's lineinfile glues the line onto a last line without a line break; this ends that line first.
      if (bare(next[insertAt - 1]) !== line) next.splice(insertAt - 1, 1, next[insertAt - 1].replace(/([^\r\n])$/, '$1\n'), `${line}\n`);
    } else if (bare(next[insertAt]) !== line) {
      next.splice(insertAt, 0, `${line}\n`);
    }
    return next;
  }
  next.splice(insertAt, 0, `${line}\n`);
  return next;
}

function absent(args: LineArgs, lines: string[]): string[] {
  const pattern = args.regexp === undefined ? undefined : compileRegexp(args.regexp);
  const matches = (current: string) =>
    pattern ? pattern.test(current.replace(/\n$/, '')) : args.search_string !== undefined ? current.includes(args.search_string) : bare(current) === args.line;
  return lines.filter((current) => !matches(current));
}

export default defineTask<LineArgs, { file: Fact<RemoteFile> }>({
  name: 'lineinfile',
  description: 'Keeps one line in a text file, replacing the line a regexp or string matches or inserting it, or keeps matching lines out of it.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', pattern: ABSOLUTE_PATH, description: 'The absolute path of the file on the host; a symbolic link is followed and its target edited.' },
      line: { type: 'string', pattern: '^[^\\n\\r]*$', description: 'The line (one line, without a line break). Required when state is present; with state absent and no regexp or search_string, the lines equal to it are removed.' },
      regexp: {
        type: 'string',
        description:
          'A regular expression looked for in every line: with state present the last line it matches is replaced (the first with firstmatch); with state absent every line it matches is removed. JavaScript syntax; Python\'s (?P<name>...), (?P=name) and a leading (?i), (?m) or (?s) are taken too.',
      },
      search_string: { type: 'string', description: 'A literal string looked for in every line, used as regexp is (not with regexp or backrefs).' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the line is there or not.' },
      insertafter: {
        type: 'string',
        description: 'When nothing matches regexp or search_string: insert after the last line matching this regular expression (the first with firstmatch), or EOF (the default) for the end, BOF for the beginning; when no line matches, at the end.',
      },
      insertbefore: { type: 'string', description: 'Like insertafter, but before the matching line; BOF for the beginning. When no line matches, at the end.' },
      create: { type: 'boolean', default: false, description: 'Make the file (and its directory) when it is missing; otherwise a missing file fails the task with state present.' },
      backrefs: {
        type: 'boolean',
        default: false,
        description: 'line is a template for the regexp match: \\1 or \\g<1> and \\g<name> are its groups. When regexp matches nothing, the file is left as it is.',
      },
      firstmatch: { type: 'boolean', default: false, description: 'Use the first matching line (of regexp, search_string or insertafter/insertbefore) rather than the last.' },
      backup: { type: 'boolean', default: false, description: 'Before changing the file, keep a copy named as Ansible names it: PATH.PID.YYYY-MM-DD@HH:MM:SS~ (the host\'s time).' },
      mode: { type: 'string', pattern: FILE_MODE, description: 'The octal permission bits of the file, such as "0644" (quote it in YAML); it keeps its mode when not given (a new file gets 0644).' },
      owner: { type: 'string', pattern: ACCOUNT_NAME, description: 'The user name that owns the file; it keeps its owner when not given.' },
      group: { type: 'string', pattern: ACCOUNT_NAME, description: 'The group name of the file; it keeps its group when not given.' },
    },
  },
  example: { path: '/etc/ssh/sshd_config', line: 'PermitRootLogin prohibit-password', regexp: '^#?PermitRootLogin ', state: 'present', create: false, backrefs: false, firstmatch: false, backup: true },
  validate(args) {
    const problems: string[] = [];
    if (args.insertafter !== undefined && args.insertbefore !== undefined) problems.push('insertbefore: give insertafter or insertbefore, not both');
    if (args.regexp !== undefined && args.search_string !== undefined) problems.push('search_string: give regexp or search_string, not both');
    if (args.backrefs && args.search_string !== undefined) problems.push('backrefs: not with search_string');
    if (args.state === 'present' && args.line === undefined) problems.push('line: is required when state is present');
    if (args.state === 'present' && args.backrefs && args.regexp === undefined) problems.push('regexp: is required with backrefs');
    if (args.state === 'absent' && args.line === undefined && args.regexp === undefined && args.search_string === undefined) {
      problems.push('line: give line, regexp or search_string when state is absent');
    }
    problems.push(...regexpProblem('regexp', args.regexp));
    if (!['BOF', 'EOF'].includes(args.insertafter ?? 'EOF')) problems.push(...regexpProblem('insertafter', args.insertafter));
    if (args.insertbefore !== 'BOF') problems.push(...regexpProblem('insertbefore', args.insertbefore));
    return problems;
  },
  facts: (args) => ({ file: remoteFile(args.path) }),
  plan(args, facts): Plan {
    if (args.state === 'absent' && !facts.file.exists && facts.file.otherType === undefined) return noop(`${args.path} is not there, so neither is the line`);
    const file = editedFile(facts.file, args.path, args.create);
    const lines = splitLines(file.content);
    const after = (args.state === 'present' ? present(args, lines) : absent(args, lines)).join('');
    const what = args.state === 'present' ? `holds ${JSON.stringify(args.line)}` : `has no line matching ${JSON.stringify(args.regexp ?? args.search_string ?? args.line)}`;
    return planEdit(args, file, after, `${args.path} ${what}`);
  },
});
