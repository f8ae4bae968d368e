/**
 * The lab VM end to end, through the built CLI: `lab up` boots one qemu VM (TCG, Debian's
 * cloud kernel) holding the nat, dr and tun hosts; each host answers over SSH with the
 * guides' interface names and no data-plane address; ipvsadm works on every director, with
 * IPVS tables per host; `lab down` leaves no process behind.
 *
 * It uses a cache dir of its own (kept between runs, so only the first run downloads the
 * kernel) and never touches a lab a developer has up.
 */
import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { runLvs } from '../support/cli';

const CACHE_DIR = process.env.LVS_TEST_LAB_CACHE_DIR ?? join(homedir(), '.cache', 'lvs', 'lab-test');
const env = { LVS_CACHE_DIR: CACHE_DIR };
const STATE_FILE = join(CACHE_DIR, 'run', 'state.json');

/** What the guides call each host's NICs; every host also has lo, mgmt0 and the ipip module's tunl0. */
const NICS: Record<string, Record<string, string[]>> = {
  nat: { director: ['eth0', 'eth1'], rs1: ['eth0'], rs2: ['eth0'], client: ['eth0'] },
  dr: { director: ['eth0'], rs1: ['eth0'], rs2: ['eth0'], client: ['eth0'] },
  tun: { director: ['eth0', 'eth1'], rs1: ['eth0'], rs2: ['eth0'], client: ['eth0'] },
};
const HOSTS = Object.entries(NICS).flatMap(([topology, hosts]) => Object.keys(hosts).map((host) => ({ topology, host })));

function lvs(args: string[], timeoutMs = 120_000) {
  return runLvs(args, { env, timeoutMs });
}

interface Status {
  running: boolean;
  qemuPid?: number;
  hosts: { topology: string; name: string; port: number; reachable: boolean }[];
}

async function status(): Promise<Status> {
  const run = await lvs(['lab', 'status', '--json']);
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout) as Status;
}

function processAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) && !/ Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ''));
}

let pids: { qemuPid: number; virtiofsdPid: number } | undefined;

beforeAll(async () => {
  expect(existsSync(join(__dirname, '..', '..', 'dist', 'commands', 'lab', 'up.js'))).toBe(true);
  // A lab left by an interrupted run of this test.
  await lvs(['lab', 'down']);
}, 60_000);

afterAll(async () => {
  await lvs(['lab', 'down']);
}, 60_000);

