/** `lvs helpers [NAME]` and docs/templating.md: the template helpers, from their one table. */
import type { TemplateHelper } from '../engine/template-helpers';

/** A result as JSON, so that 8080 and "8080" read differently. */
function shown(value: unknown): string {
  return JSON.stringify(value);
}

function usage(helper: TemplateHelper): string {
  const args = ['value', ...helper.parameters].map((name, index) => (index < helper.required ? name.toUpperCase() : `[${name.toUpperCase()}]`));
  return `{{${helper.name} ${args.join(' ')}}}`;
}

/** One line per helper: name and summary. */
export function helperList(helpers: readonly TemplateHelper[]): string[] {
  const width = Math.max(...helpers.map((helper) => helper.name.length));
  return helpers.map((helper) => `${helper.name.padEnd(width)}  ${helper.summary}`);
}

export function helperDocumentation(helper: TemplateHelper): string {
  const vars = Object.keys(helper.example.vars).length ? `with ${JSON.stringify(helper.example.vars)}` : 'with nothing defined';
  return [
    `${helper.name}: ${helper.summary}`,
    '',
    `Handlebars:      ${usage(helper)}${helper.parameters.length ? '  (later arguments may also be given by name: name=value)' : ''}`,
    `Ansible/Jinja2:  ${helper.jinja}`,
    `In a when:       ${helper.filter ? `yes, as the filter '| ${helper.name}'` : `no: write ${helper.jinja.replace(/^\{\{ | \}\}$/g, '')}`}`,
    '',
    'Example:',
    `  ${helper.example.template}`,
    `  ${vars} gives ${shown(helper.example.gives)}`,
  ].join('\n');
}

/** The table in docs/templating.md (a unit test keeps the file equal to it). */
export function helpersMarkdown(helpers: readonly TemplateHelper[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| helper | gives | Ansible/Jinja2 | example |',
    '| --- | --- | --- | --- |',
    ...helpers.map((helper) => {
      const vars = Object.keys(helper.example.vars).length ? ` with \`${cell(JSON.stringify(helper.example.vars))}\`` : '';
      return `| \`${helper.name}\` | ${cell(helper.summary)} | \`${cell(helper.jinja)}\` | \`${cell(helper.example.template)}\`${vars} gives \`${cell(shown(helper.example.gives))}\` |`;
    }),
  ].join('\n');
}
