/** A remote file's content and metadata, and the command that replaces it atomically. */
import type { CommandResult, Fact } from '../api';
import { joinCommands, sh, unshown, type ShellCommand } from '../transport/quote';

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

export interface FileAttributes {
  mode?: string;
  owner?: string;
  group?: string;
}

/**
 * Writes `content` to a temporary file beside `path` and renames it over `path`, so readers
 * never see a half-written file. The content travels base64-encoded inside one quoted word.
 */
export function writeFileAtomically(path: string, content: string, attributes: FileAttributes = {}): ShellCommand {
  const encoded = Buffer.from(content, 'utf8').toString('base64');
  const steps: ShellCommand[] = [
    sh`lvs_tmp=$(mktemp ${`${path}.lvs-XXXXXX`})`,
    sh`printf %s ${unshown(encoded, `${Buffer.byteLength(content)} bytes`)} | base64 -d > "$lvs_tmp"`,
    sh`chmod ${attributes.mode ?? '0644'} "$lvs_tmp"`,
  ];
  if (attributes.owner || attributes.group) {
    steps.push(sh`chown ${`${attributes.owner ?? ''}${attributes.group ? `:${attributes.group}` : ''}`} "$lvs_tmp"`);
  }
  steps.push(sh`mv -f "$lvs_tmp" ${path}`);
  // Remove the temporary file if any step failed, and keep the failing exit code.
  return sh`{ ${joinCommands(steps, ' && ')}; } || { lvs_rc=$?; rm -f "$lvs_tmp"; exit $lvs_rc; }`;
}

/** Applies mode/owner/group to an existing file without rewriting it. */
export function setFileAttributes(path: string, attributes: FileAttributes): ShellCommand[] {
  const commands: ShellCommand[] = [];
  if (attributes.mode) commands.push(sh`chmod ${attributes.mode} ${path}`);
  if (attributes.owner || attributes.group) {
    commands.push(sh`chown ${`${attributes.owner ?? ''}${attributes.group ? `:${attributes.group}` : ''}`} ${path}`);
  }
  return commands;
}
