/**
 * keepalived keeping the director pair's VIP (VRRP) and the IPVS services with their health
 * checks: installed when missing, /etc/keepalived/keepalived.conf written from structured
 * arguments (never a free-form template), checked by `keepalived -t` before it replaces the
 * file in place, and applied with a reload (SIGHUP), never a restart. What keepalived owns
 * at run time (which director holds the VIP, which real servers are in the IPVS table) is
 * not read: it is not drift.
 */
import { defineTask, noop, type Change, type ClusterSettings, type PlannedCommand } from '../api';
import { refuseOtherType, remoteFile } from '../facts/file';
import { daemonFreshness, installedPackages, osRelease, serviceStatus, type OsFamily } from '../facts/service';
import { installCommand, refreshListsCommand } from '../changes/packages';
import { serviceCommand } from '../changes/service';
import { sh, type ShellCommand } from '../shell/quote';
import { canonicalAddress, parsePrefix } from '../net/ip-address';
import { AUTH_PASS_SHOWN, hidePasswords, renderKeepalivedConfig, type KeepalivedConfigArgs } from '../keepalived/render-config';
import { KEEPALIVED_CONFIG as CONFIG, KEEPALIVED_CONFIG_DIR as CONFIG_DIR, KEEPALIVED_SERVICE as SERVICE, reloadKeepalived, writeKeepalivedConfig } from '../keepalived/host';
import { servicePlan } from './service';
import { clusterService, REAL_SERVER_PROPERTIES, VIRTUAL_SERVICE_PROPERTIES, virtualServiceProblems } from './virtual-service';
import { DEVICE_NAME, DEVICE_OR_LABEL, IP_ADDRESS, IP_PREFIX } from './patterns';

interface KeepalivedArgs extends KeepalivedConfigArgs {
  enabled: boolean;
}

const PACKAGE = 'keepalived';
/** keepalived's default pid file (-p); the SysV script and the systemd unit both use it. */
const PID_FILE = '/run/keepalived.pid';

/** A VRRP instance or router name: one keepalived word. */
const NAME = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$';
/**
 * keepalived cannot write `"` inside a quoted word, takes `\` literally in a password and
 * uses only its first 8 characters (keepalived.conf(5)): longer ones would be cut silently.
 */
const AUTH_PASS = '^[^-"\\\\\\u0000-\\u001f\\u007f][^"\\\\\\u0000-\\u001f\\u007f]{0,7}$';
/** An HTTP path: visible characters, no `"` or `\` (see render-config.ts). */
const URL_PATH = '^/[^\\s"\\\\\\u0000-\\u001f\\u007f]{0,1023}$';

const INSTALL: Record<Exclude<OsFamily, 'unknown'>, ShellCommand> = {
  // A host whose package lists were never fetched cannot install: fetch them once and retry.
  debian: sh`${installCommand('apt-get', [PACKAGE])} || { ${refreshListsCommand('apt-get')} && ${installCommand('apt-get', [PACKAGE])}; }`,
  rhel: sh`if command -v dnf >/dev/null 2>&1; then ${installCommand('dnf', [PACKAGE])}; else ${installCommand('yum', [PACKAGE])}; fi`,
};

/**
 * Starts keepalived and waits (up to 5 s) for its pid file: the SysV script returns before
 * the forked daemon has written it, and the pid file is what says it runs.
 */
function startCommand(init: 'systemd' | 'sysv'): ShellCommand {
  return sh`${serviceCommand(init, SERVICE, 'start')} && for lvs_try in 1 2 3 4 5 6 7 8 9 10; do [ -s ${PID_FILE} ] && break; sleep 0.5; done && [ -s ${PID_FILE} ]`;
}

