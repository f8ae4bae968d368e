/**
 * The run as plain lines, for logs and CI (no TTY): one line per finished task, prefixed
 * with the host, since hosts run at once and their lines interleave; the recap at the end.
 * A running task's progress is printed at most once per `progressIntervalMs` per host, so a
 * long wait shows that it moves without flooding the log.
 */
import type { RunEvent } from '../engine/execute/events';
import { formatChanges, formatRecap } from './recap';
import { failedItem, seconds, statusLabel, type Renderer, type RenderOptions } from './renderer';

export class PlainLines implements Renderer {
  /** Hosts of the current batch that failed or were unreachable. */
  private stopped = 0;

  /** When each host last printed a progress line. */
  private readonly progressShown = new Map<string, number>();

  constructor(
    private readonly options: RenderOptions,
    private readonly progressIntervalMs = 5000,
  ) {}

  private line(text: string): void {
    this.options.write(`${text}\n`);
  }

  readonly listener = (event: RunEvent): void => {
    switch (event.kind) {
      case 'batch-started':
        this.stopped = 0;
        this.line(`PLAY [${event.play.name}] ${'*'.repeat(40)}${event.check ? ' (check mode)' : ''}`);
        return;
      case 'host-finished':
        if (event.outcome === 'failed' || event.outcome === 'unreachable') this.stopped++;
        return;
      case 'host-unreachable':
        this.line(`${event.host} | UNREACHABLE: ${event.message}`);
        return;
      case 'host-waiting':
        this.line(`${event.host} | ${event.message}`);
        return;
      case 'host-failed':
        this.line(`${event.host} | FAILED: ${event.message}`);
        return;
      case 'task-started':
        this.progressShown.delete(event.host);
        return;
      case 'task-progress': {
        const now = Date.now();
        const last = this.progressShown.get(event.host);
        if (last !== undefined && now - last < this.progressIntervalMs) return;
        this.progressShown.set(event.host, now);
        this.line(`${event.host} | ${event.task.name}: ${event.text}`);
        return;
      }
      case 'task-finished': {
        const { result, task } = event;
        const name = `${task.handler ? 'handler ' : ''}${task.name}`;
        const prefix = `${event.host} |`;
        if (result.status === 'skipped') this.line(`${prefix} skipped: ${name}${result.msg ? ` (${result.msg})` : ''}`);
        else if (result.status === 'failed' || result.status === 'unreachable') this.line(`${prefix} ${result.status.toUpperCase()}${event.ignored ? ' (ignored)' : event.rescued ? ' (rescued)' : ''}: ${name}${failedItem(result)} (${seconds(result)}): ${result.msg ?? ''}`);
        else this.line(`${prefix} ${statusLabel(result)}: ${name} (${seconds(result)})${result.status === 'ok' && result.noop ? ` - ${result.noop}` : ''}`);
        if (this.options.diff && result.diff.length) {
          for (const diffLine of formatChanges(result.diff).split('\n')) this.line(`${prefix}     ${diffLine}`);
        }
        return;
      }
      case 'batch-finished':
        this.line(
          this.stopped
            ? `PLAY [${event.play.name}] failed: ${this.stopped} of ${event.hosts.length} hosts failed or were unreachable`
            : `PLAY [${event.play.name}] done on ${event.hosts.length} hosts: ${event.hosts.join(', ') || 'none'}`,
        );
        if (event.stop) this.line(`PLAY [${event.play.name}] stopped: ${event.stop}`);
        return;
      case 'run-finished':
        this.line(`\n${formatRecap({ stats: event.stats, interrupted: event.interrupted, lost: event.lost, stopped: event.stopped, check_mode: event.check })}`);
    }
  };

  async done(): Promise<void> {}
}
