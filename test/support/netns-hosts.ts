/**
 * Real SSH test hosts on this machine: each host is a network namespace on a per-lab
 * bridge, with its own sshd, hostname, PID namespace and private overlays on /etc, /var,
 * /run and /root (and /usr with `privateUsr`). With `init: 'systemd'` a host is instead a
 * systemd-nspawn container whose PID 1 is systemd (nspawn-host-init.sh). Tests call startHosts() in beforeAll and lab.destroy() in afterAll.
 * Root logs in with the lab's client key; `users` adds non-root accounts (with sudo rules)
 * that log in with the same key.
 *
 * Names (shared with cleanup-stale.sh): bridge `lvsb<index>` holding 10.199.<index>.1/24,
 * namespace `lvs<index>-<host>`, outer veth end `lvs<index>-<position>`, lab dir
 * `$TMPDIR/lvs-lab-<owner pid>-XXXXXX` holding a `subnet-index` file once the index is claimed.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProcessResult, runProcess } from './run-process';

export interface TestHost {
  name: string;
  namespace: string;
  address: string;
  port: number;
  /** The sshd listener as seen from the root PID namespace (stale after stop()). */
  sshdPid: number;
  init: HostInit;
}

/** A non-root account made on every host of a lab, who logs in with the lab's client key. */
export interface LoginUser {
  /** Its home is /var/home/NAME, inside the host's own /var. */
  name: string;
  /** Its password; sshd takes keys only, so sudo is what asks for it. */
  password?: string;
  /** A rule that lets it run anything as anyone: asking for its password, or NOPASSWD. */
  sudo?: 'password' | 'nopasswd';
}

export interface TestLab {
  hosts: TestHost[];
  /** The lab's working dir: keys, known_hosts, inventory, logs, overlay upper dirs. */
  dir: string;
  /** Client private key (ed25519), authorized for root on every host. */
  keyFile: string;
  /** Plain `ADDRESS ssh-ed25519 AAAA...` line for every host. */
  knownHostsFile: string;
  /** Ansible YAML inventory: all.hosts.<name>: ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file. */
  inventoryFile: string;
  /** That host's sshd log (LogLevel DEBUG1); see sshdActivity() for what to count in it. */
  sshdLog(name: string): string;
  /** What that host's sshd has logged so far. */
  readSshdLog(name: string): string;
  /** Runs `sh -c command` inside the host (its network, mount, UTS and PID namespaces); works after stop() too. */
  onHost(name: string, command: string): Promise<ProcessResult>;
  /** Kills the host's sshd processes (listener and open connections): the host then refuses connections. */
  stop(name: string): Promise<void>;
  /**
   * Reboots a systemd host for real (`systemctl reboot` inside, see rebootHost): returns
   * once its sshd listens again, with how long the shutdown and the boot took.
   */
  reboot(name: string): Promise<RebootTimes>;
  /** Kills every process of the lab, deletes its namespaces, veths and bridge, removes its dir. Safe to call twice. */
  destroy(): Promise<void>;
}

export interface RebootTimes {
  /** From `systemctl reboot` until systemd-nspawn exited with status 133. */
  shutdownMs: number;
  /** From starting the host again until its sshd listened. */
  sshdMs: number;
  /** From starting the host again until systemd had finished booting (`systemctl is-system-running --wait`). */
  runningMs: number;
}

export interface StartHostsOptions {
  /** The third octet of 10.199.X.0/24, 1 to 254; by default the lowest one no other lab uses. */
  subnetIndex?: number;
  /** Accounts made on every host before startHosts returns (root logs in as always). */
  users?: LoginUser[];
  /**
   * Give every host a private overlay on /usr as well, so a test can install packages
   * there: the dpkg database (/var/lib/dpkg) and /etc already are private, and then every
   * file a package installs lands in the host's own upper dirs, never in this machine.
   */
  privateUsr?: boolean;
  /**
   * `systemd`: each host is a systemd-nspawn container booting this machine's root (under a
   * private overlay, with every service this machine enables masked), PID 1 systemd, sshd
   * started by systemd; its /usr is private too. Default `sysv`: PID 1 is a shell, and
   * services run from /etc/init.d through `service`.
   */
  init?: HostInit;
  /**
   * What brings a systemd host's network up at boot, eth0's address included (written as
   * an installer would, at the host's first boot): `ifupdown` (default; networking.service
   * and /etc/network/interfaces, as on Debian) or `networkd` (systemd-networkd, a
   * 10-eth0.network, networking.service masked).
   */
  networkStack?: BootNetworkStack;
}

