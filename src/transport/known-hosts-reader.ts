/**
 * Reading known_hosts files for a run: each file once, however many hosts check their keys
 * against it, so its warnings are told once, and a file that cannot be read is bad input
 * (exit 4) that a run can find before it connects anywhere.
 */
import { readFile } from 'fs/promises';
import { join } from 'path';
import { InputError } from '../errors';
import { KnownHosts } from './known-hosts';

/** Past this many unusable lines a file is told about in one more line, not line by line. */
const WARNINGS_PER_FILE = 5;

export class KnownHostsReader {
  private readonly files = new Map<string, Promise<KnownHosts>>();

  /** `onWarning` gets each warning once, `file:line: why`, the first time the file is read. */
  constructor(private readonly onWarning: (warning: string) => void) {}

  /**
   * The host keys of `files`, in order. A missing file counts as empty, as in OpenSSH;
   * one that exists but cannot be read (a directory, no permission) rejects with an
   * InputError naming it.
   */
  async load(files: readonly string[]): Promise<KnownHosts> {
    return KnownHosts.concat(await Promise.all(files.map((file) => this.file(file))));
  }

  private file(file: string): Promise<KnownHosts> {
    let parsed = this.files.get(file);
    if (!parsed) {
      parsed = readKnownHosts(file).then((knownHosts) => {
        this.tell(file, knownHosts.warnings);
        return knownHosts;
      });
      this.files.set(file, parsed);
    }
    return parsed;
  }

  private tell(file: string, warnings: readonly string[]): void {
    warnings.slice(0, WARNINGS_PER_FILE).forEach(this.onWarning);
    const more = warnings.length - WARNINGS_PER_FILE;
    if (more > 0) this.onWarning(`${file}: ${more} more line${more === 1 ? '' : 's'} cannot be used and ${more === 1 ? 'was' : 'were'} ignored`);
  }
}

async function readKnownHosts(file: string): Promise<KnownHosts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new KnownHosts([], []);
    throw unreadable(file, code, (error as Error).message);
  }
  return KnownHosts.parse(text, file);
}

function unreadable(file: string, code: string | undefined, message: string): InputError {
  const position = { file };
  switch (code) {
    case 'EISDIR':
      return new InputError('is a directory, not a known_hosts file', position, undefined, `name the file itself, such as ${join(file, 'known_hosts')}`);
    case 'EACCES':
    case 'EPERM':
      return new InputError(`cannot read this known_hosts file: permission denied (${code})`, position);
    default: {
      // Node's text is `CODE: what, open 'file'`: the file is named already.
      const what = message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '');
      return new InputError(`cannot read this known_hosts file: ${what}${code ? ` (${code})` : ''}`, position);
    }
  }
}
