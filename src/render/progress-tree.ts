/**
 * The run as a live listr2 tree: PLAY > host > task rows with their status and time. The
 * tree is driven by the executor's events: each host's rows wait for that host's events in
 * order. A play whose hosts failed or were unreachable is shown failed, not done.
 */
import { Listr, type ListrTask, type ListrTaskWrapper } from 'listr2';
import type { PlayRef, RunEvent, TaskRef } from '../engine/execute/events';
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
            /** Set when a row has shown the host's failure; a failure that always tasks followed is shown at the end. */
            const failure = { shown: false, pending: false };
            const onFailure = () => {
              failure.shown = true;
              hostFailed();
            };
            const rows: ListrTask[] = play.tasks.map((task, index) => this.taskRow(feed, task.name, index, false, onFailure, failure));
            rows.push({
              title: 'handlers',
              enabled: async () => this.handlerIsNext(feed),
              task: (_rowContext, handlersRow) =>
                handlersRow.newListr(
                  play.handlers.map((handler, index) => ({ ...this.taskRow(feed, handler.name, index, true, onFailure, failure), enabled: async () => this.handlerIsNext(feed, index) })),
                  { concurrent: false, exitOnError: true },
                ),
            });
            rows.push({
              title: `${host}: failed`,
              enabled: () => failure.pending && !failure.shown,
              task: () => {
                onFailure();
                throw new Error(`${host}: FAILED after its always tasks`);
              },
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

  /**
   * Shows the results of the tasks that come next and `belong` (handlers a flush ran, tasks an
   * include brought) as lines under `row`; says whether one of them failed the host.
   */
  private async absorb(feed: HostFeed, row: Row, lines: string[], belongs: (task: TaskRef) => boolean): Promise<boolean> {
    let failed = false;
    for (let next = await feed.peek(); next.kind === 'task-started' && belongs(next.task); next = await feed.peek()) {
      await feed.next();
      let finished = await feed.next();
      for (; finished.kind === 'task-progress'; finished = await feed.next());
      if (finished.kind !== 'task-finished') break;
      const { result } = finished;
      lines.push(`${statusLabel(result)}: ${finished.task.handler ? 'handler ' : ''}${finished.task.name} (${seconds(result)})${result.msg && result.status !== 'ok' ? `: ${result.msg}` : ''}`);
      row.output = lines.join('\n');
      failed ||= (result.status === 'failed' && !finished.ignored && !finished.rescued) || result.status === 'unreachable';
    }
    return failed;
  }

  private taskRow(feed: HostFeed, name: string, index: number, handler: boolean, onFailure: () => void, failure: { pending: boolean }): ListrTask {
    return {
      title: name,
      rendererOptions: { persistentOutput: true },
      task: async (_context, row: Row) => {
        const lines: string[] = [];
        // Handlers flushed between sections (after pre_tasks, before post_tasks) run before this task.
        if (!handler && index > 0 && (await this.absorb(feed, row, lines, (task) => task.handler))) failure.pending = true;
        const started = await feed.peek();
        if (started.kind !== 'task-started' || started.task.index !== index || started.task.handler !== handler || started.task.includedBy !== undefined) {
          const interrupted = started.kind !== 'task-started' && (started.kind !== 'host-finished' || started.outcome === 'interrupted');
          const stopped = started.kind === 'host-finished' && started.outcome === 'stopped';
          // A row a block jumped over (its rescue after no failure, the rest of a block after one) is not run.
          row.skip(
            stopped
              ? `${name}: not started, the play was stopped by its failure limit`
              : interrupted
                ? `${name}: not started, the run was interrupted`
                : `${name}: not run`,
          );
          return;
        }
        await feed.next();
        let finished = await feed.next();
        // A task delegated to a host that another run holds waits for its turn there; a
        // command that reports progress shows its latest line.
        for (; finished.kind === 'host-waiting' || finished.kind === 'task-progress'; finished = await feed.next()) {
          row.title = `${name}: ${finished.kind === 'host-waiting' ? finished.message : finished.text}`;
        }
        if (finished.kind !== 'task-finished') throw new Error(`${name}: no result`);
        const { result } = finished;
        row.title = `${statusLabel(result)}${finished.ignored ? ' (ignored)' : finished.rescued ? ' (rescued)' : ''}: ${name} (${seconds(result)})${result.status === 'ok' && result.noop ? ` - ${result.noop}` : ''}`;
        if (this.options.diff && result.diff.length) lines.push(formatChanges(result.diff));
        if (lines.length) row.output = lines.join('\n');
        if (await this.absorb(feed, row, lines, (task) => task.includedBy === index && !handler)) failure.pending = true;
        if (result.status === 'skipped') row.skip(`skipped: ${name}${result.msg ? ` (${result.msg})` : ''}`);
        if ((result.status === 'failed' && !finished.ignored && !finished.rescued) || result.status === 'unreachable') {
          const next = await feed.peek();
          // The block's always tasks still run: the host's failure is shown once they have.
          if (result.status === 'failed' && next.kind === 'task-started') {
            failure.pending = true;
            return;
          }
          onFailure();
          throw new Error(`${result.status}: ${name}${failedItem(result)} (${seconds(result)}): ${result.msg ?? ''}`);
        }
      },
    };
  }
}
