/** Writing a file on a host: atomically, with its attributes. */
import { joinCommands, sh, unshown, type ShellCommand } from '../shell/quote';

export interface FileAttributes {
  mode?: string;
  owner?: string;
  group?: string;
}

/** A file's new content: the text, or what a command prints on the host when the write runs. */
export type FileContent = string | { outputOf: ShellCommand };

function contentInto(content: FileContent): ShellCommand {
  if (typeof content !== 'string') return sh`{ ${content.outputOf}; } > "$lvs_tmp"`;
  // The text travels base64-encoded inside one quoted word.
  const encoded = Buffer.from(content, 'utf8').toString('base64');
  return sh`printf %s ${unshown(encoded, `${Buffer.byteLength(content)} bytes`)} | base64 -d > "$lvs_tmp"`;
}

/**
 * Writes `content` to a temporary file beside `path` and renames it over `path`, so readers
 * never see a half-written file.
 */
export function writeFileAtomically(path: string, content: FileContent, attributes: FileAttributes = {}): ShellCommand {
  const steps: ShellCommand[] = [sh`lvs_tmp=$(mktemp ${`${path}.lvs-XXXXXX`})`, contentInto(content), sh`chmod ${attributes.mode ?? '0644'} "$lvs_tmp"`];
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
