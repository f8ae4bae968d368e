import { loadInventories } from '../../../src/engine/inventory';
import { fixture } from './helpers';

describe('YAML inventory', () => {
  const inventory = loadInventories([fixture('yaml', 'cluster.yml')]);
  const host = (name: string) => inventory.hosts.get(name)!;

  it('declares hosts in inventory order, expanding ranges and reading host:port', () => {
    expect([...inventory.hosts.keys()]).toEqual([
      'director',
      'web01.example.com',
      'web02.example.com',
      'web03.example.com',
      'web04.example.com',
      'bastion',
      'fe80::1',
    ]);
    expect(host('web04.example.com').vars).toMatchObject({ ansible_port: 2222, weight: 3 });
  });

  it('builds the group tree; a group written in two places is one group', () => {
    const group = (name: string) => inventory.groups.get(name)!;
    expect(group('all').children).toEqual(['ungrouped', 'directors', 'real_servers', 'lab']);
    expect(group('lab').children).toEqual(['web']);
    expect(group('real_servers').children).toEqual(['web']);
    expect(group('web').hosts).toEqual(['web01.example.com', 'web02.example.com', 'web03.example.com', 'web04.example.com']);
    expect(group('web').vars).toEqual({ role: 'web', extra: 'from-second-place' });
  });

  it('puts hosts declared under all, or only in ungrouped, in ungrouped', () => {
    expect(inventory.groups.get('ungrouped')!.hosts).toEqual(['fe80::1', 'bastion']);
    expect(inventory.groups.get('all')!.hosts).toEqual([]);
    expect(host('bastion').groups).toEqual(['all', 'ungrouped']);
  });

  it('lists every group of a host, ancestors included, shallow first', () => {
    expect(host('web01.example.com').groups).toEqual(['all', 'lab', 'real_servers', 'web']);
    expect(host('director').groups).toEqual(['all', 'directors', 'lab']);
  });

  it('merges variables: all < parent < child < host, with YAML 1.1 booleans', () => {
    expect(host('web02.example.com').vars).toEqual({
      ansible_user: 'deploy',
      vip: '192.168.0.109',
      role: 'web',
      weight: 1,
      extra: 'from-second-place',
    });
    expect(host('director').vars).toEqual({
      ansible_user: 'deploy',
      vip: '192.168.0.109',
      role: 'director',
      ansible_host: '192.168.0.10',
      ansible_become: true,
      ansible_become_password: 's3cret',
    });
  });
});
