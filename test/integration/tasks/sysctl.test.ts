/**
 * The sysctl task against a real sshd host in a network namespace: net.ipv4 keys are per
 * namespace there, and /etc is the host's private overlay, so both the live value and
 * /etc/sysctl.conf are checked on the host itself.
 */
import { randomBytes } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import { startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsTask, onHost } from './lvs-task';

const HOST = 'sysctl1';
let lab: TestLab;
const rootForwarding = () => readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
const rootForwardingBefore = rootForwarding();
const run = (words: string[], check = false) => lvsTask(lab, HOST, 'sysctl', words, { check });
const live = async (key: string) => (await onHost(lab, HOST, `sysctl -n ${key}`)).trim().replace(/\s+/g, ' ');
const fileLines = async (key: string) => (await onHost(lab, HOST, `grep -F '${key}' /etc/sysctl.conf | grep -v '^#' || true`)).trim();

beforeAll(async () => {
  lab = await startHosts([HOST]);
});

afterAll(async () => {
  await lab?.destroy();
});

describe('sysctl', () => {
  it('sets ip_forward live and in /etc/sysctl.conf: changed, on the host only', async () => {
    expect(await live('net.ipv4.ip_forward')).toBe('0');
    const result = await run(['name=net.ipv4.ip_forward', 'value=1']);
    expect(result.exitCode).toBe(0);
    expect(result.host?.status).toBe('changed');
    expect(result.host?.diff).toEqual([
      { subject: 'net.ipv4.ip_forward', before: '0', after: '1' },
      { subject: '/etc/sysctl.conf', before: null, after: 'net.ipv4.ip_forward = 1' },
    ]);
    expect(await live('net.ipv4.ip_forward')).toBe('1');
    expect(await fileLines('net.ipv4.ip_forward')).toBe('net.ipv4.ip_forward = 1');
    // The stock comments are still there, and the root namespace was not touched.
    expect(await onHost(lab, HOST, 'cat /etc/sysctl.conf')).toContain('#net.ipv4.ip_forward=1');
    expect(rootForwarding()).toBe(rootForwardingBefore);
  });

  it('again: ok, with the no-op reason', async () => {
    const result = await run(['name=net/ipv4/ip_forward', 'value=1']);
    expect(result.host?.status).toBe('ok');
    expect(result.host?.noop).toBe('net.ipv4.ip_forward is 1 live and in /etc/sysctl.conf');
  });

  it('--check with value 0: reports the change, the host stays at 1', async () => {
    const result = await run(['name=net.ipv4.ip_forward', 'value=0'], true);
    expect(result.host?.status).toBe('changed');
    expect(result.host?.diff).toEqual([
      { subject: 'net.ipv4.ip_forward', before: '1', after: '0' },
      { subject: '/etc/sysctl.conf', before: 'net.ipv4.ip_forward = 1', after: 'net.ipv4.ip_forward = 0' },
    ]);
    expect(await live('net.ipv4.ip_forward')).toBe('1');
    expect(await fileLines('net.ipv4.ip_forward')).toBe('net.ipv4.ip_forward = 1');
  });

  it('sets 0, then 0 again is ok', async () => {
    expect((await run(['name=net.ipv4.ip_forward', 'value=0'])).host?.status).toBe('changed');
    expect(await live('net.ipv4.ip_forward')).toBe('0');
    expect(await fileLines('net.ipv4.ip_forward')).toBe('net.ipv4.ip_forward = 0');
    expect((await run(['name=net.ipv4.ip_forward', 'value=0'])).host?.status).toBe('ok');
  });

  it('a multi-value key, compared with blanks normalised', async () => {
    const first = await run(['name=net.ipv4.tcp_rmem', 'value=4096  131072 6291456']);
    expect(first.host?.status).toBe('changed');
    expect(await live('net.ipv4.tcp_rmem')).toBe('4096 131072 6291456');
    expect(await fileLines('net.ipv4.tcp_rmem')).toBe('net.ipv4.tcp_rmem = 4096 131072 6291456');
    expect((await run(['name=net.ipv4.tcp_rmem', 'value=4096 131072\t6291456'])).host?.status).toBe('ok');
  });

  it('fails clearly on a key the host does not have', async () => {
    const result = await run(['name=net.ipv4.vs.expire_quiescent_template', 'value=1']);
    expect(result.exitCode).toBe(2);
    expect(result.host?.status).toBe('failed');
    expect(result.host?.msg).toMatch(/sysctl key net\.ipv4\.vs\.expire_quiescent_template does not exist on this host/);
  });

  it('fails when sysctl -w exits 0 but the kernel refuses (read-only in a namespace), leaving the file alone', async () => {
    const before = await live('net.core.wmem_max');
    const result = await run(['name=net.core.wmem_max', 'value=1']);
    expect(result.host?.status).toBe('failed');
    expect(result.host?.msg).toContain(`sysctl -w net.core.wmem_max=1 left net.core.wmem_max at ${before}: sysctl: setting key "net.core.wmem_max": Invalid argument`);
    expect(await live('net.core.wmem_max')).toBe(before);
    expect(await fileLines('net.core.wmem_max')).toBe('');
  });

  it('with reload=false writes only the file', async () => {
    const result = await run(['name=net.ipv4.conf.all.arp_ignore', 'value=1', 'reload=false']);
    expect(result.host?.status).toBe('changed');
    expect(await fileLines('net.ipv4.conf.all.arp_ignore')).toBe('net.ipv4.conf.all.arp_ignore = 1');
    expect(await live('net.ipv4.conf.all.arp_ignore')).toBe('0');
  });

  it('absent removes the lines and leaves the live value', async () => {
    const result = await run(['name=net.ipv4.tcp_rmem', 'state=absent']);
    expect(result.host?.status).toBe('changed');
    expect(await fileLines('net.ipv4.tcp_rmem')).toBe('');
    expect(await live('net.ipv4.tcp_rmem')).toBe('4096 131072 6291456');
    expect((await run(['name=net.ipv4.tcp_rmem', 'state=absent'])).host?.status).toBe('ok');
  });

  it('a hostile value is one quoted word: the kernel refuses it and nothing else runs', async () => {
    const marker = `/tmp/lvs-pwned-${randomBytes(4).toString('hex')}`;
    const result = await run(['name=net.ipv4.ip_forward', `value=1; touch ${marker}; $(touch ${marker}) \`touch ${marker}\``]);
    expect(result.host?.status).toBe('failed');
    expect(existsSync(marker)).toBe(false);
    expect((await lab.onHost(HOST, `test -e ${marker}`)).exitCode).toBe(1);
    expect(await fileLines('net.ipv4.ip_forward')).toBe('net.ipv4.ip_forward = 0');
  });

  it('a hostile name is refused before anything runs', async () => {
    const marker = `/tmp/lvs-pwned-${randomBytes(4).toString('hex')}`;
    const result = await run([`name=net.ipv4.ip_forward;touch${'${IFS}'}${marker}`, 'value=1']);
    expect(result.exitCode).toBe(4);
    expect(result.host).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  });

  it("persists through Debian's /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf link, which stays a link", async () => {
    expect((await onHost(lab, HOST, 'readlink /etc/sysctl.d/99-sysctl.conf')).trim()).toBe('../sysctl.conf');
    const words = ['name=net.ipv4.conf.all.arp_announce', 'value=2', 'sysctl_file=/etc/sysctl.d/99-sysctl.conf'];
    const result = await run(words);
    expect(result.host?.status).toBe('changed');
    expect((await onHost(lab, HOST, 'readlink /etc/sysctl.d/99-sysctl.conf')).trim()).toBe('../sysctl.conf');
    expect(await fileLines('net.ipv4.conf.all.arp_announce')).toBe('net.ipv4.conf.all.arp_announce = 2');
    expect(await live('net.ipv4.conf.all.arp_announce')).toBe('2');
    expect(await onHost(lab, HOST, 'ls -A /etc/sysctl.d /etc | grep -c lvs- || true')).toBe('0\n');
    expect((await run(words)).host?.status).toBe('ok');
  });

  it('a sysctl_file that is a directory fails with that said, and the live value is left alone', async () => {
    const listing = await onHost(lab, HOST, 'ls -A /etc/sysctl.d');
    const result = await run(['name=net.ipv4.conf.all.arp_ignore', 'value=2', 'sysctl_file=/etc/sysctl.d']);
    expect(result.exitCode).toBe(2);
    expect(result.host?.msg).toBe('sysctl_file /etc/sysctl.d is a directory, which lvs does not replace with a file');
    expect(await live('net.ipv4.conf.all.arp_ignore')).toBe('0');
    expect(await onHost(lab, HOST, 'ls -A /etc/sysctl.d')).toBe(listing);
  });

  it('a sysctl_file with .. segments is refused before anything runs', async () => {
    const result = await run(['name=net.ipv4.ip_forward', 'value=1', 'sysctl_file=/etc/../var/tmp/lvs-climbed.conf']);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/^ERROR: <command line>: sysctl1: sysctl: sysctl_file: does not match the expected form /);
    expect((await lab.onHost(HOST, 'test -e /var/tmp/lvs-climbed.conf')).exitCode).toBe(1);
  });

  it('a sysctl.conf that cannot be replaced (immutable) fails, and the live value is put back', async () => {
    expect(await live('net.ipv4.ip_forward')).toBe('0');
    const before = await onHost(lab, HOST, 'cat /etc/sysctl.conf');
    await onHost(lab, HOST, 'chattr +i /etc/sysctl.conf');
    let result;
    try {
      result = await run(['name=net.ipv4.ip_forward', 'value=1']);
    } finally {
      await onHost(lab, HOST, 'chattr -i /etc/sysctl.conf');
    }
    expect(result.exitCode).toBe(2);
    expect(result.host?.status).toBe('failed');
    expect(result.host?.msg).toMatch(/exited 1: mv: cannot move '\/etc\/sysctl\.conf\.lvs-\w+' to '\/etc\/sysctl\.conf': Operation not permitted\nnet\.ipv4\.ip_forward was put back to 0$/);
    expect(await live('net.ipv4.ip_forward')).toBe('0');
    expect(await onHost(lab, HOST, 'cat /etc/sysctl.conf')).toBe(before);
    expect(await onHost(lab, HOST, 'ls -d /etc/sysctl.conf*')).toBe('/etc/sysctl.conf\n');
  });

  it('a sysctl_file on a read-only file system fails, and the live value is put back', async () => {
    // A read-only bind mount in the host's own mount namespace, which its sshd sessions share.
    await onHost(lab, HOST, 'mkdir -p /etc/lvs-ro && mount --bind /etc/lvs-ro /etc/lvs-ro && mount -o remount,bind,ro /etc/lvs-ro');
    let result;
    try {
      result = await run(['name=net.ipv4.ip_forward', 'value=1', 'sysctl_file=/etc/lvs-ro/sysctl.conf']);
    } finally {
      await onHost(lab, HOST, 'umount /etc/lvs-ro');
    }
    expect(result.exitCode).toBe(2);
    expect(result.host?.diff).toEqual([
      { subject: 'net.ipv4.ip_forward', before: '0', after: '1' },
      { subject: '/etc/lvs-ro/sysctl.conf', before: null, after: 'net.ipv4.ip_forward = 1' },
    ]);
    expect(result.host?.msg).toMatch(/exited 1: mktemp: failed to create file via template '\/etc\/lvs-ro\/sysctl\.conf\.lvs-XXXXXX': Read-only file system\nnet\.ipv4\.ip_forward was put back to 0$/);
    expect(await live('net.ipv4.ip_forward')).toBe('0');
    expect(await onHost(lab, HOST, 'ls -A /etc/lvs-ro')).toBe('');
  });
});
