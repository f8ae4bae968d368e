/**
 * One IPVS virtual service and its real servers, kept with the fewest ipvsadm -A/-E/-a/-e/-d
 * commands (never -C, which would drop every other service), after loading the modules.
 */
import { defineTask, noop, type Change, type Fact, type PlannedCommand } from '../api';
import { refuseOtherType, remoteFile, type RemoteFile } from '../facts/file';
import { canonicalAddress, ipFamily, type IpFamily } from '../net/ip-address';
import { DEFAULT_SCHEDULER, formatAddressPort, formatRules, ipvsState, parseIpvsRules, realServerLabel, realServerRuleArgv, sameRules, sameServiceKey, serviceArgv, serviceLabel, serviceOptionArgv, serviceRuleArgv, type Forwarding, type ServiceKey, type IpvsState, type VirtualService } from '../facts/ipvs';
import { osRelease, type OsFamily, type OsRelease } from '../facts/service';
import { sh } from '../shell/quote';
import { writeFileAtomically } from '../changes/file';
import { modprobe } from '../changes/kernel-modules';
import { SERVICE_PROPERTIES, serviceKeyOf, serviceProblems, type ServiceArgs } from './ipvs-service';
import { IP_ADDRESS } from './patterns';

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];
/** ipvsadm's MAX_TIMEOUT: 31 days. */
const MAX_PERSISTENCE = 86400 * 31;

interface RealServerArgs {
  address: string;
  port?: number;
  forwarding: Forwarding;
  weight: number;
}

interface IpvsadmArgs extends ServiceArgs {
  scheduler: string;
  persistent?: number;
  real_servers: RealServerArgs[];
  state: 'present' | 'absent';
  purge: boolean;
  save: boolean;
}

/** Where each distribution's boot scripts restore the table from. */
const RULES_FILES: Record<Exclude<OsFamily, 'unknown'>, string> = {
  // /etc/init.d/ipvsadm: IPVSADM_RULES, loaded at boot when AUTO="true" in /etc/default/ipvsadm.
  debian: '/etc/ipvsadm.rules',
  // ipvsadm.service: ipvsadm-restore < /etc/sysconfig/ipvsadm.
  rhel: '/etc/sysconfig/ipvsadm',
};
const DEBIAN_DEFAULTS = '/etc/default/ipvsadm';

/** A fwmark service has no address of its own: it is IPv6 when its real servers all are. */
function fwmarkFamily(args: IpvsadmArgs): IpFamily {
  const families = args.real_servers.map((server) => ipFamily(server.address));
  return families.length > 0 && families.every((family) => family === 6) ? 6 : 4;
}

function desiredKey(args: IpvsadmArgs): ServiceKey {
  return serviceKeyOf(args, fwmarkFamily(args));
}

/** The port the kernel will record: the service's when none is given (0 for fwmark services). */
function effectivePort(args: IpvsadmArgs, server: RealServerArgs): number {
  return server.port ?? (args.fwmark !== undefined ? 0 : (args.port ?? 0));
}

function desiredService(args: IpvsadmArgs): VirtualService {
  return {
    key: desiredKey(args),
    scheduler: args.scheduler,
    ...(args.persistent !== undefined ? { persistent: args.persistent } : {}),
    onePacket: false,
    // validate() has checked every address, so both lookups succeed.
    realServers: args.real_servers.map((server) => ({
      family: ipFamily(server.address) as IpFamily,
      address: canonicalAddress(server.address) as string,
      port: effectivePort(args, server),
      forwarding: server.forwarding,
      weight: server.weight,
      upperThreshold: 0,
      lowerThreshold: 0,
    })),
  };
}

/** A rule as the diff shows it: its words, as in a rules file. */
function rule(words: string[]): string {
  return words.join(' ');
}

function ipvsadm(words: string[]): PlannedCommand {
  return { run: sh`ipvsadm ${words}` };
}

/** The table once this task's service is as asked: what a saved rules file must hold. */
function tableAfter(live: VirtualService[], args: IpvsadmArgs, desired: VirtualService): VirtualService[] {
  const others = live.filter((service) => !matches(args, desired.key, service.key));
  if (args.state === 'absent') return others;
  const current = live.find((service) => sameServiceKey(service.key, desired.key));
  const kept = args.purge || !current ? [] : current.realServers.filter((server) => !desired.realServers.some((wanted) => realServerLabel(wanted) === realServerLabel(server)));
  return [...others, { ...desired, realServers: [...desired.realServers, ...kept] }];
}

