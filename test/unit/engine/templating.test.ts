import { isHtmlTemplate, layerVariables, renderString, renderValue, resolveVariables, TemplateError } from '../../../src/engine/templating';

describe('templating', () => {
  const vars = resolveVariables({
    vip: '192.168.0.109',
    port: 80,
    vip_cidr: '{{ vip }}/32',
    service: '{{ vip_cidr }} port {{ port }}',
    real_servers: [{ address: '172.16.100.101' }, { address: '172.16.100.102' }],
    servers_ref: '{{ real_servers }}',
    zero: 0,
    odd: `it's a <b> & "c"`,
  });

  it('renders variables built from other variables', () => {
    expect(renderValue('{{ service }}', vars)).toBe('192.168.0.109/32 port 80');
  });

  it('keeps the type of a single expression', () => {
    expect(renderValue('{{ port }}', vars)).toBe(80);
    expect(renderValue('{{ servers_ref }}', vars)).toEqual([{ address: '172.16.100.101' }, { address: '172.16.100.102' }]);
    expect(renderValue('{{ zero }}', vars)).toBe(0);
  });

  it('renders nested maps and lists', () => {
    expect(renderValue({ a: ['{{ vip }}:{{ port }}', 1], b: { c: '{{ zero }}' } }, vars)).toEqual({ a: ['192.168.0.109:80', 1], b: { c: 0 } });
  });

  it('names a missing variable instead of rendering it empty', () => {
    expect(() => renderValue('x {{ nope }} y', vars)).toThrow("undefined variable 'nope'");
    expect(() => renderValue('{{ real_servers.9.address }}', vars)).toThrow("undefined variable 'real_servers.9.address'");
    try {
      renderString('a\n{{ vip.missing }}', vars);
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as TemplateError).variable).toBe('vip.missing');
    }
  });

  it('escapes HTML only when asked, leaving quotes, & and < verbatim elsewhere', () => {
    expect(renderString('{{ odd }}', vars)).toBe(`it's a <b> & "c"`);
    expect(renderString('{{ odd }}', vars, true)).toBe('it&#x27;s a &lt;b&gt; &amp; &quot;c&quot;');
    expect(isHtmlTemplate('index.html.hbs')).toBe(true);
    expect(isHtmlTemplate('sysctl.conf.hbs')).toBe(false);
  });

  it('reports a variable that refers to itself', () => {
    const looped = resolveVariables({ a: '{{ b }}', b: 'x{{ a }}' });
    expect(() => renderValue('{{ a }}', looped)).toThrow(/refers to itself/);
  });

  it('layers loop items and registered results over the host variables', () => {
    const registered: Record<string, unknown> = {};
    const layered = layerVariables(vars, registered);
    expect(() => renderValue('{{ result.changed }}', layered)).toThrow("undefined variable 'result.changed'");
    registered.result = { changed: true };
    expect(renderValue('{{ result.changed }} {{ vip }}', layered)).toBe('true 192.168.0.109');
  });
});
