/**
 * Runs a prepared playbook for `lvs run` and `lvs task`: Ctrl-C handling, the progress
 * tree or JSON, the recap and the exit code.
 */
import type { Command } from '@oclif/core';
import { PlaybookRun, type Interruption } from '../engine/executor';
import { formatRecap } from '../engine/recap';
import { exitCodeOf, type RunReport } from '../engine/results';

export async function executeRun(command: Command, run: PlaybookRun, json: boolean): Promise<RunReport> {
  const plays = run.prepare();
  const interruption: Interruption = { requested: false };
  const onInterrupt = () => {
    if (interruption.requested) process.exit(99);
    interruption.requested = true;
    process.stderr.write('\nInterrupted: letting running tasks finish, starting no new ones (Ctrl-C again to abort at once).\n');
  };
  process.on('SIGINT', onInterrupt);
  let report: RunReport;
  try {
    report = await run.execute(plays, interruption);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  if (json) command.log(JSON.stringify(report, null, 2));
  else command.log(`\n${formatRecap(report)}`);
  process.exitCode = exitCodeOf(report);
  return report;
}