export type HostInit = 'sysv' | 'systemd';
export type BootNetworkStack = 'ifupdown' | 'networkd';

const INIT_SCRIPT = path.join(__dirname, 'netns-host-init.sh');
const NSPAWN_SCRIPT = path.join(__dirname, 'nspawn-host-init.sh');
const OVERLAID_DIRS = ['etc', 'var', 'run', 'root'];
const overlaidDirs = (privateUsr: boolean) => (privateUsr ? [...OVERLAID_DIRS, 'usr'] : OVERLAID_DIRS);
const FIRST_HOST_OCTET = 10;
const MAX_HOSTS = 254 - FIRST_HOST_OCTET + 1;
const HOST_NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** useradd's default NAME_REGEX, without the trailing `$` it allows for machine accounts. */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const SSH_PORT = 22;
const OVERLAYFS_MAGIC = 0x794c7630;
/** The hosts' processes get a clean environment, as they would from sshd. */
const HOST_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C' };
const COMMAND_TIMEOUT_MS = 120_000;
const KILL_TIMEOUT_MS = 10_000;
const SHUTDOWN_TIMEOUT_MS = 60_000;
const BOOT_TIMEOUT_MS = 60_000;
const NSPAWN_REBOOTED = 133;

const bridgeName = (index: number) => `lvsb${index}`;
const namespaceName = (index: number, host: string) => `lvs${index}-${host}`;
const vethName = (index: number, position: number) => `lvs${index}-${position}`;

interface HostRecord {
  name: string;
  namespace: string;
  veth: string;
  address: string;
  dir: string;
  init: HostInit;
  /** eth0's MAC: kept across reboots, as a real NIC's is, so peers' ARP entries stay right. */
  mac: string;
  /** `ip netns exec ... unshare`: our child, and the parent of the host's PID 1. */
  launcher?: ChildProcess;
  launcherExit?: string;
  /** The host's PID 1 (netns-host-init.sh) as seen from the root PID namespace. */
  initPid?: number;
  sshdPid?: number;
}

/** Starts one sshd host per name (in parallel) and returns when every sshd is listening. */
export async function startHosts(names: string[], options: StartHostsOptions = {}): Promise<TestLab> {
  checkHostNames(names);
  checkUsers(options.users ?? []);
  const lab = new NetnsLab();
  try {
    await lab.start(names, options.subnetIndex, options.users ?? [], overlaidDirs(options.privateUsr ?? false), options.init ?? 'sysv', options.networkStack ?? 'ifupdown');
    return lab;
  } catch (error) {
    await lab.destroy().catch(() => undefined);
    throw error;
  }
}

/**
 * What a host's sshd log (LogLevel DEBUG1) says about the traffic it served: TCP
 * connections accepted, and exec requests (one per command run on a session channel).
 */
export function sshdActivity(logText: string): { connections: number; logins: number; execRequests: number } {
  return {
    connections: (logText.match(/^Connection from \S+ port \d+ on /gm) ?? []).length,
    logins: (logText.match(/^Accepted \S+ for \S+ from /gm) ?? []).length,
    execRequests: (logText.match(/^debug1: server_input_channel_req: channel \d+ request exec /gm) ?? []).length,
  };
}

function checkHostNames(names: string[]): void {
  if (names.length === 0 || names.length > MAX_HOSTS) {
    throw new Error(`startHosts needs 1 to ${MAX_HOSTS} host names, got ${names.length}`);
  }
  for (const name of names) {
    if (!HOST_NAME.test(name)) throw new Error(`host name ${JSON.stringify(name)} must match ${HOST_NAME}`);
  }
  const duplicate = names.find((name, position) => names.indexOf(name) !== position);
  if (duplicate !== undefined) throw new Error(`host name ${duplicate} is given twice`);
}

