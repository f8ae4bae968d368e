/**
 * A web server that serves a page naming the host: Apache installed when missing (apache2 on
 * Debian-like hosts, httpd on RHEL-like ones), the index page written when it differs, and
 * the service started, stopped or restarted, under systemd or SysV init, through the same
 * servicePlan as the service task.
 */
import { defineTask, noop, type Change, type PlannedCommand } from '../api';
import { refuseOtherType, remoteFile } from '../facts/file';
import { daemonFreshness, installedPackages, osRelease, serviceStatus, type DaemonFreshness, type OsFamily } from '../facts/service';
import { sh, ShellCommand } from '../shell/quote';
import { writeFileAtomically } from '../changes/file';
import { installCommand, refreshListsCommand } from '../changes/packages';
import { servicePlan } from './service';
import { TEMPLATE_NAME } from './patterns';

interface HttpdArgs {
  index_template?: string;
  index_content?: string;
  state: 'started' | 'stopped' | 'restarted';
  enabled?: boolean;
}

interface WebServer {
  package: string;
  service: string;
  pidFile: string;
  configDir: string;
  install: ShellCommand;
}

const DOCROOT_INDEX = '/var/www/html/index.html';
const DEFAULT_INDEX_TEMPLATE = 'index.html.hbs';

const WEB_SERVERS: Record<Exclude<OsFamily, 'unknown'>, WebServer> = {
  debian: {
    package: 'apache2',
    service: 'apache2',
    // APACHE_PID_FILE in /etc/apache2/envvars.
    pidFile: '/var/run/apache2/apache2.pid',
    configDir: '/etc/apache2',
    // A host whose package lists were never fetched cannot install: fetch them once and retry.
    install: sh`${installCommand('apt-get', ['apache2'])} || { ${refreshListsCommand('apt-get')} && ${installCommand('apt-get', ['apache2'])}; }`,
  },
  rhel: {
    package: 'httpd',
    service: 'httpd',
    pidFile: '/run/httpd/httpd.pid',
    configDir: '/etc/httpd',
    install: sh`if command -v dnf >/dev/null 2>&1; then ${installCommand('dnf', ['httpd'])}; else ${installCommand('yum', ['httpd'])}; fi`,
  },
};

/**
 * `restarted` cannot mean "restart on every run": the engine re-plans after applying and
 * needs an empty plan. It means "running, and started after its configuration last
 * changed": a server older than any file under its configuration directory (which is what
 * a handler notified by a config change finds) is restarted; a stopped one is started.
 */
function isStale(freshness: DaemonFreshness): boolean {
  if (freshness.startedAt === undefined) return true;
  return freshness.configChangedAt !== undefined && freshness.configChangedAt > freshness.startedAt;
}

/**
 * The service's wish for servicePlan: restarted becomes a restart only for a server older
 * than its configuration, and otherwise means started.
 */
function serviceWish(args: HttpdArgs, freshness: DaemonFreshness, running: boolean) {
  const restart = args.state === 'restarted' && running && isStale(freshness);
  return { state: restart ? ('restarted' as const) : args.state === 'stopped' ? ('stopped' as const) : ('started' as const), enabled: args.enabled };
}

/** Both families' service and package state are read: which one applies is known only from os. */
function webServerFacts() {
  return {
    os: osRelease(),
    packages: installedPackages([WEB_SERVERS.debian.package, WEB_SERVERS.rhel.package]),
    debianService: serviceStatus(WEB_SERVERS.debian.service),
    rhelService: serviceStatus(WEB_SERVERS.rhel.service),
    debianFreshness: daemonFreshness(WEB_SERVERS.debian.pidFile, WEB_SERVERS.debian.configDir),
    rhelFreshness: daemonFreshness(WEB_SERVERS.rhel.pidFile, WEB_SERVERS.rhel.configDir),
    page: remoteFile(DOCROOT_INDEX),
  };
}

export default defineTask<HttpdArgs, ReturnType<typeof webServerFacts>>({
  name: 'httpd',
  description: 'Installs Apache when missing, writes the index page that names the host, and manages the service.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      index_template: {
        type: 'string',
        pattern: TEMPLATE_NAME,
        description: `The template rendered into ${DOCROOT_INDEX}, looked up beside the playbook and then in the templates/ folder (HTML-escaped when its name ends in .html.hbs); ${DEFAULT_INDEX_TEMPLATE}, which names the host, when neither this nor index_content is given.`,
      },
      index_content: {
        type: 'string',
        description: `The exact content of ${DOCROOT_INDEX}, written verbatim; use it instead of index_template, not with it.`,
      },
      state: {
        type: 'string',
        enum: ['started', 'stopped', 'restarted'],
        default: 'started',
        description:
          'started: running; stopped: not running; restarted: running and started after the last change to any file under its configuration directory (/etc/apache2 or /etc/httpd), restarting a server older than its configuration.',
      },
      enabled: { type: 'boolean', description: 'Whether the web server starts at boot; left as it is when not given.' },
    },
  },
  example: { index_template: DEFAULT_INDEX_TEMPLATE, state: 'started', enabled: true },
  validate(args) {
    if (args.index_content !== undefined && args.index_template !== undefined) {
      return ['index_content: cannot be given together with index_template'];
    }
    return [];
  },
  templates: (args) => (args.index_content === undefined ? [args.index_template ?? DEFAULT_INDEX_TEMPLATE] : []),
  facts: webServerFacts,
  plan(args, facts, context) {
    const family = facts.os.family;
    if (family === 'unknown') {
      throw new Error(`cannot tell how to install a web server on ${facts.os.id} (neither Debian- nor RHEL-like in /etc/os-release)`);
    }
    const server = WEB_SERVERS[family];
    const status = family === 'debian' ? facts.debianService : facts.rhelService;
    const freshness = family === 'debian' ? facts.debianFreshness : facts.rhelFreshness;
    const changes: Change[] = [];
    const commands: PlannedCommand[] = [];
    const installing = !facts.packages[server.package];

    if (installing) {
      changes.push({ subject: `${server.package} package`, before: 'absent', after: 'installed' });
      commands.push({ run: server.install });
    }

    const content = args.index_content ?? context.templates[args.index_template ?? DEFAULT_INDEX_TEMPLATE];
    refuseOtherType(facts.page, DOCROOT_INDEX);
    if (!facts.page.exists || facts.page.content !== content) {
      changes.push({ subject: DOCROOT_INDEX, before: facts.page.exists ? facts.page.content : null, after: content });
      // A package being installed writes its own page first: only a page read before is compared.
      commands.push({ run: writeFileAtomically(DOCROOT_INDEX, content, { mode: '0644' }, installing ? undefined : facts.page) });
    }

    // A package being installed may start its service (Debian's does), so its state is unknown.
    const wish = serviceWish(args, freshness, status.running);
    const service = servicePlan(server.service, status.init, family, installing ? undefined : status, wish, 'running with an older configuration');
    changes.push(...service.changes);
    commands.push(...service.commands);

    if (changes.length === 0) {
      const boot = args.enabled === undefined ? '' : args.enabled ? ', enabled at boot' : ', disabled at boot';
      const running = status.running ? (args.state === 'restarted' ? 'running since its configuration last changed' : 'running') : 'stopped';
      return noop(`${server.service} is installed and ${running}${boot}; ${DOCROOT_INDEX} is up to date`);
    }
    return { changes, commands };
  },
});
