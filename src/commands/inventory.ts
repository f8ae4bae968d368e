import { Args, Flags } from '@oclif/core';
import { inventoryFlag } from '../cli/flags';
import { LvsCommand } from '../cli/lvs-command';
import { InputError } from '../errors';
import { loadInventories, matchPattern, renderGraph, renderHost, renderHostList, renderList, unmatchedWarning } from '../engine/inventory';

const ONE_OF = ['list', 'graph', 'host', 'list-hosts'];
const othersThan = (flag: string) => ONE_OF.filter((name) => name !== flag);

export default class Inventory extends LvsCommand {
  static summary = 'Show an inventory the way ansible-inventory does.';
  static description =
    'Loads every inventory source (YAML or INI files, directories with group_vars and host_vars, comma-separated host lists), merges them as Ansible does, and prints the result. Password variables are always shown as ********.';
  static examples = [
    '<%= config.bin %> inventory -i inventories/lvs-nat --graph',
    '<%= config.bin %> inventory -i inventories/lvs-nat --graph real_servers',
    '<%= config.bin %> inventory -i inventories/lvs-nat -i extra.ini --list',
    "<%= config.bin %> inventory -i 'root@10.0.0.5:22,10.0.0.6,' --host 10.0.0.5",
    "<%= config.bin %> inventory -i inventories/lvs-nat --list-hosts 'all:!director'",
  ];
  static args = { group: Args.string({ required: false, description: 'With --graph, the group whose tree to print (all when not given).' }) };
  static flags = {
    inventory: inventoryFlag,
    list: Flags.boolean({ exclusive: othersThan('list'), exactlyOne: ONE_OF, description: 'Print every group and every host\'s variables as JSON, like ansible-inventory --list.' }),
    graph: Flags.boolean({ exclusive: othersThan('graph'), exactlyOne: ONE_OF, description: 'Print the tree of groups and hosts, like ansible-inventory --graph [GROUP].' }),
    host: Flags.string({ exclusive: othersThan('host'), exactlyOne: ONE_OF, description: 'Print the variables of this one host as JSON.' }),
    'list-hosts': Flags.string({
      exclusive: othersThan('list-hosts'),
      exactlyOne: ONE_OF,
      description: 'Print the hosts a host pattern selects, in the order a play runs them, like ansible PATTERN --list-hosts.',
    }),
    'playbook-dir': Flags.string({ description: 'Also read the group_vars and host_vars beside a playbook in this folder, as a run of it does (ansible-inventory --playbook-dir).' }),
  };

  async run() {
    const { args, flags } = await this.parse(Inventory);
    if (args.group !== undefined && !flags.graph) throw new InputError(`unexpected argument '${args.group}'`, undefined, undefined, 'a group name goes with --graph');
    const inventory = loadInventories(flags.inventory, { playbookDir: flags['playbook-dir'] });
    if (flags.host !== undefined) this.log(renderHost(inventory, flags.host));
    else if (flags.graph) this.log(renderGraph(inventory, args.group));
    else if (flags['list-hosts'] !== undefined) {
      const match = matchPattern(inventory, flags['list-hosts']);
      for (const part of match.unmatched) this.toStderr(`WARNING: ${unmatchedWarning(part)}`);
      this.log(renderHostList(match.hosts));
    } else this.log(renderList(inventory));
  }
}
