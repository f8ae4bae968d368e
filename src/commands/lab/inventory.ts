import { Args } from '@oclif/core';
import { labInventory } from '../../lab/lab';
import { LabCommand } from '../../cli/lab-command';
import { TOPOLOGY_NAMES } from '../../lab/topology';

export default class LabInventory extends LabCommand {
  static summary = "Print the path of an inventory for one topology's lab hosts.";
  static description = [
    'The inventory (YAML) has the groups director, realservers and clients and the hosts director, rs1, rs2 and client,',
    'with connection variables only: ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file, and',
    "lvs_known_hosts_file, the lab's known_hosts. It is valid while the lab is up: ports change with every boot.",
  ].join(' ');
  static examples = ['<%= config.bin %> lab inventory nat', '<%= config.bin %> run -i "$(<%= config.bin %> lab inventory dr)" playbooks/lvs-dr.yml'];
  static enableJsonFlag = true;
  static args = {
    topology: Args.string({ required: true, options: [...TOPOLOGY_NAMES], description: 'The topology whose hosts the inventory lists.' }),
  };

  async run() {
    const { args } = await this.parse(LabInventory);
    const result = await labInventory(args.topology as (typeof TOPOLOGY_NAMES)[number]);
    this.log(result.inventory);
    return result;
  }
}
