/** The human view of a run: diffs and Ansible's PLAY RECAP. */
import type { Change } from '../api';
import type { RunReport } from '../engine/execute/results';

function show(value: unknown): string {
  if (value === undefined || value === null) return '(absent)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A line diff of two texts: unchanged lines are kept only next to changed ones. */
function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Longest common subsequence table, fine for configuration-sized files.
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      lines.push(`+ ${b[j++]}`);
    } else {
      lines.push(`- ${a[i++]}`);
    }
  }
  return lines.filter((line, index) => !line.startsWith('  ') || [lines[index - 1], lines[index + 1]].some((near) => near && !near.startsWith('  ')));
}

export function formatChanges(changes: Change[]): string {
  return changes
    .map((change) => {
      const { before, after } = change;
      const text = (value: unknown) => (value === null || value === undefined ? '' : value);
      const [old, next] = [text(before), text(after)];
      if (typeof old === 'string' && typeof next === 'string' && (old.includes('\n') || next.includes('\n'))) {
        return [`--- ${change.subject} (before)`, `+++ ${change.subject} (after)`, ...lineDiff(old, next)].join('\n');
      }
      return `${change.subject}: ${show(before)} -> ${show(after)}`;
    })
    .join('\n');
}

export function formatRecap(report: Pick<RunReport, 'stats' | 'interrupted' | 'lost' | 'check_mode' | 'stopped'>): string {
  const hosts = Object.keys(report.stats);
  const width = Math.max(26, ...hosts.map((host) => host.length + 1));
  const lines = [`PLAY RECAP ${'*'.repeat(60)}`];
  for (const host of hosts) {
    const stats = report.stats[host];
    // Ansible's columns: each count left-aligned in four characters.
    const cells = [
      ['ok', stats.ok],
      ['changed', stats.changed],
      ['unreachable', stats.unreachable],
      ['failed', stats.failures],
      ['skipped', stats.skipped],
      ['rescued', stats.rescued],
      ['ignored', stats.ignored],
    ].map(([name, count]) => `${name}=${String(count).padEnd(4)}`);
    lines.push(`${host.padEnd(width)}: ${cells.join(' ').trimEnd()}`);
  }
  if (report.lost) {
    lines.push('', 'UNREACHABLE during a task: the connection was lost; the task\'s commands run on to their end on the host, but whether they succeeded is unknown.');
    for (const [host, task] of Object.entries(report.lost)) lines.push(`  ${host}: during '${task}'`);
  }
  if (report.interrupted) {
    lines.push('', 'INTERRUPTED: the run was stopped (Ctrl-C, SIGTERM or SIGHUP); no task was cut off midway.');
    for (const [host, where] of Object.entries(report.interrupted)) lines.push(`  ${host}: stopped ${where}`);
  }
  if (report.stopped) {
    const { play, reason, notRun } = report.stopped;
    lines.push('', `STOPPED: play '${play}' ended (${reason}); no later batch or play ran.`);
    if (notRun.length) lines.push(`  not run on: ${notRun.join(', ')}`);
  }
  if (report.check_mode) lines.push('', 'CHECK MODE: nothing was changed; "changed" means "would change".');
  return lines.join('\n');
}
