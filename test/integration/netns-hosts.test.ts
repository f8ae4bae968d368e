import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import { parse } from 'yaml';
import { sh } from '../../src/shell/quote';
import { startHosts, sshdActivity, TestHost, TestLab } from '../support/netns-hosts';
import { runProcess } from '../support/run-process';

function sshArgs(lab: TestLab, host: TestHost, command: string, user = 'root'): string[] {
  return [
    '-F', '/dev/null',
    '-i', lab.keyFile,
    '-o', `UserKnownHostsFile=${lab.knownHostsFile}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=5',
    `${user}@${host.address}`,
    command,
  ];
}

function ssh(lab: TestLab, host: TestHost, command: string, options: { user?: string; input?: string } = {}) {
  return runProcess('ssh', sshArgs(lab, host, command, options.user), { input: options.input, timeoutMs: 30_000 });
}

/** 'connected', or the error code of the failed TCP connect. */
function tcpConnect(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function rootNamespaceState() {
  const [namespaces, links, mounts, processes] = await Promise.all([
    runProcess('ip', ['netns', 'list'], { timeoutMs: 10_000 }),
    runProcess('ip', ['-o', 'link', 'show'], { timeoutMs: 10_000 }),
    runProcess('findmnt', ['-l', '-n', '-o', 'TARGET,SOURCE,OPTIONS'], { timeoutMs: 10_000 }),
    runProcess('ps', ['-e', '-o', 'pid=,stat=,args='], { timeoutMs: 10_000 }),
  ]);
  return { namespaces: namespaces.stdout, links: links.stdout, mounts: mounts.stdout, processes: processes.stdout };
}

describe('test hosts in network namespaces', () => {
  let lab: TestLab;

  beforeAll(async () => {
    lab = await startHosts(['alpha', 'beta', 'gamma']);
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  test('every host takes a key login over SSH and has its own name and address', async () => {
    expect(lab.hosts.map((host) => host.name)).toEqual(['alpha', 'beta', 'gamma']);
    for (const host of lab.hosts) {
      const result = await ssh(lab, host, 'hostname; ip -4 -o address show; ip route');
      expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      const [hostname, ...rest] = result.stdout.split('\n');
      expect(hostname).toBe(host.name);
      const addresses = rest.join('\n').match(/inet \S+/g);
      expect(addresses).toEqual(['inet 127.0.0.1/8', `inet ${host.address}/24`]);
      // Only the connected /24: no route leads off the machine.
      expect(result.stdout).not.toMatch(/^default/m);
    }
  });

  test('the inventory and known_hosts describe every host', () => {
    const inventory = parse(fs.readFileSync(lab.inventoryFile, 'utf8'));
    const knownHosts = fs.readFileSync(lab.knownHostsFile, 'utf8').trim().split('\n');
    for (const host of lab.hosts) {
      expect(inventory.all.hosts[host.name]).toEqual({
        ansible_host: host.address,
        ansible_port: 22,
        ansible_user: 'root',
        ansible_ssh_private_key_file: lab.keyFile,
      });
      expect(knownHosts).toContainEqual(expect.stringMatching(new RegExp(`^${host.address.replace(/\./g, '\\.')} ssh-ed25519 AAAA\\S+$`)));
    }
    expect(knownHosts).toHaveLength(lab.hosts.length);
  });

  test('the sshd log counts each connection and each exec request', async () => {
    const [alpha] = lab.hosts;
    const before = sshdActivity(fs.readFileSync(lab.sshdLog('alpha'), 'utf8'));
    expect((await ssh(lab, alpha, 'true')).exitCode).toBe(0);
    expect((await ssh(lab, alpha, 'true')).exitCode).toBe(0);
    const after = sshdActivity(fs.readFileSync(lab.sshdLog('alpha'), 'utf8'));
    expect(after).toEqual({ connections: before.connections + 2, logins: before.logins + 2, execRequests: before.execRequests + 2 });
  });

  test('files written on one host are seen by that host only', async () => {
    const marker = `lvs-netns-test-${process.pid}-${Date.now()}`;
    const write = await lab.onHost(
      'alpha',
      sh`mkdir -p /var/www/html /run/apache2 && printf '%s\n' ${marker} | tee -a /etc/sysctl.conf /var/www/html/${marker} /run/apache2/${marker} /root/${marker}`.text,
    );
    expect(write).toMatchObject({ exitCode: 0, stderr: '' });

    const paths = [`/var/www/html/${marker}`, `/run/apache2/${marker}`, `/root/${marker}`];
    const look = sh`grep -c ${marker} /etc/sysctl.conf; for file in ${paths}; do test -e "$file" && echo "has $file"; done; true`.text;
    expect((await lab.onHost('alpha', look)).stdout).toBe(`1\n${paths.map((file) => `has ${file}\n`).join('')}`);
    expect((await lab.onHost('beta', look)).stdout).toBe('0\n');
    // Over SSH too: a session sees the overlays of the host it logged in to.
    expect((await ssh(lab, lab.hosts[1], look)).stdout).toBe('0\n');
    expect((await ssh(lab, lab.hosts[0], look)).stdout).toContain(`has /root/${marker}`);

    expect(fs.readFileSync('/etc/sysctl.conf', 'utf8')).not.toContain(marker);
    for (const file of paths) expect(fs.existsSync(file)).toBe(false);
  });

  test('a host has an empty /root/.bashrc, whatever the machine has', async () => {
    const result = await lab.onHost('beta', 'wc -c < /root/.bashrc');
    expect(result).toMatchObject({ exitCode: 0, stdout: '0\n' });
  });

  test('net.ipv4 sysctls belong to the host', async () => {
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe('0\n');
    const set = await lab.onHost('alpha', 'sysctl -w net.ipv4.ip_forward=1');
    expect(set).toMatchObject({ exitCode: 0, stdout: 'net.ipv4.ip_forward = 1\n' });
    expect((await lab.onHost('alpha', 'sysctl -n net.ipv4.ip_forward')).stdout).toBe('1\n');
    expect((await lab.onHost('beta', 'sysctl -n net.ipv4.ip_forward')).stdout).toBe('0\n');
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe('0\n');
  });

  test('stop() makes a host refuse connections; the others keep serving and the host stays inspectable', async () => {
    const gamma = lab.hosts[2];
    expect(await tcpConnect(gamma.address, gamma.port)).toBe('connected');
    await lab.stop('gamma');
    expect(await tcpConnect(gamma.address, gamma.port)).toBe('ECONNREFUSED');
    expect((await ssh(lab, gamma, 'true')).exitCode).toBe(255);
    expect((await ssh(lab, lab.hosts[0], 'true')).exitCode).toBe(0);
    const inside = await lab.onHost('gamma', 'hostname; pgrep -x sshd || echo no sshd');
    expect(inside.stdout).toBe('gamma\nno sshd\n');
  });

  test('a second lab runs beside the first, and destroy() leaves nothing of it behind', async () => {
    const second = await startHosts(['one', 'two']);
    let sessionClient: ChildProcess | undefined;
    try {
      const [one] = second.hosts;
      const index = one.address.split('.')[2];
      expect(lab.hosts[0].address.split('.')[2]).not.toBe(index);
      expect((await ssh(second, one, 'hostname')).stdout).toBe('one\n');
      expect((await ssh(lab, lab.hosts[0], 'hostname')).stdout).toBe('alpha\n');

      // Things destroy() must end: an open SSH session and a daemon started on the host.
      // Their durations are unique to this test run, so that ps finds only them.
      const sessionSeconds = 100_000 + process.pid;
      const daemonSeconds = 200_000 + process.pid;
      sessionClient = spawn('ssh', sshArgs(second, one, sh`sleep ${sessionSeconds}`.text), { stdio: 'ignore' });
      const sessionEnded = new Promise((resolve) => sessionClient?.once('exit', resolve));
      const daemon = await second.onHost('two', sh`setsid sleep ${daemonSeconds} > /dev/null 2>&1 < /dev/null &`.text);
      expect(daemon.exitCode).toBe(0);
      const isOurSleep = (line: string) => [`sleep ${sessionSeconds}`, `sleep ${daemonSeconds}`].includes(line.trim().split(/\s+/).slice(2).join(' '));
      await waitUntil(async () => (await rootNamespaceState()).processes.split('\n').filter(isOurSleep).length === 2);

      await second.destroy();
      await second.destroy();
      await sessionEnded;

      const state = await rootNamespaceState();
      expect(state.namespaces).not.toMatch(new RegExp(`^lvs${index}-`, 'm'));
      expect(state.links).not.toMatch(new RegExp(`^\\d+: (lvsb${index}[:@]|lvs${index}-)`, 'm'));
      expect(state.mounts).not.toContain(second.dir);
      expect(state.processes).not.toContain(second.dir);
      expect(state.processes.split('\n').filter(isOurSleep)).toEqual([]);
      expect(fs.existsSync(second.dir)).toBe(false);
      // The first lab is untouched.
      expect((await ssh(lab, lab.hosts[1], 'hostname')).stdout).toBe('beta\n');
    } finally {
      sessionClient?.kill();
      await second.destroy();
    }
  });

  test('a subnet already in use is refused without harming the lab that holds it', async () => {
    const index = Number(lab.hosts[0].address.split('.')[2]);
    await expect(startHosts(['intruder'], { subnetIndex: index })).rejects.toThrow(/subnet index \d+ is in use/);
    expect((await ssh(lab, lab.hosts[0], 'hostname')).stdout).toBe('alpha\n');
    const state = await rootNamespaceState();
    expect(state.namespaces).not.toMatch(/-intruder\b/);
    expect(state.processes).not.toContain('intruder');
  });

  test('bad host names are refused before anything is made', async () => {
    await expect(startHosts([])).rejects.toThrow(/1 to 245 host names/);
    await expect(startHosts(['ok', 'x; reboot'])).rejects.toThrow(/must match/);
    await expect(startHosts(['twin', 'twin'])).rejects.toThrow(/given twice/);
  });
});

describe('test hosts with non-root login users', () => {
  const OPS_PASSWORD = "op's pa$$ $(x)";
  let lab: TestLab;

  beforeAll(async () => {
    lab = await startHosts(['users1', 'users2'], {
      users: [{ name: 'deploy', sudo: 'nopasswd' }, { name: 'ops', password: OPS_PASSWORD, sudo: 'password' }, { name: 'app' }],
    });
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  test('each user logs in with the lab key, as itself, at home in the host\'s own /var', async () => {
    for (const host of lab.hosts) {
      for (const user of ['deploy', 'ops', 'app']) {
        const result = await ssh(lab, host, 'id -un; echo "$HOME"; hostname', { user });
        expect(result).toMatchObject({ exitCode: 0, stdout: `${user}\n/var/home/${user}\n${host.name}\n`, stderr: '' });
      }
    }
    expect(sshdActivity(lab.readSshdLog('users1')).logins).toBe(3);
  });

  test('NOPASSWD sudo needs no password; the other rule takes the password and only it; app has none', async () => {
    const [host] = lab.hosts;
    // No "unable to resolve host" warning: the host's own name is in its /etc/hosts.
    expect(await ssh(lab, host, 'sudo -n id -un', { user: 'deploy' })).toEqual({ exitCode: 0, stdout: 'root\n', stderr: '' });
    expect(await ssh(lab, host, 'sudo -n -u app id -un', { user: 'deploy' })).toEqual({ exitCode: 0, stdout: 'app\n', stderr: '' });
    expect(await ssh(lab, host, 'sudo -n id -un', { user: 'ops' })).toMatchObject({ exitCode: 1, stderr: 'sudo: a password is required\n' });
    expect(await ssh(lab, host, "sudo -S -p '' id -un", { user: 'ops', input: `${OPS_PASSWORD}\n` })).toEqual({ exitCode: 0, stdout: 'root\n', stderr: '' });
    expect((await ssh(lab, host, "sudo -S -p '' id -un", { user: 'ops', input: 'wrong\n' })).exitCode).toBe(1);
    expect((await ssh(lab, host, 'sudo -n id -un', { user: 'app' })).exitCode).toBe(1);
  });

  test('the users exist on the hosts only, not on the machine', async () => {
    for (const host of lab.hosts) expect((await lab.onHost(host.name, 'id -un deploy')).stdout).toBe('deploy\n');
    expect((await runProcess('id', ['deploy'], { timeoutMs: 10_000 })).exitCode).toBe(1);
    expect(fs.readFileSync('/etc/passwd', 'utf8')).not.toMatch(/^(deploy|ops|app):/m);
    expect(fs.existsSync('/etc/sudoers.d/lvs-test-deploy')).toBe(false);
    expect(fs.existsSync('/var/home/deploy')).toBe(false);
  });

  test('bad users are refused before anything is made', async () => {
    await expect(startHosts(['u'], { users: [{ name: 'root' }] })).rejects.toThrow(/not be root/);
    await expect(startHosts(['u'], { users: [{ name: 'x; reboot' }] })).rejects.toThrow(/must match/);
    await expect(startHosts(['u'], { users: [{ name: 'ops', sudo: 'password' }] })).rejects.toThrow(/needs a password/);
    await expect(startHosts(['u'], { users: [{ name: 'twin' }, { name: 'twin' }] })).rejects.toThrow(/given twice/);
  });
});

describe('test hosts with a private /usr, and hosts whose PID 1 is systemd', () => {
  const marker = `/usr/share/lvs-private-usr-${process.pid}`;

  test('privateUsr: what a host writes under /usr stays in that host', async () => {
    const lab = await startHosts(['usr1', 'usr2'], { privateUsr: true });
    try {
      expect((await lab.onHost('usr1', `touch ${marker} && test -e ${marker}`)).exitCode).toBe(0);
      expect((await lab.onHost('usr2', `test -e ${marker}`)).exitCode).toBe(1);
      expect(fs.existsSync(marker)).toBe(false);
      await expect(lab.reboot('usr1')).rejects.toThrow("host usr1 has no init that reboots (start it with init: 'systemd')");
    } finally {
      await lab.destroy();
    }
    expect(fs.existsSync(marker)).toBe(false);
  });

  test("init: 'systemd': two hosts boot systemd, sshd answers, /usr is private; destroy() leaves no cgroup, process or nspawn state", async () => {
    const nspawnStateBefore = fs.existsSync('/run/systemd/nspawn');
    const lab = await startHosts(['sd1', 'sd2'], { init: 'systemd' });
    const cgroups = () => ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified', '/sys/fs/cgroup'].flatMap((hierarchy) =>
      fs.existsSync(hierarchy) ? fs.readdirSync(hierarchy).filter((name) => name.startsWith(`${lab.dir.split('/').pop()}-`)) : [],
    );
    try {
      expect(lab.hosts.map((host) => host.init)).toEqual(['systemd', 'systemd']);
      for (const host of lab.hosts) {
        const result = await ssh(lab, host, 'hostname; cat /proc/1/comm; test -d /run/systemd/system && echo booted');
        expect(result.stdout).toBe(`${host.name}\nsystemd\nbooted\n`);
      }
      expect((await lab.onHost('sd1', `touch ${marker}`)).exitCode).toBe(0);
      expect((await lab.onHost('sd2', `test -e ${marker}`)).exitCode).toBe(1);
      expect(fs.existsSync(marker)).toBe(false);
      expect(cgroups().length).toBeGreaterThan(0);

      // A reboot of sd1: its disk stays, its /run and its kernel network state go, eth0 keeps its MAC; sd2 goes on.
      const userspaceStart = async (name: string) => (await lab.onHost(name, 'systemctl show -p UserspaceTimestamp --value')).stdout;
      const [sd1Boot, sd2Boot] = [await userspaceStart('sd1'), await userspaceStart('sd2')];
      const mac = (await lab.onHost('sd1', 'echo kept > /etc/lvs-disk-marker && echo gone > /run/lvs-run-marker && ip addr add 10.55.0.1/32 dev lo && cat /sys/class/net/eth0/address')).stdout;
      const times = await lab.reboot('sd1');
      expect(times.runningMs).toBeGreaterThanOrEqual(times.sshdMs);
      const after = await ssh(lab, lab.hosts[0], `cat /etc/lvs-disk-marker; test -e ${marker} && echo usr-kept; test -e /run/lvs-run-marker || echo run-empty; ip -o addr show dev lo | grep -c 10.55.0.1; cat /sys/class/net/eth0/address`);
      expect(after.stdout).toBe(`kept\nusr-kept\nrun-empty\n0\n${mac}`);
      expect(await userspaceStart('sd1')).not.toBe(sd1Boot);
      expect(await userspaceStart('sd2')).toBe(sd2Boot);
    } finally {
      await lab.destroy();
    }
    const state = await rootNamespaceState();
    expect(state.processes).not.toContain(lab.dir);
    expect(cgroups()).toEqual([]);
    expect(fs.existsSync('/run/systemd/nspawn')).toBe(nspawnStateBefore);
  });
});