const HEALTH_CHECK = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  description: 'How keepalived checks a real server; one that fails is taken out of the IPVS table (or given weight 0 with inhibit_on_failure).',
  properties: {
    type: { type: 'string', enum: ['HTTP_GET', 'TCP_CHECK'], description: 'HTTP_GET: a GET of path must answer status_code; TCP_CHECK: a TCP connection must open.' },
    path: { type: 'string', pattern: URL_PATH, default: '/', description: 'The URL path HTTP_GET asks for (no spaces, " or \\).' },
    status_code: { type: 'integer', minimum: 100, maximum: 599, default: 200, description: 'The HTTP status HTTP_GET expects.' },
    connect_timeout: { type: 'integer', minimum: 1, maximum: 3600, description: "Seconds a check may take; keepalived's 5 when not given." },
    delay_loop: { type: 'integer', minimum: 1, maximum: 3600, description: "Seconds between checks; keepalived's 60 when not given." },
    retry: { type: 'integer', minimum: 0, maximum: 100, description: "Checks more after a failed one before the server counts as down; keepalived's 1 when not given." },
    delay_before_retry: { type: 'integer', minimum: 1, maximum: 3600, description: "Seconds between those retries; keepalived's 3 for HTTP_GET and 1 for TCP_CHECK when not given." },
  },
} as const;

