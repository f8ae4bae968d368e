/**
 * A host's variables for a play, lowest precedence first: inventory (groups, then host),
 * play vars, vars_files, extra vars; then the names lvs sets itself. Registered results
 * sit on top and appear as tasks register them.
 */
import { resolve } from 'node:path';
import { InputError } from '../errors';
import { groupMembers, type Inventory } from './inventory';
import { layerVariables, resolveVariables } from './templating';
import { loadYamlSource } from './yaml-source';

export function loadVarsFiles(files: string[], baseDir: string): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const file of files) {
    const source = loadYamlSource(resolve(baseDir, file));
    if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
      throw new InputError('a vars file must hold a map of variables', source.locate([]));
    }
    Object.assign(vars, source.data);
  }
  return vars;
}

export class VariableScope {
  private readonly groups: Record<string, string[]>;
  private readonly inventoryViews = new Map<string, Record<string, unknown>>();
  /** `hostvars`: every host's inventory variables, resolved on first use. */
  readonly hostvars: Record<string, unknown>;

  constructor(
    private readonly inventory: Inventory,
    private readonly extraVars: Record<string, unknown>,
    private readonly playbookDir: string,
    private readonly check: boolean,
  ) {
    this.groups = groupMembers(inventory);
    const scope = this;
    this.hostvars = new Proxy(
      {},
      {
        has: (_target, key) => typeof key === 'string' && inventory.hosts.has(key),
        ownKeys: () => [...inventory.hosts.keys()],
        getOwnPropertyDescriptor: (_target, key) =>
          typeof key === 'string' && inventory.hosts.has(key) ? { configurable: true, enumerable: true, value: scope.inventoryView(key) } : undefined,
        get: (_target, key) => (typeof key === 'string' && inventory.hosts.has(key) ? scope.inventoryView(key) : undefined),
      },
    );
  }

  private magic(host: string): Record<string, unknown> {
    const inventoryHost = this.inventory.hosts.get(host)!;
    return {
      inventory_hostname: host,
      inventory_hostname_short: host.split('.')[0],
      group_names: inventoryHost.groups.filter((group) => group !== 'all' && group !== 'ungrouped').sort(),
      groups: this.groups,
      hostvars: this.hostvars,
      playbook_dir: this.playbookDir,
      ansible_check_mode: this.check,
    };
  }

  private inventoryView(host: string): Record<string, unknown> {
    let view = this.inventoryViews.get(host);
    if (!view) {
      view = resolveVariables({ ...this.inventory.hosts.get(host)!.vars, ...this.extraVars }, this.magic(host));
      this.inventoryViews.set(host, view);
    }
    return view;
  }

  /** The variable layers of a play on `host` as written, before rendering, lowest precedence first. */
  layersForPlay(host: string, playVars: Record<string, unknown>): Record<string, unknown>[] {
    return [this.inventory.hosts.get(host)!.vars, playVars, this.extraVars];
  }

  /**
   * The variables one task sees: its role's defaults below everything, its own vars (with its
   * blocks', role's and include's, see TaskScope) above the play's and below extra vars.
   * `loopVars` (one loop item's) are data above them all, so task vars can be built from the item.
   */
  forTask(host: string, playVars: Record<string, unknown>, defaults: Record<string, unknown>, taskVars: Record<string, unknown>, loopVars: Record<string, unknown> = {}): Record<string, unknown> {
    return resolveVariables(Object.assign({}, defaults, ...this.layersForPlay(host, { ...playVars, ...taskVars })), { ...this.magic(host), ...loopVars });
  }

  /** The variables tasks of a play see on `host`; `registered` is read live. */
  forPlay(host: string, playVars: Record<string, unknown>, registered: Record<string, unknown>): Record<string, unknown> {
    return layerVariables(resolveVariables(Object.assign({}, ...this.layersForPlay(host, playVars)), this.magic(host)), registered);
  }
}
