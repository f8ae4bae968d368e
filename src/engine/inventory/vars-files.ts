/**
 * `group_vars/` and `host_vars/` next to an inventory source, read as Ansible's
 * host_group_vars plugin reads them: for an entity NAME the first that exists of `NAME`,
 * `NAME.yml`, `NAME.yaml` and `NAME.json` is used; when it is a directory, every file in it
 * and its subdirectories (sorted, without extension or ending in .yml, .yaml or .json,
 * hidden files and `~` backups skipped) is merged in order. Each file must be a mapping.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { InputError } from '../../errors';
import { readText } from './read-file';
import { parseYamlSource, plainValue } from '../yaml-source';
import { mergeLayers, withPositionMap } from '../variable-positions';

const VARS_EXTENSIONS = ['', '.yml', '.yaml', '.json'];

export type VarsKind = 'group_vars' | 'host_vars';

/** What an entity without vars files gets: one shared record, not one per host. */
const NO_VARS: Record<string, unknown> = Object.freeze({});

/** Loads and caches vars files; one per loadInventories call, so a file is read once. */
export class VarsFiles {
  private readonly files = new Map<string, Record<string, unknown>>();
  private readonly entities = new Map<string, Record<string, unknown>>();
  /** The entries of each vars directory, read once (undefined when there is none): a stat per host and extension made large inventories slow. */
  private readonly listings = new Map<string, Set<string> | undefined>();

  /** The variables that `dir/kind/` holds for `name`, merged in file order; {} when there are none. */
  varsFor(dir: string, kind: VarsKind, name: string): Record<string, unknown> {
    const key = `${dir}\0${kind}\0${name}`;
    let merged = this.entities.get(key);
    if (!merged) {
      const files = this.findVarsFiles(join(dir, kind), name).map((file) => this.load(file));
      merged = files.length === 0 ? NO_VARS : mergeLayers(files);
      this.entities.set(key, merged);
    }
    return merged;
  }

  private findVarsFiles(varsDir: string, name: string): string[] {
    if (!this.listings.has(varsDir)) this.listings.set(varsDir, isDirectory(varsDir) ? new Set(readdirSync(varsDir)) : undefined);
    const listing = this.listings.get(varsDir);
    if (!listing) return [];
    for (const extension of VARS_EXTENSIONS) {
      // A name with a slash is a path below the directory, not one of its entries.
      if (!name.includes('/') && !listing.has(name + extension)) continue;
      const path = join(varsDir, name + extension);
      const stats = statOrUndefined(path);
      if (!stats) continue;
      return stats.isDirectory() ? filesBelow(path) : [path];
    }
    return [];
  }

  private load(file: string): Record<string, unknown> {
    let vars = this.files.get(file);
    if (!vars) {
      const source = parseYamlSource(readText(file), file, { maps: true });
      if (source.data !== null && source.data !== undefined && !(source.data instanceof Map)) {
        throw new InputError('a variables file must be a mapping of variable names to values', source.locate([]));
      }
      vars = plainValue(source.data ?? new Map()) as Record<string, unknown>;
      withPositionMap(vars, new Map(Object.keys(vars).map((key) => [key, source.locate([key])])));
      this.files.set(file, vars);
    }
    return vars;
  }
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .filter((entry) => !entry.startsWith('.') && !entry.endsWith('~'))
    .flatMap((entry) => {
      const path = join(dir, entry);
      const extension = extname(entry);
      if (isDirectory(path)) return extension ? [] : filesBelow(path);
      return VARS_EXTENSIONS.includes(extension) ? [path] : [];
    });
}

/** Undefined when nothing is there (a dangling link included, as with Python's os.path.exists). */
function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new InputError(`cannot read: ${code}`, { file: path });
  }
}

function isDirectory(path: string): boolean {
  return statOrUndefined(path)?.isDirectory() ?? false;
}
