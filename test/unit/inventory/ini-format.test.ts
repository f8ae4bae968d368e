import { loadInventories } from '../../../src/engine/inventory';
import { fixture } from './helpers';

describe('INI inventory', () => {
  const inventory = loadInventories([fixture('ini', 'cluster.ini')]);
  const vars = (name: string) => inventory.hosts.get(name)!.vars;

  it('reads ungrouped hosts, sections, numeric, alphabetic and stepped ranges, and IPv6 with a port', () => {
    expect([...inventory.hosts.keys()]).toEqual([
      'loose.example.com',
      '2001:db8::5',
      'director',
      'rs1',
      'rs2',
      'db-a',
      'db-b',
      'db-c',
      'node08.lab',
      'node10.lab',
      'late1',
    ]);
    expect(inventory.groups.get('ungrouped')!.hosts).toEqual(['loose.example.com', '2001:db8::5']);
    expect(vars('2001:db8::5')).toEqual({ ansible_port: 2222, note: 'IPv6 with a port' });
  });

  it('types inline host values with literal_eval and keeps the rest as strings', () => {
    expect(vars('director')).toEqual({
      ansible_host: '172.16.100.100',
      ansible_port: 22,
      ansible_become: true,
      ansible_password: 'pa ss',
      enabled: false,
      count: 3,
      ratio: 0.5,
      mode: '0644',
      label: 'web tier',
      list: [1, 'two'],
      nothing: null,
      yes_word: 'yes',
      hash: 'ab', // shlex ends the line at '#', even inside a word
      cluster_name: 'lvs-nat',
    });
  });

  // What ansible-inventory 2.14 --host rs2 prints for this file.
  it('types [group:vars] values with literal_eval as Ansible 2.14 does, keeping what is not a literal as written', () => {
    expect(vars('rs2')).toEqual({
      weight: 2,
      ansible_become: 'true',
      ansible_port: 2222,
      quoted: 'a b c',
      kept: 'FALSE # not a comment',
      cluster_name: 'lvs-nat',
    });
    expect(vars('node08.lab')).toMatchObject({ ansible_user: 'admin' });
  });

  it('resolves [children] naming a group declared later, and keeps ansible_group_priority out of vars', () => {
    expect(inventory.groups.get('cluster')).toEqual({
      name: 'cluster',
      children: ['directors', 'rs', 'late'],
      hosts: [],
      vars: { cluster_name: 'lvs-nat' },
    });
    expect(inventory.hosts.get('late1')!.groups).toEqual(['all', 'cluster', 'late']);
  });
});

describe('INI values typed as Ansible 2.14 types them (ansible-inventory --list on the same file)', () => {
  const inventory = loadInventories([fixture('compare', 'typed-vars.ini')]);
  const vars = (name: string) => inventory.hosts.get(name)!.vars;

  it('reads [group:vars] values as Python literals, a comment after a literal dropped', () => {
    expect(vars('lb2')).toEqual({
      priority: 100,
      state: 'BACKUP',
      enabled: true,
      auth_key: 1234,
      vrrp_port: 80,
      use_unicast: 'true',
      preempt: true,
      nopreempt: false,
      peers: ['10.0.0.1', '10.0.0.2'],
      options: { garp: 5, delay: [1, 2] },
      mode: '0644',
      negative: -1,
      ratio: 25,
      nothing: null,
      quoted: 'a b',
      joined: 'ab',
      word: 'hello # stays with its comment',
      empty: '',
      hash: '#starts with a hash',
      tuple: [1, 'two'],
    });
  });

  it('keeps a quoted host value whose text is not a literal, and drops a shlex comment', () => {
    expect(vars('lb1')).toMatchObject({ priority: 101, weight: 1.5, note: 'two words # not a comment', tagged: 'x' });
  });
});