export default defineTask({
  name: 'keepalived',
  description: 'Installs keepalived and keeps its configuration (VRRP instances, IPVS services with health checks, the LVS sync daemon), checked before use and applied by reload.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      router_id: { type: 'string', pattern: NAME, description: "global_defs router_id: the name keepalived gives this host in its logs and alerts; the host name when not given." },
      auth_pass: {
        type: 'string',
        pattern: AUTH_PASS,
        secret: true,
        description:
          'The VRRP password (authentication PASS) of every instance, 1 to 8 characters without " or \\, not starting with -; no authentication when not given, which keepalived.conf(5) advises (it is not in VRRPv3).',
      },
      vrrp_instances: {
        type: 'array',
        default: [],
        description: 'The VRRP instances: each moves its VIPs to the live director with the highest priority.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'interface', 'virtual_router_id', 'priority', 'virtual_ipaddresses'],
          properties: {
            name: { type: 'string', pattern: NAME, description: 'The instance name (VI_1), the same on every director of the pair.' },
            interface: { type: 'string', pattern: DEVICE_NAME, description: 'The device the VRRP adverts go out of; it must exist (keepalived -t checks it).' },
            virtual_router_id: { type: 'integer', minimum: 1, maximum: 255, description: 'The VRID, the same on every director of the pair and unique on the segment.' },
            priority: { type: 'integer', minimum: 1, maximum: 254, description: 'The highest live priority holds the VIPs; different on each director.' },
            state: { type: 'string', enum: ['MASTER', 'BACKUP'], default: 'BACKUP', description: 'The state it starts in; the priorities decide after the first adverts.' },
            advert_int: { type: 'integer', minimum: 1, maximum: 255, default: 1, description: 'Seconds between adverts; a backup takes over after about 3 missed ones.' },
            virtual_ipaddresses: {
              type: 'array',
              minItems: 1,
              description: 'The VIPs the master holds.',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['address'],
                properties: {
                  address: { type: 'string', pattern: IP_PREFIX, description: 'The VIP with its prefix length: 192.168.2.100/24 (a /32 when none is given).' },
                  dev: { type: 'string', pattern: DEVICE_NAME, description: "The device it goes on; the instance's interface when not given." },
                  label: { type: 'string', pattern: DEVICE_OR_LABEL, description: 'Its label, such as eth0:0.' },
                },
              },
            },
            nopreempt: { type: 'boolean', default: false, description: 'A higher priority director that comes back does not take the VIPs back; needs state BACKUP.' },
            preempt_delay: { type: 'integer', minimum: 0, maximum: 1000, description: 'Seconds a returning higher priority director waits before it takes the VIPs back; needs state BACKUP.' },
            garp_master_delay: { type: 'integer', minimum: 0, maximum: 3600, description: 'Seconds after becoming master before the second set of gratuitous ARPs (0: none).' },
          },
        },
      },
      virtual_servers: {
        type: 'array',
        default: [],
        description: 'The IPVS virtual services keepalived keeps, in the ipvsadm task\'s shape, with health checks.',
        items: {
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
                properties: { ...REAL_SERVER_PROPERTIES, health_check: { ...HEALTH_CHECK, description: "This server's check, instead of the service's health_check." } },
              },
            },
            health_check: { ...HEALTH_CHECK, description: 'The check of every real server that has none of its own; without any, a real server is never taken out.' },
            quorum: { type: 'integer', minimum: 1, maximum: 4294967295, description: 'The total weight of live real servers the service needs; below it, the sorry_server serves.' },
            sorry_server: {
              type: 'object',
              additionalProperties: false,
              required: ['address'],
              description: 'The server that answers when no real server (or less than quorum) is up.',
              properties: {
                address: { type: 'string', pattern: IP_ADDRESS, description: 'Its address.' },
                port: { type: 'integer', minimum: 1, maximum: 65535, description: "Its port; the service's when not given." },
                forwarding: { ...REAL_SERVER_PROPERTIES.forwarding, description: 'How packets reach it (dr, nat or tun).' },
              },
            },
            inhibit_on_failure: {
              type: 'boolean',
              default: false,
              description: 'A failed real server stays in the table with weight 0 instead of being removed, so its open connections go on.',
            },
          },
        },
      },
      lvs_sync_daemon: {
        type: 'object',
        additionalProperties: false,
        required: ['interface'],
        description: "global_defs lvs_sync_daemon: the IPVS connection sync daemon, so a backup director taking over knows the master's connections.",
        properties: {
          interface: { type: 'string', pattern: DEVICE_NAME, description: 'The device the sync messages use.' },
          instance: { type: 'string', pattern: NAME, description: 'The VRRP instance it follows: master sync daemon while it is master, backup otherwise.' },
          sync_id: { type: 'integer', minimum: 0, maximum: 255, description: "The sync id; the followed instance's VRID when not given." },
        },
      },
      enabled: { type: 'boolean', default: true, description: 'Whether keepalived starts at boot.' },
    },
  },
  example: {
    vrrp_instances: [
      {
        name: 'VI_1',
        interface: 'eth0',
        virtual_router_id: 51,
        priority: 150,
        state: 'MASTER',
        advert_int: 1,
        virtual_ipaddresses: [{ address: '192.168.2.100/24', dev: 'eth0', label: 'eth0:0' }],
        nopreempt: false,
      },
    ],
    virtual_servers: [
      {
        protocol: 'tcp',
        address: '192.168.2.100',
        port: 80,
        scheduler: 'rr',
        real_servers: [
          { address: '192.168.2.11', forwarding: 'dr', weight: 1 },
          { address: '192.168.2.12', forwarding: 'dr', weight: 1 },
        ],
        health_check: { type: 'HTTP_GET', path: '/', status_code: 200, connect_timeout: 2, delay_loop: 2, retry: 2 },
        inhibit_on_failure: false,
      },
    ],
    lvs_sync_daemon: { interface: 'eth0', instance: 'VI_1' },
    enabled: true,
  },
  validate(args: KeepalivedArgs) {
    const problems: string[] = [];
    const names = new Map<string, number>();
    args.vrrp_instances.forEach((instance, index) => {
      const key = `vrrp_instances.${index}`;
      const first = names.get(instance.name);
      if (first !== undefined) problems.push(`${key}.name: ${instance.name} is already vrrp_instances.${first}`);
      else names.set(instance.name, index);
      // keepalived.conf(5): "For this to work, the initial state must not be MASTER."
      if (instance.state === 'MASTER' && instance.nopreempt) problems.push(`${key}.nopreempt: needs state BACKUP (keepalived ignores it for a MASTER)`);
      if (instance.state === 'MASTER' && instance.preempt_delay !== undefined) problems.push(`${key}.preempt_delay: needs state BACKUP (keepalived ignores it for a MASTER)`);
      instance.virtual_ipaddresses.forEach((vip, at) => {
        if (!parsePrefix(vip.address)) problems.push(`${key}.virtual_ipaddresses.${at}.address: "${vip.address}" is not an address with a prefix length`);
      });
    });
    const services = new Map<string, number>();
    args.virtual_servers.forEach((service, index) => {
      const key = `virtual_servers.${index}`;
      problems.push(...virtualServiceProblems(service, `${key}.`));
      const identity = service.fwmark !== undefined ? `fwmark ${service.fwmark}` : `${service.protocol} ${canonicalAddress(service.address ?? '')}:${service.port}`;
      const first = services.get(identity);
      if (first !== undefined) problems.push(`${key}: ${identity} is already virtual_servers.${first}`);
      else services.set(identity, index);
      if (service.sorry_server && !canonicalAddress(service.sorry_server.address)) problems.push(`${key}.sorry_server.address: "${service.sorry_server.address}" is not an IP address`);
    });
    const sync = args.lvs_sync_daemon;
    if (sync?.instance !== undefined && !names.has(sync.instance)) problems.push(`lvs_sync_daemon.instance: there is no vrrp_instance named ${sync.instance}`);
    if (args.vrrp_instances.length === 0 && args.virtual_servers.length === 0) problems.push('vrrp_instances: give vrrp_instances, virtual_servers or both');
    return problems;
  },
  facts: () => ({
    os: osRelease(),
    packages: installedPackages([PACKAGE]),
    status: serviceStatus(SERVICE),
    // The SysV script has no status action: the pid file says whether keepalived runs.
    daemon: daemonFreshness(PID_FILE, CONFIG_DIR),
    config: remoteFile(CONFIG),
  }),
  plan(args, facts) {
    const family = facts.os.family;
    if (family === 'unknown') throw new Error(`cannot tell how to install keepalived on ${facts.os.id} (neither Debian- nor RHEL-like in /etc/os-release)`);
    const changes: Change[] = [];
    const commands: PlannedCommand[] = [];
    const installing = !facts.packages[PACKAGE];
    if (installing) {
      changes.push({ subject: `${PACKAGE} package`, before: 'absent', after: 'installed' });
      commands.push({ run: INSTALL[family] });
    }

    refuseOtherType(facts.config, CONFIG);
    const wanted = renderKeepalivedConfig(args);
    const rewrite = !facts.config.exists || facts.config.content !== wanted;
    if (rewrite) {
      changes.push({ subject: CONFIG, before: facts.config.exists ? hidePasswords(facts.config.content) : null, after: renderKeepalivedConfig(args, AUTH_PASS_SHOWN) });
      const write = writeKeepalivedConfig(wanted, installing ? undefined : facts.config);
      commands.push({ run: sh`mkdir -p -- ${CONFIG_DIR} && ${write}` });
    }

    const init = facts.status.init;
    // A package being installed may start keepalived itself, so its state is unknown until then.
    const status = installing ? undefined : { ...facts.status, running: facts.daemon.running };
    if (!status?.running) {
      changes.push({ subject: `${SERVICE} service`, before: status ? 'stopped' : 'not installed', after: 'running' });
      commands.push({ run: startCommand(init) });
    } else if (rewrite) {
      changes.push({ subject: `${SERVICE} service`, before: 'running', after: 'reloaded' });
      commands.push({ run: reloadKeepalived(init) });
    }
    const boot = servicePlan(SERVICE, init, family, status, { enabled: args.enabled });
    changes.push(...boot.changes);
    commands.push(...boot.commands);

    if (changes.length === 0) {
      return noop(`keepalived is installed and running${args.enabled ? ', enabled at boot' : ', disabled at boot'}; ${CONFIG} is up to date`);
    }
    return { changes, commands };
  },
  cluster(args): ClusterSettings {
    const sync = args.lvs_sync_daemon;
    return {
      services: args.virtual_servers.flatMap((service, index) => clusterService(service, `virtual_servers.${index}.`)),
      vrrpInstances: args.vrrp_instances.map((instance, index) => ({
        name: instance.name,
        interface: instance.interface,
        virtualRouterId: instance.virtual_router_id,
        priority: instance.priority,
        addresses: instance.virtual_ipaddresses.map((vip) => ({ address: vip.address, device: vip.dev ?? instance.interface })),
        argument: `vrrp_instances.${index}`,
        ...(sync && (sync.instance === undefined || sync.instance === instance.name) ? { syncInterface: sync.interface } : {}),
      })),
    };
  },
});
