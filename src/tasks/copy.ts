/**
 * Ansible's copy: a file on the host holds the given `content`, or the bytes of a local file
 * (`src`, read verbatim on the controller), written atomically and only when different; a
 * local directory is copied as a tree. Mode, owner and group are fixed in place when only
 * they differ.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { defineTask, noop, type Change, type Fact, type PlannedCommand, type SourceFile } from '../api';
import { remoteFile, type RemoteFile } from '../facts/file';
import { askedAttributes, attributeDrift, attributesForRewrite, setFileAttributes, writeFileAtomically, type FileAttributes } from '../changes/file';
import { sh } from '../shell/quote';
import { ABSOLUTE_PATH, ACCOUNT_NAME, SOURCE_NAME } from './patterns';

/** An absolute path, with a trailing `/` when it names a directory to copy into. */
const DEST_PATH = `${ABSOLUTE_PATH.slice(0, -1)}/?$`;

interface CopyArgs {
  dest: string;
  content?: string;
  src?: string;
  mode?: string;
  owner?: string;
  group?: string;
  backup: boolean;
  force: boolean;
}

type CopyFacts = Record<string, Fact<RemoteFile>>;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Text as it is; bytes that are not text (a NUL, invalid UTF-8) described, so --diff stays readable. */
function shown(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!text.includes('\u0000') && Buffer.from(text, 'utf8').equals(bytes)) return text;
  return `(binary: ${bytes.length} bytes, sha256 ${sha256(bytes)})`;
}

function shownRemote(file: RemoteFile): string {
  return file.content.includes('\u0000') || file.content.includes('\ufffd') ? `(binary, sha256 ${file.sha256})` : file.content;
}

/** dest without the trailing `/` that says it is a directory. */
const destPath = (args: CopyArgs) => args.dest.replace(/\/$/, '');
/** Where a src file goes when dest is a directory (it ends with `/`, or is one on the host): into it, under its own name. */
const insideDest = (args: CopyArgs) => posix.join(destPath(args), posix.basename(args.src!));

/** The directory the tree lands in: `dir/` copies what dir holds into dest, `dir` copies dir itself into it. */
function treeRoot(args: CopyArgs): string {
  return args.src!.endsWith('/') ? destPath(args) : insideDest(args);
}

const source = (args: CopyArgs, files: Readonly<Record<string, SourceFile>>) => (args.src === undefined ? undefined : files[args.src]);

/** The destination files of a tree copy, by fact name: `root` and `entry:PATH`. */
function treeTargets(args: CopyArgs, tree: SourceFile): Record<string, string> {
  const root = treeRoot(args);
  const targets: Record<string, string> = { root };
  for (const entry of tree.entries) targets[`entry:${entry.path}`] = posix.join(root, entry.path);
  return targets;
}

/** One destination file: written when absent or different (unless force is off), else its attributes fixed. */
function planFile(path: string, bytes: Buffer, wanted: FileAttributes, file: RemoteFile, args: CopyArgs): { changes: Change[]; commands: PlannedCommand[] } {
  if (file.otherType !== undefined) throw new Error(`dest ${path} is a ${file.otherType}, which lvs does not replace with a file`);
  if (!file.exists || (args.force && file.sha256 !== sha256(bytes))) {
    return {
      changes: [{ subject: path, before: file.exists ? shownRemote(file) : null, after: shown(bytes) }],
      commands: [{ run: writeFileAtomically(path, bytes, attributesForRewrite(wanted, file), file, { backup: args.backup }) }],
    };
  }
  const { set, changes } = attributeDrift(path, wanted, file);
  return { changes, commands: setFileAttributes(path, set).map((run) => ({ run })) };
}

/** The attributes asked for a file whose source has `sourceMode` (what mode: preserve keeps). */
function wantedFor(args: CopyArgs, sourceMode: string | undefined): FileAttributes {
  return askedAttributes({ mode: args.mode === 'preserve' ? sourceMode : args.mode, owner: args.owner, group: args.group });
}

