import { Flags } from '@oclif/core';
import { inventoryFlag } from '../cli/flags';
import { LvsCommand } from '../cli/lvs-command';
import { loadInventories, renderGraph, renderHost, renderList } from '../engine/inventory';

export default class Inventory extends LvsCommand {
  static summary = 'Show an inventory the way ansible-inventory does.';
  static description =
    'Loads every inventory source (YAML or INI files, directories with group_vars and host_vars, comma-separated host lists), merges them as Ansible does, and prints the result. Password variables are always shown as ********.';
  static examples = [
    '<%= config.bin %> inventory -i inventories/lvs-nat --graph',
    '<%= config.bin %> inventory -i inventories/lvs-nat -i extra.ini --list',
    "<%= config.bin %> inventory -i 'root@10.0.0.5:22,10.0.0.6,' --host 10.0.0.5",
  ];
  static flags = {
    inventory: inventoryFlag,
    list: Flags.boolean({ exclusive: ['graph', 'host'], exactlyOne: ['list', 'graph', 'host'], description: 'Print every group and every host\'s variables as JSON, like ansible-inventory --list.' }),
    graph: Flags.boolean({ exclusive: ['list', 'host'], exactlyOne: ['list', 'graph', 'host'], description: 'Print the tree of groups and hosts, like ansible-inventory --graph.' }),
    host: Flags.string({ exclusive: ['list', 'graph'], exactlyOne: ['list', 'graph', 'host'], description: 'Print the variables of this one host as JSON.' }),
  };

  async run() {
    const { flags } = await this.parse(Inventory);
    const inventory = loadInventories(flags.inventory);
    if (flags.host !== undefined) this.log(renderHost(inventory, flags.host));
    else if (flags.graph) this.log(renderGraph(inventory));
    else this.log(renderList(inventory));
  }
}
