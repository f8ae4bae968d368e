/** A remote file's content and metadata. */
import { createHash } from 'node:crypto';
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';

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
