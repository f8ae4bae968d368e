import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseExtraVars } from '../../../src/cli/run-options';
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
    expect(connectionTarget('web1', {})).toEqual({ connection: 'ssh', host: 'web1', port: 22, user: 'alice', become: false, becomeUser: 'root' });
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
      connection: 'ssh',
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

  it.each<[string, string]>([
    ['ssh', 'ssh'],
    ['smart', 'ssh'],
    ['paramiko', 'ssh'],
    ['ansible.builtin.ssh', 'ssh'],
    ['local', 'local'],
    ['ansible.builtin.local', 'local'],
  ])('reads ansible_connection=%s as %s', (value, connection) => {
    expect(connectionTarget('web1', { ansible_connection: value }).connection).toBe(connection);
  });

  it('refuses any other connection plugin, naming the host, the variable and where it was set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvs-connection-'));
    try {
      const file = join(dir, 'hosts');
      writeFileSync(file, '[web]\nweb1\nweb2 ansible_connection=local\n[web:vars]\nansible_connection=community.docker.docker\n');
      const inventory = loadInventories([file]);
      expect(inputErrorOf(() => connectionTarget('web1', inventory.hosts.get('web1')!.vars, [inventory.hosts.get('web1')!.vars]))).toBe(
        `${file}:5:1: web1: ansible_connection: the connection plugin "community.docker.docker" is not supported (lvs connects over SSH (ssh, paramiko, smart) or runs on the controller (local))`,
      );
      expect(connectionTarget('web2', inventory.hosts.get('web2')!.vars).connection).toBe('local');
      expect(inputErrorOf(() => connectionTarget('h', { ansible_connection: 'winrm' }))).toBe(
        'h: ansible_connection: the connection plugin "winrm" is not supported (lvs connects over SSH (ssh, paramiko, smart) or runs on the controller (local))',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
    expect(connectionTarget('rs1', inventory.hosts.get('rs1')!.vars)).toEqual({ connection: 'ssh', host: 'rs1', port: 2222, user: 'alice', become: true, becomeUser: 'root' });
    expect(connectionTarget('director', inventory.hosts.get('director')!.vars)).toMatchObject({ host: '172.16.100.100', port: 22, become: true, password: 'pa ss' });
  });
});

describe('connection variable errors name where the variable was set', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lvs-connection-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  /** What compile does: the inventory, then play vars, then extra vars, and the error of web1's target. */
  const targetError = (sources: string[], playVars: Record<string, unknown> = {}, extraVars: Record<string, unknown> = {}) => {
    const inventoryVars = loadInventories(sources).hosts.get('web1')!.vars;
    return inputErrorOf(() => connectionTarget('web1', { ...inventoryVars, ...playVars, ...extraVars }, [inventoryVars, playVars, extraVars]));
  };

  it('in an INI host line, [group:vars] section and host:port', () => {
    const file = write('hosts.ini', '[web]\nweb1 ansible_host=10.0.0.1 ansible_port=99999\n');
    expect(targetError([file])).toBe(`${file}:2:28: web1: ansible_port: 99999 is not a TCP port (use a number from 1 to 65535)`);
    write('hosts.ini', '[web]\nweb1\n\n[web:vars]\nansible_user=ops\nansible_become=maybe\n');
    expect(targetError([file])).toBe(`${file}:6:1: web1: ansible_become: "maybe" is not a boolean (use true or false)`);
    write('hosts.ini', '[web]\nweb1:99999\n');
    expect(targetError([file])).toBe(`${file}:2:1: web1: ansible_port: 99999 is not a TCP port (use a number from 1 to 65535)`);
    write('hosts.ini', '[web]\nweb1:99999 ansible_port=70000\n');
    expect(targetError([file])).toBe(`${file}:2:12: web1: ansible_port: 70000 is not a TCP port (use a number from 1 to 65535)`);
  });

  it('in a YAML host or group', () => {
    const file = write('hosts.yml', 'web:\n  hosts:\n    web1:\n      ansible_host: 10.0.0.1\n      ansible_port: 99999\n');
    expect(targetError([file])).toBe(`${file}:5:7: web1: ansible_port: 99999 is not a TCP port (use a number from 1 to 65535)`);
    write('hosts.yml', 'web:\n  hosts:\n    web1:\n  vars:\n    ansible_become: maybe\n');
    expect(targetError([file])).toBe(`${file}:5:5: web1: ansible_become: "maybe" is not a boolean (use true or false)`);
  });

  it('in group_vars and host_vars files, whichever wins', () => {
    const file = write('inventory/hosts.ini', '[web]\nweb1 ansible_port=2222\n');
    const groupVars = write('inventory/group_vars/web.yml', '---\nansible_user: ops\nansible_port: 0\n');
    // The host line wins over group_vars, so the bad value there is never used.
    expect(() => connectionTarget('web1', loadInventories([file]).hosts.get('web1')!.vars)).not.toThrow();
    write('inventory/hosts.ini', '[web]\nweb1\n');
    expect(targetError([file])).toBe(`${groupVars}:3:1: web1: ansible_port: 0 is not a TCP port (use a number from 1 to 65535)`);
    const hostVars = write('inventory/host_vars/web1/connection.yml', 'ansible_become: sometimes\n');
    write('inventory/group_vars/web.yml', 'ansible_become: true\nansible_ssh_common_args: -o ProxyCommand="nc %h %p"\n');
    expect(targetError([file])).toBe(`${hostVars}:1:1: web1: ansible_become: "sometimes" is not a boolean (use true or false)`);
    write('inventory/host_vars/web1/connection.yml', 'ansible_become: yes\n');
    expect(targetError([file])).toBe(
      `${groupVars}:2:1: web1: ansible_ssh_common_args: ProxyCommand is not supported (use -o ProxyJump=user@host:port or -J user@host:port)`,
    );
  });

  it('on the command line, in an -e file, and in a host list', () => {
    const file = write('hosts.ini', '[web]\nweb1 ansible_port=2222\n');
    expect(targetError([file], {}, parseExtraVars(['ansible_port=99999']))).toBe('--extra-vars: web1: ansible_port: "99999" is not a TCP port (use a number from 1 to 65535)');
    expect(targetError([file], {}, parseExtraVars(['{"ansible_become": "maybe"}']))).toBe('--extra-vars: web1: ansible_become: "maybe" is not a boolean (use true or false)');
    const extra = write('extra.yml', 'ansible_user: ops\nansible_port: 65536\n');
    expect(targetError([file], {}, parseExtraVars(['ansible_port=99999', `@${extra}`]))).toBe(`${extra}:2:1: web1: ansible_port: 65536 is not a TCP port (use a number from 1 to 65535)`);
    expect(targetError(['web1:99999,'])).toBe('web1:99999,:1:1: web1: ansible_port: 99999 is not a TCP port (use a number from 1 to 65535)');
  });

  it('names no place rather than a wrong one when the winning value came from where positions are not kept', () => {
    const file = write('hosts.ini', '[web]\nweb1 ansible_port=2222\n');
    expect(targetError([file], { ansible_port: 99999 })).toBe('web1: ansible_port: 99999 is not a TCP port (use a number from 1 to 65535)');
  });
});
