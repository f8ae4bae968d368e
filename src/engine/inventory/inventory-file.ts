/**
 * One inventory file. Like Ansible, `.yml`, `.yaml` and `.json` files are YAML, a file without
 * an extension is YAML when its top level is a mapping and INI otherwise, and any other file
 * is INI. Inventory scripts are not run: a file that starts with `#!` is refused, and so is an
 * executable file that does not read as YAML or INI (Ansible, too, reads an executable file as
 * YAML or INI when running it fails, so a file with a stray executable bit still loads).
 */
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { InputError, InputErrors } from '../../errors';
import type { InventoryBuilder } from './builder';
import { parseIniInventory } from './ini-format';
import { readText } from './read-file';
import { parseYamlInventory } from './yaml-format';
import { isYamlMapping, parseYamlSource } from '../yaml-source';

const YAML_EXTENSIONS = ['.yml', '.yaml', '.json'];
const NOT_SUPPORTED = 'inventory scripts and plugins are not supported';
const READS = 'lvs reads YAML and INI inventories only';

export function parseInventoryFile(file: string, builder: InventoryBuilder): void {
  const text = readText(file);
  if (text.startsWith('#!')) {
    throw new InputError(`${NOT_SUPPORTED}: ${file} ${isExecutable(file) ? 'is executable' : 'starts with #!, as a script does'}`, undefined, undefined, READS);
  }
  const extension = extname(file);
  const isYaml = YAML_EXTENSIONS.includes(extension) || (extension === '' && isYamlMapping(text));
  try {
    if (isYaml) parseYamlInventory(parseYamlSource(text, file, { maps: true }), builder);
    else parseIniInventory(file, text, builder);
  } catch (error) {
    if (!(error instanceof InputError || error instanceof InputErrors) || !isExecutable(file)) throw error;
    const why = error instanceof InputError ? error.describe() : error.errors[0].describe();
    throw new InputError(`${NOT_SUPPORTED}: ${file} is executable`, undefined, undefined, `${READS}, and read as ${isYaml ? 'YAML' : 'INI'} it fails: ${why}`);
  }
}

function isExecutable(file: string): boolean {
  return (statSync(file).mode & 0o111) !== 0;
}
