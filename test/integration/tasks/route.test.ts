/**
 * The route task against a real sshd host in a network namespace. Gateways are unused
 * addresses of the host's own lab subnet, so no route leads off the host (and none is ever
 * made in the root namespace); every change is checked with `ip route` on the host itself.
 */
import { randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { startHosts, type TestLab } from '../../support/netns-hosts';
import { lvsTask, onHost } from './lvs-task';

const HOST = 'route1';
let lab: TestLab;
let subnet: string;
// The live state only: persist-ifupdown.test.ts covers what persisting adds.
const run = (words: string[], check = false) => lvsTask(lab, HOST, 'route', [...words, 'persist=false'], { check });
/** The host's own `ip route` lines for dest, without the trailing blanks ip prints. */
const routesTo = async (destination: string) =>
  (await onHost(lab, HOST, `ip -4 route show table main ${destination}`))
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .join('\n');

beforeAll(async () => {
  lab = await startHosts([HOST]);
  subnet = lab.hosts[0].address.split('.').slice(0, 3).join('.');
});

afterAll(async () => {
  await lab?.destroy();
});

describe('route', () => {
  it('adds the LVS-DR host route to the VIP (dev lo:0 means lo): changed, and the host has it', async () => {
    const result = await run(['dest=192.168.2.100', 'dev=lo:0']);
    expect(result.exitCode).toBe(0);
    expect(result.host?.status).toBe('changed');
    expect(result.host?.diff).toEqual([{ subject: 'route 192.168.2.100/32', before: null, after: '192.168.2.100/32 dev lo' }]);
    expect(await routesTo('192.168.2.100')).toBe('192.168.2.100 dev lo scope link');
  });

  it('again, written as a /32: ok', async () => {
    const result = await run(['dest=192.168.2.100/32', 'dev=lo']);
    expect(result.host?.status).toBe('ok');
    expect(result.host?.noop).toBe('192.168.2.100/32 dev lo is in table main');
  });

  it('--check with a default route: reported, the host gets none', async () => {
    const result = await run(['dest=default', `via=${subnet}.250`], true);
    expect(result.host?.status).toBe('changed');
    expect(result.host?.diff).toEqual([{ subject: 'route default', before: null, after: `default via ${subnet}.250` }]);
    expect(await routesTo('default')).toBe('');
  });

  it('a default route, then another one replaces it rather than adding a second', async () => {
    expect((await run(['dest=default', `via=${subnet}.250`])).host?.status).toBe('changed');
    expect(await routesTo('default')).toBe(`default via ${subnet}.250 dev eth0`);
    const second = await run(['dest=0.0.0.0/0', `via=${subnet}.251`, 'dev=eth0']);
    expect(second.host?.status).toBe('changed');
    expect(second.host?.diff).toEqual([{ subject: 'route default', before: `default via ${subnet}.250 dev eth0`, after: `default via ${subnet}.251 dev eth0` }]);
    expect(await routesTo('default')).toBe(`default via ${subnet}.251 dev eth0`);
    expect((await run(['dest=default', `via=${subnet}.251`])).host?.status).toBe('ok');
  });

  it('without a metric owns every route to dest; with one only that metric', async () => {
    expect((await run(['dest=172.16.0.0/16', `via=${subnet}.250`, 'metric=100'])).host?.status).toBe('changed');
    expect((await run(['dest=172.16.0.0/16', `via=${subnet}.251`, 'metric=200'])).host?.status).toBe('changed');
    expect(await routesTo('172.16.0.0/16')).toBe(`172.16.0.0/16 via ${subnet}.250 dev eth0 metric 100\n172.16.0.0/16 via ${subnet}.251 dev eth0 metric 200`);
    expect((await run(['dest=172.16.0.0/16', `via=${subnet}.251`])).host?.status).toBe('changed');
    expect(await routesTo('172.16.0.0/16')).toBe(`172.16.0.0/16 via ${subnet}.251 dev eth0 metric 200`);
  });

  it('absent deletes exactly the route, then ok', async () => {
    expect((await run(['dest=192.168.2.100', 'dev=lo', 'state=absent'])).host?.status).toBe('changed');
    expect(await routesTo('192.168.2.100')).toBe('');
    expect((await run(['dest=192.168.2.100', 'state=absent'])).host?.noop).toBe('no route 192.168.2.100/32 in table main');
  });

  it('fails clearly on a missing device', async () => {
    const result = await run(['dest=192.168.2.100', 'dev=eth9']);
    expect(result.exitCode).toBe(2);
    expect(result.host?.msg).toBe('device eth9 does not exist');
  });

  it('hostile arguments are refused before anything runs', async () => {
    const marker = `/tmp/lvs-pwned-${randomBytes(4).toString('hex')}`;
    for (const words of [
      [`dest=default;touch${'${IFS}'}${marker}`, `via=${subnet}.250`],
      ['dest=default', `via=${subnet}.250$(touch${'${IFS}'}${marker})`],
      ['dest=192.168.2.100', `dev=lo\`touch ${marker}\``],
      ['dest=192.168.2.100', 'dev=lo', `metric=1;touch${'${IFS}'}${marker}`],
    ]) {
      const result = await run(words);
      expect(result.exitCode).toBe(4);
      expect(result.host).toBeUndefined();
    }
    expect(existsSync(marker)).toBe(false);
  });
});
