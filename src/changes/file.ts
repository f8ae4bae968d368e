/** Writing a file on a host: atomically, with its attributes. */
import { joinCommands, sh, unshown, type ShellCommand } from '../shell/quote';

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
