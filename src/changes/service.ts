/** Starting, stopping and enabling services under systemd or SysV init. */
import type { InitSystem, OsFamily } from '../facts/service';
import { sh, type ShellCommand } from '../shell/quote';

export type ServiceAction = 'start' | 'stop' | 'restart' | 'reload';

/** `systemctl ACTION NAME`, or the SysV script through `service` (or directly when `service` is missing). */
export function serviceCommand(init: InitSystem, name: string, action: ServiceAction): ShellCommand {
  if (init === 'systemd') return sh`systemctl ${action} -- ${name}`;
  return sh`if command -v service >/dev/null 2>&1; then service ${name} ${action}; else ${`/etc/init.d/${name}`} ${action}; fi`;
}

/**
 * Makes a service start at boot, or not. On Debian's SysV, `update-rc.d NAME defaults`
 * only creates links when there are none, and `disable` turns S links into K links that
 * `defaults` then leaves alone, so enabling runs `defaults` and then `enable`.
 */
export function enableCommand(init: InitSystem, family: OsFamily, name: string, enabled: boolean): ShellCommand {
  if (init === 'systemd') return sh`systemctl ${enabled ? 'enable' : 'disable'} -- ${name}`;
  if (family === 'rhel') return sh`chkconfig ${name} ${enabled ? 'on' : 'off'}`;
  return enabled ? sh`update-rc.d ${name} defaults && update-rc.d ${name} enable` : sh`update-rc.d ${name} disable`;
}
