/**
 * The network-stack probe's parser on captured output, and the detection rules. The first
 * capture is this kind of machine (Debian 12) after `apt-get install ifupdown`; the others are
 * written in the same shape for the other stacks.
 */
import { detectNetworkStack, parseNetworkStack } from '../../../src/facts/network-stack';

const output = (...lines: string[]) => ({ stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0 });
const DEBIAN_IFUPDOWN = output(
  'ifupdown-interfaces',
  'ifupdown-ifup',
  'ifupdown-source source /etc/network/interfaces.d/*',
  'enabled networking',
  'sysv /etc/rcS.d/S01networking',
  'nm-keyfiles 0',
  'ifcfg-files 0',
);
const stack = (...lines: string[]) => detectNetworkStack(parseNetworkStack(output(...lines, 'nm-keyfiles 0', 'ifcfg-files 0')));

describe('network stack probe', () => {
  it('parses the captured Debian host with ifupdown', () => {
    expect(parseNetworkStack(DEBIAN_IFUPDOWN)).toEqual({
      ifupdown: { interfaces: true, ifup: true, sources: ['source /etc/network/interfaces.d/*'] },
      enabledUnits: ['networking'],
      disabledUnits: [],
      sysvLinks: ['/etc/rcS.d/S01networking'],
      networkManagerKeyfiles: 0,
      ifcfgFiles: 0,
    });
    expect(detectNetworkStack(parseNetworkStack(DEBIAN_IFUPDOWN))).toBe('ifupdown');
  });

  it('a host without systemctl: ifupdown from its SysV start link', () => {
    expect(stack('ifupdown-interfaces', 'ifupdown-ifup', 'ifupdown-source source-directory /etc/network/interfaces.d', 'sysv /etc/rcS.d/S01networking')).toBe('ifupdown');
  });

  it('networkd with networking.service masked: the leftover SysV link of ifupdown starts nothing', () => {
    const networkd = ['ifupdown-interfaces', 'ifupdown-ifup', 'ifupdown-source source /etc/network/interfaces.d/*', 'enabled systemd-networkd', 'sysv /etc/rcS.d/S01networking'];
    expect(stack(...networkd, 'disabled networking')).toBe('networkd');
    // Its twin: systemctl does not know networking.service, so the SysV link is what starts ifupdown.
    expect(() => stack(...networkd)).toThrow(/\(ifupdown, networkd\)/);
  });

  it('networkd, NetworkManager, RHEL ifcfg', () => {
    expect(stack('enabled systemd-networkd')).toBe('networkd');
    expect(stack('enabled NetworkManager')).toBe('networkmanager');
    expect(stack('enabled network')).toBe('ifcfg');
    expect(detectNetworkStack(parseNetworkStack(output('nm-keyfiles 0', 'ifcfg-files 2')))).toBe('ifcfg');
  });

  it('two stacks: names both and how to choose', () => {
    expect(() => stack('ifupdown-interfaces', 'ifupdown-ifup', 'ifupdown-source source /etc/network/interfaces.d/*', 'enabled networking', 'enabled systemd-networkd')).toThrow(
      "more than one network stack brings this host's network up at boot (ifupdown, networkd): set persist_with (ifupdown, networkd, networkmanager or ifcfg) to choose, or persist: false to keep it until the next boot only",
    );
    expect(() => detectNetworkStack(parseNetworkStack(output('enabled NetworkManager', 'nm-keyfiles 1', 'ifcfg-files 1')))).toThrow(/\(networkmanager, ifcfg\)/);
  });

  it('none: says what it found', () => {
    expect(() => stack()).toThrow(
      'found no network stack that lvs can persist to (ifupdown, systemd-networkd, NetworkManager, RHEL ifcfg): set persist_with (ifupdown, networkd, networkmanager or ifcfg) to choose, or persist: false to keep it until the next boot only',
    );
    expect(() => stack('ifupdown-interfaces')).toThrow(/; found \/etc\/network\/interfaces without ifup or an enabled networking service:/);
    expect(() => detectNetworkStack(parseNetworkStack(output('nm-keyfiles 3', 'ifcfg-files 0')))).toThrow(/found NetworkManager keyfiles, but NetworkManager is not enabled/);
  });

  it('ifupdown that does not read interfaces.d is refused, not written to in vain', () => {
    expect(() => stack('ifupdown-interfaces', 'ifupdown-ifup', 'enabled networking')).toThrow(
      'ifupdown brings the network up, but /etc/network/interfaces does not read /etc/network/interfaces.d: add the line `source /etc/network/interfaces.d/*` there, or set persist: false',
    );
    expect(() => stack('ifupdown-interfaces', 'ifupdown-ifup', 'ifupdown-source source /etc/network/other.d/*', 'enabled networking')).toThrow(/does not read/);
  });

  it('a probe that fails fails the task', () => {
    expect(() => parseNetworkStack({ stdout: '', stderr: 'sh: permission denied', exitCode: 2 })).toThrow('cannot probe the network stack: sh: permission denied');
  });
});
