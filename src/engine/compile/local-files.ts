/**
 * Where a task's local files are, as Ansible looks for them: in each of the task's lookup
 * folders (its role, then its task file's folder or the playbook's) the `templates/` (or
 * `files/`) subfolder first, then the folder itself; then the built-in folders (the project's
 * and lvs's templates/). An absolute name is itself.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export type LocalFileKind = 'templates' | 'files';

/** The places `name` is looked for, in order. */
export function localFileCandidates(kind: LocalFileKind, name: string, lookupDirs: readonly string[], builtinDirs: readonly string[] = []): string[] {
  if (isAbsolute(name)) return [name];
  return [...new Set([...lookupDirs.flatMap((dir) => [join(dir, kind, name), resolve(dir, name)]), ...builtinDirs.map((dir) => join(dir, name))])];
}

/** The first of the candidates that exists, or undefined. */
export function findLocalFile(kind: LocalFileKind, name: string, lookupDirs: readonly string[], builtinDirs: readonly string[] = []): string | undefined {
  return localFileCandidates(kind, name, lookupDirs, builtinDirs).find((candidate) => existsSync(candidate));
}
