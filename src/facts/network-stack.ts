/**
 * Which network stack brings the host's network up at boot, from what is installed and
 * enabled: the one read-only probe, a pure parser, and the rules that pick one stack (or
 * fail naming what was found).
 */
import type { CommandResult, Fact } from '../api';
import { sh } from '../shell/quote';

/** The network stacks whose boot-time configuration lvs writes. */
export const NETWORK_STACKS = ['ifupdown', 'networkd', 'networkmanager', 'ifcfg'] as const;
export type NetworkStack = (typeof NETWORK_STACKS)[number];

export interface NetworkStackFacts {
  ifupdown: {
    /** /etc/network/interfaces exists. */
    interfaces: boolean;
    /** ifup is installed. */
    ifup: boolean;
    /** The `source`/`source-directory` lines of /etc/network/interfaces. */
    sources: string[];
  };
  /** Units `systemctl is-enabled` calls enabled (works without systemd running), by name. */
  enabledUnits: string[];
  /** Units systemctl knows but does not start at boot (disabled, masked, static ...), by name. */
  disabledUnits: string[];
  /** SysV start links of the networking (Debian) or network (RHEL) script, for hosts without systemctl. */
  sysvLinks: string[];
  networkManagerKeyfiles: number;
  ifcfgFiles: number;
}

const UNITS = ['networking', 'systemd-networkd', 'NetworkManager', 'network'];

export function networkStack(): Fact<NetworkStackFacts> {
  return {
    command: sh`[ -f /etc/network/interfaces ] && echo ifupdown-interfaces
command -v ifup >/dev/null 2>&1 && echo ifupdown-ifup
grep -E '^[[:space:]]*source(-directory)?[[:space:]]' /etc/network/interfaces 2>/dev/null | sed 's/^[[:space:]]*/ifupdown-source /'
for lvs_unit in ${UNITS}; do case "$(systemctl is-enabled "$lvs_unit.service" 2>/dev/null)" in enabled) echo "enabled $lvs_unit" ;; ''|not-found) ;; *) echo "disabled $lvs_unit" ;; esac; done
for lvs_link in /etc/rc[S2345].d/S*networking /etc/rc.d/rc[345].d/S*network; do [ -e "$lvs_link" ] && echo "sysv $lvs_link"; done
echo "nm-keyfiles $(ls /etc/NetworkManager/system-connections 2>/dev/null | grep -c .)"
echo "ifcfg-files $(ls /etc/sysconfig/network-scripts 2>/dev/null | grep -v '^ifcfg-lo$' | grep -c '^ifcfg-')"
true`,
    parse: parseNetworkStack,
  };
}

export function parseNetworkStack(result: CommandResult): NetworkStackFacts {
  if (result.exitCode !== 0) throw new Error(`cannot probe the network stack: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const facts: NetworkStackFacts = { ifupdown: { interfaces: false, ifup: false, sources: [] }, enabledUnits: [], disabledUnits: [], sysvLinks: [], networkManagerKeyfiles: 0, ifcfgFiles: 0 };
  for (const line of result.stdout.split('\n')) {
    const [key, ...rest] = line.trim().split(' ');
    const value = rest.join(' ');
    if (key === 'ifupdown-interfaces') facts.ifupdown.interfaces = true;
    else if (key === 'ifupdown-ifup') facts.ifupdown.ifup = true;
    else if (key === 'ifupdown-source') facts.ifupdown.sources.push(value);
    else if (key === 'enabled') facts.enabledUnits.push(value);
    else if (key === 'disabled') facts.disabledUnits.push(value);
    else if (key === 'sysv') facts.sysvLinks.push(value);
    else if (key === 'nm-keyfiles') facts.networkManagerKeyfiles = Number(value) || 0;
    else if (key === 'ifcfg-files') facts.ifcfgFiles = Number(value) || 0;
  }
  return facts;
}

/** A `source` line that reads lvs's files: Debian's `source /etc/network/interfaces.d/*` or `source-directory /etc/network/interfaces.d`. */
function sourcesInterfacesD(line: string): boolean {
  return /^source\s+(\/etc\/network\/)?interfaces\.d\/\*$/.test(line) || /^source-directory\s+(\/etc\/network\/)?interfaces\.d\/?$/.test(line);
}

const HOW_TO_CHOOSE = 'set persist_with (ifupdown, networkd, networkmanager or ifcfg) to choose, or persist: false to keep it until the next boot only';

/**
 * The stack that brings the network up at boot:
 * - ifupdown: /etc/network/interfaces and ifup, with networking.service enabled (or a SysV
 *   start link of /etc/init.d/networking);
 * - networkd: systemd-networkd.service enabled;
 * - networkmanager: NetworkManager.service enabled;
 * - ifcfg: network.service enabled (RHEL's initscripts) or a SysV link of it, or ifcfg-*
 *   files other than ifcfg-lo (NetworkManager's ifcfg-rh plugin reads them too: with
 *   NetworkManager enabled as well, that is two stacks, and the task asks which).
 * None, or more than one: an error naming what was found and how to choose.
 * A SysV start link counts only where systemctl does not call the native unit of that name
 * disabled or masked: systemd-sysv-generator(8) ignores a script that has a native unit, so
 * on a Debian host with networkd and networking.service masked, rcS.d's leftover
 * S01networking starts nothing.
 */
export function detectNetworkStack(facts: NetworkStackFacts): NetworkStack {
  const enabled = (unit: string) => facts.enabledUnits.includes(unit);
  const sysvStarts = (unit: string, link: RegExp) => !facts.disabledUnits.includes(unit) && facts.sysvLinks.some((path) => link.test(path));
  const found: NetworkStack[] = [];
  const { ifupdown } = facts;
  if (ifupdown.interfaces && ifupdown.ifup && (enabled('networking') || sysvStarts('networking', /networking$/))) found.push('ifupdown');
  if (enabled('systemd-networkd')) found.push('networkd');
  if (enabled('NetworkManager')) found.push('networkmanager');
  if (enabled('network') || sysvStarts('network', /\/S\d*network$/) || facts.ifcfgFiles > 0) found.push('ifcfg');
  if (found.length > 1) throw new Error(`more than one network stack brings this host's network up at boot (${found.join(', ')}): ${HOW_TO_CHOOSE}`);
  if (!found.length) {
    const seen = [
      ifupdown.interfaces && '/etc/network/interfaces without ifup or an enabled networking service',
      facts.networkManagerKeyfiles > 0 && 'NetworkManager keyfiles, but NetworkManager is not enabled',
    ].filter(Boolean);
    throw new Error(`found no network stack that lvs can persist to (ifupdown, systemd-networkd, NetworkManager, RHEL ifcfg)${seen.length ? `; found ${seen.join(' and ')}` : ''}: ${HOW_TO_CHOOSE}`);
  }
  if (found[0] === 'ifupdown' && !ifupdown.sources.some(sourcesInterfacesD)) {
    throw new Error('ifupdown brings the network up, but /etc/network/interfaces does not read /etc/network/interfaces.d: add the line `source /etc/network/interfaces.d/*` there, or set persist: false');
  }
  return found[0];
}
