/**
 * Local source files and directories that tasks copy (`files()`), found where Ansible looks
 * up a `copy src` (see local-files.ts) and read once per run while compiling, verbatim. A
 * directory is read whole, within bounds, since its content travels to the host inside one
 * SSH exec.
 */
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { SourceEntry, SourceFile } from '../../api';
import { localFileCandidates } from './local-files';

/** At most this many files and directories under one source directory. */
export const MAX_SOURCE_ENTRIES = 1000;
/** At most this many bytes in one source file, or in all the files of one source directory. */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** A source name that names nothing in the places looked in, or that cannot be copied. */
export class SourceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceFileError';
  }
}

const modeOf = (stats: Stats) => (stats.mode & 0o7777).toString(8);

/** The local files one task can name. */
export interface TaskSourceFiles {
  /** The file or directory `name` names (`dir/` and `dir` name the same directory). */
  find(name: string): SourceFile;
}

export class SourceFiles {
  private readonly cache = new Map<string, SourceFile>();

  /** The sources a task with these lookup folders sees (see local-files.ts for the order). */
  for(lookupDirs: readonly string[]): TaskSourceFiles {
    return {
      find: (name) => {
        const bare = name.replace(/\/+$/, '');
        const candidates = localFileCandidates('files', bare, lookupDirs);
        const path = candidates.find((candidate) => statOrNothing(candidate));
        if (!path) throw new SourceFileError(`file '${bare}' not found; looked in ${candidates.join(', ')}`);
        let file = this.cache.get(path);
        if (!file) {
          file = read(path, bare);
          this.cache.set(path, file);
        }
        return file;
      },
    };
  }
}

function statOrNothing(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function read(path: string, name: string): SourceFile {
  const stats = statSync(path);
  if (stats.isFile()) {
    if (stats.size > MAX_SOURCE_BYTES) throw new SourceFileError(`file '${name}' has ${stats.size} bytes, more than the ${MAX_SOURCE_BYTES} a copy takes`);
    return { type: 'file', content: readFileSync(path), mode: modeOf(stats), entries: [] };
  }
  if (!stats.isDirectory()) throw new SourceFileError(`'${name}' (${path}) is neither a file nor a directory`);
  return { type: 'directory', content: Buffer.alloc(0), mode: modeOf(stats), entries: readTree(path, name) };
}

/** Every file and directory below `root`, symbolic links followed; the bounds also stop a link loop. */
function readTree(root: string, name: string): SourceEntry[] {
  const entries: SourceEntry[] = [];
  let bytes = 0;
  const walk = (relative: string) => {
    for (const child of readdirSync(join(root, relative)).sort()) {
      const path = relative ? `${relative}/${child}` : child;
      if (entries.length >= MAX_SOURCE_ENTRIES) throw new SourceFileError(`directory '${name}' holds more than the ${MAX_SOURCE_ENTRIES} files and directories a copy takes`);
      const stats = statSync(join(root, path));
      if (stats.isDirectory()) {
        entries.push({ path, type: 'directory', content: Buffer.alloc(0), mode: modeOf(stats) });
        walk(path);
      } else if (stats.isFile()) {
        bytes += stats.size;
        if (bytes > MAX_SOURCE_BYTES) throw new SourceFileError(`directory '${name}' holds more than the ${MAX_SOURCE_BYTES} bytes a copy takes`);
        entries.push({ path, type: 'file', content: readFileSync(join(root, path)), mode: modeOf(stats) });
      } else {
        throw new SourceFileError(`'${name}/${path}' is neither a file nor a directory`);
      }
    }
  };
  walk('');
  return entries;
}