function checkUsers(users: LoginUser[]): void {
  for (const user of users) {
    if (!USER_NAME.test(user.name) || user.name === 'root') throw new Error(`user name ${JSON.stringify(user.name)} must match ${USER_NAME} and not be root`);
    if (user.sudo === 'password' && user.password === undefined) throw new Error(`user ${user.name}: a sudo rule that asks for the password needs a password`);
    if (user.password !== undefined && /[:\n]/.test(user.password)) throw new Error(`user ${user.name}: chpasswd cannot take a password with ':' or a line break`);
  }
  const names = users.map((user) => user.name);
  const duplicate = names.find((name, position) => names.indexOf(name) !== position);
  if (duplicate !== undefined) throw new Error(`user ${duplicate} is given twice`);
}

class NetnsLab implements TestLab {
  hosts: TestHost[] = [];
  dir = '';
  keyFile = '';
  knownHostsFile = '';
  inventoryFile = '';
  private subnetIndex?: number;
  private records: HostRecord[] = [];
  private destroyed?: Promise<void>;
  private sshdConfig = '';
  private overlaid: string[] = [];
  private networkStack: BootNetworkStack = 'ifupdown';

  async start(names: string[], requestedIndex: number | undefined, users: LoginUser[], overlaid: string[], init: HostInit, networkStack: BootNetworkStack): Promise<void> {
    // The owner's pid is in the name from the first moment, so cleanup-stale.sh never mistakes a starting lab for a stale one.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `lvs-lab-${process.pid}-`));
    checkLabDir(this.dir);

    this.subnetIndex = await claimSubnet(requestedIndex);
    fs.writeFileSync(path.join(this.dir, 'subnet-index'), `${this.subnetIndex}\n`);
    const index = this.subnetIndex;
    this.records = names.map((name, position) => ({
      name,
      namespace: namespaceName(index, name),
      veth: vethName(index, position),
      address: `10.199.${index}.${FIRST_HOST_OCTET + position}`,
      dir: path.join(this.dir, 'hosts', name),
      init,
      mac: `02:00:0a:c7:${hexOctet(index)}:${hexOctet(FIRST_HOST_OCTET + position)}`,
    }));
    this.overlaid = overlaid;
    this.networkStack = networkStack;

    const keysWritten = this.writeKeys();
    await settleAll<unknown>([keysWritten, this.buildNetwork(overlaid)]);
    const hostKey = await keysWritten;
    this.sshdConfig = this.writeSshdConfig(users);
    for (const record of this.records) this.launch(record);
    const deadline = Date.now() + 30_000 + 100 * names.length;
    await settleAll(this.records.map((record) => waitUntilListening(record, deadline)));
    await settleAll(this.records.filter((record) => record.init === 'systemd').map(waitUntilBooted));
    await settleAll(this.records.map((record) => this.addUsers(record, users)));

    this.hosts = this.records.map((record) => ({
      name: record.name,
      namespace: record.namespace,
      address: record.address,
      port: SSH_PORT,
      sshdPid: record.sshdPid as number,
      init: record.init,
    }));
    this.knownHostsFile = path.join(this.dir, 'known_hosts');
    fs.writeFileSync(this.knownHostsFile, this.records.map((record) => `${record.address} ${hostKey}\n`).join(''));
    this.inventoryFile = path.join(this.dir, 'inventory.yml');
    fs.writeFileSync(this.inventoryFile, this.inventoryYaml());
  }

  sshdLog(name: string): string {
    return path.join(this.record(name).dir, 'sshd.log');
  }

  readSshdLog(name: string): string {
    return fs.readFileSync(this.sshdLog(name), 'utf8');
  }

  async onHost(name: string, command: string): Promise<ProcessResult> {
    return inHost(this.record(name), ['sh', '-c', command]);
  }

  async stop(name: string): Promise<void> {
    const record = this.record(name);
    // Repeated until none is left, because the listener may fork a connection while we kill.
    await waitFor(
      async () => {
        const sshdPids = (await pidsInNamespace(record.namespace)).filter((pid) => commandName(pid) === 'sshd');
        sshdPids.forEach(killIfAlive);
        return sshdPids.length === 0;
      },
      KILL_TIMEOUT_MS,
      `sshd of host ${name} did not stop`,
    );
  }