describe('lvs lab', () => {
  it('boots the VM and every host answers over SSH', async () => {
    const started = Date.now();
    const up = await lvs(['lab', 'up', '--json'], 900_000);
    expect(up.stderr).not.toContain('ERROR');
    expect(up.exitCode).toBe(0);
    const result = JSON.parse(up.stdout);
    expect(result.alreadyUp).toBe(false);
    pids = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
    expect(processAlive(pids!.qemuPid)).toBe(true);
    console.log(`lab up: prepare ${result.prepareMs} ms, boot ${result.bootMs} ms, total ${Date.now() - started} ms`);

    const lab = await status();
    expect(lab.running).toBe(true);
    expect(lab.hosts.map((host) => `${host.topology}/${host.name}:${host.reachable}`).sort()).toEqual(
      HOSTS.map(({ topology, host }) => `${topology}/${host}:true`).sort(),
    );
  }, 900_000);

  it('is idempotent: up again says the lab is already up', async () => {
    const again = await lvs(['lab', 'up']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already up');
    expect(JSON.parse(readFileSync(STATE_FILE, 'utf8')).qemuPid).toBe(pids!.qemuPid);
  });

  it('writes an inventory per topology with the forwarded ports and the lab known_hosts', async () => {
    const lab = await status();
    for (const topology of Object.keys(NICS)) {
      const run = await lvs(['lab', 'inventory', topology]);
      expect(run.exitCode).toBe(0);
      const inventory = parse(readFileSync(run.stdout.trim(), 'utf8'));
      const vars = inventory.all.vars;
      expect(vars.ansible_user).toBe('root');
      expect(existsSync(vars.ansible_ssh_private_key_file)).toBe(true);
      const knownHosts = readFileSync(vars.lvs_known_hosts_file, 'utf8');
      const groups = inventory.all.children;
      expect(Object.keys(groups.director.hosts)).toEqual(['director']);
      expect(Object.keys(groups.realservers.hosts)).toEqual(['rs1', 'rs2']);
      expect(Object.keys(groups.clients.hosts)).toEqual(['client']);
      for (const host of lab.hosts.filter((candidate) => candidate.topology === topology)) {
        const group = Object.values(groups).find((candidate: any) => host.name in candidate.hosts) as any;
        expect(group.hosts[host.name]).toEqual({ ansible_host: '127.0.0.1', ansible_port: host.port });
        expect(knownHosts).toContain(`[127.0.0.1]:${host.port} ssh-ed25519 `);
      }
    }
  });

  it('starts every host bare: its own hostname, the guides\' NICs up, no data-plane address or route', async () => {
    const probe = [
      'sh',
      '-c',
      'hostname; echo ---; ip -o link show | cut -d: -f2 | cut -d@ -f1; echo ---; ip -o -4 address show | tr -s " " | cut -d" " -f2,4; echo ---; ip -4 route show; echo ---; sysctl -n net.ipv4.ip_forward',
    ];
    const runs = await Promise.all(HOSTS.map(({ topology, host }) => lvs(['lab', 'exec', topology, host, '--', ...probe])));
    HOSTS.forEach(({ topology, host }, index) => {
      const run = runs[index];
      expect(run.exitCode).toBe(0);
      const [hostname, links, addresses, routes, forwarding] = run.stdout.split('---\n').map((part) => part.trim());
      expect(hostname).toBe(host);
      expect(links.split('\n').map((link) => link.trim()).sort()).toEqual(['lo', 'mgmt0', 'tunl0', ...NICS[topology][host]].sort());
      const addressLines = addresses.split('\n');
      expect(addressLines).toHaveLength(2);
      expect(addressLines[0]).toBe('lo 127.0.0.1/8');
      expect(addressLines[1]).toMatch(/^mgmt0 10\.250\.0\.\d+\/24$/);
      expect(routes).toMatch(/^10\.250\.0\.0\/24 dev mgmt0 proto kernel scope link src 10\.250\.0\.\d+$/);
      expect(forwarding).toBe('0');
    });
  }, 180_000);

  it('runs ipvsadm on a director without modprobe, with IPVS tables per host', async () => {
    const add = await lvs(['lab', 'exec', 'nat', 'director', '--', 'sh', '-c', 'ipvsadm -A -t 192.168.0.109:80 -s rr && ipvsadm -S -n']);
    expect(add.stderr).not.toMatch(/ipvsadm|Protocol not available|Invalid operation/);
    expect(add.exitCode).toBe(0);
    expect(add.stdout).toBe('-A -t 192.168.0.109:80 -s rr\n');

    const other = await lvs(['lab', 'exec', 'dr', 'director', '--', 'ipvsadm', '-S', '-n']);
    expect(other.exitCode).toBe(0);
    expect(other.stdout).toBe('');
  });

  it('gives a command\'s exit code, stdout and stderr back as its own, each word one word', async () => {
    const run = await lvs(['lab', 'exec', 'tun', 'client', '--', 'sh', '-c', 'echo "$1"; echo oops >&2; exit 3', 'sh', 'two words; $(id)']);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('two words; $(id)\n');
    expect(run.stderr).toContain('oops');
  });

  it('down stops qemu and virtiofsd and leaves nothing running', async () => {
    const started = Date.now();
    const down = await lvs(['lab', 'down']);
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toContain('the lab is down');
    console.log(`lab down: ${Date.now() - started} ms`);
    expect(processAlive(pids!.qemuPid)).toBe(false);
    expect(processAlive(pids!.virtiofsdPid)).toBe(false);
    expect(existsSync(join(CACHE_DIR, 'run'))).toBe(false);
    expect((await status()).running).toBe(false);
  }, 60_000);
});
