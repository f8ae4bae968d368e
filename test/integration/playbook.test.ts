/**
 * A whole playbook over several real sshd hosts: two plays, group and host variables, a
 * handler, --limit, a host whose task fails, a host that is unreachable, check mode and the
 * exit codes. Every claim is checked on the hosts themselves.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runLvs } from '../support/cli';
import { sshdActivity, startHosts, type TestLab } from '../support/netns-hosts';

const VIP = '10.199.250.7';

let lab: TestLab;
let dir: string;
let inventory: string;
let playbook: string;

function json(stdout: string) {
  return JSON.parse(stdout) as {
    plays: { play: { name: string }; tasks: { task: { name: string; handler?: boolean }; hosts: Record<string, { status: string; msg?: string }> }[] }[];
    stats: Record<string, { ok: number; changed: number; failures: number; unreachable: number; skipped: number }>;
    connections: Record<string, { connections: number; channels: number }>;
  };
}

async function on(host: string, command: string): Promise<string> {
  const result = await lab.onHost(host, command);
  return result.stdout.trim();
}

const lvs = (...args: string[]) => runLvs(['run', playbook, '-i', inventory, '--known-hosts', lab.knownHostsFile, '--json', ...args]);

beforeAll(async () => {
  lab = await startHosts(['director', 'rs1', 'rs2', 'ghost']);
  await lab.stop('ghost');
  dir = mkdtempSync(join(tmpdir(), 'lvs-playbook-'));
  const host = (name: string, vars: Record<string, unknown> = {}) => {
    const entry = lab.hosts.find((candidate) => candidate.name === name)!;
    return { ansible_host: entry.address, ansible_port: entry.port, ansible_user: 'root', ansible_ssh_private_key_file: lab.keyFile, ...vars };
  };
  inventory = join(dir, 'hosts.yml');
  writeFileSync(
    inventory,
    stringify({
      all: {
        vars: { motd: 'managed by lvs' },
        children: {
          director: { hosts: { director: host('director'), ghost: host('ghost') }, vars: { forward: 1 } },
          // rs2 names a kernel parameter that does not exist: its sysctl task fails.
          realservers: { hosts: { rs1: host('rs1'), rs2: host('rs2', { arp_key: 'net.ipv4.conf.all.no_such_key' }) }, vars: { forward: 0 } },
        },
      },
    }),
  );
  playbook = join(dir, 'site.yml');
  writeFileSync(
    playbook,
    stringify([
      {
        name: 'common',
        hosts: 'all',
        tasks: [
          { name: 'forwarding', sysctl: { name: 'net.ipv4.ip_forward', value: '{{ forward }}' } },
          {
            name: 'motd',
            template: { src: 'motd.hbs', dest: '/etc/motd.lvs', mode: '0640' },
            notify: 'stamp',
          },
        ],
        handlers: [{ name: 'stamp', template: { src: 'stamp.hbs', dest: '/etc/motd.stamp' } }],
      },
      {
        name: 'real servers',
        hosts: 'realservers',
        vars: { vip: VIP },
        tasks: [
          { name: 'arp', sysctl: { name: '{{ arp_key }}', value: 2 }, when: 'arp_key is defined' },
          { name: 'vip on lo', ifaddr: { address: '{{ vip }}/32', dev: 'lo', label: 'lo:0' } },
        ],
      },
    ]),
  );
  writeFileSync(join(dir, 'motd.hbs'), '{{ motd }} on {{ inventory_hostname }} & <friends>\n');
  writeFileSync(join(dir, 'stamp.hbs'), 'motd changed on {{ inventory_hostname }}\n');
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('lvs run over several hosts', () => {
  it('checks first: reports what would change, exits 4 for the unreachable host, touches nothing', async () => {
    const result = await lvs('--check');
    expect(result.exitCode).toBe(4);
    const report = json(result.stdout);
    expect(report.stats.ghost.unreachable).toBe(1);
    // The notified handler runs in check mode too, as Ansible's do.
    expect(report.stats.director).toMatchObject({ changed: 3, failures: 0 });
    expect(await on('director', 'sysctl -n net.ipv4.ip_forward; test -e /etc/motd.lvs && echo present || echo absent')).toBe('0\nabsent');
  });

  it('converges every reachable host, isolates the failing one, runs the handler where notified', async () => {
    const result = await lvs();
    expect(result.exitCode).toBe(4);
    const report = json(result.stdout);
    expect(report.stats.ghost).toMatchObject({ unreachable: 1, ok: 0 });
    expect(report.stats.director).toMatchObject({ ok: 3, changed: 3, failures: 0 });
    expect(report.stats.rs1).toMatchObject({ changed: 4, failures: 0, skipped: 1 });
    expect(report.stats.rs2).toMatchObject({ failures: 1 });
    const failed = report.plays[1].tasks[0].hosts.rs2;
    expect(failed.status).toBe('failed');
    expect(failed.msg).toMatch(/no_such_key/);
    // One connection per host. Channels: the run's lock, held for the whole run; one read of
    // all facts, then one per change (its commands, then the re-read of its own and later
    // tasks' facts), and the handler's read.
    expect(report.connections.director).toEqual({ connections: 1, channels: 6 });

    expect(await on('director', 'sysctl -n net.ipv4.ip_forward; cat /etc/motd.lvs; stat -c %a /etc/motd.lvs; cat /etc/motd.stamp')).toBe(
      '1\nmanaged by lvs on director & <friends>\n640\nmotd changed on director',
    );
    expect(await on('rs1', 'ip -o -4 addr show dev lo')).toMatch(new RegExp(`inet ${VIP.replace(/\./g, '\\.')}/32 scope global lo:0`));
    // rs2 failed in the second play: its first play is done, its VIP was never added.
    expect(await on('rs2', 'cat /etc/motd.stamp')).toBe('motd changed on rs2');
    expect(await on('rs2', 'ip -o -4 addr show dev lo')).not.toContain(VIP);
  });

  it('changes nothing the second time, with one exec per host besides the run lock, and runs no handler', async () => {
    const result = await lvs('--limit', 'all:!ghost:!rs2');
    expect(result.exitCode).toBe(0);
    const report = json(result.stdout);
    expect(Object.keys(report.stats).sort()).toEqual(['director', 'rs1']);
    for (const host of ['director', 'rs1']) {
      expect(report.stats[host].changed).toBe(0);
      expect(report.connections[host]).toEqual({ connections: 1, channels: 2 });
    }
    expect(report.plays[0].tasks.some((task) => task.task.handler)).toBe(false);
  });

  it('exits 2 when a host failed and none was unreachable', async () => {
    const result = await lvs('--limit', 'realservers');
    expect(result.exitCode).toBe(2);
    expect(json(result.stdout).stats.rs2.failures).toBe(1);
  });

  it('prints a progress view and an Ansible-like recap without --json', async () => {
    const result = await runLvs(['run', playbook, '-i', inventory, '--known-hosts', lab.knownHostsFile, '-l', 'director']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/ok: forwarding/);
    expect(result.stdout).toMatch(/PLAY RECAP \*+\ndirector\s+: ok=2    changed=0    unreachable=0    failed=0/);
  });

  it('refuses bad input before touching any host, naming file, line and key', async () => {
    const broken = join(dir, 'broken.yml');
    writeFileSync(broken, stringify([{ hosts: 'all', tasks: [{ name: 'x', sysctl: { name: 'net.ipv4.ip_forward', value: '{{ nope }}' } }] }]));
    const logins = () => sshdActivity(readFileSync(lab.sshdLog('director'), 'utf8')).connections;
    const before = logins();
    const result = await runLvs(['run', broken, '-i', inventory, '--known-hosts', lab.knownHostsFile]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/broken\.yml:\d+:\d+: director: x: undefined variable 'nope'/);
    expect(logins()).toBe(before);
  });

  it('exits 5 on bad options', async () => {
    const result = await runLvs(['run', playbook, '-i', inventory, '--forks', 'many']);
    expect(result.exitCode).toBe(5);
  });
});
