import { renderString, renderValue, resolveVariables, TemplateError } from '../../../src/engine/templating';

/** The error a template gives, as message and position (1-based line, 0-based column). */
function refusal(template: string): { message: string; line?: number; column?: number } {
  try {
    renderString(template, resolveVariables({ x: 1, c: true, a: 'a', b: 'b', list: [1], groups: { all: ['h1'] } }));
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return { message: error.message, line: error.location?.line, column: error.location?.column };
  }
  throw new Error(`expected ${template} to be refused`);
}

describe('Jinja2 syntax that handlebars cannot read is named, with the handlebars way to write it', () => {
  it.each([
    ["{{ x | default('a') }}", "Jinja2 filter '| default('a')' is not handlebars: write {{default x 'a'}}"],
    ['{{ x | int }}', "Jinja2 filter '| int' is not handlebars: write {{int x}}"],
    ["{{ x | lower | replace('a', 'b') }}", "Jinja2 filter '| lower' is not handlebars: write {{replace (lower x) 'a' 'b'}}"],
    ['{{ item.port | default(80) }}', "Jinja2 filter '| default(80)' is not handlebars: write {{default item.port 80}}"],
    ["{{ x | regex_replace('a', 'b', ignorecase=true) }}", "Jinja2 filter '| regex_replace('a', 'b', ignorecase=true)' is not handlebars: write {{regex_replace x 'a' 'b' ignorecase=true}}"],
    ["{{ vip | ipaddr('network') }}", "Jinja2 filter '| ipaddr('network')' is not handlebars: lvs has no helper 'ipaddr' (see lvs helpers)"],
    ['{% if c %}yes{% endif %}', "Jinja2 statement '{% if c %}' is not handlebars: write {{#if c}}...{{/if}}"],
    ['{% if x is defined %}yes{% endif %}', "Jinja2 statement '{% if x is defined %}' is not handlebars: write {{#if x}}...{{/if}}"],
    ['{% if x is not defined %}no{% endif %}', "Jinja2 statement '{% if x is not defined %}' is not handlebars: write {{#unless x}}...{{/unless}}"],
    ["{% if a == 'nat' %}nat{% endif %}", "Jinja2 statement '{% if a == 'nat' %}' is not handlebars: write {{#if (eq a 'nat')}}...{{/if}}"],
    ["{% for h in groups['all'] %}{{ h }}{% endfor %}", "Jinja2 statement '{% for h in groups['all'] %}' is not handlebars: write {{#each groups.all as |h|}}...{{h}}...{{/each}}"],
    ['{% set y = 1 %}', "Jinja2 statement '{% set y = 1 %}' is not handlebars: set the variable in vars: (of the play, the task or the inventory) instead"],
    ['{{ x if c else a }}', "Jinja2 inline if 'x if c else a' is not handlebars: write {{#if c}}x{{else}}y{{/if}}"],
    ['{{ x is defined }}', "Jinja2 test 'is defined' is not handlebars: write {{#if x}}...{{/if}}"],
    ['{{ a ~ b }}', "Jinja2 '~' (joining strings) is not handlebars: write the parts side by side, {{a}}{{b}}"],
    ["{{ x['k'] }}", "Jinja2 subscript 'x['k']' is not handlebars: write {{x.k}}"],
    ['{{ list[0] }}', "Jinja2 subscript 'list[0]' is not handlebars: write {{list.[0]}}"],
    ['{{ hostvars[h].ip }}', "Jinja2 subscript 'hostvars[h].ip' is not handlebars: write {{lookup (lookup hostvars h) 'ip'}}"],
    ['{{ a == b }}', "Jinja2 comparison 'a == b' is not handlebars: write {{eq a b}}"],
    ['{{ a and b }}', "Jinja2 'and' is not handlebars: nest {{#if a}}{{#if b}}...{{/if}}{{/if}} or {{#unless a}}, or decide it in a when:"],
    ["{{ lookup('env', 'HOME') }}", "Jinja2 call 'lookup('env', 'HOME')' is not handlebars: lvs templates call no functions or methods (helpers: lvs helpers)"],
  ])('%s', (template, message) => {
    expect(refusal(template).message).toBe(message);
  });

  it('points at the construct: its line, and its column in that line', () => {
    expect(refusal("line one\nport {{ x | default('a') }}\n")).toMatchObject({ line: 2, column: 10 });
    expect(refusal('a\nb\n{% for h in list %}x{% endfor %}')).toMatchObject({ line: 3, column: 0 });
  });

  it('refuses a {% %} statement in an argument instead of keeping it as text', () => {
    expect(() => renderValue('{% if c %}1{% endif %}', resolveVariables({ c: true }))).toThrow(/Jinja2 statement '\{% if c %\}' is not handlebars/);
  });

  it('leaves handlebars alone: blocks, subexpressions, block parameters, segment literals, strings, comments, escapes', () => {
    const vars = resolveVariables({ list: [{ port: 1 }], m: { 'a b': 2 }, s: 'x' });
    expect(renderString("{{#each list as |item|}}{{item.port}}{{/each}} {{#if (eq s 'x')}}y{{/if}} {{m.[a b]}} {{replace s 'x' '|'}}", vars)).toBe('1 y 2 |');
    expect(renderString("{{! a | b }}{{!-- x == y --}}\\{{ x | y }} {{~ s ~}} 50% {x}", vars)).toBe('{{ x | y }}x50% {x}');
    expect(renderString("{{#unless (eq s 'y')}}not y{{else}}y{{/unless}}", vars)).toBe('not y');
  });
});