  /**
   * What a reboot of this host does, and what it does not model:
   * - every process of the host ends (systemd's own shutdown, then nspawn exits 133), and
   *   with them its PID namespace; /run and /tmp are fresh tmpfs at the next boot;
   * - its disk stays: the overlay's upper dir (/etc, /var, /root, /usr) is in the lab dir;
   * - its kernel network state goes: the network namespace is deleted and made again, so
   *   addresses, routes, net.* sysctls, neighbours and lo's state start from the kernel's
   *   defaults. eth0 is a new veth on the same bridge with the same MAC, as a NIC after a
   *   power cycle; what comes up on it is what the host's network stack configures at boot.
   * Not modelled: the kernel itself keeps running (its modules stay loaded, and the
   * sysctls outside net.* are this machine's and read-only in the host); there is no
   * firmware, boot loader, initramfs or udev (so no hotplug: `allow-hotplug` would not come up).
   */
  async reboot(name: string): Promise<RebootTimes> {
    const record = this.record(name);
    if (record.init !== 'systemd') throw new Error(`host ${name} has no init that reboots (start it with init: 'systemd')`);
    const launcher = record.launcher as ChildProcess;
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    const shutdownStart = Date.now();
    const ordered = await inHost(record, ['systemctl', 'reboot']);
    if (ordered.exitCode !== 0) throw new Error(`host ${name}: systemctl reboot exited ${ordered.exitCode}: ${ordered.stderr.trim()}`);
    const code = await withTimeout(exited, SHUTDOWN_TIMEOUT_MS, `host ${name} did not shut down in ${SHUTDOWN_TIMEOUT_MS} ms\n${hostLogs(record)}`);
    const shutdownMs = Date.now() - shutdownStart;
    // systemd-nspawn(1): "the container was rebooted ... exit status 133".
    if (code !== NSPAWN_REBOOTED) throw new Error(`host ${name}: systemd-nspawn exited ${code}, not ${NSPAWN_REBOOTED} (rebooted)\n${hostLogs(record)}`);

    // Processes a test started in the namespace from outside die with the machine too.
    await killAllInNamespace(record.namespace);
    const bridge = bridgeName(this.subnetIndex as number);
    // nspawn moved eth0 into the container's own namespace; whether it came back or went with
    // that namespace, the host gets a new one with the same MAC, as a NIC after a power cycle.
    await runProcess('ip', ['-force', '-batch', '-'], { input: [`link del ${record.veth}`, `netns del ${record.namespace}`].join('\n') + '\n', timeoutMs: COMMAND_TIMEOUT_MS });
    await run('ip', ['-batch', '-'], this.cable(record, bridge).join('\n') + '\n');
    let left: string[] = [];
    await waitFor(async () => (left = removeCgroups(cgroupName(record))).length === 0, KILL_TIMEOUT_MS, '').catch(() => {
      throw new Error(left.join('\n'));
    });

    const bootStart = Date.now();
    Object.assign(record, { launcher: undefined, launcherExit: undefined, initPid: undefined, sshdPid: undefined });
    this.launch(record);
    await waitUntilListening(record, Date.now() + BOOT_TIMEOUT_MS);
    const sshdMs = Date.now() - bootStart;
    await waitUntilBooted(record);
    const runningMs = Date.now() - bootStart;
    (this.hosts.find((host) => host.name === name) as TestHost).sshdPid = record.sshdPid as number;
    return { shutdownMs, sshdMs, runningMs };
  }

  destroy(): Promise<void> {
    this.destroyed ??= this.tearDown();
    return this.destroyed;
  }

  private record(name: string): HostRecord {
    const record = this.records.find((candidate) => candidate.name === name);
    if (!record) throw new Error(`no host named ${name} in this lab (hosts: ${this.records.map((r) => r.name).join(', ')})`);
    return record;
  }

