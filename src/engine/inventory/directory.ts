/**
 * An inventory directory, read as Ansible reads one: every file in it and in its
 * subdirectories, in sorted order, is an inventory source, except hidden files, the
 * group_vars, host_vars and vars_plugins directories, and files whose names end in one of
 * Ansible's ignored extensions (INVENTORY_IGNORE_EXTS: REJECT_EXTS plus .orig, .ini, .cfg and
 * .retry, in ansible/config/base.yml). So `hosts.ini` in a directory is skipped, as in Ansible:
 * name it `hosts`, or give the file itself with -i.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors';

const IGNORED_NAMES = new Set(['group_vars', 'host_vars', 'vars_plugins']);
const IGNORED_ENDINGS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];

export function inventoryFilesIn(dir: string, visited = new Set<string>()): string[] {
  // A symbolic link back up the tree would otherwise recurse forever.
  const real = realpathSync(dir);
  if (visited.has(real)) return [];
  visited.add(real);
  return readdirSync(dir)
    .sort()
    .filter((entry) => !entry.startsWith('.') && !IGNORED_NAMES.has(entry) && !IGNORED_ENDINGS.some((ending) => entry.endsWith(ending)))
    .flatMap((entry) => {
      const path = join(dir, entry);
      return isDirectory(path) ? inventoryFilesIn(path, visited) : [path];
    });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (error) {
    // A dangling link is not a directory; reading it as a file reports the problem.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code}`, { file: path });
  }
}
