/**
 * ifaddr, route and link plans with persistence: the file change beside the live one, the
 * no-op twin when the file already holds it, removal, the device of a route given only via,
 * and the refusals. The stack's facts are given parsed (their parsers have their own tests).
 */
import { createHash } from 'node:crypto';
import ifaddr from '../../../src/tasks/ifaddr';
import link from '../../../src/tasks/link';
import route from '../../../src/tasks/route';
import type { RemoteFile } from '../../../src/facts/file';
import type { NetworkStackFacts } from '../../../src/facts/network-stack';
import { captured } from '../fixtures/network';
import { commandLines, context, Parsed, planWith } from './plan-with-fixtures';

const IFUPDOWN: NetworkStackFacts = {
  ifupdown: { interfaces: true, ifup: true, sources: ['source /etc/network/interfaces.d/*'] },
  enabledUnits: ['networking'],
  disabledUnits: [],
  sysvLinks: [],
  networkManagerKeyfiles: 0,
  ifcfgFiles: 0,
};
const ABSENT: RemoteFile = { exists: false, content: '' };
const holding = (content: string): RemoteFile => ({ exists: true, content, mode: '644', owner: 'root', group: 'root', sha256: createHash('sha256').update(content).digest('hex') });

const VIP_FILE = '/etc/network/interfaces.d/lvs-addr-lo-192-168-2-100';
const VIP_STANZA =
  '# Written by lvs: 192.168.2.100/32 on lo as lo:0.\nauto lo:0\niface lo:0 inet manual\n    up ip addr add 192.168.2.100/32 dev lo label lo:0\n    down ip addr del 192.168.2.100/32 dev lo\n';
const vip = { address: '192.168.2.100/32', dev: 'lo', label: 'lo:0' };

/** Every persistence fact a task reads when it detects the stack, with the given ifupdown file and nothing elsewhere. */
function detected(ifupdownFile: RemoteFile, stack: NetworkStackFacts = IFUPDOWN) {
  return {
    networkStack: new Parsed(stack),
    ifupdownFile: new Parsed(ifupdownFile),
    networkdPlacement: new Parsed({ dropInPath: 'unused', dropIn: ABSENT }),
    networkdOwnFile: new Parsed(ABSENT),
    nmKeyfile: new Parsed(ABSENT),
  };
}

describe('ifaddr with persistence', () => {
  it('the VIP is live but not kept: only the file changes, written atomically and compare-and-swap', () => {
    const plan = planWith(ifaddr, vip, { interfaces: captured('addr-dr-real-server'), ...detected(ABSENT), ifcfgFile: new Parsed(ABSENT) });
    expect(plan.changes).toEqual([{ subject: VIP_FILE, before: null, after: VIP_STANZA }]);
    const [mkdir, write] = commandLines(plan);
    expect(mkdir).toBe('mkdir -p -- /etc/network/interfaces.d');
    expect(write).toContain(`lvs_dest=$(readlink -f -- ${VIP_FILE})`);
    expect(write).toContain('appeared after lvs read it; it was not overwritten');
  });

  it('no-op twin: live and in the file', () => {
    expect(planWith(ifaddr, vip, { interfaces: captured('addr-dr-real-server'), ...detected(holding(VIP_STANZA)), ifcfgFile: new Parsed(ABSENT) })).toEqual({
      changes: [],
      commands: [],
      noop: `192.168.2.100/32 is on lo as lo:0 and lo is up; ifupdown keeps it in ${VIP_FILE}`,
    });
  });

  it('a fresh host: the live address first, then the file; a file someone edited is rewritten only if unchanged since read', () => {
    const edited = holding(VIP_STANZA.replace('lo:0', 'lo:9'));
    const plan = planWith(ifaddr, vip, { interfaces: captured('addr-fresh'), ...detected(edited), ifcfgFile: new Parsed(ABSENT) });
    expect(plan.changes.map((change) => change.subject)).toEqual(['lo 192.168.2.100', 'lo link', VIP_FILE]);
    expect(commandLines(plan).slice(0, 2)).toEqual(['ip addr add 192.168.2.100/32 dev lo label lo:0', 'ip link set dev lo up']);
    expect(commandLines(plan)[3]).toContain(edited.sha256);
  });

  it('absent removes the file too; no-op twin when neither is there', () => {
    const plan = planWith(ifaddr, { ...vip, state: 'absent' }, { interfaces: captured('addr-fresh'), ...detected(holding(VIP_STANZA)), ifcfgFile: new Parsed(ABSENT) });
    expect(plan.changes).toEqual([{ subject: VIP_FILE, before: VIP_STANZA, after: null }]);
    expect(commandLines(plan)).toEqual([`rm -f -- ${VIP_FILE}`]);
    expect(planWith(ifaddr, { ...vip, state: 'absent' }, { interfaces: captured('addr-fresh'), ...detected(ABSENT), ifcfgFile: new Parsed(ABSENT) }).noop).toBe(
      `192.168.2.100 is not on lo; no ifupdown file keeps it (${VIP_FILE})`,
    );
  });

  it('persist_with skips detection; networkd on a device it does not manage gets lvs\'s own .network file', () => {
    const dropIn = '/etc/systemd/network/50-lvs-lo.network.d/lvs-addr-lo-192-168-2-100.conf';
    const plan = planWith(
      ifaddr,
      { ...vip, persist_with: 'networkd' },
      { interfaces: captured('addr-dr-real-server'), networkdPlacement: new Parsed({ dropInPath: dropIn, dropIn: ABSENT }), networkdOwnFile: new Parsed(ABSENT) },
    );
    expect(plan.changes.map((change) => change.subject)).toEqual(['/etc/systemd/network/50-lvs-lo.network', dropIn]);
    const twin = planWith(
      ifaddr,
      { ...vip, persist_with: 'networkd' },
      {
        interfaces: captured('addr-dr-real-server'),
        networkdPlacement: new Parsed({ networkFile: '/etc/systemd/network/50-lvs-lo.network', dropInPath: dropIn, dropIn: holding(String(plan.changes[1].after)) }),
        networkdOwnFile: new Parsed(holding(String(plan.changes[0].after))),
      },
    );
    expect(twin.noop).toBe(`192.168.2.100/32 is on lo as lo:0 and lo is up; networkd keeps it in ${dropIn}`);
  });

  it('a stack that cannot say it, and an ambiguous host, fail the task naming why', () => {
    expect(() => planWith(ifaddr, { ...vip, persist_with: 'networkmanager' }, { interfaces: captured('addr-dr-real-server'), nmKeyfile: new Parsed(ABSENT) })).toThrow(
      /no address labels \(lo:0\)/,
    );
    const both = { ...IFUPDOWN, enabledUnits: ['networking', 'NetworkManager'] };
    expect(() => planWith(ifaddr, vip, { interfaces: captured('addr-dr-real-server'), ...detected(ABSENT, both), ifcfgFile: new Parsed(ABSENT) })).toThrow(
      /more than one network stack .*\(ifupdown, networkmanager\)/,
    );
  });

  it('persist: false reads no stack fact; persist_with with persist: false is refused', () => {
    expect(Object.keys(ifaddr.facts({ ...vip, state: 'present', persist: false }, context))).toEqual(['interfaces']);
    expect(ifaddr.validate!({ ...vip, state: 'present', persist: false, persist_with: 'ifupdown' })).toEqual(['persist_with: has no effect with persist: false']);
  });
});

