/** What the CLI needs of a view of a run: a listener for the executor's events, and an end. */
import type { RunListener } from '../engine/execute/events';
import type { HostTaskResult } from '../engine/execute/results';

export interface Renderer {
  listener: RunListener;
  /** Resolves when everything, the recap included, has been shown. */
  done(): Promise<void>;
}

export interface RenderOptions {
  /** Show the before and after of every change. */
  diff: boolean;
  write(text: string): void;
}

/** `changed`, `would change` in check mode, `ok`, `failed`, ...: the word a result is shown with. */
export function statusLabel(result: HostTaskResult): string {
  return result.status === 'changed' && result.check_mode ? 'would change' : result.status;
}

export function seconds(result: HostTaskResult): string {
  return `${(result.duration_ms / 1000).toFixed(2)}s`;
}

/** ` (item=LABEL)` for a loop that failed at an item with a loop_control label: the label, never the whole item. */
export function failedItem(result: HostTaskResult): string {
  const failed = [result, ...(result.results ?? [])].find((entry) => entry.item_label !== undefined && (entry.status === 'failed' || entry.status === 'unreachable'));
  return failed ? ` (item=${failed.item_label})` : '';
}
