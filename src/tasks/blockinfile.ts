/**
 * Ansible's blockinfile: a block of lines between two marker lines, inserted, updated or
 * removed, computed from the file's content and written back with compare-and-swap.
 */
import { defineTask, noop, type Fact, type Plan } from '../api';
import { remoteFile, type RemoteFile } from '../facts/file';
import { editedFile, planEdit } from './file-edit';
import { ABSOLUTE_PATH, ACCOUNT_NAME, FILE_MODE } from './patterns';
import { compileRegexp, regexpProblem, splitLines } from './regexp';

interface BlockArgs {
  path: string;
  block: string;
  marker: string;
  marker_begin: string;
  marker_end: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
  create: boolean;
  backup: boolean;
  append_newline: boolean;
  prepend_newline: boolean;
  mode?: string;
  owner?: string;
  group?: string;
}

const markerLine = (args: BlockArgs, mark: string) => `${args.marker.split('{mark}').join(mark)}\n`;

/** Where a new block goes when the file has no complete pair of markers, as Ansible decides it. */
function insertionLine(args: BlockArgs, original: string, lines: string[]): number {
  const insertAfter = args.insertafter ?? (args.insertbefore === undefined ? 'EOF' : undefined);
  const source = insertAfter !== undefined && insertAfter !== 'EOF' ? insertAfter : args.insertbefore !== undefined && args.insertbefore !== 'BOF' ? args.insertbefore : undefined;
  if (source === undefined) return insertAfter === undefined ? 0 : lines.length;
  const pattern = compileRegexp(source);
  let at: number | undefined;
  if (pattern.multiline) {
    // A (?m) pattern is matched against the whole file, so it can span lines.
    const match = pattern.exec(original);
    if (match) {
      const end = insertAfter !== undefined ? match.index + match[0].length : match.index;
      at = original.slice(0, end).split('\n').length - 1;
    }
  } else {
    lines.forEach((line, index) => {
      if (pattern.test(line.replace(/\n$/, ''))) at = index;
    });
  }
  if (at === undefined) return lines.length;
  return insertAfter !== undefined ? at + 1 : at;
}

function edit(args: BlockArgs, original: string): string {
  const lines = splitLines(original);
  const begin = markerLine(args, args.marker_begin);
  const end = markerLine(args, args.marker_end);
  const present = args.state === 'present' && args.block !== '';
  const block = present ? [begin, ...splitLines(args.block.endsWith('\n') ? args.block : `${args.block}\n`), end] : [];
  let first: number | undefined;
  let last: number | undefined;
  lines.forEach((line, index) => {
    if (line === begin) first = index;
    if (line === end) last = index;
  });
  let at: number;
  if (first === undefined || last === undefined) {
    at = insertionLine(args, original, lines);
  } else {
    at = Math.min(first, last);
    lines.splice(at, Math.abs(last - first) + 1);
  }
  if (at > 0 && !lines[at - 1].endsWith('\n')) lines[at - 1] += '\n';
  if (args.prepend_newline && present && at !== 0 && lines[at - 1] !== '\n') lines.splice(at++, 0, '\n');
  lines.splice(at, 0, ...block);
  const following = at + block.length;
  if (args.append_newline && present && following < lines.length && lines[following] !== '\n') lines.splice(following, 0, '\n');
  return lines.join('');
}

export default defineTask<BlockArgs, { file: Fact<RemoteFile> }>({
  name: 'blockinfile',
  description: 'Keeps a block of lines between two marker lines in a text file, or keeps it out.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', pattern: ABSOLUTE_PATH, description: 'The absolute path of the file on the host; a symbolic link is followed and its target edited.' },
      block: { type: 'string', default: '', description: 'The lines between the markers (a line break is added at the end if missing). Empty removes the block, as state absent does.' },
      marker: {
        type: 'string',
        pattern: '^[^\\n\\r]*$',
        default: '# {mark} ANSIBLE MANAGED BLOCK',
        description: 'The marker line, in which {mark} becomes marker_begin or marker_end. Give each block in a file its own marker, or they replace each other.',
      },
      marker_begin: { type: 'string', pattern: '^[^\\n\\r]*$', default: 'BEGIN', description: 'What {mark} is in the opening marker.' },
      marker_end: { type: 'string', pattern: '^[^\\n\\r]*$', default: 'END', description: 'What {mark} is in the closing marker.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the block (with its markers) is there or not.' },
      insertafter: {
        type: 'string',
        description:
          'Where a new block goes when the markers are not found: after the last line matching this regular expression, or EOF (the default). With a leading (?m) the pattern is matched against the whole file. When nothing matches, at the end.',
      },
      insertbefore: { type: 'string', description: 'Like insertafter, but before the last matching line; BOF for the beginning. When nothing matches, at the end.' },
      create: { type: 'boolean', default: false, description: 'Make the file (and its directory) when it is missing; otherwise a missing file fails the task.' },
      backup: { type: 'boolean', default: false, description: 'Before changing the file, keep a copy named as Ansible names it: PATH.PID.YYYY-MM-DD@HH:MM:SS~ (the host\'s time).' },
      append_newline: { type: 'boolean', default: false, description: 'Put a blank line after an inserted block, unless one is there or the block ends the file.' },
      prepend_newline: { type: 'boolean', default: false, description: 'Put a blank line before an inserted block, unless one is there or the block starts the file.' },
      mode: { type: 'string', pattern: FILE_MODE, description: 'The octal permission bits of the file, such as "0644" (quote it in YAML); it keeps its mode when not given (a new file gets 0644).' },
      owner: { type: 'string', pattern: ACCOUNT_NAME, description: 'The user name that owns the file; it keeps its owner when not given.' },
      group: { type: 'string', pattern: ACCOUNT_NAME, description: 'The group name of the file; it keeps its group when not given.' },
    },
  },
  example: {
    path: '/etc/hosts',
    block: '10.0.0.11 rs1\n10.0.0.12 rs2\n',
    marker: '# {mark} LVS REAL SERVERS',
    marker_begin: 'BEGIN',
    marker_end: 'END',
    state: 'present',
    create: false,
    backup: false,
    append_newline: false,
    prepend_newline: false,
  },
  validate(args) {
    const problems: string[] = [];
    if (args.insertafter !== undefined && args.insertbefore !== undefined) problems.push('insertbefore: give insertafter or insertbefore, not both');
    if (args.marker_begin === args.marker_end || !args.marker.includes('{mark}')) {
      problems.push('marker: the opening and closing markers must differ (put {mark} in marker, and give marker_begin and marker_end different values)');
    }
    if (args.insertafter !== 'EOF') problems.push(...regexpProblem('insertafter', args.insertafter));
    if (args.insertbefore !== 'BOF') problems.push(...regexpProblem('insertbefore', args.insertbefore));
    return problems;
  },
  facts: (args) => ({ file: remoteFile(args.path) }),
  plan(args, facts): Plan {
    if (args.state === 'absent' && !facts.file.exists && facts.file.otherType === undefined) return noop(`${args.path} is not there, so neither is the block`);
    const file = editedFile(facts.file, args.path, args.create);
    const after = edit(args, file.content);
    const marker = markerLine(args, args.marker_begin).trimEnd();
    const what = args.state === 'present' && args.block !== '' ? `holds the block marked ${JSON.stringify(marker)}` : `has no block marked ${JSON.stringify(marker)}`;
    return planEdit(args, file, after, `${args.path} ${what}`);
  },
});
