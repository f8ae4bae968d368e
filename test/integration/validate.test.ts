/**
 * `lvs validate` and the checks `lvs run` makes before connecting, through the built CLI,
 * on the shipped clusters and on copies broken one rule at a time (the rules themselves are
 * covered case by case in test/unit/topology/cluster-checks.test.ts). No host is needed: validate
 * never connects, and run stops before connecting when a check fails.
 */
import { createServer } from 'node:net';
import { runLvs } from '../support/cli';
import { copyCluster, type ClusterCopy, type ClusterEdits, type ClusterName } from '../support/cluster-copy';

const copies: ClusterCopy[] = [];
function cluster(name: ClusterName, edits: ClusterEdits = {}): ClusterCopy {
  const copy = copyCluster(name, edits);
  copies.push(copy);
  return copy;
}
afterAll(() => copies.forEach((copy) => copy.remove()));

const SERVICE_ENTRY = 'real_servers: "{{ real_servers }}"';

/** A TCP port on loopback that nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('lvs validate', () => {
  it.each([
    ['nat', 12, 4],
    ['dr', 24, 4],
    ['tun', 36, 4],
    ['dr-ha', 28, 5],
  ] as const)('passes the shipped %s cluster, counting what it checked', async (name, tasks, hosts) => {
    const run = await runLvs(['validate', `playbooks/lvs-${name}.yml`, '-i', `inventories/lvs-${name}`]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`OK: 3 plays, ${tasks} tasks on ${hosts} hosts checked; nothing was touched.\n`);
    expect(run.exitCode).toBe(0);
  });

  it.each(['nat', 'dr'])('passes the rolling update of the shipped %s cluster with a release, and names the missing one without', async (name) => {
    const args = ['validate', 'playbooks/rolling-update.yml', '-i', `inventories/lvs-${name}`];
    const run = await runLvs([...args, '-e', 'release=v2']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('OK: 1 plays, 18 tasks on 2 hosts checked; nothing was touched.\n');
    expect(run.exitCode).toBe(0);
    const missing = await runLvs(args);
    expect(missing.stderr).toContain('rs1: the server itself answers with the release: mandatory: give the release to roll out: -e release=v2');
    expect(missing.exitCode).toBe(4);
  });

  it('fails a NAT cluster whose real servers bypass the director, naming file:line, host and variable', async () => {
    const copy = cluster('nat', { replace: [['via: "{{ dip }}"', 'via: 172.16.100.1']] });
    const run = await runLvs(['validate', copy.playbook, '-i', copy.inventory]);
    const where = `${copy.playbook}:${copy.positionOf('via: 172.16.100.1', 'via')}`;
    expect(run.stderr.trim().split('\n')).toEqual(
      ['rs1', 'rs2'].map((host) => `ERROR: ${where}: ${host}: route default: LVS-NAT replies must return through the director: ${host}'s default route must go via 172.16.100.100, but it goes via 172.16.100.1`),
    );
    expect(run.stdout).toBe('');
    expect(run.exitCode).toBe(4);
  });

  it('fails a DR cluster whose real servers answer ARP on their interface', async () => {
    const copy = cluster('dr', { replace: [['arp_ignore", value: 1 }\n      loop: [all, eth0]', 'arp_ignore", value: 1 }\n      loop: [all]']] });
    const run = await runLvs(['validate', copy.playbook, '-i', copy.inventory]);
    const where = `${copy.playbook}:${copy.positionOf(SERVICE_ENTRY)}`;
    expect(run.stderr.trim().split('\n')).toEqual(
      ['rs1', 'rs2'].map((host) => `ERROR: ${where}: ${host}: net.ipv4.conf.eth0.arp_ignore: a real server must not answer ARP for the VIP: set it to 1 (it is not set by the playbook)`),
    );
    expect(run.exitCode).toBe(4);
  });

  it('fails a TUN cluster whose director, the gateway, would drop the replies', async () => {
    const copy = cluster('tun', { replace: [['      loop: [all, eth1]\n', '      loop: [all]\n']] });
    const run = await runLvs(['validate', copy.playbook, '-i', copy.inventory]);
    expect(run.stderr).toBe(
      `ERROR: ${copy.playbook}:${copy.positionOf(SERVICE_ENTRY)}: director: net.ipv4.conf.eth1.accept_local: real servers route their replies through director, which drops them as martians: their source, the VIP, is local there: set it to 1 (it is not set by the playbook)\n`,
    );
    expect(run.exitCode).toBe(4);
  });

  it('fails a DR real server on another port than the VIP, from extra vars', async () => {
    const copy = cluster('dr');
    const realServers = [{ address: '192.168.2.11', forwarding: 'dr', port: 8080 }];
    const run = await runLvs(['validate', copy.playbook, '-i', copy.inventory, '-e', JSON.stringify({ real_servers: realServers })]);
    expect(run.stderr).toBe(
      `ERROR: ${copy.playbook}:${copy.positionOf(SERVICE_ENTRY)}: director: virtual service and its real servers: real_servers.0.port: only nat can map to a port other than the service's 80; dr and tun keep the packet's port\n`,
    );
    expect(run.exitCode).toBe(4);
  });

  it('warns, without failing, about real servers that --limit leaves out', async () => {
    const run = await runLvs(['validate', 'playbooks/lvs-nat.yml', '-i', 'inventories/lvs-nat', '-l', 'director']);
    expect(run.stderr.trim().split('\n')).toEqual(
      ['172.16.100.101', '172.16.100.102'].map((address, index) => expect.stringMatching(new RegExp(`^WARNING: .*/playbooks/lvs-nat\\.yml:\\d+:\\d+: director: real_servers\\.${index}\\.address: real server ${address.replace(/\./g, '\\.')} is in a network of the cluster, but no host checked here holds it`))),
    );
    expect(run.stdout).toBe('OK: 3 plays, 4 tasks on 1 hosts checked; nothing was touched.\n');
    expect(run.exitCode).toBe(0);
  });
});

describe('lvs validate with a plugin task', () => {
  const ARP_TASKS = `    - name: do not answer ARP for addresses on other interfaces
      sysctl: { name: "net.ipv4.conf.{{ item }}.arp_ignore", value: 1 }
      loop: [all, eth0]
    - name: announce only addresses of the outgoing interface
      sysctl: { name: "net.ipv4.conf.{{ item }}.arp_announce", value: 2 }
      loop: [all, eth0]
