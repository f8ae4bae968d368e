/**
 * The keywords that decide how a task's result is judged and where and how often it runs
 * (failed_when, changed_when, until/retries/delay, delegate_to, run_once, loop_control,
 * any_errors_fatal), and the play keywords that decide how its hosts are batched and when
 * the play stops (serial lists, max_fail_percentage, any_errors_fatal, order). Ansible 2.14
 * is the reference: https://docs.ansible.com/ansible/2.14/reference_guides/playbooks_keywords.html
 */
import type { SourcePosition } from '../errors';
import type { YamlPath, YamlSource } from './yaml-source';

export interface LoopControl {
  /** The loop variable's name instead of `item`. */
  loopVar: string;
  /** A variable holding the item's index (from 0). */
  indexVar?: string;
  /** A template shown instead of the whole item. */
  label?: unknown;
  /** Seconds between items. */
  pauseSeconds: number;
}

export interface TaskControl {
  /** A condition (string, boolean or list of them, all must hold); undefined when not given. */
  failedWhen?: unknown;
  changedWhen?: unknown;
  until?: unknown;
  /** As written (an integer or a template); read when compiled. */
  retries?: unknown;
  delay?: unknown;
  /** The host name (maybe a template) whose connection runs the task. */
  delegateTo?: string;
  runOnce: boolean;
  /** The task's own any_errors_fatal; undefined leaves it to the play. */
  anyErrorsFatal?: boolean;
  loopControl: LoopControl;
  /** Where each of these keywords was written. */
  positions: Record<string, SourcePosition>;
}

export type HostOrder = 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';

export interface PlayControl {
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  order: HostOrder;
}

export const TASK_CONTROL_KEYWORDS = ['failed_when', 'changed_when', 'until', 'retries', 'delay', 'delegate_to', 'delegate_facts', 'run_once', 'any_errors_fatal', 'loop_control'] as const;

const condition = { anyOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'array', items: { type: ['string', 'boolean'] } }] };
const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]*$';
const countOrTemplate = (minimum: number) => ({ anyOf: [{ type: 'number', minimum }, { type: 'string', pattern: '\\{\\{' }] });

/** The task keywords' shapes, for the playbook's ajv schema. */
export const taskControlShape = {
  failed_when: condition,
  changed_when: condition,
  until: condition,
  retries: countOrTemplate(0),
  delay: countOrTemplate(0),
  delegate_to: { type: 'string', minLength: 1 },
  // lvs keeps no gathered facts as variables (each task reads its own), so there is nothing to assign to the delegate.
  delegate_facts: { type: 'boolean', description: 'Accepted for Ansible compatibility; lvs stores no facts as variables.' },
  run_once: { type: 'boolean' },
  any_errors_fatal: { type: 'boolean' },
  loop_control: {
    type: 'object',
    additionalProperties: false,
    properties: {
      loop_var: { type: 'string', pattern: IDENTIFIER },
      index_var: { type: 'string', pattern: IDENTIFIER },
      label: {},
      pause: { type: 'number', minimum: 0 },
    },
  },
};

const batchSize = { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]+%?$' }] };

/** The play keywords' shapes, for the playbook's ajv schema. */
export const playControlShape = {
  serial: { anyOf: [...batchSize.anyOf, { type: 'array', minItems: 1, items: batchSize }] },
  max_fail_percentage: { anyOf: [{ type: 'number', minimum: 0, maximum: 100 }, { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?%?$' }] },
  any_errors_fatal: { type: 'boolean' },
  order: { enum: ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] },
};

export function readTaskControl(raw: Record<string, unknown>, path: YamlPath, source: YamlSource): TaskControl {
  const loop = (raw.loop_control ?? {}) as Record<string, unknown>;
  const positions: Record<string, SourcePosition> = {};
  for (const key of TASK_CONTROL_KEYWORDS) if (raw[key] !== undefined) positions[key] = source.locate([...path, key]);
  for (const key of Object.keys(loop)) positions[`loop_control.${key}`] = source.locate([...path, 'loop_control', key]);
  return {
    ...(raw.failed_when !== undefined ? { failedWhen: raw.failed_when } : {}),
    ...(raw.changed_when !== undefined ? { changedWhen: raw.changed_when } : {}),
    ...(raw.until !== undefined ? { until: raw.until } : {}),
    ...(raw.retries !== undefined ? { retries: raw.retries } : {}),
    ...(raw.delay !== undefined ? { delay: raw.delay } : {}),
    ...(raw.delegate_to !== undefined ? { delegateTo: raw.delegate_to as string } : {}),
    runOnce: raw.run_once === true,
    ...(raw.any_errors_fatal !== undefined ? { anyErrorsFatal: raw.any_errors_fatal as boolean } : {}),
    loopControl: {
      loopVar: (loop.loop_var as string | undefined) ?? 'item',
      ...(loop.index_var !== undefined ? { indexVar: loop.index_var as string } : {}),
      ...(loop.label !== undefined ? { label: loop.label } : {}),
      pauseSeconds: (loop.pause as number | undefined) ?? 0,
    },
    positions,
  };
}

/** The control of a task written without any of these keywords (`lvs task`). */
export function plainTaskControl(): TaskControl {
  return { runOnce: false, loopControl: { loopVar: 'item', pauseSeconds: 0 }, positions: {} };
}

export function readPlayControl(raw: Record<string, unknown>): PlayControl {
  const limit = raw.max_fail_percentage;
  return {
    ...(limit !== undefined ? { maxFailPercentage: typeof limit === 'number' ? limit : Number(String(limit).replace(/%$/, '')) } : {}),
    anyErrorsFatal: raw.any_errors_fatal === true,
    order: (raw.order as HostOrder | undefined) ?? 'inventory',
  };
}
