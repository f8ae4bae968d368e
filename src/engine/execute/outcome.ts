/**
 * A task's result judged after it ran on its host: changed_when and failed_when override its
 * status, and `until` runs it again (up to its attempts, `delay` apart) until it holds. The
 * conditions see the host's variables, the results registered so far and the task's own
 * result under its `register` name (only there, as in Ansible). Ansible 2.14's order
 * (executor/task_executor.py): changed_when, then failed_when, then until; a skipped result
 * is not judged. A condition that cannot be decided fails the task, saying why.
 */
import type { OutcomeRules } from '../compile/compiled-run';
import { evaluateCondition } from '../conditions';
import { layerVariables } from '../templating';
import type { HostTaskResult } from './results';

export interface OutcomeScope {
  rules: OutcomeRules;
  /** The unit's variables (with its loop item). */
  vars: Record<string, unknown>;
  /** The host's registered results so far. */
  registered: Record<string, unknown>;
  /** What `register` stores for a result. */
  registerValue(result: HostTaskResult): Record<string, unknown>;
  redact(text: string): string;
}

function conditionVars(scope: OutcomeScope, result: HostTaskResult): Record<string, unknown> {
  const own = scope.rules.register ? { [scope.rules.register]: scope.registerValue(result) } : {};
  return layerVariables(layerVariables(scope.vars, scope.registered), own);
}

function failure(result: HostTaskResult, msg: string): HostTaskResult {
  return { ...result, status: 'failed', failed: true, msg };
}

/** The result with changed_when and failed_when applied. */
export function judge(result: HostTaskResult, scope: OutcomeScope): HostTaskResult {
  const { changedWhen, failedWhen } = scope.rules;
  if (result.status === 'skipped' || result.status === 'unreachable') return result;
  const vars = conditionVars(scope, result);
  let changed = result.changed;
  let failed = result.status === 'failed';
  let key = 'changed_when';
  try {
    if (changedWhen !== undefined) changed = evaluateCondition(changedWhen, vars);
    key = 'failed_when';
    if (failedWhen !== undefined) failed = evaluateCondition(failedWhen, vars);
  } catch (error) {
    return failure({ ...result, changed }, scope.redact(`${key}: ${(error as Error).message}`));
  }
  const { failed: _wasFailed, ...rest } = result;
  const judged: HostTaskResult = { ...rest, status: failed ? 'failed' : changed ? 'changed' : 'ok', changed, ...(failed ? { failed: true as const } : {}) };
  if (failedWhen === undefined) return judged;
  judged.failed_when_result = failed;
  if (failed && result.status !== 'failed') judged.msg = scope.redact(`failed_when is true: ${JSON.stringify(failedWhen)}`);
  return judged;
}

/**
 * Runs the unit until its `until` holds or its attempts are spent, judging each result.
 * `wait` pauses between attempts and answers false when the run must stop retrying.
 */
export async function runJudged(run: () => Promise<HostTaskResult>, scope: OutcomeScope, wait: (ms: number) => Promise<boolean>): Promise<HostTaskResult> {
  const { until, attempts, delayMs } = scope.rules;
  for (let attempt = 1; ; attempt++) {
    const ran = await run();
    const judged = judge(until === undefined ? ran : { ...ran, attempts: attempt }, scope);
    if (until === undefined || judged.status === 'unreachable') return judged;
    let done: boolean;
    try {
      done = evaluateCondition(until, conditionVars(scope, judged));
    } catch (error) {
      return failure(judged, scope.redact(`until: ${(error as Error).message}`));
    }
    if (done) return judged;
    const spent = `until is still false after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${JSON.stringify(until)}`;
    if (attempt >= attempts) return failure(judged, scope.redact(judged.msg && judged.status === 'failed' ? `${spent}; ${judged.msg}` : spent));
    if (!(await wait(delayMs))) return failure(judged, scope.redact(`${spent}; the run was interrupted before the next attempt`));
  }
}
