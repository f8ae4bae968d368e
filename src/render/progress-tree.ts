/**
 * The run as a live listr2 tree: PLAY > host > task rows with their status and time. The
 * tree is driven by the executor's events: each host's rows wait for that host's events in
 * order. A play whose hosts failed or were unreachable is shown failed, not done.
 */
import { Listr, type ListrTask, type ListrTaskWrapper } from 'listr2';
import type { PlayRef, RunEvent } from '../engine/execute/events';
import { formatChanges, formatRecap } from './recap';
import { failedItem, seconds, statusLabel, type Renderer, type RenderOptions } from './renderer';

type HostEvent = Exclude<RunEvent, { kind: 'batch-started' | 'batch-finished' | 'run-finished' }>;

/** One host's events, in order, for the rows that wait for them. */
class HostFeed {
  private readonly events: HostEvent[] = [];
  private waiters: (() => void)[] = [];

  push(event: HostEvent): void {
    this.events.push(event);
    for (const wake of this.waiters.splice(0)) wake();
  }

  async peek(): Promise<HostEvent> {
    while (this.events.length === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.events[0];
  }

  async next(): Promise<HostEvent> {
    const event = await this.peek();
    this.events.shift();
    return event;
  }
}

type Row = ListrTaskWrapper<unknown, any, any>;

export class ProgressTree implements Renderer {
  private readonly feeds = new Map<string, HostFeed>();
  private readonly trees: Promise<void>[] = [];
  private recap: string | undefined;

  constructor(private readonly options: RenderOptions) {}

  private feed(play: PlayRef, host: string): HostFeed {
    const key = `${play.index}\u0000${host}`;
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = new HostFeed();
      this.feeds.set(key, feed);
    }
    return feed;
  }

  readonly listener = (event: RunEvent): void => {
    switch (event.kind) {
      case 'batch-started':
        this.trees.push(this.showBatch(event.play, event.hosts));
        return;
      case 'batch-finished':
        return;
      case 'run-finished':
        this.recap = formatRecap({ stats: event.stats, interrupted: event.interrupted, lost: event.lost, stopped: event.stopped, check_mode: event.check });
        return;
      default:
        this.feed(event.play, event.host).push(event);
    }
  };

  async done(): Promise<void> {
    await Promise.all(this.trees);
    if (this.recap) this.options.write(`\n${this.recap}\n`);
  }

  private showBatch(play: PlayRef, hosts: string[]): Promise<void> {
    const playRow: ListrTask = {
      title: `PLAY [${play.name}]`,
      task: (_context, playTitle) => {
        let failedHosts = 0;
        // The play row's icon only warns of failed rows beneath it: its title says so too.
        const hostFailed = () => {
          failedHosts++;
          playTitle.title = `PLAY [${play.name}]: ${failedHosts} of ${hosts.length} hosts failed or unreachable`;
        };
        const hostRows: ListrTask[] = hosts.map((host) => ({
          title: host,
          task: async (_hostContext, hostRow) => {
            const feed = this.feed(play, host);
            let first = await feed.next();
            for (; first.kind === 'host-waiting'; first = await feed.next()) hostRow.title = `${host}: ${first.message}`;
            hostRow.title = host;
            // A host still waiting for a fork at Ctrl-C finishes without connecting.
            if (first.kind === 'host-finished') return hostRow.skip(`${host}: not started, ${first.outcome === 'stopped' ? 'the play was stopped by its failure limit' : 'the run was interrupted'}`);
            if (first.kind === 'host-failed') {
              hostFailed();
              throw new Error(`${host}: FAILED: ${first.message}`);
            }
            if (first.kind === 'host-unreachable') {
              hostFailed();
              throw new Error(`${host}: UNREACHABLE: ${first.message}`);
            }
            const rows: ListrTask[] = play.tasks.map((task, index) => this.taskRow(feed, task.name, index, false, hostFailed));
            rows.push({
              title: 'handlers',
              enabled: async () => this.handlerIsNext(feed),
              task: (_rowContext, handlersRow) =>
                handlersRow.newListr(
                  play.handlers.map((handler, index) => ({ ...this.taskRow(feed, handler.name, index, true, hostFailed), enabled: async () => this.handlerIsNext(feed, index) })),
                  { concurrent: false, exitOnError: true },
                ),
            });
            return hostRow.newListr(rows, { concurrent: false, exitOnError: true });
          },
        }));
        return playTitle.newListr(hostRows, { concurrent: true, exitOnError: false });
      },
    };
    const listr = new Listr([playRow], {
      exitOnError: false,
      registerSignalListeners: false,
      renderer: 'default',
      rendererOptions: { collapseSubtasks: false, collapseSkips: false, showErrorMessage: true },
    });
    return listr.run().then(() => undefined);
  }

  /** Whether the host's next event starts a handler (that handler, when `index` is given). */
  private async handlerIsNext(feed: HostFeed, index?: number): Promise<boolean> {
    const event = await feed.peek();
    return event.kind === 'task-started' && event.task.handler && (index === undefined || event.task.index === index);
  }

  private taskRow(feed: HostFeed, name: string, index: number, handler: boolean, onFailure: () => void): ListrTask {
    return {
      title: name,
      rendererOptions: { persistentOutput: true },
      task: async (_context, row: Row) => {
        const started = await feed.peek();
        if (started.kind !== 'task-started' || started.task.index !== index || started.task.handler !== handler) {
          const stopped = started.kind === 'host-finished' && started.outcome === 'stopped';
          row.skip(`${name}: not started, ${stopped ? 'the play was stopped by its failure limit' : 'the run was interrupted'}`);
          return;
        }
        await feed.next();
        let finished = await feed.next();
        // A task delegated to a host that another run holds waits for its turn there.
        for (; finished.kind === 'host-waiting'; finished = await feed.next()) row.title = `${name}: ${finished.message}`;
        if (finished.kind !== 'task-finished') throw new Error(`${name}: no result`);
        const { result } = finished;
        row.title = `${statusLabel(result)}${finished.ignored ? ' (ignored)' : ''}: ${name} (${seconds(result)})${result.status === 'ok' && result.noop ? ` - ${result.noop}` : ''}`;
        if (this.options.diff && result.diff.length) row.output = formatChanges(result.diff);
        if (result.status === 'skipped') row.skip(`skipped: ${name}${result.msg ? ` (${result.msg})` : ''}`);
        if ((result.status === 'failed' && !finished.ignored) || result.status === 'unreachable') {
          onFailure();
          throw new Error(`${result.status}: ${name}${failedItem(result)} (${seconds(result)}): ${result.msg ?? ''}`);
        }
      },
    };
  }
}
