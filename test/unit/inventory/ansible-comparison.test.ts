/**
 * lvs against Ansible itself: for each inventory, `lvs inventory --list` and `--graph` must
 * print what `ansible-inventory` 2.14 prints, and each host pattern must select the hosts
 * `ansible PATTERN --list-hosts` lists, in the same order. The first pattern of each case is
 * asked of the `ansible` command itself; the others, for speed, of the InventoryManager that
 * command uses (one Python process per inventory instead of one per pattern). Runs where
 * Debian's ansible-core is installed (scripts/setup.sh installs it, so CI runs it); skipped
 * elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventories, matchPattern, renderHostList } from '../../../src/engine/inventory';
import { fixture } from './helpers';
import { buildInventoryCli, type InventoryCli } from './inventory-cli';

const ROOT = join(__dirname, '..', '..', '..');
const ansibleInstalled = spawnSync('ansible-inventory', ['--version'], { encoding: 'utf8' }).status === 0;
const describeWithAnsible = ansibleInstalled ? describe : describe.skip;

interface Case {
  name: string;
  sources: string[];
  playbookDir?: string;
  graphGroups?: string[];
  patterns: string[];
}

const CASES: Case[] = [
  {
    name: 'INI with typed [group:vars] and comments',
    sources: [fixture('compare', 'typed-vars.ini')],
    patterns: ['all', 'lb[0]', 'lb[1:]', 'all:!lb1', '~lb[2-9]'],
  },
  {
    name: 'groups declared in one order, hosts in another, hosts through children (mongodb-like)',
    sources: [fixture('compare', 'group-order.ini')],
    graphGroups: ['mongos_servers', 'replication_servers'],
    patterns: [
      'all',
      'replication_servers[0]',
      'replication_servers[-1]',
      'mongos_servers',
      'mongos_servers[1:]',
      'mongos_servers[0:2]',
      'mongos_servers[1:0]',
      'mongoc_servers:replication_servers',
      'replication_servers:mongoc_servers',
      'mongos_servers:!mongoc_servers',
      'replication_servers:&mongoc_servers',
      'mongos_servers:&replication_servers:!mongo4',
      '~mongo[13]',
      'mongo*',
      'all:!mongo9',
    ],
  },
  {
    name: 'kubespray-like YAML: hosts under all, nested children, group vars, YAML 1.1 scalars',
    sources: [fixture('compare', 'kubespray-like.yml')],
    graphGroups: ['k8s_cluster'],
    patterns: ['all', 'k8s_cluster', 'k8s_cluster[0]', 'k8s_cluster[1:]', 'kube_node:&kube_control_plane', 'k8s_cluster:!etcd', '~node[12]', 'kube_*', 'etcd,node4', 'all[2]'],
  },
  {
    name: 'INI with ranges, children declared late, IPv6, ansible_group_priority',
    sources: [fixture('ini', 'cluster.ini')],
    graphGroups: ['cluster', 'rs'],
    patterns: ['all', 'rs', 'rs[0]', 'rs[1:]', 'cluster:!rs', 'rs:&cluster', '~db-', 'node*', 'db-[a:c]', '2001:db8::5'],
  },
  {
    name: 'YAML with a group in two places and host:port',
    sources: [fixture('yaml', 'cluster.yml')],
    graphGroups: ['real_servers'],
    patterns: ['all', 'web', 'web[0]', 'web[1:]', 'lab:&real_servers', 'all:!web', '~web0[24]', 'lab:real_servers'],
  },
  {
    name: 'a directory with group_vars, host_vars and ignored files',
    sources: [fixture('dir')],
    patterns: ['all', 'rs[0]', 'all:!rs'],
  },
  {
    name: 'two merged sources',
    sources: [fixture('merge', 'first.yml'), fixture('merge', 'second.ini')],
    patterns: ['all', 'web[0]', 'web:!web1'],
  },
  {
    name: 'playbook-dir group_vars and host_vars over the inventory\'s',
    sources: [fixture('compare', 'project', 'inventory')],
    playbookDir: fixture('compare', 'project'),
    patterns: ['all', 'parent'],
  },
  ...['lvs-nat', 'lvs-dr', 'lvs-tun'].map((name) => ({
    name: `the shipped ${name} inventory`,
    sources: [join(ROOT, 'inventories', name)],
    patterns: ['all', 'all:!clients', 'real_servers[0]', 'real_servers[1:]'],
  })),
];

function ansible(command: string, argv: string[]): string {
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False' } });
  if (result.status !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** What `ansible PATTERN --list-hosts` prints for each pattern, from Ansible's own InventoryManager.list_hosts. */
