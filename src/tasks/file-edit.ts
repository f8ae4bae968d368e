/**
 * What lineinfile and blockinfile share: a file's new content, computed in the plan from the
 * content the fact read, written back with compare-and-swap (a file changed since it was
 * read is not overwritten), keeping its mode, owner and group unless told otherwise.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { noop, type Change, type Plan } from '../api';
import { refuseOtherType, type RemoteFile } from '../facts/file';
import { askedAttributes, attributeDrift, attributesForRewrite, setFileAttributes, writeFileAtomically } from '../changes/file';
import { sh } from '../shell/quote';

export interface EditArgs {
  path: string;
  backup: boolean;
  mode?: string;
  owner?: string;
  group?: string;
}

/** The file as the edit reads it: refused when it is not a regular file, or missing without `create`. */
export function editedFile(file: RemoteFile, path: string, create: boolean): RemoteFile {
  refuseOtherType(file, `path ${path}`);
  if (!file.exists && !create) throw new Error(`${path} does not exist (create=true makes it)`);
  // Edited as text, a file that is not UTF-8 would come back with its odd bytes replaced.
  if (file.exists && file.sha256 && createHash('sha256').update(file.content, 'utf8').digest('hex') !== file.sha256) {
    throw new Error(`${path} is not UTF-8 text, which lvs does not edit line by line`);
  }
  return file;
}

/** Writes `after` when it differs from what the file holds (a missing file is made with its directory), else fixes the attributes. */
export function planEdit(args: EditArgs, file: RemoteFile, after: string, unchanged: string): Plan {
  const wanted = askedAttributes({ mode: args.mode, owner: args.owner, group: args.group });
  if (!file.exists || after !== file.content) {
    const change: Change = { subject: args.path, before: file.exists ? file.content : null, after };
    const write = writeFileAtomically(args.path, after, attributesForRewrite(wanted, file), file, { backup: args.backup });
    const commands = file.exists ? [{ run: write }] : [{ run: sh`mkdir -p -- ${posix.dirname(args.path)}` }, { run: write }];
    return { changes: [change], commands };
  }
  const { set, changes } = attributeDrift(args.path, wanted, file);
  if (changes.length === 0) return noop(unchanged);
  return { changes, commands: setFileAttributes(args.path, set).map((run) => ({ run })) };
}