/** `state: absent` with a fwmark removes that mark's service of either address family. */
function matches(args: IpvsadmArgs, desired: ServiceKey, live: ServiceKey): boolean {
  if (args.state === 'absent' && desired.kind === 'fwmark') return live.kind === 'fwmark' && live.fwmark === desired.fwmark;
  return sameServiceKey(desired, live);
}

function savedRules(file: RemoteFile): VirtualService[] | undefined {
  if (!file.exists) return [];
  try {
    return parseIpvsRules(file.content);
  } catch {
    return undefined; // a file we cannot read back is rewritten
  }
}

/** Debian restores /etc/ipvsadm.rules at boot only with AUTO="true" in /etc/default/ipvsadm. */
function debianDefaultsWithAuto(file: RemoteFile): string | undefined {
  const content = file.exists ? file.content : '';
  if (/^AUTO="?true"?\s*$/m.test(content)) return undefined;
  if (/^AUTO=.*$/m.test(content)) return content.replace(/^AUTO=.*$/m, 'AUTO="true"');
  return `${content}${content === '' || content.endsWith('\n') ? '' : '\n'}AUTO="true"\n`;
}

function savePlan(facts: SaveFacts, after: VirtualService[]): { changes: Change[]; commands: PlannedCommand[] } {
  const family = facts.os.family;
  if (family === 'unknown') throw new Error(`save: cannot tell where ${facts.os.id} restores the IPVS table at boot`);
  const path = RULES_FILES[family];
  const file = family === 'debian' ? facts.debianRules : facts.rhelRules;
  refuseOtherType(file, path);
  const changes: Change[] = [];
  const commands: PlannedCommand[] = [];
  const saved = savedRules(file);
  if (!saved || !sameRules(saved, after)) {
    changes.push({ subject: path, before: file.exists ? file.content : null, after: formatRules(after) });
    const header = family === 'debian' ? '# ipvsadm.rules\n' : '';
    // The kernel's own dump, taken after the commands above; without IPVS loaded the table is empty.
    const dump = sh`printf %s ${header}; if [ -e /proc/net/ip_vs ]; then ipvsadm -S -n; fi`;
    commands.push({ run: writeFileAtomically(path, { outputOf: dump }, { mode: '0644' }) });
  }
  if (family === 'debian') {
    refuseOtherType(facts.debianDefaults, DEBIAN_DEFAULTS);
    const defaults = debianDefaultsWithAuto(facts.debianDefaults);
    if (defaults !== undefined) {
      changes.push({ subject: DEBIAN_DEFAULTS, before: facts.debianDefaults.exists ? facts.debianDefaults.content : null, after: defaults });
      commands.push({ run: writeFileAtomically(DEBIAN_DEFAULTS, defaults, { mode: '0644' }) });
    }
  }
  return { changes, commands };
}

interface SaveFacts {
  os: OsRelease;
  debianRules: RemoteFile;
  rhelRules: RemoteFile;
  debianDefaults: RemoteFile;
}

/** The rules and defaults files are only read when the table is to be saved. */
type IpvsadmFacts =
  | { table: Fact<IpvsState> }
  | { table: Fact<IpvsState>; os: Fact<OsRelease>; debianRules: Fact<RemoteFile>; rhelRules: Fact<RemoteFile>; debianDefaults: Fact<RemoteFile> };

