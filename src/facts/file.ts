/** A remote file's content and metadata. */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';

export interface RemoteFile {
  exists: boolean;
  content: string;
  /** Octal permission bits as stat prints them, e.g. "644". */
  mode?: string;
  owner?: string;
  group?: string;
}

const ABSENT: RemoteFile = { exists: false, content: '' };

/**
 * Prints `MODE OWNER GROUP` on the first line and the content as base64 after it, so
 * any bytes (no trailing newline, NULs, CRs) survive the trip unchanged.
 */
export function remoteFile(path: string): Fact<RemoteFile> {
  return {
    command: sh`if [ -f ${path} ]; then stat -c '%a %U %G' ${path} && base64 -w0 ${path}; else echo absent; fi`,
    parse: parseRemoteFile,
  };
}

export function parseRemoteFile(result: CommandResult): RemoteFile {
  if (result.exitCode !== 0) throw new Error(`cannot read file: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const [header, encoded = ''] = result.stdout.split('\n');
  if (header.trim() === 'absent') return ABSENT;
  const [mode, owner, group] = header.trim().split(/\s+/);
  return { exists: true, content: Buffer.from(encoded.trim(), 'base64').toString('utf8'), mode, owner, group };
}

