/**
 * Ansible's file: a path is a file, a directory, a symbolic or hard link, or absent, with
 * its mode, owner and group; touch creates a file or updates its times.
 */
import { posix } from 'node:path';
import { defineTask, noop, type Change, type Fact, type Plan, type PlannedCommand } from '../api';
import { firstAttributeDrift, remotePath, type PathStat, type RemotePath } from '../facts/file';
import { askedAttributes, attributeDrift, setFileAttributes, type FileAttributes } from '../changes/file';
import { sh, type ShellCommand } from '../shell/quote';
import { ABSOLUTE_PATH, ACCOUNT_NAME, FILE_MODE } from './patterns';

type State = 'file' | 'directory' | 'link' | 'hard' | 'absent' | 'touch';

interface FileArgs {
  path: string;
  state?: State;
  src?: string;
  mode?: string;
  owner?: string;
  group?: string;
  recurse: boolean;
  force: boolean;
  access_time?: 'now' | 'preserve';
  modification_time?: 'now' | 'preserve';
}

type FileFacts = { path: Fact<RemotePath>; src?: Fact<RemotePath>; tree?: Fact<string | null> };

/** A link's src as the host reads it: relative to the link's own directory. */
const linkSource = (args: FileArgs) => posix.resolve(posix.dirname(args.path), args.src!);

const wanted = (args: FileArgs): FileAttributes => askedAttributes({ mode: args.mode, owner: args.owner, group: args.group });

const described = (stat: PathStat | undefined) => (stat ? ({ file: 'file', directory: 'directory', link: 'link', other: 'special file' } as const)[stat.type] : 'absent');

function attributesPlan(args: FileArgs, stat: PathStat, first: Plan = { changes: [], commands: [] }): Plan {
  const { set, changes } = attributeDrift(args.path, wanted(args), stat);
  return { changes: [...first.changes, ...changes], commands: [...first.commands, ...setFileAttributes(args.path, set).map((run) => ({ run }))] };
}

/** Replaces what is at the path with a new entry made by `make` at a temporary name, in one rename. */
function replaceWith(args: FileArgs, make: (temporary: ShellCommand) => ShellCommand): ShellCommand {
  return sh`lvs_tmp=${args.path}.lvs-$$ && ${make(sh`"$lvs_tmp"`)} && { mv -Tf -- "$lvs_tmp" ${args.path} || { lvs_rc=$?; rm -f -- "$lvs_tmp"; exit $lvs_rc; }; }`;
}

/** Owner and group of a link itself (chown -h); its mode means nothing on Linux. */
function linkOwnership(args: FileArgs, stat: PathStat | undefined): { changes: Change[]; commands: PlannedCommand[] } {
  const { set, changes } = attributeDrift(args.path, askedAttributes({ owner: args.owner, group: args.group }), stat ?? {});
  return { changes, commands: setFileAttributes(args.path, set, { linkItself: true }).map((run) => ({ run })) };
}

function planLink(args: FileArgs, facts: { path: RemotePath; src?: RemotePath }): Plan {
  const { self, linkTarget } = facts.path;
  const src = args.src!;
  if (self?.type === 'link' && linkTarget === src) {
    const owned = linkOwnership(args, self);
    return owned.changes.length ? owned : noop(`${args.path} is a link to ${src}`);
  }
  if (!args.force && !facts.src?.resolved) throw new Error(`src ${src} does not exist (as seen from ${posix.dirname(args.path)}); use force=true to make the link anyway`);
  if (self?.type === 'directory') throw new Error(`${args.path} is a directory, which lvs does not replace with a link`);
  if ((self?.type === 'file' || self?.type === 'other') && !args.force) throw new Error(`${args.path} is a ${described(self)}; use force=true to replace it with a link`);
  const change: Change = { subject: args.path, before: self?.type === 'link' ? `link to ${linkTarget}` : described(self), after: `link to ${src}` };
  const make = self ? replaceWith(args, (temporary) => sh`ln -s -- ${src} ${temporary}`) : sh`ln -s -- ${src} ${args.path}`;
  const owned = linkOwnership(args, undefined);
  return { changes: [change, ...owned.changes], commands: [{ run: make }, ...owned.commands] };
}

