import { homedir } from 'node:os';
import { connectionTarget, loadInventories } from '../../../src/engine/inventory';
import { fixture, inputErrorOf } from './helpers';

describe('connectionTarget', () => {
  const savedUser = process.env.USER;
  afterEach(() => {
    if (savedUser === undefined) delete process.env.USER;
    else process.env.USER = savedUser;
  });

  it('defaults to the inventory name, port 22, the local user and no become', () => {
    process.env.USER = 'alice';
    expect(connectionTarget('web1', {})).toEqual({ host: 'web1', port: 22, user: 'alice', become: false, becomeUser: 'root' });
    delete process.env.USER;
    expect(connectionTarget('web1', {}).user).toBe('root');
  });

  it('reads the ansible_* names', () => {
    expect(
      connectionTarget('web1', {
        ansible_host: '10.0.0.5',
        ansible_port: 2222,
        ansible_user: 'deploy',
        ansible_private_key_file: '~/.ssh/lab',
        ansible_password: 'p',
        ansible_become: 'yes',
        ansible_become_user: 'admin',
        ansible_become_password: 'b',
      }),
    ).toEqual({
      host: '10.0.0.5',
      port: 2222,
      user: 'deploy',
      privateKeyFile: `${homedir()}/.ssh/lab`,
      password: 'p',
      become: true,
      becomeUser: 'admin',
      becomePassword: 'b',
    });
  });

  it('reads the old ansible_ssh_* names, which win when both are set, as in Ansible', () => {
    const target = connectionTarget('web1', {
      ansible_ssh_host: '10.0.0.6',
      ansible_ssh_port: '2200',
      ansible_ssh_user: 'old',
      ansible_user: 'new',
      ansible_ssh_pass: 'old-pass',
      ansible_ssh_private_key_file: '/keys/id',
      ansible_become_pass: 1234,
    });
    expect(target).toMatchObject({ host: '10.0.0.6', port: 2200, user: 'old', password: 'old-pass', privateKeyFile: '/keys/id', becomePassword: '1234' });
  });

  it.each<[unknown, boolean]>([
    [true, true],
    ['True', true],
    ['yes', true],
    ['on', true],
    [1, true],
    ['1', true],
    [false, false],
    ['no', false],
    ['False', false],
    [0, false],
    ['off', false],
  ])('reads ansible_become=%j as %s', (value, expected) => {
    expect(connectionTarget('web1', { ansible_become: value }).become).toBe(expected);
  });

  it('refuses a become flag or a port it cannot read', () => {
    expect(inputErrorOf(() => connectionTarget('web1', { ansible_become: 'maybe' }))).toBe('web1: ansible_become: "maybe" is not a boolean (use true or false)');
    expect(inputErrorOf(() => connectionTarget('web1', { ansible_port: '22x' }))).toBe('web1: ansible_port: "22x" is not a TCP port (use a number from 1 to 65535)');
    expect(inputErrorOf(() => connectionTarget('web1', { ansible_port: 70000 }))).toContain('is not a TCP port');
  });

  describe('jump host', () => {
    beforeEach(() => {
      process.env.USER = 'alice';
    });
    const jumpOf = (vars: Record<string, unknown>) => connectionTarget('rs1', { ansible_user: 'root', ...vars }).jump;

    it.each<[Record<string, unknown>, unknown]>([
      [{ ansible_ssh_common_args: '-o ProxyJump=ops@10.0.0.1:2200' }, { host: '10.0.0.1', port: 2200, user: 'ops' }],
      [{ ansible_ssh_common_args: '-o StrictHostKeyChecking=no -oProxyJump=bastion' }, { host: 'bastion', port: 22, user: 'alice' }],
      [{ ansible_ssh_common_args: "-o 'ProxyJump ops@bastion'" }, { host: 'bastion', port: 22, user: 'ops' }],
      [{ ansible_ssh_common_args: '-i /key -J ops@[2001:db8::1]:2222' }, { host: '2001:db8::1', port: 2222, user: 'ops' }],
      [{ ansible_ssh_extra_args: '-Jssh://ops@jump.example.com:23' }, { host: 'jump.example.com', port: 23, user: 'ops' }],
      [{ ansible_ssh_common_args: '-J a@one', ansible_ssh_extra_args: '-J b@two' }, { host: 'two', port: 22, user: 'b' }],
      [{ ansible_ssh_common_args: '-o ProxyJump=none' }, undefined],
      [{ ansible_ssh_common_args: '-o ServerAliveInterval=5' }, undefined],
      [{}, undefined],
    ])('%j', (vars, jump) => {
      expect(jumpOf(vars)).toEqual(jump);
    });

    it('refuses ProxyCommand, jump chains and unreadable specs', () => {
      expect(inputErrorOf(() => jumpOf({ ansible_ssh_common_args: '-o ProxyCommand="ssh -W %h:%p bastion"' }))).toBe(
        'rs1: ansible_ssh_common_args: ProxyCommand is not supported (use -o ProxyJump=user@host:port or -J user@host:port)',
      );
      expect(inputErrorOf(() => jumpOf({ ansible_ssh_common_args: '-J a,b' }))).toBe("rs1: ProxyJump: cannot use the jump host 'a,b': only one jump host is supported (write [user@]host[:port])");
      expect(inputErrorOf(() => jumpOf({ ansible_ssh_common_args: '-J "bad host"' }))).toContain('not a [user@]host[:port]');
      expect(inputErrorOf(() => jumpOf({ ansible_ssh_common_args: '-J' }))).toBe('rs1: ansible_ssh_common_args: ssh option -J needs a value');
      expect(inputErrorOf(() => jumpOf({ ansible_ssh_common_args: '-o "ProxyJump=x' }))).toBe('rs1: ansible_ssh_common_args: cannot split the ssh arguments: no closing quotation');
    });
  });

  it('works on the typed values of an INI inventory, where [group:vars] values are strings', () => {
    process.env.USER = 'alice';
    const inventory = loadInventories([fixture('ini', 'cluster.ini')]);
    expect(connectionTarget('rs1', inventory.hosts.get('rs1')!.vars)).toEqual({ host: 'rs1', port: 2222, user: 'alice', become: true, becomeUser: 'root' });
    expect(connectionTarget('director', inventory.hosts.get('director')!.vars)).toMatchObject({ host: '172.16.100.100', port: 22, become: true, password: 'pa ss' });
  });
});