  /** Returns the host key line (`ssh-ed25519 AAAA...`) shared by every host of the lab. */
  private async writeKeys(): Promise<string> {
    this.keyFile = path.join(this.dir, 'client_ed25519');
    const hostKeyFile = path.join(this.dir, 'host_ed25519_key');
    await Promise.all(
      [this.keyFile, hostKeyFile].map((file) =>
        run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `lvs-test-lab-${this.subnetIndex}`, '-f', file]),
      ),
    );
    fs.copyFileSync(`${this.keyFile}.pub`, path.join(this.dir, 'authorized_keys'));
    const [type, blob] = fs.readFileSync(`${hostKeyFile}.pub`, 'utf8').split(' ');
    return `${type} ${blob}`;
  }

  /**
   * Made as root inside the host, so passwd, shadow, sudoers.d and the home land in the
   * host's own /etc and /var. Each step is one argv: no shell line is built.
   */
  private async addUsers(record: HostRecord, users: LoginUser[]): Promise<void> {
    const step = async (argv: string[], input?: string) => {
      const result = await inHost(record, argv, input);
      if (result.exitCode !== 0) throw new Error(`host ${record.name}: ${argv.join(' ')} exited ${result.exitCode}: ${result.stderr.trim()}`);
    };
    if (users.length > 0) await step(['mkdir', '-p', '/var/home']);
    for (const user of users) {
      const home = `/var/home/${user.name}`;
      await step(['useradd', '--create-home', '--home-dir', home, '--shell', '/bin/bash', user.name]);
      // Without a password the account stays locked ('!'), and sshd (UsePAM no) refuses a
      // locked account even its key logins; '*' means "no password" and leaves keys working.
      if (user.password !== undefined) await step(['chpasswd'], `${user.name}:${user.password}\n`);
      else await step(['usermod', '--password', '*', user.name]);
      await step(['install', '-d', '-m', '0700', '-o', user.name, '-g', user.name, `${home}/.ssh`]);
      await step(['install', '-m', '0600', '-o', user.name, '-g', user.name, path.join(this.dir, 'authorized_keys'), `${home}/.ssh/authorized_keys`]);
      if (user.sudo) {
        const rule = `${user.name} ALL=(ALL:ALL) ${user.sudo === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL\n`;
        const file = `/etc/sudoers.d/lvs-test-${user.name}`;
        await step(['tee', file], rule);
        await step(['chmod', '0440', file]);
        await step(['visudo', '-c', '-q', '-f', file]);
      }
    }
  }

  private writeSshdConfig(users: LoginUser[]): string {
    const file = path.join(this.dir, 'sshd_config');
    // ListenAddress, PidFile and the log file (-E) are per host: netns-host-init.sh adds them.
    const settings = [
      `HostKey ${path.join(this.dir, 'host_ed25519_key')}`,
      `Port ${SSH_PORT}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      `AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'MaxSessions 10',
      // The benchmark opens 100 connections at once.
      'MaxStartups 200:30:400',
      // DEBUG1 is the lowest level that logs exec requests, not only connections.
      'LogLevel DEBUG1',
      'Subsystem sftp internal-sftp',
      // The lab dir is root's alone, so the other users' keys are in their homes (Match must come last).
      ...(users.length > 0 ? [`Match User ${users.map((user) => user.name).join(',')}`, '  AuthorizedKeysFile .ssh/authorized_keys'] : []),
    ];
    fs.writeFileSync(file, settings.map((line) => `${line}\n`).join(''));
    return file;
  }

  /** The bridge already exists (claimSubnet made it); this adds its address, the namespaces and their veths. */
  private async buildNetwork(overlaid: string[]): Promise<void> {
    const bridge = bridgeName(this.subnetIndex as number);
    const commands = [`address add 10.199.${this.subnetIndex}.1/24 dev ${bridge}`, `link set ${bridge} up`];
    for (const record of this.records) {
      commands.push(...this.cable(record, bridge));
      for (const dir of overlaid) {
        fs.mkdirSync(path.join(record.dir, 'upper', dir), { recursive: true });
        fs.mkdirSync(path.join(record.dir, 'work', dir), { recursive: true });
      }
    }
    await run('ip', ['-batch', '-'], commands.join('\n') + '\n');
  }

  /** `ip -batch` lines making the host's namespace and its eth0, cabled to the bridge. */
  private cable(record: HostRecord, bridge: string): string[] {
    return [
      `netns add ${record.namespace}`,
      `link add ${record.veth} type veth peer name eth0 address ${record.mac} netns ${record.namespace}`,
      `link set ${record.veth} master ${bridge} up`,
    ];
  }

  private launch(record: HostRecord): void {
    const unshare = ['unshare', '--mount', '--uts', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private'];
    const address = `${record.address}/24`;
    const init = ['sh', INIT_SCRIPT, record.name, address, record.dir, this.sshdConfig, this.overlaid.join(' ')];
    const nspawn = ['sh', NSPAWN_SCRIPT, record.name, address, record.dir, this.sshdConfig, this.dir, cgroupName(record), this.networkStack];
    const argv =
      record.init === 'systemd'
        ? ['nsenter', `--net=/run/netns/${record.namespace}`, 'unshare', '--mount', '--propagation', 'private', ...nspawn]
        : ['ip', 'netns', 'exec', record.namespace, ...unshare, ...init];
    const log = fs.openSync(path.join(record.dir, 'init.log'), 'a');
    try {
      const launcher = spawn(argv[0], argv.slice(1), {
        env: HOST_ENV,
        cwd: '/',
        stdio: ['ignore', log, log],
      });
      record.launcher = launcher;
      launcher.on('error', (error) => (record.launcherExit = error.message));
      launcher.on('exit', (code, signal) => (record.launcherExit = signal ? `killed by ${signal}` : `exit code ${code}`));
    } finally {
      fs.closeSync(log);
    }
  }

  private inventoryYaml(): string {
    const lines = ['all:', '  hosts:'];
    for (const record of this.records) {
      lines.push(
        `    ${record.name}:`,
        `      ansible_host: ${JSON.stringify(record.address)}`,
        `      ansible_port: ${SSH_PORT}`,
        '      ansible_user: root',
        `      ansible_ssh_private_key_file: ${JSON.stringify(this.keyFile)}`,
      );
    }
    return lines.join('\n') + '\n';
  }

  private async tearDown(): Promise<void> {
    const problems: string[] = [];
    // Killing a host's PID 1 makes the kernel kill every process of its PID namespace;
    // its parent (our launcher) then exits and we reap it, so nothing is left as a zombie.
    await Promise.all(this.records.map((record) => killHost(record).catch((error: Error) => problems.push(error.message))));
    // What is left in a namespace was started from outside the host (an `ip netns exec` run by a test).
    await Promise.all(
      this.records.map((record) => killAllInNamespace(record.namespace).catch((error: Error) => problems.push(error.message))),
    );
    for (const record of this.records.filter((candidate) => candidate.init === 'systemd')) {
      // A cgroup is busy until the kernel has finished with its last process.
      let left: string[] = [];
      await waitFor(async () => (left = removeCgroups(cgroupName(record))).length === 0, KILL_TIMEOUT_MS, '').catch(() => problems.push(...left));
    }
    if (this.subnetIndex !== undefined) {
      // Deleting a veth end deletes its peer at once; deleting the namespace alone would leave it to the kernel's cleanup worker.
      const commands = [
        ...this.records.map((record) => `link del ${record.veth}`),
        ...this.records.map((record) => `netns del ${record.namespace}`),
        `link del ${bridgeName(this.subnetIndex)}`,
      ];
      await runProcess('ip', ['-force', '-batch', '-'], { input: commands.join('\n') + '\n', timeoutMs: COMMAND_TIMEOUT_MS });
      problems.push(...(await leftoversOf(this.subnetIndex)));
    }
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(`lab teardown left things behind:\n${problems.join('\n')}`);
  }
}