const LIST_HOSTS = `
import json, sys
from ansible.parsing.dataloader import DataLoader
from ansible.inventory.manager import InventoryManager
sources, patterns = json.loads(sys.argv[1]), json.loads(sys.argv[2])
manager = InventoryManager(DataLoader(), sources=sources)
print(json.dumps([[str(host) for host in manager.list_hosts(pattern)] for pattern in patterns]))
`;

function ansibleListHosts(sources: string[], patterns: string[]): string[] {
  const which = spawnSync('sh', ['-c', 'command -v ansible'], { encoding: 'utf8' }).stdout.trim();
  const python = /^#!\s*(\S+)/.exec(readFileSync(which, 'utf8'))?.[1] ?? 'python3';
  const hosts: string[][] = JSON.parse(ansible(python, ['-c', LIST_HOSTS, JSON.stringify(sources), JSON.stringify(patterns)]));
  return hosts.map((list) => `${renderHostList(list)}\n`);
}

const sourceArgs = (item: Case) => [...item.sources.flatMap((source) => ['-i', source]), ...(item.playbookDir ? ['--playbook-dir', item.playbookDir] : [])];

/** lvs always shows a password variable as ********: where it does, Ansible's value is masked the same way. */
function maskedLike(ansibleList: any, lvsList: any): any {
  for (const [host, vars] of Object.entries<Record<string, unknown>>(lvsList._meta.hostvars)) {
    for (const [key, value] of Object.entries(vars)) if (value === '********' && ansibleList._meta.hostvars[host]?.[key] !== undefined) ansibleList._meta.hostvars[host][key] = value;
  }
  return ansibleList;
}

describeWithAnsible('lvs inventory agrees with ansible-inventory 2.14', () => {
  let cli: InventoryCli;
  beforeAll(() => {
    cli = buildInventoryCli();
  }, 120_000);
  afterAll(() => cli.remove());

  describe.each(CASES)('$name', (item) => {
    it('--list', () => {
      const lvs = cli.run(...sourceArgs(item), '--list');
      expect(lvs).toMatchObject({ exit: 0, stderr: '' });
      const lvsList = JSON.parse(lvs.stdout);
      expect(lvsList).toEqual(maskedLike(JSON.parse(ansible('ansible-inventory', [...sourceArgs(item), '--list'])), lvsList));
    }, 60_000);

    it.each(['all', ...(item.graphGroups ?? [])])('--graph %s', (group) => {
      const lvs = cli.run(...sourceArgs(item), '--graph', group);
      expect(lvs).toMatchObject({ exit: 0, stderr: '' });
      expect(lvs.stdout).toBe(ansible('ansible-inventory', [...sourceArgs(item), '--graph', group]));
    }, 60_000);

    it('patterns', () => {
      const inventory = loadInventories(item.sources, { playbookDir: item.playbookDir });
      const lvs = item.patterns.map((pattern) => `${renderHostList(matchPattern(inventory, pattern).hosts)}\n`);
      const expected = ansibleListHosts(item.sources, item.patterns);
      expect(ansible('ansible', [item.patterns[0], ...item.sources.flatMap((source) => ['-i', source]), '--list-hosts'])).toBe(expected[0]);
      // Pattern by pattern, so that a difference names its pattern.
      expect(Object.fromEntries(item.patterns.map((pattern, index) => [pattern, lvs[index]]))).toEqual(Object.fromEntries(item.patterns.map((pattern, index) => [pattern, expected[index]])));
    }, 60_000);
  });
});
