import { loadInventories, matchPattern, selectHosts } from '../../../src/engine/inventory';
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
    ['db:web', ['web1', 'web2', 'web3', 'db1']],
    ['db,web1', ['web1', 'web3', 'db1']],
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
    ['~(db|lb)', ['web3', 'db1', 'lb.example.com', '2001:db8::10', 'fe80::1']],
    ['~lb\\.', ['lb.example.com']],
    ['~2001:', ['2001:db8::10']],
    ['2001:db8::10', ['2001:db8::10']],
    ['fe80::1', ['fe80::1']],
    ['fe80::1,web1', ['web1', 'fe80::1']],
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
