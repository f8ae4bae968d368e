/** The link task on a real sshd host: a veth pair made inside the host is brought up. */
import { lvsTask } from './lvs-task';
import { startHosts, type TestLab } from '../../support/netns-hosts';

const HOST = 'lnk1';
let lab: TestLab;

// The live state only: persist-ifupdown.test.ts covers what persisting adds.
const link = (...words: string[]) => lvsTask(lab, HOST, 'link', [...words.filter((word) => word !== '--check'), 'persist=false'], { check: words.includes('--check') });
const isUp = async (dev: string) => / UP /.test(` ${(await lab.onHost(HOST, `ip -o link show dev ${dev}`)).stdout.replace(/[<>,]/g, ' ')} `);

beforeAll(async () => {
  lab = await startHosts([HOST]);
  await lab.onHost(HOST, 'ip link add lvt0 type veth peer name lvt1');
});

afterAll(async () => {
  await lab?.destroy();
});

describe('link', () => {
  it('brings the device up: changed, and the host shows it UP', async () => {
    expect((await link('dev=lvt0')).host?.status).toBe('changed');
    expect(await isUp('lvt0')).toBe(true);
  });

  it('changes nothing the second time', async () => {
    expect((await link('dev=lvt0')).host?.status).toBe('ok');
  });

  it('in check mode reports taking it down and leaves it up', async () => {
    const run = await link('dev=lvt0', 'state=down', '--check');
    expect(run.host?.status).toBe('changed');
    expect(await isUp('lvt0')).toBe(true);
  });

  it('fails on a device the host does not have, naming it', async () => {
    const run = await link('dev=tunl0');
    expect(run.exitCode).toBe(2);
    expect(run.host?.msg).toMatch(/device tunl0 does not exist/);
  });
});
