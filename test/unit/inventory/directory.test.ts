import { loadInventories } from '../../../src/engine/inventory';
import { fixture } from './helpers';

describe('inventory directory', () => {
  const inventory = loadInventories([fixture('dir')]);
  const vars = (name: string) => inventory.hosts.get(name)!.vars;

  it('reads every file in sorted order, subdirectories too, skipping hidden files and ignored extensions', () => {
    // extra.yml, hosts (INI, no extension), sub/more; not .hidden, README.md or old.retry
    expect([...inventory.hosts.keys()]).toEqual(['client1', 'director1', 'rs1', 'rs2', 'rs3']);
    expect(inventory.groups.get('rs')!.hosts).toEqual(['rs1', 'rs2', 'rs3']);
  });

  it('reads group_vars as NAME.yml, NAME.yaml, a NAME directory, or NAME without extension (which wins over NAME.yml)', () => {
    expect(vars('rs2')).toEqual({
      ansible_host: '10.0.0.12',
      level: 'group_vars-lvs',
      from_ini: 'yes',
      ntp_server: '10.0.0.254',
      lvs_scheduler: 'rr',
      arp_ignore: 1,
    });
  });

  it('merges a group_vars directory in file order and ignores files without a YAML extension', () => {
    expect(inventory.groups.get('directors')!.vars).toEqual({ level: 'group_vars-directors-20', ip_forward: 1 });
  });

  it('lets host_vars files (file or directory form) override the inventory host line', () => {
    expect(vars('director1')).toMatchObject({ ansible_host: '10.0.0.1', level: 'host_vars-director1', ip_forward: 1 });
    expect(vars('rs1')).toMatchObject({ weight: 5, level: 'host_vars-rs1-zz' });
  });

  it('reads group_vars for groups that only an inventory file declares, and group_vars/all for every host', () => {
    expect(vars('client1')).toEqual({ ansible_host: '10.0.0.50', level: 'group_vars-all', ntp_server: '10.0.0.254' });
  });
});

describe('group_vars and host_vars next to an inventory file', () => {
  it('applies them to the hosts of that file', () => {
    const inventory = loadInventories(['split/inventory.ini'], { cwd: fixture() });
    expect(inventory.hosts.get('web1')!.vars).toEqual({ http_port: 8080 });
    expect(inventory.hosts.get('web2')!.vars).toEqual({ ansible_host: '10.1.0.2', http_port: 9090 });
  });
});

describe('variable precedence', () => {
  const inventory = loadInventories([fixture('precedence')]);
  const vars = inventory.hosts.get('h1')!.vars;

  it('orders the layers: all, groups, group_vars/all, group_vars/*, host line, host_vars', () => {
    expect(vars).toMatchObject({
      l1: 'all-inventory',
      l2: 'child-inventory',
      l3: 'group_vars-all',
      l4: 'group_vars-child',
      l5: 'host-inventory',
      l6: 'host_vars-h1',
    });
  });

  it('lets a deeper group win over a shallower one, whatever their names', () => {
    expect(vars).toMatchObject({ deeper: 'child', files_deeper: 'child' });
  });

  it('breaks ties between groups of one depth by ansible_group_priority, then by name', () => {
    expect(vars).toMatchObject({ priority: 'alpha', tie: 'gamma' });
    expect(inventory.hosts.get('h1')!.groups).toEqual(['all', 'beta', 'gamma', 'parent', 'zeta', 'alpha', 'child']);
    expect(vars).not.toHaveProperty('ansible_group_priority');
  });
});
