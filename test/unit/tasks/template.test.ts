import Ajv from 'ajv';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Plan, TaskContext } from '../../../src/api';
import { type RemoteFile } from '../../../src/facts/file';
import { isHtmlTemplate, renderString } from '../../../src/engine/templating';
import template from '../../../src/tasks/template';
import { writeFileAtomically } from '../../../src/changes/file';

const TEMPLATES = join(__dirname, '../../../templates');
const ajv = new Ajv({ useDefaults: true, coerceTypes: true, allErrors: true, strict: false });
const validateSchema = ajv.compile(template.schema);

/** Renders the shipped templates/ with the engine's own renderer, as a playbook run would. */
function contextFor(vars: Record<string, unknown>, extraTemplates: Record<string, string> = {}): TaskContext {
  // Rendered when the plan reads it, as compiling a run would have rendered it before.
  const render = (name: string) => renderString(extraTemplates[name] ?? readFileSync(join(TEMPLATES, name), 'utf8'), vars, isHtmlTemplate(name));
  const templates = new Proxy({}, { get: (_target, name) => (typeof name === 'string' ? render(name) : undefined) }) as Record<string, string>;
  return { host: String(vars.inventory_hostname), templates, files: {}, expressions: {} };
}

function args(input: Record<string, unknown>) {
  const copy = structuredClone(input);
  if (!validateSchema(copy)) throw new Error(ajv.errorsText(validateSchema.errors));
  return copy as { src: string; dest: string; mode: string; owner?: string; group?: string };
}

function plan(input: Record<string, unknown>, file: RemoteFile, context: TaskContext): Plan {
  return template.plan(args(input) as never, { file } as never, context);
}