function planHard(args: FileArgs, facts: { path: RemotePath; src?: RemotePath }): Plan {
  const { self } = facts.path;
  const target = facts.src?.self;
  const src = linkSource(args);
  if (!target) throw new Error(`src ${src} does not exist, so no hard link can be made to it`);
  if (target.type === 'directory') throw new Error(`src ${src} is a directory, which cannot be hard-linked`);
  if (self && self.inode === target.inode && self.device === target.device) {
    const done = attributesPlan(args, self);
    return done.changes.length ? done : noop(`${args.path} is a hard link to ${src}`);
  }
  if (self?.type === 'directory') throw new Error(`${args.path} is a directory, which lvs does not replace with a hard link`);
  if (self && !args.force) throw new Error(`${args.path} is a ${described(self)} other than ${src}; use force=true to replace it with a hard link`);
  const make = self ? replaceWith(args, (temporary) => sh`ln -- ${src} ${temporary}`) : sh`ln -- ${src} ${args.path}`;
  // The link shares the inode of src: its attributes are src's, compared after the link is made.
  return attributesPlan(args, target, { changes: [{ subject: args.path, before: described(self), after: `hard link to ${src}` }], commands: [{ run: make }] });
}

function planDirectory(args: FileArgs, facts: { path: RemotePath; tree?: string | null }): Plan {
  const { self, resolved } = facts.path;
  if (!self) {
    const attributes = setFileAttributes(args.path, wanted(args)).map((run) => ({ run }));
    return { changes: [{ subject: args.path, before: 'absent', after: 'directory' }], commands: [{ run: sh`mkdir -p -- ${args.path}` }, ...attributes] };
  }
  if (resolved?.type !== 'directory') throw new Error(`${args.path} is a ${described(resolved ?? self)}, not a directory`);
  if (args.recurse && facts.tree) {
    const commands = setFileAttributes(args.path, wanted(args), { recursive: true }).map((run) => ({ run }));
    return { changes: [{ subject: `${args.path} (recursively)`, before: `${facts.tree} differs`, after: attributesText(args) }], commands };
  }
  const done = attributesPlan(args, resolved);
  return done.changes.length ? done : noop(`${args.path} is a directory, mode ${resolved.mode} ${resolved.owner}:${resolved.group}${args.recurse ? ', and so is everything under it' : ''}`);
}

const attributesText = (args: FileArgs) =>
  [args.mode ? `mode ${args.mode}` : '', args.owner ? `owner ${args.owner}` : '', args.group ? `group ${args.group}` : ''].filter(Boolean).join(', ');

function planTouch(args: FileArgs, path: RemotePath): Plan {
  const { self, resolved } = path;
  const times: string[] = [];
  if (args.access_time !== 'preserve') times.push('-a');
  if (args.modification_time !== 'preserve') times.push('-m');
  if (!self) {
    const attributes = setFileAttributes(args.path, wanted(args)).map((run) => ({ run }));
    const made: Plan = { changes: [{ subject: args.path, before: 'absent', after: 'file' }], commands: [{ run: sh`touch -- ${args.path}` }, ...attributes] };
    // Read again right after, the new file's times still call for a touch: the touch is an action.
    return times.length ? { ...made, action: { check: 'report' } } : made;
  }
  if (!resolved) throw new Error(`${args.path} is a dangling link to ${path.linkTarget}`);
  if (times.length === 0) {
    const done = attributesPlan(args, resolved);
    return done.changes.length ? done : noop(`${args.path} exists, mode ${resolved.mode} ${resolved.owner}:${resolved.group}, times preserved`);
  }
  // Ansible's touch changes the times, so it changes something on every run.
  const touched: Plan = { changes: [{ subject: `${args.path} times`, before: 'as they were', after: times.length === 2 ? 'now' : times[0] === '-a' ? 'access time now' : 'modification time now' }], commands: [{ run: sh`touch ${times} -- ${args.path}` }] };
  return { ...attributesPlan(args, resolved, touched), action: { check: 'report' } };
}