function realServerProblems(args: IpvsadmArgs, serviceFamily: IpFamily | undefined): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  args.real_servers.forEach((server, index) => {
    const key = `real_servers.${index}`;
    const family = ipFamily(server.address);
    const address = canonicalAddress(server.address);
    if (!family || !address) {
      problems.push(`${key}.address: "${server.address}" is not an IPv4 or IPv6 address`);
      return;
    }
    if (serviceFamily && family !== serviceFamily && server.forwarding !== 'tun') {
      problems.push(`${key}.address: an IPv${serviceFamily} service can only reach an IPv${family} real server through a tunnel (forwarding: tun)`);
    }
    if (server.port !== undefined && server.forwarding !== 'nat') {
      if (args.fwmark !== undefined) {
        problems.push(`${key}.port: with forwarding ${server.forwarding} a fwmark service's packets keep their own port; only nat can set one`);
      } else if (server.port !== args.port) {
        // ipvsadm silently replaces a dr/tun real server's port with the service's port.
        problems.push(`${key}.port: only nat can map to a port other than the service's ${args.port}; dr and tun keep the packet's port`);
      }
    }
    const label = formatAddressPort(family, address, effectivePort(args, server));
    const first = seen.get(label);
    if (first !== undefined) problems.push(`${key}: ${label} is already real_servers.${first}`);
    else seen.set(label, index);
  });
  return problems;
}

function describeModules(modules: string[]): string {
  return modules.length === 1 ? `module ${modules[0]}` : `modules ${modules.join(' and ')}`;
}

