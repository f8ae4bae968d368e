import { limitedHosts, loadInventories, NoHostsToTarget, playHosts } from '../../../src/engine/inventory';
import { fixture } from './helpers';

// What ansible-playbook 2.14 prints and exits with for the same inventory.
describe('hosts and --limit that match nothing', () => {
  const inventory = loadInventories([fixture('compare', 'group-order.ini')]);
  let warnings: string[];
  const warn = (warning: string) => warnings.push(warning);
  beforeEach(() => {
    warnings = [];
  });

  it('warns of each part of a play\'s hosts that matches nothing, and keeps the rest', () => {
    expect(playHosts(inventory, { name: 'p', hosts: 'mongoc_servers:mongo_srvers' }, undefined, warn)).toEqual(['mongo2', 'mongo1']);
    expect(warnings).toEqual(['Could not match supplied host pattern, ignoring: mongo_srvers']);
  });

  it('skips a play that matches no host, with Ansible\'s words', () => {
    expect(playHosts(inventory, { name: 'typo', hosts: 'mongo_srvers' }, undefined, warn)).toEqual([]);
    expect(warnings).toEqual(['Could not match supplied host pattern, ignoring: mongo_srvers', "play 'typo': skipping: no hosts matched"]);
  });

  it('skips a play whose hosts --limit leaves out without a warning: the limit asked for it', () => {
    const limited = limitedHosts(inventory, 'mongo9', warn);
    expect(playHosts(inventory, { name: 'p', hosts: 'mongoc_servers' }, limited, warn)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('stops with exit 1 when --limit leaves no host at all, warning of the part first', () => {
    let thrown: unknown;
    try {
      limitedHosts(inventory, 'nothere', warn);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NoHostsToTarget);
    expect((thrown as NoHostsToTarget).exitCode).toBe(1);
    expect((thrown as NoHostsToTarget).describe()).toBe(
      "--limit: Specified inventory, host pattern and/or --limit leaves us with no hosts to target. ('nothere' matches no host of the inventory)",
    );
    expect(warnings).toEqual(['Could not match supplied host pattern, ignoring: nothere']);
  });

  it('keeps a --limit of which one part matches', () => {
    expect([...limitedHosts(inventory, 'mongo9:nothere', warn)]).toEqual(['mongo9']);
    expect(warnings).toEqual(['Could not match supplied host pattern, ignoring: nothere']);
  });
});