const commands = (result: Plan) => result.commands.map((command) => command.run.text);
const SYSCTL_VARS = { inventory_hostname: 'director', sysctl: { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.arp_ignore': 0, 'net.ipv4.tcp_rmem': '4096 87380 6291456' } };
const SYSCTL_CONF = `# Kernel parameters for director, written by lvs.
# Changes made here by hand are overwritten on the next run; see sysctl.conf(5).
net.ipv4.ip_forward = 1
net.ipv4.conf.all.arp_ignore = 0
net.ipv4.tcp_rmem = 4096 87380 6291456
`;
const SYSCTL_ARGS = { src: 'sysctl.conf.hbs', dest: '/etc/sysctl.d/90-lvs.conf' };
const existing = (content: string, mode = '644', owner = 'root', group = 'root'): RemoteFile => ({ exists: true, content, mode, owner, group });

describe('shipped templates', () => {
  it('sysctl.conf.hbs writes one "key = value" line per entry, 0 included, verbatim', () => {
    expect(contextFor(SYSCTL_VARS).templates['sysctl.conf.hbs']).toBe(SYSCTL_CONF);
  });

  it('index.html.hbs names the host, HTML-escaped, with the optional title and server name', () => {
    const page = contextFor({ inventory_hostname: 'rs<1>&' }).templates['index.html.hbs'];
    expect(page).toContain('<title>rs&lt;1&gt;&amp;</title>');
    expect(page).toContain('<h1>rs&lt;1&gt;&amp;</h1>');
    expect(page).toContain('<p>This page is served by rs&lt;1&gt;&amp;.</p>');
    const named = contextFor({ inventory_hostname: 'rs1', page_title: 'LVS "web"', server_name: 'web1' }).templates['index.html.hbs'];
    expect(named).toContain('<title>LVS &quot;web&quot;</title>');
    expect(named).toContain('<h1>web1</h1>');
  });
});

describe('template plan', () => {
  it('writes a missing file atomically with the default mode, through a symbolic link if there is one', () => {
    const result = plan(SYSCTL_ARGS, { exists: false, content: '' }, contextFor(SYSCTL_VARS));
    expect(commands(result)).toEqual([
      "{ { lvs_dest=$(readlink -f -- /etc/sysctl.d/90-lvs.conf) || lvs_dest=/etc/sysctl.d/90-lvs.conf; } && " +
        `{ [ -f "$lvs_dest" ] || [ ! -e "$lvs_dest" ] || { echo '/etc/sysctl.d/90-lvs.conf is not a regular file' >&2; false; }; } && ` +
        `lvs_tmp=$(mktemp -- "$lvs_dest.lvs-XXXXXX") && printf %s ${Buffer.from(SYSCTL_CONF).toString('base64')} | base64 -d > "$lvs_tmp" && ` +
        'chmod -- 0644 "$lvs_tmp" && ' +
        // Compare and swap: the file lvs read as absent must still be absent.
        `{ [ ! -e "$lvs_dest" ] || { echo '/etc/sysctl.d/90-lvs.conf appeared after lvs read it; it was not overwritten' >&2; false; }; } && ` +
        'mv -f -- "$lvs_tmp" "$lvs_dest"; } || { lvs_rc=$?; rm -f -- "$lvs_tmp"; exit $lvs_rc; }',
    ]);
    expect(result.changes).toEqual([{ subject: '/etc/sysctl.d/90-lvs.conf', before: null, after: SYSCTL_CONF }]);
  });

  it('twin: nothing when the file holds the rendered content with the mode', () => {
    const result = plan(SYSCTL_ARGS, existing(SYSCTL_CONF), contextFor(SYSCTL_VARS));
    expect(result.changes).toEqual([]);
    expect(result.noop).toBe('/etc/sysctl.d/90-lvs.conf already holds sysctl.conf.hbs as rendered for director, mode 644 root:root');
  });

  it('rewrites a file whose content differs, keeping its owner and group', () => {
    const old = SYSCTL_CONF.replace('ip_forward = 1', 'ip_forward = 0');
    const result = plan(SYSCTL_ARGS, existing(old, '644', 'www-data', 'adm'), contextFor(SYSCTL_VARS));
    expect(commands(result)).toEqual([writeFileAtomically('/etc/sysctl.d/90-lvs.conf', SYSCTL_CONF, { mode: '0644', owner: 'www-data', group: 'adm' }).text]);
    expect(result.changes).toEqual([{ subject: '/etc/sysctl.d/90-lvs.conf', before: old, after: SYSCTL_CONF }]);
  });

  it('does not carry over an owner stat could not name (UNKNOWN)', () => {
    const result = plan(SYSCTL_ARGS, existing('old\n', '644', 'UNKNOWN', 'root'), contextFor(SYSCTL_VARS));
    expect(commands(result)).toEqual([writeFileAtomically('/etc/sysctl.d/90-lvs.conf', SYSCTL_CONF, { mode: '0644', group: 'root' }).text]);
    expect(commands(result)[0]).toContain('chown -- :root "$lvs_tmp"');
  });

  it('fixes only the mode when only the mode differs', () => {
    const result = plan({ ...SYSCTL_ARGS, mode: '0600' }, existing(SYSCTL_CONF), contextFor(SYSCTL_VARS));
    expect(commands(result)).toEqual(['chmod -- 0600 /etc/sysctl.d/90-lvs.conf']);
    expect(result.changes).toEqual([{ subject: '/etc/sysctl.d/90-lvs.conf mode', before: '644', after: '0600' }]);
  });

  it('twin: compares modes as numbers ("0600" is stat\'s "600", "1777" too)', () => {
    expect(plan({ ...SYSCTL_ARGS, mode: '0600' }, existing(SYSCTL_CONF, '600'), contextFor(SYSCTL_VARS)).changes).toEqual([]);
    expect(plan({ ...SYSCTL_ARGS, mode: '644' }, existing(SYSCTL_CONF, '644'), contextFor(SYSCTL_VARS)).changes).toEqual([]);
    expect(plan({ ...SYSCTL_ARGS, mode: '01777' }, existing(SYSCTL_CONF, '1777'), contextFor(SYSCTL_VARS)).changes).toEqual([]);
  });

  it('fixes owner and group in place', () => {
    const result = plan({ ...SYSCTL_ARGS, owner: 'www-data', group: 'www-data' }, existing(SYSCTL_CONF), contextFor(SYSCTL_VARS));
    expect(commands(result)).toEqual(['chown -- www-data:www-data /etc/sysctl.d/90-lvs.conf']);
    expect(result.changes.map((change) => change.subject)).toEqual(['/etc/sysctl.d/90-lvs.conf owner', '/etc/sysctl.d/90-lvs.conf group']);
  });

  it('twin: owner and group already right, and not compared when not asked for', () => {
    expect(plan({ ...SYSCTL_ARGS, owner: 'www-data', group: 'adm' }, existing(SYSCTL_CONF, '644', 'www-data', 'adm'), contextFor(SYSCTL_VARS)).changes).toEqual([]);
    expect(plan(SYSCTL_ARGS, existing(SYSCTL_CONF, '644', 'nobody', 'nogroup'), contextFor(SYSCTL_VARS)).changes).toEqual([]);
  });

  it('writes an empty rendering to a missing file; twin: an empty file', () => {
    const context = contextFor({ inventory_hostname: 'h1' }, { 'empty.hbs': '' });
    expect(plan({ src: 'empty.hbs', dest: '/etc/empty' }, { exists: false, content: '' }, context).changes).toHaveLength(1);
    expect(plan({ src: 'empty.hbs', dest: '/etc/empty' }, existing(''), context).changes).toEqual([]);
  });

  it('keeps content bytes as they are: no trailing newline, CRLF, shell metacharacters', () => {
    const content = "a'b $(id) `id`\r\nno newline at end";
    const context = contextFor({ inventory_hostname: 'h1', body: content }, { 'raw.hbs': '{{body}}' });
    const result = plan({ src: 'raw.hbs', dest: '/etc/raw' }, existing(`${content}\n`), context);
    expect(result.changes[0].after).toBe(content);
    // The content travels base64-encoded: none of it appears in the command.
    expect(commands(result)[0]).not.toContain('$(id)');
    expect(plan({ src: 'raw.hbs', dest: '/etc/raw' }, existing(content), context).changes).toEqual([]);
  });

  it.each(['directory', 'fifo', 'character special file'])('fails, writing nothing, when dest is a %s', (otherType) => {
    expect(() => plan(SYSCTL_ARGS, { exists: false, content: '', otherType }, contextFor(SYSCTL_VARS))).toThrow(
      `dest /etc/sysctl.d/90-lvs.conf is a ${otherType}, which lvs does not replace with a file`,
    );
  });

  it('quotes a hostile destination path', () => {
    const result = plan({ src: 'sysctl.conf.hbs', dest: "/tmp/x; touch /tmp/pwned '$(id)`id`" }, existing(SYSCTL_CONF, '600'), contextFor(SYSCTL_VARS));
    expect(commands(result)).toEqual([`chmod -- 0644 '/tmp/x; touch /tmp/pwned '\\''$(id)\`id\`'`]);
  });
});

describe('template arguments', () => {
  const problems = (input: Record<string, unknown>) => (validateSchema(structuredClone(input)) ? [] : (validateSchema.errors ?? []).map((error) => `${error.instancePath} ${error.message}`));

  it.each([
    [{ src: '../secrets.hbs', dest: '/etc/x' }, '/src must match pattern'],
    [{ src: '/etc/shadow', dest: '/etc/x' }, '/src must match pattern'],
    [{ src: '.hidden.hbs', dest: '/etc/x' }, '/src must match pattern'],
    [{ src: 'a.hbs', dest: 'relative/path' }, '/dest must match pattern'],
    [{ src: 'a.hbs', dest: '/etc/' }, '/dest must match pattern'],
    [{ src: 'a.hbs', dest: '/etc/x\ntouch /tmp/pwned' }, '/dest must match pattern'],
    [{ src: 'a.hbs', dest: '/etc/../tmp/x' }, '/dest must match pattern'],
    [{ src: 'a.hbs', dest: '/etc/./x' }, '/dest must match pattern'],
    [{ src: 'a.hbs', dest: '/etc//x' }, '/dest must match pattern'],
    [{ src: 'a.hbs', dest: '/etc/..' }, '/dest must match pattern'],
    [{ src: 'a.hbs', dest: '/..' }, '/dest must match pattern'],
    [{ src: 'a.hbs', dest: '-x' }, '/dest must match pattern'],
    [{ src: 'a.hbs', dest: '/etc/x', mode: '0644; id' }, '/mode must match pattern'],
    [{ src: 'a.hbs', dest: '/etc/x', mode: '0888' }, '/mode must match pattern'],
    [{ src: 'a.hbs', dest: '/etc/x', owner: 'root;id' }, '/owner must match pattern'],
    [{ src: 'a.hbs', dest: '/etc/x', group: '$(id)' }, '/group must match pattern'],
    [{ dest: '/etc/x' }, " must have required property 'src'"],
  ])('rejects %j', (input, message) => {
    expect(problems(input)).toContainEqual(expect.stringContaining(message));
  });

  it('accepts a mode from YAML written without quotes (644 becomes "644")', () => {
    expect(args({ src: 'a.hbs', dest: '/etc/x', mode: 644 }).mode).toBe('644');
    expect(args({ src: 'sub/dir/a.html.hbs', dest: '/var/www/html/index.html' }).mode).toBe('0644');
  });

  it('accepts names that only look like . or ..: /etc/..x, /etc/.hidden, /etc/x..', () => {
    for (const dest of ['/etc/..x', '/etc/.hidden', '/etc/x..', '/etc/x.']) expect(problems({ src: 'a.hbs', dest })).toEqual([]);
  });

  it('its example is valid', () => {
    expect(problems({ ...template.example })).toEqual([]);
  });
});