export default defineTask<IpvsadmArgs, IpvsadmFacts>({
  name: 'ipvsadm',
  description: 'Declares one IPVS virtual service and its real servers, loading the kernel modules it needs.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...SERVICE_PROPERTIES,
      scheduler: { type: 'string', enum: SCHEDULERS, default: DEFAULT_SCHEDULER, description: 'The scheduling algorithm; its ip_vs_<scheduler> module is loaded.' },
      persistent: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_PERSISTENCE,
        description: 'Makes the service persistent: a client keeps its real server for this many seconds after its last connection. Not persistent when not given.',
      },
      real_servers: {
        type: 'array',
        default: [],
        description: 'The real servers of the service.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['address'],
          properties: {
            address: { type: 'string', pattern: IP_ADDRESS, description: 'The real server IP address (IPv4 or IPv6).' },
            port: {
              type: 'integer',
              minimum: 1,
              maximum: 65535,
              description: "The real server port; the service's port when not given, as ipvsadm does. Only nat forwarding may use a different one.",
            },
            forwarding: {
              type: 'string',
              enum: ['dr', 'nat', 'tun'],
              default: 'dr',
              description: 'How packets reach the real server: dr (direct routing, -g), nat (masquerading, -m) or tun (IPIP tunnel, -i).',
            },
            weight: {
              type: 'integer',
              minimum: 0,
              maximum: 65535,
              default: 1,
              description: 'The scheduling weight; 0 quiesces the server (no new connections, existing ones go on).',
            },
          },
        },
      },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'present: the service exists as described; absent: it does not (with its real servers).' },
      purge: { type: 'boolean', default: false, description: 'Removes the real servers of this service that are not listed.' },
      save: {
        type: 'boolean',
        default: false,
        description:
          'Writes the whole table (ipvsadm -S -n) where the distribution restores it at boot: /etc/ipvsadm.rules with AUTO="true" in /etc/default/ipvsadm on Debian, /etc/sysconfig/ipvsadm on RHEL.',
      },
    },
  },
  example: {
    protocol: 'tcp',
    address: '192.168.0.109',
    port: 80,
    scheduler: 'rr',
    real_servers: [
      { address: '172.16.100.101', forwarding: 'nat', weight: 1 },
      { address: '172.16.100.102', forwarding: 'nat', weight: 1 },
    ],
    state: 'present',
    purge: false,
    save: false,
  },
  validate(args) {
    const { problems, family: serviceFamily } = serviceProblems(args);
    if (args.fwmark === undefined && args.port === 0 && args.persistent === undefined) problems.push('port: 0 (every port) needs persistent, as ipvsadm requires');
    if (args.state === 'absent' && args.real_servers.length > 0) problems.push('real_servers: must be empty when state is absent (the service goes with all its real servers)');
    problems.push(...realServerProblems(args, args.fwmark !== undefined ? fwmarkFamily(args) : serviceFamily));
    return problems;
  },
  facts(args) {
    const present = args.state === 'present';
    const table = ipvsState(present ? ['ip_vs', `ip_vs_${args.scheduler}`] : [], present);
    if (!args.save) return { table };
    return {
      table,
      os: osRelease(),
      debianRules: remoteFile(RULES_FILES.debian),
      rhelRules: remoteFile(RULES_FILES.rhel),
      debianDefaults: remoteFile(DEBIAN_DEFAULTS),
    };
  },
  plan(args, facts) {
    const desired = desiredService(args);
    const label = serviceLabel(desired.key);
    const live = facts.table.services;
    const changes: Change[] = [];
    const commands: PlannedCommand[] = [];

    if (args.state === 'absent') {
      for (const service of live.filter((candidate) => matches(args, desired.key, candidate.key))) {
        changes.push({ subject: serviceLabel(service.key), before: formatRules([service]), after: null });
        commands.push(ipvsadm(['-D', ...serviceArgv(service.key)]));
      }
    } else {
      const toLoad = Object.entries(facts.table.modules)
        .filter(([, status]) => status.state === 'available')
        .map(([name]) => name);
      for (const name of toLoad) {
        changes.push({ subject: `${name} module`, before: 'not loaded', after: 'loaded' });
        commands.push({ run: modprobe(name) });
      }
      const current = live.find((service) => sameServiceKey(service.key, desired.key));
      const wantedRule = rule(serviceRuleArgv(desired));
      if (!current) {
        changes.push({ subject: label, before: null, after: wantedRule });
        commands.push(ipvsadm(serviceRuleArgv(desired)));
      } else if (rule(serviceRuleArgv(current)) !== wantedRule) {
        changes.push({ subject: label, before: rule(serviceRuleArgv(current)), after: wantedRule });
        commands.push(ipvsadm(serviceRuleArgv(desired, '-E')));
      }
      const liveServers = current?.realServers ?? [];
      for (const server of desired.realServers) {
        const existing = liveServers.find((candidate) => realServerLabel(candidate) === realServerLabel(server));
        const wanted = rule(realServerRuleArgv(desired.key, server));
        if (!existing) {
          changes.push({ subject: `${label} -r ${realServerLabel(server)}`, before: null, after: wanted });
          commands.push(ipvsadm(realServerRuleArgv(desired.key, server)));
        } else if (rule(realServerRuleArgv(desired.key, existing)) !== wanted) {
          changes.push({ subject: `${label} -r ${realServerLabel(server)}`, before: rule(realServerRuleArgv(desired.key, existing)), after: wanted });
          commands.push(ipvsadm(realServerRuleArgv(desired.key, server, '-e')));
        }
      }
      if (args.purge) {
        for (const server of liveServers.filter((candidate) => !desired.realServers.some((wanted) => realServerLabel(wanted) === realServerLabel(candidate)))) {
          changes.push({ subject: `${label} -r ${realServerLabel(server)}`, before: rule(realServerRuleArgv(desired.key, server)), after: null });
          commands.push(ipvsadm(['-d', ...serviceArgv(desired.key), '-r', realServerLabel(server)]));
        }
      }
    }

    if ('os' in facts) {
      const saving = savePlan(facts, tableAfter(live, args, desired));
      changes.push(...saving.changes);
      commands.push(...saving.commands);
    }

    if (changes.length > 0) return { changes, commands };
    if (args.state === 'absent') return noop(`${label} is not in the IPVS table${facts.table.loaded ? '' : ' (IPVS is not loaded)'}`);
    const servers = desired.realServers.length === 1 ? '1 real server' : `${desired.realServers.length} real servers`;
    const loaded = describeModules(Object.keys(facts.table.modules));
    return noop(`${wantedRuleSummary(desired)} has its ${servers} as listed; ${loaded} ${Object.keys(facts.table.modules).length === 1 ? 'is' : 'are'} in the kernel`);
  },

  // A fwmark service has no VIP whose placement could be checked, and a removed one needs nothing.
  cluster: (args) =>
    args.state === 'present' && args.address !== undefined && args.port !== undefined
      ? {
          services: [
            {
              address: args.address,
              port: args.port,
              protocol: args.protocol,
              argument: 'address',
              realServers: args.real_servers.map((server, index) => ({
                address: server.address,
                port: server.port,
                forwarding: server.forwarding,
                argument: `real_servers.${index}.address`,
              })),
            },
          ],
        }
      : {},
});

function wantedRuleSummary(service: VirtualService): string {
  return `${serviceLabel(service.key)} (${serviceOptionArgv(service).join(' ')})`;
}
