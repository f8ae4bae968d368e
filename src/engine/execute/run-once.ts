/**
 * What a host of the batch that did not run a run_once task is told: the result of the host
 * that ran it. Its `register` gets that host's result whole (as in Ansible); its own line
 * says where the task ran and changes nothing here. A failure there fails every host of the
 * batch, as Ansible does. That host being unreachable fails them too: going on without a task
 * that was meant to run is not safe (Ansible would go on).
 */
import type { OnceResult } from './batch-control';
import type { HostTaskResult } from './results';

export function onceResultFor({ leader, result }: OnceResult): HostTaskResult {
  const shared = { diff: [], commands: [], duration_ms: 0, run_once_host: leader };
  switch (result.status) {
    case 'failed':
      return { ...shared, status: 'failed', changed: false, failed: true, msg: `run_once: failed on ${leader}: ${result.msg ?? ''}` };
    case 'unreachable':
      return { ...shared, status: 'failed', changed: false, failed: true, msg: `run_once: ${leader}, which ran it for the batch, was unreachable: ${result.msg ?? ''}` };
    case 'skipped':
      return { ...shared, status: 'skipped', changed: false, msg: `run_once: skipped on ${leader}${result.msg ? `: ${result.msg}` : ''}` };
    default:
      return { ...shared, status: 'ok', changed: false, noop: `run_once: ran on ${leader} (${result.status})` };
  }
}