/** The cgroup nspawn-host-init.sh makes for a systemd host: the lab dir's unique name and the host's. */
function cgroupName(record: HostRecord): string {
  return `${path.basename(path.dirname(path.dirname(record.dir)))}-${record.name}`;
}

/**
 * Removes a systemd host's cgroups (what its systemd made inside them is empty once the
 * host is gone), deepest first; returns what could not be removed.
 */
function removeCgroups(name: string): string[] {
  const left: string[] = [];
  for (const hierarchy of ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    const top = path.join(hierarchy, name);
    if (!fs.existsSync(top)) continue;
    const dirs: string[] = [];
    const walk = (dir: string) => {
      dirs.push(dir);
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) walk(path.join(dir, entry.name));
    };
    walk(top);
    for (const dir of dirs.reverse()) {
      try {
        fs.rmdirSync(dir);
      } catch (error) {
        left.push(`cgroup ${dir} not removed: ${(error as Error).message}`);
      }
    }
  }
  return left;
}

/** Runs argv inside the host (its network, mount, UTS and PID namespaces) as root. */
async function inHost(record: HostRecord, argv: string[], input?: string): Promise<ProcessResult> {
  if (record.launcherExit !== undefined) throw new Error(`host ${record.name} is gone (${record.launcherExit})`);
  const enter = ['--target', String(record.initPid), '--mount', '--net', '--uts', '--pid'];
  return runProcess('nsenter', [...enter, '--', ...argv], { env: HOST_ENV, cwd: '/', input, timeoutMs: COMMAND_TIMEOUT_MS });
}

