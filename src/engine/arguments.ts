/**
 * Task arguments against the task's JSON Schema: ajv fills defaults and coerces the strings
 * that come from `k=v` words or templates to the declared types, then the module's own
 * rules run. Nothing here touches a host.
 */
import type { ErrorObject } from 'ajv';
import type { TaskModule } from '../api';
import { argumentValidator } from '../argument-schema';

export interface ArgumentProblem {
  /** The argument at fault, e.g. `value` or `real_servers.1.port`; empty for the whole. */
  key: string;
  message: string;
}

function describe(error: ErrorObject): ArgumentProblem {
  const key = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      return { key: key ? `${key}.${extra}` : extra, message: 'is not an argument of this task' };
    }
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return { key: key ? `${key}.${missing}` : missing, message: 'is required' };
    }
    case 'enum':
      return { key, message: `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'pattern':
      return { key, message: `does not match the expected form ${(error.params as { pattern: string }).pattern}` };
    default:
      return { key, message: error.message ?? 'is invalid' };
  }
}

/** Validates (and, by ajv's design, coerces and fills defaults in) a copy of `args`. */
export function checkArguments(module: TaskModule, input: Record<string, unknown>): { args: Record<string, unknown>; problems: ArgumentProblem[] } {
  const validate = argumentValidator(module.schema);
  const args = structuredClone(input);
  if (!validate(args)) {
    const problems = (validate.errors ?? []).filter((error) => !['if', 'anyOf', 'oneOf'].includes(error.keyword) || validate.errors!.length === 1);
    return { args, problems: dedupe(problems.map(describe)) };
  }
  const ruleProblems = (module.validate?.(args) ?? []).map((message) => {
    const match = /^([\w.]+): (.*)$/s.exec(message);
    return match ? { key: match[1], message: match[2] } : { key: '', message };
  });
  return { args, problems: ruleProblems };
}

function dedupe(problems: ArgumentProblem[]): ArgumentProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const id = `${problem.key}\u0000${problem.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Names of schema properties marked `"secret": true` (redacted in every output). */
export function secretArguments(module: TaskModule): string[] {
  const properties = (module.schema as { properties?: Record<string, { secret?: boolean }> }).properties ?? {};
  return Object.entries(properties)
    .filter(([, property]) => property.secret === true)
    .map(([name]) => name);
}
