/**
 * Runs a playbook for `lvs run` and `lvs task`: preparation and cluster checks before any
 * host is touched, Ctrl-C handling, the progress tree or JSON, the recap and the exit code.
 */
import type { Command } from '@oclif/core';
import { PlaybookRun, type Interruption } from '../engine/executor';
import { formatRecap } from '../engine/recap';
import { exitCodeOf, type RunReport } from '../engine/results';
import { checkTopology, describeFinding, type Finding } from '../topology/cluster-checks';

/** Prints the cluster checks' findings to stderr; false when any is an error. */
export function reportTopology(command: Command, findings: Finding[]): boolean {
  for (const finding of findings) command.logToStderr(describeFinding(finding));
  return !findings.some((finding) => finding.severity === 'error');
}

export async function executeRun(command: Command, run: PlaybookRun, options: { json: boolean; validate: boolean }): Promise<RunReport | undefined> {
  const plays = run.prepare();
  if (options.validate && !reportTopology(command, checkTopology(run.declarations(plays)))) {
    process.exitCode = 4;
    return undefined;
  }
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
  if (options.json) command.log(JSON.stringify(report, null, 2));
  else command.log(`\n${formatRecap(report)}`);
  process.exitCode = exitCodeOf(report);
  return report;
}
