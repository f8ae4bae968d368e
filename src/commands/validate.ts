import { dirname, resolve } from 'node:path';
import { Args } from '@oclif/core';
import { compileAndCheck } from '../cli/execute-run';
import { extraVarsFlag, inventoryFlag, limitFlag, pluginFlag } from '../cli/flags';
import { LvsCommand } from '../cli/lvs-command';
import { parseExtraVars, templateDirs } from '../cli/run-options';
import { loadInventories } from '../engine/inventory';
import { loadPlaybook } from '../engine/playbook';
import { createRegistry } from '../engine/registry';
import { declarationsOf } from '../topology/declarations';

export default class Validate extends LvsCommand {
  static summary = 'Check a playbook and its cluster without touching any host.';
  static description =
    'Compiles the run as `lvs run` does (the playbook and inventories, every task rendered for every host and checked against its schema, every template file rendered), then checks the cluster as a whole: NAT return routes and forwarding, DR and TUN real-server ARP, loopback VIP, ipip, tunl0 and rp_filter, accept_local when the director is the gateway, every VIP on the director, every real server known.';
  static examples = ['<%= config.bin %> validate playbooks/lvs-dr.yml -i inventories/lvs-dr'];
  static args = { playbook: Args.string({ required: true, description: 'The playbook YAML file.' }) };
  static flags = { inventory: inventoryFlag, limit: limitFlag, 'extra-vars': extraVarsFlag, plugin: pluginFlag };

  async run() {
    const { args, flags } = await this.parse(Validate);
    const registry = createRegistry({ projectDir: process.cwd(), plugins: flags.plugin });
    // group_vars/ and host_vars/ beside the playbook take part, as in ansible-playbook.
    const inventory = loadInventories(flags.inventory, { playbookDir: dirname(resolve(args.playbook)) });
    const playbook = loadPlaybook(args.playbook, registry);
    const compile = { extraVars: parseExtraVars(flags['extra-vars']), limit: flags.limit, tags: [], skipTags: [], check: true, templateDirs: templateDirs() };
    const run = compileAndCheck(this, { playbook, inventory, registry }, compile, { checkCluster: true });
    if (!run) this.exit(4);
    const declarations = declarationsOf(run);
    const hosts = new Set(declarations.map((declaration) => declaration.host));
    this.log(`OK: ${playbook.plays.length} plays, ${declarations.length} tasks on ${hosts.size} hosts checked; nothing was touched.`);
  }
}