`;
  /** The DR cluster with its four ARP sysctl tasks replaced by the example plugin's arp_hidden. */
  const withArpHidden = (args: string) => cluster('dr', { replace: [[ARP_TASKS, `    - name: hide the VIP from ARP\n      arp_hidden: ${args}\n`]] });
  const validate = (copy: ClusterCopy) => runLvs(['validate', copy.playbook, '-i', copy.inventory, '--plugin', './examples/lvs-plugin-hosts']);

  it('counts the ARP settings its cluster hook declares', async () => {
    const run = await validate(withArpHidden('{ dev: eth0 }'));
    expect(run.stderr).toBe('');
    // 24 tasks less the 8 ARP sysctl units, plus one arp_hidden on each real server.
    expect(run.stdout).toBe('OK: 3 plays, 18 tasks on 4 hosts checked; nothing was touched.\n');
    expect(run.exitCode).toBe(0);
  });

  it('fails on a value it declares, at the argument that set it', async () => {
    const copy = withArpHidden('{ dev: eth0, arp_announce: 1 }');
    const run = await validate(copy);
    const where = `${copy.playbook}:${copy.positionOf('arp_hidden:', 'arp_announce')}`;
    expect(run.stderr.trim().split('\n')).toEqual(
      ['rs1', 'rs2'].flatMap((host) =>
        ['all', 'eth0'].map((dev) => `ERROR: ${where}: ${host}: net.ipv4.conf.${dev}.arp_announce: a real server must not announce the VIP in its ARP requests: set it to 2 (it is 1)`),
      ),
    );
    expect(run.exitCode).toBe(4);
  });
});

describe('lvs run', () => {
  it('makes the same checks before connecting, and --skip-validate turns them off', async () => {
    const port = await closedPort();
    const copy = cluster('nat', {
      replace: [['sysctl: { name: net.ipv4.ip_forward, value: 1 }', 'sysctl: { name: net.ipv4.ip_forward, value: 0 }']],
      groupVars: { ansible_host: '127.0.0.1', ansible_port: port },
    });
    const checked = await runLvs(['run', copy.playbook, '-i', copy.inventory, '--connect-timeout', '2']);
    expect(checked.stderr.trim()).toBe(
      `ERROR: ${copy.playbook}:${copy.positionOf('net.ipv4.ip_forward, value: 0', 'value')}: director: net.ipv4.ip_forward: LVS-NAT needs the director to forward: set net.ipv4.ip_forward to 1 with a sysctl task (it is 0)`,
    );
    expect(checked.stdout).toBe('');
    expect(checked.exitCode).toBe(4);

    // Without the checks it goes on to connect, and finds nothing listening.
    const unchecked = await runLvs(['run', copy.playbook, '-i', copy.inventory, '--connect-timeout', '2', '--skip-validate']);
    expect(unchecked.stderr).not.toContain('net.ipv4.ip_forward');
    expect(unchecked.stdout).toMatch(/PLAY RECAP/);
    expect(unchecked.stdout).toMatch(/^director +: ok=0 .*unreachable=1 /m);
    // As in Ansible, a play whose every host is unreachable ends the playbook: the later plays' hosts are not tried.
    for (const host of ['rs1', 'rs2', 'client']) expect(unchecked.stdout).toMatch(new RegExp(`^${host} +: ok=0 .*unreachable=0 `, 'm'));
    expect(unchecked.stdout).toContain("STOPPED: play 'director' ended (every host of the batch failed or was unreachable (director))");
    expect(unchecked.exitCode).toBe(4);
  });
});
