/**
 * Loads one or more inventory sources (`-i` values) into one inventory, as Ansible does:
 * a file, a directory of files, or a comma-separated host list. Later sources add hosts and
 * groups and override variables of the same name; group_vars/ and host_vars/ are read next
 * to each file source and inside each directory source, and, given `playbookDir`, beside the
 * playbook, where they win over the inventory's (see resolve.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../errors';
import { InventoryBuilder } from './builder';
import { inventoryFilesIn } from './directory';
import { isHostList, parseHostList } from './host-list';
import { parseInventoryFile } from './inventory-file';
import { resolveInventory } from './resolve';
import type { Inventory } from './types';
import { VarsFiles } from './vars-files';

export function loadInventories(sources: string[], options: { cwd?: string; playbookDir?: string } = {}): Inventory {
  const cwd = options.cwd ?? process.cwd();
  const builder = new InventoryBuilder();
  const varsDirs: string[] = [];
  for (const source of sources) {
    const path = resolve(cwd, source.replace(/^~(?=\/|$)/, homedir()));
    if (!existsSync(path) && isHostList(source)) {
      parseHostList(source, builder);
    } else if (!existsSync(path)) {
      throw new InputError('inventory source not found', { file: source }, undefined, 'give a file, a directory, or a host list with at least one comma');
    } else if (statSync(path).isDirectory()) {
      for (const file of inventoryFilesIn(path)) parseInventoryFile(file, builder);
      varsDirs.push(path);
    } else {
      parseInventoryFile(path, builder);
      varsDirs.push(dirname(path));
    }
  }
  const playbookDirs = options.playbookDir === undefined ? [] : [resolve(cwd, options.playbookDir)];
  return resolveInventory(builder, { inventory: varsDirs, playbook: playbookDirs }, new VarsFiles());
}
