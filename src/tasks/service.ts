/**
 * A service started, stopped, restarted or reloaded, and started at boot or not, under
 * systemd or SysV init (whichever the host's PID 1 is), for any unit or init script:
 * Ansible's `service` arguments and meanings. The httpd task manages Apache through
 * servicePlan as well.
 */
import { defineTask, noop, type Change, type PlannedCommand } from '../api';
import { osRelease, serviceStatus, type OsFamily, type ServiceStatus } from '../facts/service';
import { enableCommand, serviceCommand } from '../changes/service';
import { SERVICE_NAME } from './patterns';

export type ServiceState = 'started' | 'stopped' | 'restarted' | 'reloaded';

export interface ServiceWish {
  state?: ServiceState;
  enabled?: boolean;
}

export interface ServicePlan {
  changes: Change[];
  commands: PlannedCommand[];
  /** A restart or reload was asked for: the commands are the change (Plan.action). */
  action: boolean;
}

/** `systemctl is-enabled` words for units whose boot state `enable`/`disable` cannot change. */
const FIXED_AT_BOOT = ['static', 'indirect', 'generated', 'transient', 'masked', 'masked-runtime'];

/**
 * What makes `service` match `wish`. `status` is undefined for a service whose package is
 * being installed in the same plan (its state is unknown until then; Debian's packages
 * start their services). `restartedFrom` names the state a restart leaves, for --diff.
 */
export function servicePlan(
  service: string,
  init: ServiceStatus['init'],
  family: OsFamily,
  status: ServiceStatus | undefined,
  wish: ServiceWish,
  restartedFrom = 'running',
): ServicePlan {
  const changes: Change[] = [];
  const commands: PlannedCommand[] = [];
  const subject = `${service} service`;
  const running = status?.running;
  const describe = status === undefined ? 'not installed' : running ? 'running' : 'stopped';
  let action = false;
  if (wish.state === 'stopped' && running !== false) {
    changes.push({ subject, before: describe, after: 'stopped' });
    commands.push({ run: serviceCommand(init, service, 'stop') });
  } else if (wish.state !== undefined && wish.state !== 'stopped' && running !== true) {
    // Restarting or reloading a stopped service starts it, as Ansible does.
    changes.push({ subject, before: describe, after: 'running' });
    commands.push({ run: serviceCommand(init, service, 'start') });
    action = wish.state === 'restarted' || wish.state === 'reloaded';
  } else if (wish.state === 'restarted' || wish.state === 'reloaded') {
    const verb = wish.state === 'restarted' ? 'restart' : 'reload';
    changes.push({ subject, before: restartedFrom, after: wish.state });
    commands.push({ run: serviceCommand(init, service, verb) });
    action = true;
  }
  if (wish.enabled !== undefined && (status === undefined || status.enabled !== wish.enabled)) {
    if (status && init === 'systemd' && FIXED_AT_BOOT.includes(status.boot)) {
      throw new Error(`${service} cannot be ${wish.enabled ? 'enabled' : 'disabled'}: systemctl is-enabled says ${status.boot}`);
    }
    const before = status === undefined ? 'not installed' : status.enabled ? 'enabled' : 'disabled';
    changes.push({ subject: `${service} at boot`, before, after: wish.enabled ? 'enabled' : 'disabled' });
    commands.push({ run: enableCommand(init, family, service, wish.enabled) });
  }
  return { changes, commands, action };
}

interface ServiceArgs {
  name: string;
  state?: ServiceState;
  enabled?: boolean;
}

export default defineTask({
  name: 'service',
  description: 'Starts, stops, restarts or reloads a service and sets whether it starts at boot, under systemd or SysV init.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: {
        type: 'string',
        pattern: SERVICE_NAME,
        description: 'The systemd unit (nginx, nginx.service, getty@tty1) or the SysV init script in /etc/init.d (letters, digits, and . _ @ + - inside).',
      },
      state: {
        type: 'string',
        enum: ['started', 'stopped', 'restarted', 'reloaded'],
        description:
          'started: running; stopped: not running; restarted: restarted on every run (started when stopped), reloaded: reloaded on every run (started when stopped), so both are changed every time, as in Ansible; left as it is when not given.',
      },
      enabled: { type: 'boolean', description: 'Whether it starts at boot (systemctl enable/disable, update-rc.d or chkconfig); left as it is when not given.' },
    },
  },
  example: { name: 'keepalived', state: 'started', enabled: true },
  validate: (args: ServiceArgs) => (args.state === undefined && args.enabled === undefined ? ['state: give state, enabled or both'] : []),
  facts: (args: ServiceArgs) => ({ os: osRelease(), status: serviceStatus(args.name) }),
  plan(args, facts) {
    const status = facts.status;
    if (!status.exists) {
      throw new Error(
        status.init === 'systemd' ? `systemd has no unit ${args.name}` : `there is no init script /etc/init.d/${args.name} (the host's PID 1 is not systemd)`,
      );
    }
    const planned = servicePlan(args.name, status.init, facts.os.family, status, args);
    if (planned.changes.length === 0) {
      const boot = args.enabled === undefined ? '' : status.enabled ? ', enabled at boot' : ', disabled at boot';
      return noop(`${args.name} is ${status.running ? 'running' : 'stopped'}${boot} (${status.init === 'systemd' ? 'systemd' : 'SysV init'})`);
    }
    return { changes: planned.changes, commands: planned.commands, ...(planned.action ? { action: { check: 'report' as const } } : {}) };
  },
});
