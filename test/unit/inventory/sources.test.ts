import { loadInventories } from '../../../src/engine/inventory';
import { fixture, inputErrorOf } from './helpers';

describe('comma-separated host list', () => {
  it('reads user@host:port, bare hosts and bracketed IPv6 into ungrouped', () => {
    const inventory = loadInventories(['root@10.0.0.5:22, 10.0.0.6,[::1]:2222,admin@[2001:db8::7]:2200,fe80::9,']);
    expect([...inventory.hosts.values()].map(({ name, vars }) => [name, vars])).toEqual([
      ['10.0.0.5', { ansible_user: 'root', ansible_port: 22 }],
      ['10.0.0.6', {}],
      ['::1', { ansible_port: 2222 }],
      ['2001:db8::7', { ansible_user: 'admin', ansible_port: 2200 }],
      ['fe80::9', {}],
    ]);
    expect(inventory.groups.get('ungrouped')!.hosts).toEqual(['10.0.0.5', '10.0.0.6', '::1', '2001:db8::7', 'fe80::9']);
  });

  it('needs a comma: a single name is a path', () => {
    expect(inputErrorOf(() => loadInventories(['10.0.0.5']))).toBe(
      '10.0.0.5: inventory source not found (give a file, a directory, or a host list with at least one comma)',
    );
  });

  it('points at the entry that is not a host', () => {
    expect(inputErrorOf(() => loadInventories(['web1,bad host!,']))).toBe(
      "web1,bad host!,:1:6: bad host!: 'bad host!' is not a host, [user@]host[:port] or [user@][ipv6]:port",
    );
    expect(inputErrorOf(() => loadInventories(['@web1,']))).toContain("'@web1' is not a host");
  });
});

describe('several sources', () => {
  const sources = [fixture('merge', 'first.yml'), fixture('merge', 'second.ini')];

  it('adds hosts and groups, and later sources override variables of the same name', () => {
    const inventory = loadInventories(sources);
    expect([...inventory.hosts.keys()]).toEqual(['web1', 'web2', 'web3', 'db1']);
    expect(inventory.groups.get('web')!.hosts).toEqual(['web1', 'web2', 'web3']);
    expect(inventory.hosts.get('web1')!.vars).toEqual({ env: 'first', tier: 'second', port: 80, owner: 'second' });
    expect(inventory.hosts.get('web3')!.vars).toEqual({ env: 'first', tier: 'second' });
  });

  it('reverses the overrides when the order of sources is reversed', () => {
    const inventory = loadInventories([...sources].reverse());
    expect([...inventory.hosts.keys()]).toEqual(['web1', 'web3', 'db1', 'web2']);
    expect(inventory.hosts.get('web1')!.vars).toEqual({ env: 'first', tier: 'first', port: 80, owner: 'first' });
  });

  it('merges a host list into a file inventory', () => {
    const inventory = loadInventories([fixture('merge', 'second.ini'), 'ops@web1:2201,new1,']);
    expect(inventory.hosts.get('web1')).toEqual({ name: 'web1', vars: { owner: 'second', tier: 'second', ansible_user: 'ops', ansible_port: 2201 }, groups: ['all', 'web'] });
    expect(inventory.groups.get('ungrouped')!.hosts).toEqual(['new1']);
  });

  it('gives an empty inventory with all and ungrouped when there is no source', () => {
    const inventory = loadInventories([]);
    expect(inventory.hosts.size).toBe(0);
    expect([...inventory.groups.keys()]).toEqual(['all', 'ungrouped']);
  });
});
