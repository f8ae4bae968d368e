import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helperDocumentation, helperList, helpersMarkdown } from '../../../src/cli/helper-docs';
import { findHelper, TEMPLATE_HELPERS } from '../../../src/engine/template-helpers';

describe('helper docs', () => {
  it('list every helper with its summary on one line', () => {
    const lines = helperList(TEMPLATE_HELPERS);
    expect(lines).toHaveLength(TEMPLATE_HELPERS.length);
    expect(lines[0]).toBe(`default        ${findHelper('default')!.summary}`);
  });

  it('document a helper with its handlebars form, its Ansible equivalent and its example', () => {
    expect(helperDocumentation(findHelper('int')!)).toBe(
      [
        `int: ${findHelper('int')!.summary}`,
        '',
        'Handlebars:      {{int VALUE [DEFAULT] [BASE]}}  (later arguments may also be given by name: name=value)',
        'Ansible/Jinja2:  {{ x | int }}, {{ x | int(default) }}',
        "In a when:       yes, as the filter '| int'",
        '',
        'Example:',
        '  {{int http_port}}',
        '  with {"http_port":"8080"} gives 8080',
      ].join('\n'),
    );
    expect(helperDocumentation(findHelper('eq')!)).toContain('In a when:       no: write a == b');
  });

  // After changing the table: put the output of `lvs helpers --markdown` between the markers.
  it('are in docs/templating.md as generated from the table', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/templating.md'), 'utf8');
    const table = /<!-- helpers:start[^>]*-->\n([^]*?)\n?<!-- helpers:end -->/.exec(doc)?.[1];
    expect(table).toBe(helpersMarkdown(TEMPLATE_HELPERS));
  });
});