export default defineTask<CopyArgs, CopyFacts>({
  name: 'copy',
  description: 'Keeps a file on the host holding given content or a local file\'s bytes (or a local directory\'s tree), written atomically only when different.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['dest'],
    properties: {
      dest: {
        type: 'string',
        pattern: DEST_PATH,
        description:
          'The absolute path of the file on the host, without . or .. segments; or, as in Ansible, a directory that a src file is copied into under its own name: one that ends with / (made when missing) or one that is a directory on the host. When src is a directory, the directory the tree is copied into. A symbolic link is followed: its target is written and the link kept.',
      },
      content: {
        type: 'string',
        description: 'The exact text of the file (no newline is added). Give this or src.',
      },
      src: {
        type: 'string',
        pattern: SOURCE_NAME,
        description:
          'A local file or directory on the controller, a relative name looked up in the playbook\'s files/ folder, then beside the playbook (for `lvs task`, in the current directory\'s files/, then in it), and copied verbatim (binary files too). A directory is copied as a tree of at most 1000 files and directories and 16 MiB: `dir/` copies what it holds into dest, `dir` copies the directory itself into dest/dir. Missing directories are made with the default mode. Give this or content.',
      },
      mode: {
        type: 'string',
        pattern: '^(0?[0-7]{3,4}|preserve)$',
        description:
          'The octal permission bits of the file(s), such as "0644" (quote it in YAML), or preserve for the source file\'s own mode. Without it a new file gets 0644 and an existing one keeps its mode. Symbolic modes (u+rwx) are not taken.',
      },
      owner: { type: 'string', pattern: ACCOUNT_NAME, description: 'The user name that owns the file(s); an existing file keeps its owner when this is not given.' },
      group: { type: 'string', pattern: ACCOUNT_NAME, description: 'The group name of the file(s); an existing file keeps its group when this is not given.' },
      backup: {
        type: 'boolean',
        default: false,
        description: 'Before replacing a file, keep a copy of it named as Ansible names it: DEST.PID.YYYY-MM-DD@HH:MM:SS~ (the host\'s time).',
      },
      force: {
        type: 'boolean',
        default: true,
        description: 'Replace a file whose content differs; with false, only a missing file is written (its attributes are still fixed).',
      },
    },
  },
  example: { src: 'keepalived.conf', dest: '/etc/keepalived/keepalived.conf', mode: '0640', owner: 'root', group: 'root', backup: true, force: true },
  validate(args) {
    if (args.content === undefined && args.src === undefined) return ['src: give src (a local file) or content'];
    if (args.content !== undefined && args.src !== undefined) return ['content: give src or content, not both'];
    if (args.content !== undefined && args.mode === 'preserve') return ['mode: preserve needs a src file to take the mode from'];
    if (args.content !== undefined && args.dest.endsWith('/')) return ['dest: content is written to a file: give its path, without the trailing /'];
    return [];
  },
  files: (args) => (args.src === undefined ? [] : [args.src]),
  facts(args, context) {
    const tree = source(args, context.files);
    if (tree?.type !== 'directory') return { dest: remoteFile(destPath(args)), ...(tree ? { inside: remoteFile(insideDest(args)) } : {}) };
    return Object.fromEntries(Object.entries(treeTargets(args, tree)).map(([name, path]) => [name, remoteFile(path)]));
  },
  plan(args, facts, context) {
    const from = source(args, context.files);
    if (from?.type !== 'directory') {
      const bytes = from ? from.content : Buffer.from(args.content!, 'utf8');
      const into = from !== undefined && (args.dest.endsWith('/') || facts.dest.otherType === 'directory');
      if (into && facts.dest.exists) throw new Error(`dest ${args.dest} is a file, not a directory to copy ${args.src} into`);
      const [path, file] = into ? [insideDest(args), facts.inside] : [args.dest, facts.dest];
      const planned = planFile(path, bytes, wantedFor(args, from?.mode), file, args);
      if (planned.changes.length && into && facts.dest.otherType === undefined) {
        // dest/ is missing: made first, as Ansible makes it.
        return {
          changes: [{ subject: destPath(args), before: null, after: 'directory' }, ...planned.changes],
          commands: [{ run: sh`mkdir -p -- ${destPath(args)}` }, ...planned.commands],
        };
      }
      if (planned.changes.length) return planned;
      return noop(`${path} already holds ${args.src ?? 'the content'} (${bytes.length} bytes), mode ${file.mode} ${file.owner}:${file.group}`);
    }
    const targets = treeTargets(args, from);
    const changes: Change[] = [];
    const commands: PlannedCommand[] = [];
    const directory = (path: string, file: RemoteFile) => {
      if (file.exists) throw new Error(`${path} is a file, where the directory of ${args.src} is to be copied`);
      if (file.otherType === 'directory') return;
      if (file.otherType !== undefined) throw new Error(`${path} is a ${file.otherType}, where the directory of ${args.src} is to be copied`);
      changes.push({ subject: path, before: null, after: 'directory' });
      commands.push({ run: sh`mkdir -p -- ${path}` });
    };
    directory(targets.root, facts.root);
    for (const entry of from.entries) {
      const path = targets[`entry:${entry.path}`];
      const file = facts[`entry:${entry.path}`];
      if (entry.type === 'directory') {
        directory(path, file);
        continue;
      }
      const planned = planFile(path, entry.content, wantedFor(args, entry.mode), file, args);
      changes.push(...planned.changes);
      commands.push(...planned.commands);
    }
    if (changes.length) return { changes, commands };
    const files = from.entries.filter((entry) => entry.type === 'file').length;
    return noop(`${targets.root} already holds the ${files} files of ${args.src}`);
  },
});
