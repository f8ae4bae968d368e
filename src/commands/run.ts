import { dirname, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { compileAndCheck, executeRun } from '../cli/execute-run';
import { runFlags } from '../cli/flags';
import { listPlaybook } from '../cli/list-playbook';
import { LvsCommand } from '../cli/lvs-command';
import { runSettings } from '../cli/run-options';
import { loadInventories } from '../engine/inventory';
import { loadPlaybook } from '../engine/playbook';
import { createRegistry } from '../engine/registry';

export default class Run extends LvsCommand {
  static summary = 'Converge hosts to the state a playbook describes.';
  static description =
    'Reads and validates the playbook and inventories, renders every task for every host, and only then connects: one SSH connection per host, facts read in batches, and only the commands that close the difference run. With --json, prints one JSON document in the shape of Ansible\'s json callback instead of the progress.';
  static examples = [
    '<%= config.bin %> run playbooks/lvs-nat.yml -i inventories/lvs-nat',
    '<%= config.bin %> run playbooks/lvs-nat.yml -i inventories/lvs-nat --check --diff -l director',
  ];
  static enableJsonFlag = true;
  static args = { playbook: Args.string({ required: true, description: 'The playbook YAML file.' }) };
  static flags = {
    ...runFlags,
    tags: Flags.string({ char: 't', multiple: true, description: 'Only run tasks with these tags (comma-separated or repeated).' }),
    'skip-tags': Flags.string({ multiple: true, description: 'Skip tasks with these tags.' }),
    'skip-validate': Flags.boolean({ description: 'Do not run the cluster checks of `lvs validate` before connecting.' }),
    'start-at-task': Flags.string({ description: "Start at the first task with this name (a glob, or `role : task`), skipping the tasks before it, as ansible-playbook's --start-at-task." }),
    'list-hosts': Flags.boolean({ description: 'Print the hosts of each play (after --limit) and exit, touching nothing.' }),
    'list-tasks': Flags.boolean({ description: 'Print the tasks of each play that the tags select, with their tags, and exit, touching nothing.' }),
    'syntax-check': Flags.boolean({ description: 'Load and compile the playbook for every host, print any errors, and exit, touching nothing.', exclusive: ['list-hosts', 'list-tasks'] }),
  };

  async run() {
    const { args, flags } = await this.parse(Run);
    const split = (values?: string[]) => (values ?? []).flatMap((value) => value.split(',')).map((tag) => tag.trim()).filter(Boolean);
    const registry = createRegistry({ projectDir: process.cwd(), plugins: flags.plugin });
    // group_vars/ and host_vars/ beside the playbook take part, as in ansible-playbook.
    const inventory = loadInventories(flags.inventory, { playbookDir: dirname(resolve(args.playbook)) });
    const playbook = loadPlaybook(args.playbook, registry);
    const settings = runSettings(flags, { tags: split(flags.tags), skipTags: split(flags['skip-tags']), startAtTask: flags['start-at-task'] });
    if (flags['list-hosts'] || flags['list-tasks']) {
      process.stdout.write(listPlaybook(playbook, inventory, { ...settings.compile, hosts: flags['list-hosts'], tasks: flags['list-tasks'] }));
      return undefined;
    }
    if (flags['syntax-check']) {
      // Compile raises every input error; nothing connects.
      compileAndCheck(this, { playbook, inventory, registry }, settings.compile, { checkCluster: false });
      process.stdout.write(`\nplaybook: ${playbook.file}\n`);
      return undefined;
    }
    return executeRun(this, { playbook, inventory, registry }, settings, { json: this.jsonEnabled(), checkCluster: !flags['skip-validate'] });
  }
}
