/**
 * Broken variants of the shipped clusters for the validate tests: a copy of
 * playbooks/lvs-TOPOLOGY.yml and inventories/lvs-TOPOLOGY/ in a temp dir, with exact text
 * edits to the playbook and variables overridden in the inventory. Each edit must match
 * exactly once, so a test notices when the shipped files move under it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export type ClusterName = 'nat' | 'dr' | 'tun' | 'dr-ha';

export interface ClusterEdits {
  /** [shipped text, replacement] pairs applied to the playbook in order. */
  replace?: [string, string][];
  /** Variables merged into inventories/lvs-T/host_vars/HOST.yml (written if missing). */
  hostVars?: Record<string, Record<string, unknown>>;
  /** Variables merged into inventories/lvs-T/group_vars/all.yml. */
  groupVars?: Record<string, unknown>;
}

export interface ClusterCopy {
  playbook: string;
  inventory: string;
  /**
   * `line:column` in the playbook: the only line that contains `needle`, and the column at
   * which `key` (or else `needle`) starts on it.
   */
  positionOf(needle: string, key?: string): string;
  remove(): void;
}

function mergeYamlFile(file: string, vars: Record<string, unknown>): void {
  const current = existsSync(file) ? (parse(readFileSync(file, 'utf8')) ?? {}) : {};
  writeFileSync(file, stringify({ ...current, ...vars }));
}

export function copyCluster(name: ClusterName, edits: ClusterEdits = {}): ClusterCopy {
  const dir = mkdtempSync(join(tmpdir(), `lvs-cluster-${name}-`));
  const inventory = join(dir, 'inventories', `lvs-${name}`);
  cpSync(join(REPO_ROOT, 'inventories', `lvs-${name}`), inventory, { recursive: true });
  let text = readFileSync(join(REPO_ROOT, 'playbooks', `lvs-${name}.yml`), 'utf8');
  for (const [from, to] of edits.replace ?? []) {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`playbooks/lvs-${name}.yml has ${count} copies of ${JSON.stringify(from)}; expected one`);
    text = text.replace(from, () => to);
  }
  const playbook = join(dir, 'playbooks', `lvs-${name}.yml`);
  cpSync(join(REPO_ROOT, 'playbooks'), join(dir, 'playbooks'), { recursive: true });
  writeFileSync(playbook, text);
  for (const [host, vars] of Object.entries(edits.hostVars ?? {})) mergeYamlFile(join(inventory, 'host_vars', `${host}.yml`), vars);
  if (edits.groupVars) mergeYamlFile(join(inventory, 'group_vars', 'all.yml'), edits.groupVars);

  const lines = text.split('\n');
  const positionOf = (needle: string, key = needle) => {
    const matching = lines.flatMap((line, index) => (line.includes(needle) ? [index] : []));
    if (matching.length !== 1) throw new Error(`${matching.length} lines of ${playbook} contain ${JSON.stringify(needle)}; expected one`);
    const column = lines[matching[0]].indexOf(key, lines[matching[0]].indexOf(needle));
    if (column < 0) throw new Error(`${JSON.stringify(key)} is not on the line of ${JSON.stringify(needle)}`);
    return `${matching[0] + 1}:${column + 1}`;
  };
  return {
    playbook,
    inventory,
    positionOf,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