function checkLabDir(dir: string): void {
  // An overlay's upper dir cannot be on overlayfs.
  if (fs.statfsSync(dir).type === OVERLAYFS_MAGIC) {
    throw new Error(`${dir} is on overlayfs, which cannot hold overlay upper dirs: point TMPDIR at ext4 or tmpfs`);
  }
  // Paths go into sshd_config unquoted, where spaces split words and % starts a token.
  if (/[\s"'\\%]/.test(dir)) throw new Error(`lab dir ${JSON.stringify(dir)} must not contain spaces, quotes or %`);
}

/** Creating the bridge is the claim: it fails if another lab got there first. */
async function claimSubnet(requested?: number): Promise<number> {
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 1 && requested <= 254)) {
    throw new Error(`subnetIndex must be an integer from 1 to 254, got ${requested}`);
  }
  const inUse = await subnetIndexesInUse();
  const candidates = requested !== undefined ? [requested] : Array.from({ length: 254 }, (_, offset) => offset + 1);
  for (const index of candidates) {
    if (inUse.has(index)) continue;
    const result = await runProcess('ip', ['link', 'add', bridgeName(index), 'type', 'bridge'], { timeoutMs: COMMAND_TIMEOUT_MS });
    if (result.exitCode === 0) return index;
    if (!/File exists/.test(result.stderr)) throw new Error(`ip link add ${bridgeName(index)} failed: ${result.stderr.trim()}`);
  }
  throw new Error(
    requested !== undefined
      ? `subnet index ${requested} is in use (bridge, namespaces, veths or 10.199.${requested}.0/24 addresses exist); run test/support/cleanup-stale.sh if they are leftovers`
      : 'no free subnet index in 10.199.1-254.0/24; run test/support/cleanup-stale.sh',
  );
}

/** Every index a bridge, namespace, veth or address of this machine already points at. */
async function subnetIndexesInUse(): Promise<Set<number>> {
  const [links, namespaces, addresses] = await Promise.all([
    run('ip', ['-o', 'link', 'show']),
    run('ip', ['netns', 'list']),
    run('ip', ['-o', '-4', 'address', 'show']),
  ]);
  const inUse = new Set<number>();
  for (const match of links.matchAll(/^\d+: lvs(?:b(\d+)[:@]|(\d+)-)/gm)) inUse.add(Number(match[1] ?? match[2]));
  for (const match of namespaces.matchAll(/^lvs(\d+)-/gm)) inUse.add(Number(match[1]));
  for (const match of addresses.matchAll(/ inet 10\.199\.(\d+)\./g)) inUse.add(Number(match[1]));
  return inUse;
}

async function leftoversOf(index: number): Promise<string[]> {
  const [links, namespaces] = await Promise.all([run('ip', ['-o', 'link', 'show']), run('ip', ['netns', 'list'])]);
  const leftovers = [
    ...links.split('\n').filter((line) => new RegExp(`^\\d+: (lvsb${index}[:@]|lvs${index}-)`).test(line)),
    ...namespaces.split('\n').filter((line) => line.startsWith(`lvs${index}-`)),
  ];
  return leftovers.map((line) => `still present: ${line.trim()}`);
}

/** The launcher's only child is the host's PID 1; the PID 1's sshd child is the listener. */
async function waitUntilListening(record: HostRecord, deadline: number): Promise<void> {
  const launcherPid = record.launcher?.pid;
  const listening = listenHex(record.address, SSH_PORT);
  for (;;) {
    if (record.launcherExit !== undefined) {
      throw new Error(`host ${record.name} stopped while starting (${record.launcherExit})\n${hostLogs(record)}`);
    }
    if (launcherPid !== undefined) {
      // A systemd host's launcher runs mount, ip and the like before it becomes nspawn, whose child is systemd.
      record.initPid ??= childrenOf(launcherPid).find((pid) => record.init !== 'systemd' || commandName(pid) === 'systemd');
      if (record.initPid !== undefined) {
        record.sshdPid ??= childrenOf(record.initPid).find((pid) => commandName(pid) === 'sshd');
        // Reading the kernel's socket table, unlike a test connection, adds nothing to the sshd log.
        if (record.sshdPid !== undefined && tcpListeners(record.initPid).includes(listening)) return;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`sshd of host ${record.name} was not listening on ${record.address}:${SSH_PORT} in time\n${hostLogs(record)}`);
    }
    await sleep(20);
  }
}

