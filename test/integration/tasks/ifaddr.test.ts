/**
 * The ifaddr task against a real sshd host in a network namespace: the LVS-DR real-server
 * VIP on lo:0, label replacement, IPv6, removal, each checked with `ip` on the host itself.
 */
import { randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsTask, onHost } from './lvs-task';

const HOST = 'ifaddr1';
let lab: TestLab;
// The live state only: persist-ifupdown.test.ts covers what persisting adds.
const run = (words: string[], check = false) => lvsTask(lab, HOST, 'ifaddr', [...words, 'persist=false'], { check });
/** `ADDRESS/PREFIX LABEL` of each IPv4 address on lo, as the host's own ip prints them. */
const loAddresses = async () =>
  (await onHost(lab, HOST, 'ip -o -4 addr show dev lo'))
    .trim()
    .split('\n')
    .map((line) => line.replace(/^.* inet (\S+) .* (\S+)\\.*$/, '$1 $2'));

beforeAll(async () => {
  lab = await startHosts([HOST]);
});

afterAll(async () => {
  await lab?.destroy();
});

describe('ifaddr', () => {
  it('puts the VIP on lo:0: changed, and the host has it', async () => {
    const result = await run(['address=192.168.2.100/32', 'dev=lo', 'label=lo:0']);
    expect(result.exitCode).toBe(0);
    expect(result.host?.status).toBe('changed');
    expect(result.host?.diff).toEqual([{ subject: 'lo 192.168.2.100', before: null, after: '192.168.2.100/32 label lo:0' }]);
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo', '192.168.2.100/32 lo:0']);
  });

  it('again, written with a netmask: ok', async () => {
    const result = await run(['address=192.168.2.100/255.255.255.255', 'dev=lo', 'label=lo:0']);
    expect(result.host?.status).toBe('ok');
    expect(result.host?.noop).toBe('192.168.2.100/32 is on lo as lo:0 and lo is up');
  });

  it('--check with another label: reports it, the host keeps lo:0', async () => {
    const result = await run(['address=192.168.2.100/32', 'dev=lo', 'label=lo:1'], true);
    expect(result.host?.status).toBe('changed');
    expect(result.host?.diff).toEqual([{ subject: 'lo 192.168.2.100', before: '192.168.2.100/32 label lo:0', after: '192.168.2.100/32 label lo:1' }]);
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo', '192.168.2.100/32 lo:0']);
  });

  it('another label replaces the address (ip addr replace would keep the old label)', async () => {
    expect((await run(['address=192.168.2.100/32', 'dev=lo', 'label=lo:1'])).host?.status).toBe('changed');
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo', '192.168.2.100/32 lo:1']);
    expect((await run(['address=192.168.2.100', 'dev=lo', 'label=lo:1'])).host?.status).toBe('ok');
  });

  it('another prefix length replaces the address', async () => {
    expect((await run(['address=192.168.2.100/24', 'dev=lo', 'label=lo:1'])).host?.status).toBe('changed');
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo', '192.168.2.100/24 lo:1']);
  });

  it('absent removes it whatever its prefix, then ok', async () => {
    expect((await run(['address=192.168.2.100', 'dev=lo', 'state=absent'])).host?.status).toBe('changed');
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo']);
    expect((await run(['address=192.168.2.100', 'dev=lo', 'state=absent'])).host?.noop).toBe('192.168.2.100 is not on lo');
  });

  it('IPv6 in any spelling, compared canonically', async () => {
    expect((await run(['address=2001:DB8:0:0::100/128', 'dev=lo'])).host?.status).toBe('changed');
    expect(await onHost(lab, HOST, 'ip -o -6 addr show dev lo')).toContain('2001:db8::100/128');
    const again = await run(['address=2001:db8::100', 'dev=lo']);
    expect(again.host?.status).toBe('ok');
    expect(again.host?.noop).toBe('2001:db8::100/128 is on lo and lo is up');
  });

  it('a secondary address on eth0 with a broadcast, then ok', async () => {
    const [, , third] = lab.hosts[0].address.split('.');
    const address = `10.199.${third}.200/24`;
    const first = await run([`address=${address}`, 'dev=eth0', 'label=eth0:0', 'broadcast=+']);
    expect(first.host?.status).toBe('changed');
    expect(await onHost(lab, HOST, 'ip -o -4 addr show dev eth0')).toContain(`inet ${address} brd 10.199.${third}.255 scope global secondary eth0:0`);
    expect((await run([`address=${address}`, 'dev=eth0', 'label=eth0:0', 'broadcast=+'])).host?.status).toBe('ok');
  });

  it('fails clearly on a missing device, touching nothing', async () => {
    const result = await run(['address=192.168.2.100/32', 'dev=eth1', 'label=eth1:0']);
    expect(result.exitCode).toBe(2);
    expect(result.host?.status).toBe('failed');
    expect(result.host?.msg).toBe('device eth1 does not exist');
  });

  it('hostile arguments are refused before anything runs', async () => {
    const marker = `/tmp/lvs-pwned-${randomBytes(4).toString('hex')}`;
    for (const words of [
      ['address=192.168.2.100/32', `dev=lo;touch${'${IFS}'}${marker}`],
      ['address=192.168.2.100/32', 'dev=lo', `label=lo:0$(touch${'${IFS}'}${marker})`],
      [`address=192.168.2.100/32\`touch ${marker}\``, 'dev=lo'],
    ]) {
      const result = await run(words);
      expect(result.exitCode).toBe(4);
      expect(result.host).toBeUndefined();
    }
    expect(existsSync(marker)).toBe(false);
    expect(await loAddresses()).toEqual(['127.0.0.1/8 lo']);
  });
});
