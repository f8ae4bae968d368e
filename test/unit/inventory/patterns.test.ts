import { groupMembers, loadInventories, matchPattern, selectHosts } from '../../../src/engine/inventory';
import { fixture, inputErrorOf } from './helpers';

describe('host patterns', () => {
  const inventory = loadInventories([fixture('patterns.yml')]);
  const select = (pattern: string) => selectHosts(inventory, pattern);
  const everyHost = ['web1', 'web2', 'web3', 'db1', 'lb.example.com', '2001:db8::10', 'fe80::1'];

  it.each<[string, string[]]>([
    ['all', everyHost],
    ['*', everyHost],
    ['web', ['web1', 'web2', 'web3']],
    ['web2', ['web2']],
    // Ansible's order (ansible PATTERN --list-hosts on this file): part by part, each group in its own order.
    ['db:web', ['db1', 'web3', 'web1', 'web2']],
    ['db,web1', ['db1', 'web3', 'web1']],
    ['web:&db', ['web3']],
    ['&db:web', ['web3']],
    ['web:!db', ['web1', 'web2']],
    ['!db:web', ['web1', 'web2']],
    ['web,!web2,&db', ['web3']],
    ['!web', ['db1', 'lb.example.com', '2001:db8::10', 'fe80::1']],
    ['&db', ['web3', 'db1']],
    ['web*', ['web1', 'web2', 'web3']],
    ['w?b[!1]', ['web2', 'web3']],
    ['*.example.com', ['lb.example.com']],
    ['~web[0-9]', ['web1', 'web2', 'web3']],
    ['~(db|lb)', ['db1', 'web3', 'lb.example.com', '2001:db8::10', 'fe80::1']],
    ['~lb\\.', ['lb.example.com']],
    ['~2001:', ['2001:db8::10']],
    ['2001:db8::10', ['2001:db8::10']],
    ['fe80::1', ['fe80::1']],
    ['fe80::1,web1', ['fe80::1', 'web1']],
    ['all:!fe80::1', ['web1', 'web2', 'web3', 'db1', 'lb.example.com', '2001:db8::10']],
    ['lb:!2001:db8::10', ['lb.example.com', 'fe80::1']],
    ['lb:&fe80::1', ['fe80::1']],
    ['all,!fe80::1', ['web1', 'web2', 'web3', 'db1', 'lb.example.com', '2001:db8::10']],
    ['web[0]', ['web1']],
    ['web[-1]', ['web3']],
    ['web[1:]', ['web2', 'web3']],
    ['web[0:1]', ['web1', 'web2']],
    [' web : db ', ['web1', 'web2', 'web3', 'db1']],
  ])('%s', (pattern, hosts) => {
    expect(select(pattern)).toEqual(hosts);
  });

  it('matches nothing for unknown names and says which parts matched nothing', () => {
    expect(select('nosuch')).toEqual([]);
    expect(matchPattern(inventory, 'web:nosuch:!db')).toEqual({ hosts: ['web1', 'web2'], unmatched: ['nosuch'] });
  });

  it.each([
    ['', 'hosts: the host pattern is empty (use all to select every host)'],
    [' , ', "hosts: the host pattern ' , ' names no hosts or groups"],
    ['web:!', "hosts: '!' in host pattern 'web:!' must be followed by a name"],
    ['web:db[1', "hosts: unclosed '[' in host pattern 'web:db[1'"],
    ['web]', "hosts: unexpected ']' in host pattern 'web]'"],
    ['~web[', "hosts: unclosed '[' in host pattern '~web['"],
    ['~web(,', "hosts: invalid regular expression in host pattern '~web(,': Invalid regular expression: /^(?:web()/: Unterminated group"],
    ['web[7]', "hosts: no host matches the subscripted pattern 'web[7]': 3 host(s) matched"],
  ])('refuses the broken pattern %j', (pattern, message) => {
    expect(inputErrorOf(() => select(pattern))).toBe(message);
  });
});

// The expected lists are what `ansible PATTERN -i group-order.ini --list-hosts` prints (2.14).
describe('host order: a group in its own order, as Ansible builds it', () => {
  const inventory = loadInventories([fixture('compare', 'group-order.ini')]);
  const select = (pattern: string) => selectHosts(inventory, pattern);

  it.each<[string, string[]]>([
    ['replication_servers[0]', ['mongo4']],
    ['mongos_servers', ['mongo9', 'mongo2', 'mongo1', 'mongo4', 'mongo3']],
    ['mongos_servers[1:]', ['mongo2', 'mongo1', 'mongo4', 'mongo3']],
    ['mongos_servers[1:0]', ['mongo2']],
    ['mongoc_servers:replication_servers', ['mongo2', 'mongo1', 'mongo4', 'mongo3']],
    ['all', ['mongo1', 'mongo2', 'mongo3', 'mongo4', 'mongo9']],
    ['mongos_servers:!mongoc_servers', ['mongo9', 'mongo4', 'mongo3']],
    ['replication_servers:&mongoc_servers', ['mongo1', 'mongo2']],
    ['nosuch[0]', []],
  ])('%s', (pattern, hosts) => {
    expect(select(pattern)).toEqual(hosts);
  });

  it('gives the groups variable the same order', () => {
    expect(groupMembers(inventory)).toMatchObject({
      replication_servers: ['mongo4', 'mongo3', 'mongo1', 'mongo2'],
      mongos_servers: ['mongo9', 'mongo2', 'mongo1', 'mongo4', 'mongo3'],
      all: ['mongo1', 'mongo2', 'mongo3', 'mongo4', 'mongo9'],
    });
  });

  it('names the part without its subscript when it matches nothing, as Ansible warns', () => {
    expect(matchPattern(inventory, 'nosuch[0]:&mongo_servers')).toEqual({ hosts: [], unmatched: ['nosuch'] });
  });

  it('puts the hosts declared straight under all first in groups.all, as Ansible does', () => {
    const yaml = loadInventories([fixture('compare', 'kubespray-like.yml')]);
    expect(groupMembers(yaml).all.slice(0, 3)).toEqual(['node3', 'node1', 'node2']);
  });
});
