/** Writing a file on a host: atomically, with its attributes. */
import type { Change } from '../api';
import type { RemoteFile } from '../facts/file';
import { joinCommands, sh, unshown, type ShellCommand } from '../shell/quote';

export interface FileAttributes {
  mode?: string;
  owner?: string;
  group?: string;
}

/** A file's new content: the text (UTF-8), the bytes, or what a command prints on the host when the write runs. */
export type FileContent = string | Buffer | { outputOf: ShellCommand };

export interface WriteOptions {
  /**
   * Keep a copy of the file being replaced, named as Ansible's `backup: yes` names it:
   * `PATH.PID.YYYY-MM-DD@HH:MM:SS~` (the host's pid and local time when the write runs).
   */
  backup?: boolean;
  /**
   * A command that checks the new content before it replaces the file, given the temporary
   * file's path as a word (Ansible's `validate`): a non-zero exit leaves the file as it was.
   */
  validate?: (file: ShellCommand) => ShellCommand;
}

function contentInto(content: FileContent): ShellCommand {
  if (!(typeof content === 'string' || Buffer.isBuffer(content))) return sh`{ ${content.outputOf}; } > "$lvs_tmp"`;
  // The bytes travel base64-encoded inside one quoted word.
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return sh`printf %s ${unshown(bytes.toString('base64'), `${bytes.length} bytes`)} | base64 -d > "$lvs_tmp"`;
}

/**
 * Writes `content` to a temporary file beside `path` and renames it over `path`, so readers
 * never see a half-written file. Given `readAs` (the file as the plan read it), the rename
 * happens only if the file still holds exactly that. A symbolic link is followed: its target is written and the
 * link kept (readlink -f resolves it on the host, when the write runs). Anything there but a
 * regular file is refused, since the rename would move into a directory or replace a device.
 */
export function writeFileAtomically(
  path: string,
  content: FileContent,
  attributes: FileAttributes = {},
  readAs?: Pick<RemoteFile, 'exists' | 'sha256'>,
  options: WriteOptions = {},
): ShellCommand {
  const steps: ShellCommand[] = [
    // readlink -f fails when the directory is missing: mktemp then says what is wrong.
    sh`{ lvs_dest=$(readlink -f -- ${path}) || lvs_dest=${path}; }`,
    sh`{ [ -f "$lvs_dest" ] || [ ! -e "$lvs_dest" ] || { echo ${`${path} is not a regular file`} >&2; false; }; }`,
    sh`lvs_tmp=$(mktemp -- "$lvs_dest.lvs-XXXXXX")`,
    contentInto(content),
    sh`chmod -- ${attributes.mode ?? '0644'} "$lvs_tmp"`,
  ];
  if (attributes.owner || attributes.group) {
    steps.push(sh`chown -- ${ownership(attributes)} "$lvs_tmp"`);
  }
  if (readAs && (!readAs.exists || readAs.sha256)) steps.push(stillAsRead(path, readAs));
  if (options.validate) steps.push(sh`{ ${options.validate(sh`"$lvs_tmp"`)}; }`);
  if (options.backup) steps.push(sh`{ [ ! -e "$lvs_dest" ] || cp -p -- "$lvs_dest" ${path}."$$.$(date +%Y-%m-%d@%H:%M:%S~)"; }`);
  steps.push(sh`mv -f -- "$lvs_tmp" "$lvs_dest"`);
  // Remove the temporary file if any step failed, and keep the failing exit code.
  return sh`{ ${joinCommands(steps, ' && ')}; } || { lvs_rc=$?; rm -f -- "$lvs_tmp"; exit $lvs_rc; }`;
}

/**
 * Compare and swap: the file must still hold what the plan read, or the write is refused, so
 * a change another program made since then is never lost (and no task is blamed for it).
 */
function stillAsRead(path: string, readAs: Pick<RemoteFile, 'exists' | 'sha256'>): ShellCommand {
  if (!readAs.exists) return sh`{ [ ! -e "$lvs_dest" ] || { echo ${`${path} appeared after lvs read it; it was not overwritten`} >&2; false; }; }`;
  return sh`{ { lvs_sum=$(sha256sum < "$lvs_dest") && [ "\${lvs_sum%% *}" = ${readAs.sha256!} ]; } || { echo ${`${path} changed after lvs read it; it was not overwritten`} >&2; false; }; }`;
}

/** chown's OWNER[:GROUP] (or :GROUP) operand. */
function ownership(attributes: FileAttributes): string {
  return `${attributes.owner ?? ''}${attributes.group ? `:${attributes.group}` : ''}`;
}

/** Only the attributes that are given: what a task's optional mode, owner and group ask for. */
export function askedAttributes(attributes: FileAttributes): FileAttributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined && value !== ''));
}

/**
 * Applies mode/owner/group to an existing path without rewriting it. By default both follow
 * a symbolic link; `recursive` sets them on everything under a directory too (chmod -R and
 * chown -R leave the targets of links inside alone); `linkItself` changes a link's own
 * owner and group (chown -h; a link has no mode of its own).
 */
export function setFileAttributes(path: string, attributes: FileAttributes, how: { recursive?: boolean; linkItself?: boolean } = {}): ShellCommand[] {
  const commands: ShellCommand[] = [];
  if (attributes.mode && !how.linkItself) commands.push(how.recursive ? sh`chmod -R -- ${attributes.mode} ${path}` : sh`chmod -- ${attributes.mode} ${path}`);
  if (attributes.owner || attributes.group) {
    const spec = ownership(attributes);
    commands.push(how.linkItself ? sh`chown -h -- ${spec} ${path}` : how.recursive ? sh`chown -R -- ${spec} ${path}` : sh`chown -- ${spec} ${path}`);
  }
  return commands;
}

/** Octal modes compared as numbers: "0644" is stat's "644". */
export function modesEqual(left: string, right: string): boolean {
  return parseInt(left, 8) === parseInt(right, 8);
}

/**
 * What differs between a file's attributes and those asked for (an attribute not asked for
 * never differs): the attributes to set, and the changes to show.
 */
export function attributeDrift(path: string, wanted: FileAttributes, file: Pick<RemoteFile, 'mode' | 'owner' | 'group'>): { set: FileAttributes; changes: Change[] } {
  const set: FileAttributes = {};
  const changes: Change[] = [];
  if (wanted.mode && (!file.mode || !modesEqual(file.mode, wanted.mode))) {
    set.mode = wanted.mode;
    changes.push({ subject: `${path} mode`, before: file.mode, after: wanted.mode });
  }
  if (wanted.owner && wanted.owner !== file.owner) {
    set.owner = wanted.owner;
    changes.push({ subject: `${path} owner`, before: file.owner, after: wanted.owner });
  }
  if (wanted.group && wanted.group !== file.group) {
    set.group = wanted.group;
    changes.push({ subject: `${path} group`, before: file.group, after: wanted.group });
  }
  return { set, changes };
}

/**
 * The attributes of a file that replaces `file` (a rewrite is a new inode): those asked for,
 * else the old file's (stat prints UNKNOWN for an id without a name, which chown would refuse).
 */
export function attributesForRewrite(wanted: FileAttributes, file: Pick<RemoteFile, 'exists' | 'mode' | 'owner' | 'group'>): FileAttributes {
  const named = (name: string | undefined) => (file.exists && name !== 'UNKNOWN' ? name : undefined);
  return askedAttributes({ mode: wanted.mode ?? (file.exists ? file.mode : undefined), owner: wanted.owner ?? named(file.owner), group: wanted.group ?? named(file.group) });
}
