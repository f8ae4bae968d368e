import { buildInventoryCli, type InventoryCli } from './inventory-cli';
import { fixture } from './helpers';

let cli: InventoryCli;
beforeAll(() => {
  cli = buildInventoryCli();
}, 120_000);
afterAll(() => cli.remove());

const lvsInventory = (...argv: string[]) => cli.run(...argv);

describe('lvs inventory', () => {
  it('--graph merges several -i sources', () => {
    expect(lvsInventory('-i', fixture('merge', 'first.yml'), '-i', 'ops@10.0.0.9:2222,', '--graph')).toEqual({
      stdout: ['@all:', '  |--@ungrouped:', '  |  |--10.0.0.9', '  |--@web:', '  |  |--web1', '  |  |--web2', ''].join('\n'),
      stderr: '',
      exit: 0,
    });
  });

  it('--list and --host print JSON with passwords redacted', () => {
    const list = lvsInventory('-i', fixture('ini', 'cluster.ini'), '--list');
    expect(list.exit).toBe(0);
    expect(JSON.parse(list.stdout)._meta.hostvars.director.ansible_password).toBe('********');
    expect(list.stdout).not.toContain('pa ss');
    const host = lvsInventory('-i', fixture('yaml', 'cluster.yml'), '--host', 'director');
    expect(host.exit).toBe(0);
    expect(JSON.parse(host.stdout)).toMatchObject({ ansible_become_password: '********', role: 'director' });
    expect(host.stdout).not.toContain('s3cret');
  });

  it('exits 4 and prints where the input is wrong', () => {
    expect(lvsInventory('-i', fixture('errors', 'hosts-list.yml'), '--list')).toEqual({
      stdout: '',
      stderr: `ERROR: ${fixture('errors', 'hosts-list.yml')}:2:3: web.hosts: 'hosts' of group 'web' must be a mapping, found a list\n`,
      exit: 4,
    });
    expect(lvsInventory('-i', 'web1,', '--host', 'nosuch')).toMatchObject({ stderr: "ERROR: --host: no host named 'nosuch' in the inventory\n", exit: 4 });
  });

  it('--graph GROUP prints the tree below that group', () => {
    expect(lvsInventory('-i', fixture('compare', 'group-order.ini'), '--graph', 'mongos_servers')).toEqual({
      stdout: ['@mongos_servers:', '  |--@mongoc_servers:', '  |  |--mongo2', '  |  |--mongo1', '  |--@replication_servers:', '  |  |--mongo4', '  |  |--mongo3', '  |  |--mongo1', '  |  |--mongo2', '  |--mongo9', ''].join('\n'),
      stderr: '',
      exit: 0,
    });
    expect(lvsInventory('-i', 'a,', '--graph', 'nosuch')).toMatchObject({ stderr: "ERROR: --graph: no group named 'nosuch' in the inventory\n", exit: 4 });
    expect(lvsInventory('-i', 'a,', '--list', 'all')).toMatchObject({ stderr: "ERROR: unexpected argument 'all' (a group name goes with --graph)\n", exit: 4 });
  });

  it('--list-hosts prints a pattern\'s hosts as ansible --list-hosts does, warning of parts that match nothing', () => {
    expect(lvsInventory('-i', fixture('compare', 'group-order.ini'), '--list-hosts', 'replication_servers[0]:nosuch')).toEqual({
      stdout: '  hosts (1):\n    mongo4\n',
      stderr: 'WARNING: Could not match supplied host pattern, ignoring: nosuch\n',
      exit: 0,
    });
  });

  it('--playbook-dir reads the group_vars and host_vars beside a playbook', () => {
    const project = fixture('compare', 'project');
    expect(JSON.parse(lvsInventory('-i', `${project}/inventory`, '--playbook-dir', project, '--host', 'w1').stdout)).toMatchObject({ a: 'playbook group_vars/all', f: 'playbook host_vars/w1' });
  });

  it('takes exactly one of --list, --graph and --host', () => {
    expect(lvsInventory('-i', 'a,', '--list', '--graph')).toMatchObject({ exit: 5, stdout: '' });
    expect(lvsInventory('-i', 'a,').stderr).toContain('Exactly one of the following must be provided: --graph, --host, --list');
  });
});
