/**
 * One IPVS virtual service and its real servers, kept with the fewest ipvsadm -A/-E/-a/-e/-d
 * commands (never -C, which would drop every other service), after loading the modules.
 */
import { defineTask, noop, type Change, type Fact, type PlannedCommand } from '../api';
import { refuseOtherType, remoteFile, type RemoteFile } from '../facts/file';
import { canonicalAddress, ipFamily, type IpFamily } from '../net/ip-address';
import { formatRules, ipvsState, parseIpvsRules, realServerLabel, realServerRuleArgv, sameRules, sameServiceKey, serviceArgv, serviceLabel, serviceOptionArgv, serviceRuleArgv, type ServiceKey, type IpvsState, type VirtualService } from '../facts/ipvs';
import { osRelease, type OsFamily, type OsRelease } from '../facts/service';
import { sh } from '../shell/quote';
import { writeFileAtomically } from '../changes/file';
import { modprobe } from '../changes/kernel-modules';
import { serviceKeyOf } from './ipvs-service';
import { clusterService, effectivePort, fwmarkFamily, REAL_SERVER_PROPERTIES, VIRTUAL_SERVICE_PROPERTIES, virtualServiceProblems, type VirtualServiceArgs } from './virtual-service';

interface IpvsadmArgs extends VirtualServiceArgs {
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

function desiredKey(args: IpvsadmArgs): ServiceKey {
  return serviceKeyOf(args, fwmarkFamily(args));
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
      ...VIRTUAL_SERVICE_PROPERTIES,
      real_servers: {
        type: 'array',
        default: [],
        description: 'The real servers of the service.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['address'],
          properties: REAL_SERVER_PROPERTIES,
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
    const problems = virtualServiceProblems(args);
    if (args.state === 'absent' && args.real_servers.length > 0) problems.push('real_servers: must be empty when state is absent (the service goes with all its real servers)');
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

  // A removed service needs nothing.
  cluster: (args) => (args.state === 'present' ? { services: clusterService(args) } : {}),
});

function wantedRuleSummary(service: VirtualService): string {
  return `${serviceLabel(service.key)} (${serviceOptionArgv(service).join(' ')})`;
}
