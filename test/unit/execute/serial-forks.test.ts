/** `serial` batches and the `forks` limit, seen in the order of the executor's events and execs. */
import { serialBatches } from '../../../src/engine/execute/executor';
import { keyValueHost } from '../../support/scripted-shell';
import { eventLines, linesOf, runScripted } from './scripted-run';

const hostsNamed = (...names: string[]) => Object.fromEntries(names.map((name) => [name, keyValueHost({ a: '0' })]));

const playbook = (serial: string) => `
- name: roll
  hosts: all
  serial: ${serial}
  tasks:
    - { name: set a, kv: { key: a, value: '1' } }
`;

describe('serial', () => {
  it.each([
    { serial: undefined, hosts: 3, batches: [['h1', 'h2', 'h3']] },
    { serial: 1, hosts: 3, batches: [['h1'], ['h2'], ['h3']] },
    { serial: 2, hosts: 5, batches: [['h1', 'h2'], ['h3', 'h4'], ['h5']] },
    { serial: 9, hosts: 2, batches: [['h1', 'h2']] },
    { serial: '50%', hosts: 4, batches: [['h1', 'h2'], ['h3', 'h4']] },
    // Like Ansible, a percentage rounds down, to no fewer than one host.
    { serial: '50%', hosts: 3, batches: [['h1'], ['h2'], ['h3']] },
    { serial: '67%', hosts: 3, batches: [['h1', 'h2'], ['h3']] },
    { serial: '10%', hosts: 3, batches: [['h1'], ['h2'], ['h3']] },
    { serial: '100%', hosts: 3, batches: [['h1', 'h2', 'h3']] },
  ])('serial $serial over $hosts hosts', ({ serial, hosts, batches }) => {
    expect(serialBatches(['h1', 'h2', 'h3', 'h4', 'h5'].slice(0, hosts), serial)).toEqual(batches);
  });

  it('starts the hosts of batch 2 only after batch 1 has finished', async () => {
    const { events, connector } = await runScripted(playbook('2'), hostsNamed('h1', 'h2', 'h3'));
    const lines = eventLines(events);
    // Within a batch the hosts run at once, so only each host's own order is fixed.
    for (const host of ['h1', 'h2', 'h3']) {
      expect(linesOf(events, host)).toEqual([`${host} connected`, `${host} started set a`, `${host} finished set a changed`, `${host} ok`]);
    }
    expect(lines.filter((line) => !/^h[12] /.test(line))).toEqual([
      'batch started roll: h1 h2',
      'batch finished roll: h1 h2',
      'batch started roll: h3',
      'h3 connected',
      'h3 started set a',
      'h3 finished set a changed',
      'h3 ok',
      'batch finished roll: h3',
      'run finished',
    ]);
    const batch1Finished = lines.indexOf('batch finished roll: h1 h2');
    expect(lines.slice(batch1Finished).filter((line) => /^h[12] /.test(line))).toEqual([]);
    const lastOfBatch1 = Math.max(...connector.execs.filter((exec) => exec.host !== 'h3').map((exec) => exec.end!));
    const firstOfBatch2 = Math.min(...connector.execs.filter((exec) => exec.host === 'h3').map((exec) => exec.start));
    expect(firstOfBatch2).toBeGreaterThan(lastOfBatch1);
    expect(connector.opens.sort()).toEqual(['h1', 'h2', 'h3']);
  });

  it('takes a percentage of the play hosts for each batch', async () => {
    const { events } = await runScripted(playbook("'50%'"), hostsNamed('h1', 'h2', 'h3', 'h4'));
    expect(eventLines(events).filter((line) => line.startsWith('batch'))).toEqual([
      'batch started roll: h1 h2',
      'batch finished roll: h1 h2',
      'batch started roll: h3 h4',
      'batch finished roll: h3 h4',
    ]);
  });
});

describe('forks', () => {
  /** The most hosts between their connected and finished events at once. */
  function mostHostsAtOnce(lines: string[]): number {
    let open = 0;
    let most = 0;
    for (const line of lines) {
      if (/ connected$/.test(line)) most = Math.max(most, ++open);
      if (/ (ok|failed|unreachable|interrupted)$/.test(line)) open--;
    }
    return most;
  }

  it.each([1, 2, 3])('keeps at most %i hosts in flight out of 5', async (forks) => {
    const hosts = hostsNamed('h1', 'h2', 'h3', 'h4', 'h5');
    const { events, connector } = await runScripted(playbook('9'), hosts, { forks, latencyMs: 5 });
    expect(mostHostsAtOnce(eventLines(events))).toBe(forks);
    expect(connector.maxInFlight).toBe(forks);
    // Every host still ran: a read and an apply each.
    expect(connector.execs.map((exec) => exec.host).sort()).toEqual(['h1', 'h1', 'h2', 'h2', 'h3', 'h3', 'h4', 'h4', 'h5', 'h5']);
  });

  it('starts the next host as soon as one finishes, not batch by batch', async () => {
    const hosts = hostsNamed('h1', 'h2', 'h3');
    hosts.h2.latencyMs = 50;
    const { events } = await runScripted(playbook('9'), hosts, { forks: 2 });
    const lines = eventLines(events);
    expect(lines.indexOf('h3 connected')).toBeGreaterThan(lines.indexOf('h1 ok'));
    expect(lines.indexOf('h3 connected')).toBeLessThan(lines.indexOf('h2 ok'));
  });
});
