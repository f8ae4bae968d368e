import { loadInventories, renderGraph, renderHost, renderList } from '../../../src/engine/inventory';
import { fixture, inputErrorOf } from './helpers';

describe('inventory rendering (ansible-inventory shapes)', () => {
  const inventory = loadInventories([fixture('merge', 'first.yml'), fixture('merge', 'second.ini'), 'root@10.9.9.9:22,', fixture('ini', 'cluster.ini')]);

  it('--graph prints the @all tree with child groups before hosts', () => {
    expect(renderGraph(loadInventories([fixture('merge', 'first.yml'), fixture('merge', 'second.ini'), 'root@10.9.9.9:22,']))).toBe(
      ['@all:', '  |--@ungrouped:', '  |  |--10.9.9.9', '  |--@web:', '  |  |--web1', '  |  |--web2', '  |  |--web3', '  |--@db:', '  |  |--db1'].join('\n'),
    );
    expect(renderGraph(inventory, 'cluster').split('\n').slice(0, 4)).toEqual(['@cluster:', '  |--@directors:', '  |  |--director', '  |--@rs:']);
  });

  it('--list prints sorted JSON with _meta.hostvars, leaving out empty groups and hosts without vars', () => {
    const list = JSON.parse(renderList(loadInventories([fixture('merge', 'first.yml'), fixture('merge', 'second.ini')])));
    expect(list).toEqual({
      _meta: {
        hostvars: {
          web1: { env: 'first', tier: 'second', port: 80, owner: 'second' },
          web2: { env: 'first', tier: 'second' },
          web3: { env: 'first', tier: 'second' },
          db1: { env: 'first' },
        },
      },
      all: { children: ['ungrouped', 'web', 'db'] },
      web: { hosts: ['web1', 'web2', 'web3'] },
      db: { hosts: ['db1'] },
    });
    expect(renderList(loadInventories(['h1,']))).toBe(
      ['{', '    "_meta": {', '        "hostvars": {}', '    },', '    "all": {', '        "children": [', '            "ungrouped"', '        ]', '    },', '    "ungrouped": {', '        "hosts": [', '            "h1"', '        ]', '    }', '}'].join('\n'),
    );
  });

  it('never prints a password', () => {
    const list = renderList(inventory);
    expect(list).not.toContain('pa ss');
    expect(JSON.parse(list)._meta.hostvars.director.ansible_password).toBe('********');
    expect(JSON.parse(renderHost(inventory, 'director'))).toMatchObject({ ansible_password: '********', ansible_host: '172.16.100.100' });
  });

  it('--host prints one host and refuses an unknown one', () => {
    expect(renderHost(inventory, '10.9.9.9')).toBe('{\n    "ansible_port": 22,\n    "ansible_user": "root",\n    "env": "first"\n}');
    expect(inputErrorOf(() => renderHost(inventory, 'nosuch'))).toBe("--host: no host named 'nosuch' in the inventory");
    expect(inputErrorOf(() => renderGraph(inventory, 'nosuch'))).toBe("--graph: no group named 'nosuch' in the inventory");
  });
});
