/** The run as one JSON document, in the shape of Ansible's json callback, built from the events. */
import type { RunEvent } from '../engine/execute/events';
import type { PlayReport, RunReport } from '../engine/execute/results';

export class JsonReport {
  private readonly plays: PlayReport[] = [];
  private readonly current = new Map<number, PlayReport>();
  private report: RunReport | undefined;

  readonly listener = (event: RunEvent): void => {
    switch (event.kind) {
      case 'batch-started': {
        let play = this.current.get(event.play.index);
        if (!play) {
          play = { play: { name: event.play.name, hosts: [] }, tasks: event.play.tasks.map((task) => ({ task, hosts: {} })) };
          this.current.set(event.play.index, play);
          this.plays.push(play);
        }
        play.play.hosts.push(...event.hosts);
        return;
      }
      case 'host-unreachable':
      case 'host-failed': {
        // Ansible reports a host that stopped before its tasks under the task it was about to run.
        const first = this.current.get(event.play.index)?.tasks[0];
        if (!first) return;
        first.hosts[event.host] =
          event.kind === 'host-unreachable'
            ? { status: 'unreachable', changed: false, unreachable: true, msg: event.message, diff: [], commands: [], duration_ms: 0 }
            : { status: 'failed', changed: false, failed: true, msg: event.message, diff: [], commands: [], duration_ms: 0 };
        return;
      }
      case 'task-finished': {
        const play = this.current.get(event.play.index)!;
        const { task } = event;
        // An included task has an entry per pass, as Ansible's json callback gives each one: the first this host has not filled.
        const included = task.includedBy !== undefined;
        let entry = task.handler
          ? play.tasks.find((known) => known.task.handler && known.task.name === task.name)
          : included
            ? play.tasks.find((known) => known.task.included && known.task.name === task.name && !(event.host in known.hosts))
            : play.tasks[task.index];
        if (!entry) {
          entry = { task: { name: task.name, action: task.action, ...(task.handler ? { handler: true as const } : {}), ...(included ? { included: true as const } : {}) }, hosts: {} };
          play.tasks.push(entry);
        }
        entry.hosts[event.host] = event.result;
        return;
      }
      case 'run-finished':
        this.report = {
          plays: this.plays,
          stats: event.stats,
          connections: event.connections,
          ...(event.interrupted ? { interrupted: event.interrupted } : {}),
          ...(event.lost ? { lost: event.lost } : {}),
          ...(event.stopped ? { stopped: event.stopped } : {}),
          check_mode: event.check,
          duration_ms: event.duration_ms,
        };
    }
  };

  /** The finished report; only after the run-finished event. */
  result(): RunReport {
    if (!this.report) throw new Error('the run has not finished');
    return this.report;
  }
}
