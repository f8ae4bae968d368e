/**
 * What a tool cost a host, read from the part of that host's sshd log (LogLevel DEBUG1)
 * written during one run. The lab's sshdActivity() counts connections and exec requests;
 * file transfers over sftp are subsystem requests on a session channel, which Ansible's
 * template module makes, so they are counted here too.
 */
import { sshdActivity } from '../test/support/netns-hosts';

export interface SshdCost {
  /** TCP connections accepted. */
  connections: number;
  /** Session channels that ran a command. */
  execs: number;
  /** Session channels that ran a subsystem (sftp). */
  subsystems: number;
}

export function countSshdCost(log: string): SshdCost {
  const { connections, execRequests } = sshdActivity(log);
  const subsystems = (log.match(/^debug1: server_input_channel_req: channel \d+ request subsystem /gm) ?? []).length;
  return { connections, execs: execRequests, subsystems };
}
