import { Args } from '@oclif/core';
import { pluginFlag } from '../cli/flags';
import { LvsCommand } from '../cli/lvs-command';
import { taskDocumentation } from '../cli/task-docs';
import { createRegistry } from '../engine/registry';

export default class Tasks extends LvsCommand {
  static summary = 'List the tasks lvs knows, or document one.';
  static description = 'Built-in tasks and those of the plugins named in lvs.config.json, package.json (lvs.plugins) or --plugin.';
  static examples = ['<%= config.bin %> tasks', '<%= config.bin %> tasks ipvsadm'];
  static args = { name: Args.string({ description: 'A task to document: its arguments, types, defaults and an example.' }) };
  static flags = {
    plugin: pluginFlag,
  };

  async run() {
    const { args, flags } = await this.parse(Tasks);
    const registry = createRegistry({ projectDir: process.cwd(), plugins: flags.plugin });
    if (args.name) {
      const module = registry.require(args.name);
      this.log(taskDocumentation(module, registry.list().find((task) => task.module === module)!.source));
      return;
    }
    const width = Math.max(...registry.names().map((name) => name.length));
    for (const { module, source } of registry.list()) {
      this.log(`${module.name.padEnd(width)}  ${module.description}${source === 'built-in' ? '' : `  [${source}]`}`);
    }
  }
}
