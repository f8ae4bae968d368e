import { Args, Flags } from '@oclif/core';
import { executeRun } from '../cli/execute-run';
import { LvsCommand } from '../cli/lvs-command';
import { runFlags } from '../cli/flags';
import { runSettings } from '../cli/run-options';
import { loadInventories } from '../engine/inventory';
import { parseFreeForm, parseKeyValueWords } from '../engine/kv-args';
import type { Playbook } from '../engine/structure/task-tree';
import { createRegistry } from '../engine/registry';
import { plainTaskControl, readPlayControl } from '../engine/task-control';

export default class Task extends LvsCommand {
  static summary = 'Run one task ad hoc on the hosts a pattern selects.';
  static description = 'Arguments are key=value words; values are strings unless the task schema says otherwise, and are coerced to the schema type.';
  static examples = [
    '<%= config.bin %> task sysctl name=net.ipv4.ip_forward value=1 -i inventories/lvs-nat -l director',
    '<%= config.bin %> task ifaddr address=192.168.2.100/32 dev=lo label=lo:0 -i inventories/lvs-dr -l realservers --check',
    "<%= config.bin %> task shell 'ipvsadm -L -n | head -3' -i inventories/lvs-nat -l director",
  ];
  static strict = false;
  static enableJsonFlag = true;
  static args = { name: Args.string({ required: true, description: 'The task to run (see `lvs tasks`).' }) };
  static flags = {
    ...runFlags,
    limit: Flags.string({ char: 'l', required: true, description: 'The hosts to run on: a pattern of names, groups, a:b, a:&b, a:!b or globs (use all for every host).' }),
  };

  async run() {
    const { args, argv, flags } = await this.parse(Task);
    const registry = createRegistry({ projectDir: process.cwd(), plugins: flags.plugin });
    const module = registry.require(args.name);
    const where = { file: '<command line>' };
    const words = (argv as string[]).slice(1);
    // Like `ansible -a 'touch /x creates=/x'`: a free-form task takes its words as one line.
    const taskArgs = module.freeForm ? parseFreeForm(words.join(' '), module.freeForm, `${args.name} arguments`) : parseKeyValueWords(words, `${args.name} arguments`);
    const inventory = loadInventories(flags.inventory);
    const playbook: Playbook = {
      file: where.file,
      dir: process.cwd(),
      plays: [
        {
          name: `lvs task ${args.name}`,
          hosts: flags.limit,
          vars: {},
          varsFiles: [],
          tasks: [
            {
              name: args.name,
              action: args.name,
              args: taskArgs,
              notify: [],
              tags: [],
              ignoreErrors: false,
              listen: [],
              control: plainTaskControl(),
              vars: {},
              defaults: {},
              lookupDirs: [process.cwd()],
              position: where,
              locate: () => where,
            },
          ],
          tree: [{ kind: 'task', index: 0 }],
          handlers: [],
          control: readPlayControl({}),
          dir: process.cwd(),
          position: where,
        },
      ],
    };
    const settings = runSettings({ ...flags, limit: undefined });
    return executeRun(this, { playbook, inventory, registry }, settings, { json: this.jsonEnabled(), checkCluster: true });
  }
}
