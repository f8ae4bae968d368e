/** A remote file's content and metadata. */
import { createHash } from 'node:crypto';
import type { CommandResult, Fact } from '../api';
import { sh, type ShellCommand } from '../shell/quote';

export interface RemoteFile {
  /** A regular file is there, or a symbolic link to one (links are followed, as the write does). */
  exists: boolean;
  content: string;
  /** Octal permission bits as stat prints them, e.g. "644". */
  mode?: string;
  owner?: string;
  group?: string;
  /** Something other than a regular file is there, named as stat(1) names its type ("directory", "fifo"). */
  otherType?: string;
  /** The SHA-256 of the file's bytes, as sha256sum(1) prints it: what a write checks it still holds. */
  sha256?: string;
}

const ABSENT: RemoteFile = { exists: false, content: '' };
const OTHER_TYPE = 'lvs-not-a-file';

/**
 * Prints `MODE OWNER GROUP` on the first line and the content as base64 after it, so
 * any bytes (no trailing newline, NULs, CRs) survive the trip unchanged. `[ -f ]`, `[ -e ]`
 * and `stat -L` follow symbolic links: what is read is the file a write would replace.
 */
export function remoteFile(path: string): Fact<RemoteFile> {
  return {
    command: sh`if [ -f ${path} ]; then stat -L -c '%a %U %G' -- ${path} && base64 -w0 -- ${path}
elif [ -e ${path} ]; then stat -L -c ${`${OTHER_TYPE} %F`} -- ${path}
else echo absent; fi`,
    parse: parseRemoteFile,
  };
}

export function parseRemoteFile(result: CommandResult): RemoteFile {
  if (result.exitCode !== 0) throw new Error(`cannot read file: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const [header, encoded = ''] = result.stdout.split('\n');
  if (header.trim() === 'absent') return ABSENT;
  if (header.startsWith(`${OTHER_TYPE} `)) return { ...ABSENT, otherType: header.slice(OTHER_TYPE.length + 1).trim() };
  const [mode, owner, group] = header.trim().split(/\s+/);
  const bytes = Buffer.from(encoded.trim(), 'base64');
  return { exists: true, content: bytes.toString('utf8'), mode, owner, group, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * For a plan that writes the file: a directory, device or fifo there would not be replaced
 * by a new file (mv moves into a directory and replaces a device node), so it is an error,
 * worded with `what`, such as `dest /x` ("dest /x is a directory").
 */
export function refuseOtherType(file: RemoteFile, what: string): void {
  if (file.otherType !== undefined) throw new Error(`${what} is a ${file.otherType}, which lvs does not replace with a file`);
}

/** What stat(1) says of one path: its type (%F) and attributes. */
export interface PathStat {
  type: 'file' | 'directory' | 'link' | 'other';
  /** Octal permission bits as stat prints them, e.g. "755". */
  mode: string;
  owner: string;
  group: string;
  /** Inode and device numbers: two paths with both equal are hard links of one file. */
  inode: string;
  device: string;
}

/** A path as it is, a symbolic link not followed, and what a link leads to. */
export interface RemotePath {
  /** The path itself (lstat); undefined when nothing is there. */
  self?: PathStat;
  /** What the path leads to (stat -L): the same as `self` unless it is a link; undefined when absent or dangling. */
  resolved?: PathStat;
  /** A link's target as readlink(1) prints it, relative or absolute as written. */
  linkTarget?: string;
}

const STAT_FORMAT = '%a %U %G %i %d %F';

/**
 * Prints the path's own stat line, then the stat line of what it leads to (or `dangling`),
 * then a link's target: one read for the `file` task's every state.
 */
export function remotePath(path: string): Fact<RemotePath> {
  return {
    command: sh`if [ -L ${path} ] || [ -e ${path} ]; then stat -c ${STAT_FORMAT} -- ${path} && { stat -L -c ${STAT_FORMAT} -- ${path} 2>/dev/null || echo dangling; } && { [ ! -L ${path} ] || readlink -- ${path}; }
else echo absent; fi`,
    parse: parseRemotePath,
  };
}

function parseStatLine(line: string): PathStat {
  const match = /^([0-7]+) (\S+) (\S+) (\d+) (\d+) (.+)$/.exec(line);
  if (!match) throw new Error(`cannot understand stat output: ${JSON.stringify(line)}`);
  const [, mode, owner, group, inode, device, kind] = match;
  const type = /^regular( empty)? file$/.test(kind) ? 'file' : kind === 'directory' ? 'directory' : kind === 'symbolic link' ? 'link' : 'other';
  return { type, mode, owner, group, inode, device };
}

export function parseRemotePath(result: CommandResult): RemotePath {
  if (result.exitCode !== 0) throw new Error(`cannot read path: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const [first = '', second = '', ...rest] = result.stdout.replace(/\n$/, '').split('\n');
  if (first === 'absent') return {};
  const self = parseStatLine(first);
  const resolved = second === 'dangling' ? undefined : parseStatLine(second);
  return { self, resolved, ...(self.type === 'link' ? { linkTarget: rest.join('\n') } : {}) };
}

/**
 * The first path under the directory `path` (itself included) whose mode, owner or group is
 * not the one asked for, or `null` when none is: what a recursive chmod/chown would change.
 * Symbolic links are left out, as chmod -R and chown -R leave their targets alone.
 */
export function firstAttributeDrift(path: string, wanted: { mode?: string; owner?: string; group?: string }): Fact<string | null> {
  const tests: ShellCommand[] = [];
  if (wanted.mode) tests.push(sh`! -perm ${wanted.mode}`);
  if (wanted.owner) tests.push(sh`! -user ${wanted.owner}`);
  if (wanted.group) tests.push(sh`! -group ${wanted.group}`);
  return {
    // An absolute path: find cannot read it as an option or expression.
    command: sh`if [ -d ${path} ] && [ ! -L ${path} ]; then find ${path} ! -type l \\( ${tests.reduce((either, test) => sh`${either} -o ${test}`)} \\) -print -quit; fi`,
    parse(result) {
      if (result.exitCode !== 0) throw new Error(`cannot read the attributes under ${path}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
      const first = result.stdout.replace(/\n$/, '');
      return first === '' ? null : first;
    },
  };
}
