/**
 * One inventory file. Like Ansible, `.yml`, `.yaml` and `.json` files are YAML, a file without
 * an extension is YAML when its top level is a mapping and INI otherwise, and any other file
 * is INI.
 */
import { extname } from 'node:path';
import type { InventoryBuilder } from './builder';
import { parseIniInventory } from './ini-format';
import { readText } from './read-file';
import { parseYamlInventory } from './yaml-format';
import { isYamlMapping, parseYamlSource } from '../yaml-source';

const YAML_EXTENSIONS = ['.yml', '.yaml', '.json'];

export function parseInventoryFile(file: string, builder: InventoryBuilder): void {
  const text = readText(file);
  const extension = extname(file);
  const isYaml = YAML_EXTENSIONS.includes(extension) || (extension === '' && isYamlMapping(text));
  if (isYaml) parseYamlInventory(parseYamlSource(text, file, { maps: true }), builder);
  else parseIniInventory(file, text, builder);
}
