import { loadInventories } from '../../../src/engine/inventory';
import { fixture } from './helpers';

// The expected values are what ansible-inventory --playbook-dir and ansible-playbook 2.14 give w1.
describe('group_vars and host_vars beside the playbook', () => {
  const project = fixture('compare', 'project');

  it('win over the inventory\'s, level by level, as in Ansible\'s variable precedence', () => {
    const inventory = loadInventories([`${project}/inventory`], { playbookDir: project });
    expect(inventory.hosts.get('w1')!.vars).toEqual({
      a: 'playbook group_vars/all',
      b: 'inventory group_vars/child',
      c: 'playbook group_vars/child',
      d: 'host-line',
      e: 'inventory host_vars/w1',
      f: 'playbook host_vars/w1',
      // Ansible merges every group's inventory group_vars, then every group's playbook ones.
      g: 'playbook group_vars/parent',
      from_file: 'parent',
      only_inventory_all: true,
    });
  });

  it('are not read without the playbook folder', () => {
    const inventory = loadInventories([`${project}/inventory`]);
    expect(inventory.hosts.get('w1')!.vars).toMatchObject({ a: 'inventory group_vars/all', c: 'inventory group_vars/child', f: 'inventory host_vars/w1', g: 'inventory group_vars/child' });
  });
});
