import { Args, Flags } from '@oclif/core';
import { reportTopology } from '../cli/execute-run';
import { LvsCommand } from '../cli/lvs-command';
import { runSettings } from '../cli/run-options';
import { PlaybookRun } from '../engine/executor';
import { loadInventories } from '../engine/inventory';
import { loadPlaybook } from '../engine/playbook';
import { createRegistry } from '../engine/registry';
import { checkTopology } from '../topology/cluster-checks';

export default class Validate extends LvsCommand {
  static summary = 'Check a playbook and its cluster without touching any host.';
  static description =
    'Validates the playbook and inventories, renders every task for every host against its schema, then checks the cluster as a whole: NAT return routes and forwarding, DR and TUN real-server ARP, loopback VIP, ipip, tunl0 and rp_filter, accept_local when the director is the gateway, every VIP on the director, every real server known.';
  static examples = ['<%= config.bin %> validate playbooks/lvs-dr.yml -i inventories/lvs-dr'];
  static args = { playbook: Args.string({ required: true, description: 'The playbook YAML file.' }) };
  static flags = {
    inventory: Flags.string({ char: 'i', multiple: true, required: true, description: 'Inventory source: a YAML or INI file, a directory, or a comma-separated host list. Repeat to merge several.' }),
    limit: Flags.string({ char: 'l', description: 'Only check hosts matching this pattern.' }),
    'extra-vars': Flags.string({ char: 'e', multiple: true, description: 'Extra variables: key=value words, a YAML/JSON map, or @file.yml.' }),
    plugin: Flags.string({ multiple: true, description: 'A plugin package or path that exports task modules.' }),
  };

  async run() {
    const { args, flags } = await this.parse(Validate);
    const registry = createRegistry({ projectDir: process.cwd(), plugins: flags.plugin });
    const inventory = loadInventories(flags.inventory);
    const playbook = loadPlaybook(args.playbook, registry);
    const settings = runSettings({ ...flags, check: true, diff: false, forks: 1, json: false, 'connect-timeout': 1, 'command-timeout': 1 }, inventory);
    const run = new PlaybookRun(playbook, inventory, registry, settings);
    const plays = run.prepare();
    const declarations = run.declarations(plays);
    if (!reportTopology(this, checkTopology(declarations))) this.exit(4);
    const hosts = new Set(declarations.map((declaration) => declaration.host));
    this.log(`OK: ${playbook.plays.length} plays, ${declarations.length} tasks on ${hosts.size} hosts checked; nothing was touched.`);
  }
}
