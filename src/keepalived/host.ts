/**
 * keepalived's file on a host and the two commands lvs changes it with, shared by the
 * keepalived task (which writes the whole file) and ipvs_member (which changes one weight in
 * it): the write checked by `keepalived -t` before it replaces the file, and the reload.
 */
import type { RemoteFile } from '../facts/file';
import type { InitSystem } from '../facts/service';
import { writeFileAtomically } from '../changes/file';
import { serviceCommand } from '../changes/service';
import { sh, type ShellCommand } from '../shell/quote';

export const KEEPALIVED_SERVICE = 'keepalived';
export const KEEPALIVED_CONFIG_DIR = '/etc/keepalived';
export const KEEPALIVED_CONFIG = `${KEEPALIVED_CONFIG_DIR}/keepalived.conf`;

/**
 * Replaces the file with `content` if `keepalived -t` accepts it, so a rejected file never
 * replaces the one keepalived runs with; given `readAs`, only if the file still holds that.
 */
export function writeKeepalivedConfig(content: string, readAs?: Pick<RemoteFile, 'exists' | 'sha256'>): ShellCommand {
  return writeFileAtomically(KEEPALIVED_CONFIG, content, { mode: '0640' }, readAs, { validate: (file) => sh`keepalived -t -f ${file}` });
}

/** SIGHUP: keepalived re-reads its file and keeps the VIPs and IPVS rules that stay. */
export function reloadKeepalived(init: InitSystem): ShellCommand {
  return serviceCommand(init, KEEPALIVED_SERVICE, 'reload');
}
