import { Args, Flags } from '@oclif/core';
import { helperDocumentation, helperList, helpersMarkdown } from '../cli/helper-docs';
import { LvsCommand } from '../cli/lvs-command';
import { findHelper, TEMPLATE_HELPERS } from '../engine/template-helpers';
import { InputError } from '../errors';

export default class Helpers extends LvsCommand {
  static summary = 'List the helpers templates and arguments can call, or document one.';
  static description =
    'Handlebars helpers with the meaning of the Ansible (Jinja2) filters of the same name; `when:` conditions read most of them as filters (`x | length > 0`).';
  static examples = ['<%= config.bin %> helpers', '<%= config.bin %> helpers default'];
  static args = { name: Args.string({ description: 'A helper to document: its arguments, its Ansible equivalent and an example.' }) };
  static flags = {
    markdown: Flags.boolean({ description: 'Print the table of helpers as Markdown, as docs/templating.md holds it.' }),
  };

  async run() {
    const { args, flags } = await this.parse(Helpers);
    if (flags.markdown) {
      this.log(helpersMarkdown(TEMPLATE_HELPERS));
      return;
    }
    if (args.name) {
      const helper = findHelper(args.name);
      if (!helper) throw new InputError(`unknown helper '${args.name}'`, undefined, undefined, `lvs helpers lists them: ${TEMPLATE_HELPERS.map((one) => one.name).join(', ')}`);
      this.log(helperDocumentation(helper));
      return;
    }
    for (const line of helperList(TEMPLATE_HELPERS)) this.log(line);
  }
}