describe('route with persistence', () => {
  const table = { routes: captured('route4-dr-real-server'), interfaces: captured('addr-dr-real-server') };

  it('given only via, the device comes from the route that reaches the gateway', () => {
    const plan = planWith(route, { dest: 'default', via: '192.168.2.1' }, { ...table, networkStack: new Parsed(IFUPDOWN), ifupdownFile: new Parsed(ABSENT) });
    expect(plan.changes).toEqual([
      {
        subject: '/etc/network/interfaces.d/lvs-route-0-0-0-0_0',
        before: null,
        after:
          '# Written by lvs: the route to 0.0.0.0/0 via 192.168.2.1 on eth0.\nauto eth0\niface eth0 inet manual\n' +
          '    up ip -4 route replace default via 192.168.2.1 dev eth0\n    down ip -4 route del default via 192.168.2.1 dev eth0\n',
      },
    ]);
  });

  it('a gateway no route reaches, and a stack whose file names the device, need dev', () => {
    expect(() => planWith(route, { dest: 'default', via: '10.9.9.9' }, { ...table, networkStack: new Parsed(IFUPDOWN), ifupdownFile: new Parsed(ABSENT) })).toThrow(
      'no route in table main reaches the gateway 10.9.9.9 directly, so the device to persist the route on is unknown: give dev',
    );
    expect(() => planWith(route, { dest: 'default', via: '192.168.2.1', persist_with: 'networkd' }, table)).toThrow('persisting with networkd needs dev: name the device the route leaves by');
  });

  it('ifcfg: the host route joins route-lo; no-op twin', () => {
    const args = { dest: '192.168.2.100', dev: 'lo', persist_with: 'ifcfg' };
    const plan = planWith(route, args, { ...table, ifcfgFile: new Parsed(ABSENT) });
    expect(plan.changes).toEqual([{ subject: '/etc/sysconfig/network-scripts/route-lo', before: null, after: '192.168.2.100/32 dev lo\n' }]);
    expect(planWith(route, args, { ...table, ifcfgFile: new Parsed(holding('192.168.2.100/32 dev lo\n')) }).noop).toBe(
      '192.168.2.100/32 dev lo is in table main; ifcfg keeps it in /etc/sysconfig/network-scripts/route-lo',
    );
  });
});

describe('link with persistence', () => {
  const interfaces = captured('addr-veth-down-up');

  it('keeps the state in a stanza; no-op twin; NetworkManager and ifcfg refuse', () => {
    const plan = planWith(link, { dev: 'v1', persist_with: 'ifupdown' }, { interfaces, ifupdownFile: new Parsed(ABSENT) });
    expect(plan.changes).toEqual([
      { subject: '/etc/network/interfaces.d/lvs-link-v1', before: null, after: '# Written by lvs: v1 up.\nauto v1\niface v1 inet manual\n    up ip link set dev v1 up\n' },
    ]);
    expect(planWith(link, { dev: 'v1', persist_with: 'ifupdown' }, { interfaces, ifupdownFile: new Parsed(holding(String(plan.changes[0].after))) }).noop).toBe(
      'v1 is up; ifupdown keeps it in /etc/network/interfaces.d/lvs-link-v1',
    );
    expect(() => planWith(link, { dev: 'v1', persist_with: 'networkmanager' }, { interfaces })).toThrow(/NetworkManager keyfile has no setting for v1's state alone/);
    expect(() => planWith(link, { dev: 'v1', persist_with: 'ifcfg' }, { interfaces })).toThrow(/ifcfg files have no setting for v1's state alone/);
  });
});