/**
 * sshd listens before systemd has started everything (its boot job is still queued), so
 * a test would race the rest of the boot: wait until systemd calls it done. "degraded"
 * (a unit failed) also ends the wait; the tests look at `systemctl --failed` themselves.
 */
async function waitUntilBooted(record: HostRecord): Promise<void> {
  const state = await inHost(record, ['timeout', String(BOOT_TIMEOUT_MS / 1000), 'systemctl', 'is-system-running', '--wait']);
  const said = state.stdout.trim();
  if (said !== 'running' && said !== 'degraded') throw new Error(`host ${record.name}: systemd says ${JSON.stringify(said)} after booting, not running\n${hostLogs(record)}`);
}

/** /proc/PID/net/tcp's `ADDRESS:PORT` form: the IPv4 address as a native-endian hex word. */
function listenHex(address: string, port: number): string {
  const octets = address.split('.').map(Number);
  const ordered = os.endianness() === 'LE' ? octets.reverse() : octets;
  const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, '0');
  return `${ordered.map((octet) => hex(octet, 2)).join('')}:${hex(port, 4)}`;
}

/** Local `ADDRESS:PORT` of every TCP socket in LISTEN state (0A) in that process's network namespace. */
function tcpListeners(pid: number): string[] {
  const table = readProc(`/proc/${pid}/net/tcp`);
  return table
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === '0A')
    .map((fields) => fields[1]);
}

function hostLogs(record: HostRecord): string {
  const tail = (file: string) => readProc(path.join(record.dir, file)).split('\n').slice(-20).join('\n');
  return `--- init.log ---\n${tail('init.log')}\n--- sshd.log ---\n${tail('sshd.log')}`;
}

async function killHost(record: HostRecord): Promise<void> {
  const launcher = record.launcher;
  if (!launcher || record.launcherExit !== undefined) return;
  // While the launcher runs, its child cannot have been reaped, so the pid is still the host's PID 1.
  const initPid = launcher.pid !== undefined ? childrenOf(launcher.pid)[0] : undefined;
  if (initPid !== undefined) killIfAlive(initPid);
  else launcher.kill('SIGKILL');
  await waitFor(async () => record.launcherExit !== undefined, KILL_TIMEOUT_MS, `host ${record.name} (launcher pid ${launcher.pid}) did not exit`);
}

async function killAllInNamespace(namespace: string): Promise<void> {
  await waitFor(
    async () => {
      const pids = await pidsInNamespace(namespace);
      pids.forEach(killIfAlive);
      return pids.length === 0;
    },
    KILL_TIMEOUT_MS,
    `processes in namespace ${namespace} did not die`,
  );
}

/** Pids whose network namespace is NAMESPACE (none once it is deleted). */
async function pidsInNamespace(namespace: string): Promise<number[]> {
  const result = await runProcess('ip', ['netns', 'pids', namespace], { timeoutMs: COMMAND_TIMEOUT_MS });
  if (result.exitCode !== 0) return [];
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

function childrenOf(pid: number): number[] {
  return readProc(`/proc/${pid}/task/${pid}/children`).split(' ').filter(Boolean).map(Number);
}

function commandName(pid: number): string {
  return readProc(`/proc/${pid}/comm`).trim();
}

/** A process can exit between listing and reading: its files then read as empty. */
function readProc(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function run(file: string, args: string[], input?: string): Promise<string> {
  const result = await runProcess(file, args, { input, timeoutMs: COMMAND_TIMEOUT_MS });
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode}: ${result.stderr.trim()}`);
  return result.stdout;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, failure: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(failure);
    await sleep(50);
  }
}

/** Like Promise.all, but waits for every promise to settle, so nothing still runs when the lab is torn down. */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

function withTimeout<T>(promise: Promise<T>, ms: number, failure: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(failure)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function hexOctet(value: number): string {
  return value.toString(16).padStart(2, '0');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
