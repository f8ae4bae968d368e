import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventories } from '../../../src/engine/inventory';
import { fixture, inputErrorOf } from './helpers';

const errorFor = (file: string) => inputErrorOf(() => loadInventories([fixture('errors', file)]));

describe('inventory errors name the file, line, column and key', () => {
  it.each([
    ['syntax.yml', 'errors/syntax.yml:5:5: Flow sequence in block collection must be sufficiently indented and end with a ] (YAML syntax error)'],
    ['hosts-list.yml', "errors/hosts-list.yml:2:3: web.hosts: 'hosts' of group 'web' must be a mapping, found a list"],
    ['host-vars-scalar.yml', "errors/host-vars-scalar.yml:3:5: web.hosts.web1: the variables of host 'web1' must be a mapping, found the number 8080"],
    ['unknown-key.yml', "errors/unknown-key.yml:2:3: web.host: unexpected key 'host' in group 'web' (a group may only hold hosts, children and vars)"],
    ['cycle.yml', "errors/cycle.yml:3:5: a.children.b: adding group 'b' as a child of 'a' creates a loop: a -> b -> c -> a"],
    ['vault.yml', 'errors/vault.yml:3:23: Unresolved tag: !vault (Ansible Vault and custom tags are not supported)'],
    ['plugin.yml', 'errors/plugin.yml:1:1: plugin: inventory scripts and plugins are not supported: this file configures the inventory plugin "amazon.aws.aws_ec2" (list the hosts in a YAML or INI inventory)'],
    ['cycle.ini', "errors/cycle.ini:5:1: a: adding group 'a' as a child of 'b' creates a loop: b -> a -> b"],
    ['bad-range.ini', "errors/bad-range.ini:2:1: web[3:1]: invalid host range 'web[3:1]': host range must have begin <= end"],
    ['host-line.ini', "errors/host-line.ini:2:22: web1: expected key=value host variable assignment, got 'novalue'"],
    ['unclosed-quote.ini', 'errors/unclosed-quote.ini:2:12: cannot split the host line: no closing quotation'],
    ['undefined-child.ini', "errors/undefined-child.ini:3:1: missing: [lvs:children] includes the undefined group 'missing' (declare it with its own [section])"],
    ['vars-undefined.ini', "errors/vars-undefined.ini:4:1: [db:vars]: [db:vars] sets variables of the undefined group 'db' (declare it with its own [section])"],
    ['unknown-section.ini', "errors/unknown-section.ini:1:1: [web:hosts2]: section [web:hosts2] has an unknown type 'hosts2' (use [name], [name:children] or [name:vars])"],
    ['vars-not-map', 'errors/vars-not-map/group_vars/web.yml:1:1: a variables file must be a mapping of variable names to values'],
  ])('%s', (file, message) => {
    expect(errorFor(file)).toBe(message);
  });

  it('reports a missing path', () => {
    expect(inputErrorOf(() => loadInventories(['no/such/inventory'], { cwd: fixture() }))).toBe(
      'no/such/inventory: inventory source not found (give a file, a directory, or a host list with at least one comma)',
    );
  });

  describe('with a file that cannot be read', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'lvs-inventory-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reports it by path', () => {
      writeFileSync(join(dir, 'a.ini'), '[web]\nweb1\n');
      symlinkSync(join(dir, 'gone'), join(dir, 'b.yml'));
      expect(inputErrorOf(() => loadInventories([dir]))).toBe(`${join(dir, 'b.yml')}: cannot read the file: ENOENT`);
    });

    it('reads a file without extension whose top level is a mapping as YAML, and reports its syntax error', () => {
      writeFileSync(join(dir, 'hosts'), 'web:\n  hosts:\n    web1: {a: 1\n');
      expect(inputErrorOf(() => loadInventories([dir]))).toMatch(new RegExp(`^${join(dir, 'hosts')}:4:1: .*\\(YAML syntax error\\)$`));
    });
  });
});