export default defineTask<FileArgs, FileFacts>({
  name: 'file',
  description: 'Keeps a path a file, a directory, a symbolic or hard link, or absent, with its mode, owner and group (touch updates its times).',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', pattern: ABSOLUTE_PATH, description: 'The absolute path on the host, without . or .. segments.' },
      state: {
        type: 'string',
        enum: ['file', 'directory', 'link', 'hard', 'absent', 'touch'],
        description:
          'Without it, as in Ansible, what the path is now: directory when it is one (or with recurse), else file. file: it must exist already (only its attributes are set); directory: made with its parents (mkdir -p; the attributes go on the last one); link: a symbolic link to src; hard: a hard link to src; absent: removed, a directory with everything in it; touch: made if missing, else its times set to now, which is a change on every run, as in Ansible (unless both times are preserve).',
      },
      src: {
        type: 'string',
        pattern: '^(?!-)[^\\u0000\\n\\r]+$',
        description: 'What a link (state link or hard) points to, absolute or relative to the link\'s directory; a symbolic link keeps it as written.',
      },
      mode: { type: 'string', pattern: FILE_MODE, description: 'The octal permission bits, such as "0755" (quote it in YAML). Symbolic modes (u+rwx) are not taken.' },
      owner: { type: 'string', pattern: ACCOUNT_NAME, description: 'The user name that owns the path.' },
      group: { type: 'string', pattern: ACCOUNT_NAME, description: 'The group name of the path.' },
      recurse: {
        type: 'boolean',
        default: false,
        description: 'With state directory: set mode, owner and group on everything under the directory too (chmod -R/chown -R, so mode applies to files as well); symbolic links inside are left alone.',
      },
      force: {
        type: 'boolean',
        default: false,
        description: 'For link and hard: replace a file that is in the way, and make a symbolic link even when src does not exist.',
      },
      access_time: { type: 'string', enum: ['now', 'preserve'], description: 'With state touch: preserve keeps the access time (default now).' },
      modification_time: { type: 'string', enum: ['now', 'preserve'], description: 'With state touch: preserve keeps the modification time (default now).' },
    },
  },
  example: { path: '/etc/keepalived', state: 'directory', mode: '0755', owner: 'root', group: 'root', recurse: false, force: false },
  validate(args) {
    const problems: string[] = [];
    const linking = args.state === 'link' || args.state === 'hard';
    if (linking && args.src === undefined) problems.push(`src: is required when state is ${args.state}`);
    if (!linking && args.src !== undefined) problems.push(`src: only a link (state link or hard) has a src`);
    if (args.state === 'link' && args.mode !== undefined) problems.push('mode: a symbolic link has no mode of its own; set it on src');
    if (args.recurse && (args.state ?? 'directory') !== 'directory') problems.push('recurse: only with state directory');
    if (args.recurse && !args.mode && !args.owner && !args.group) problems.push('recurse: give mode, owner or group to set under the directory');
    if (args.state === 'absent' && (args.mode || args.owner || args.group)) problems.push('state: an absent path has no mode, owner or group');
    for (const key of ['access_time', 'modification_time'] as const) if (args[key] !== undefined && args.state !== 'touch') problems.push(`${key}: only with state touch`);
    return problems;
  },
  facts: (args) => ({
    path: remotePath(args.path),
    ...(args.state === 'link' || args.state === 'hard' ? { src: remotePath(linkSource(args)) } : {}),
    ...(args.recurse ? { tree: firstAttributeDrift(args.path, wanted(args)) } : {}),
  }),
  plan(args, facts) {
    const { self, resolved } = facts.path;
    const state = args.state ?? (args.recurse || resolved?.type === 'directory' ? 'directory' : 'file');
    switch (state) {
      case 'absent':
        if (!self) return noop(`${args.path} is absent`);
        return { changes: [{ subject: args.path, before: described(self), after: 'absent' }], commands: [{ run: sh`rm -rf -- ${args.path}` }] };
      case 'file': {
        if (!self) throw new Error(`file ${args.path} is absent, cannot continue (state touch creates it)`);
        if (!resolved) throw new Error(`${args.path} is a dangling link to ${facts.path.linkTarget}`);
        if (resolved.type !== 'file') throw new Error(`${args.path} is a ${described(resolved)}, not a file`);
        const done = attributesPlan(args, resolved);
        return done.changes.length ? done : noop(`${args.path} is a file, mode ${resolved.mode} ${resolved.owner}:${resolved.group}`);
      }
      case 'directory':
        return planDirectory(args, facts);
      case 'touch':
        return planTouch(args, facts.path);
      case 'link':
        return planLink(args, facts);
      case 'hard':
        return planHard(args, facts);
    }
  },
});
