/**
 * Arguments whose schema marks them `"expression"`: debug's `var`, assert's `that`. Their
 * text is evaluated against the host's variables while compiling (the plan is pure and has
 * no variables), and the plan reads the outcome from `context.expressions`.
 */
import type { Evaluated, TaskModule } from '../../api';
import { evaluateCondition } from '../conditions';
import { renderValue, TemplateError } from '../templating';

type ExpressionKind = 'value' | 'condition';

/** The task's expression arguments and their kind. */
export function expressionArguments(module: TaskModule): [string, ExpressionKind][] {
  const properties = (module.schema as { properties?: Record<string, { expression?: ExpressionKind }> }).properties ?? {};
  return Object.entries(properties).flatMap(([name, property]) => (property.expression ? [[name, property.expression] as [string, ExpressionKind]] : []));
}

/** The expressions an argument holds: one, or one per item of a list. */
function sources(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** The expression texts of unrendered arguments: the names they read decide deferral and secrecy. */
export function expressionTexts(module: TaskModule, args: Record<string, unknown>): string[] {
  return expressionArguments(module).flatMap(([name]) => sources(args[name]));
}

/**
 * Evaluates one expression argument. A value expression that names an undefined variable
 * is `defined: false`, as Ansible's debug shows one; `isRegisteredLater` variables are not
 * undefined but not known yet, so their error goes up and the caller defers the task.
 */
export function evaluateArgument(kind: ExpressionKind, value: unknown, vars: Record<string, unknown>, isRegisteredLater: (name: string) => boolean): Evaluated[] {
  return sources(value).map((source) => {
    if (kind === 'condition') return { source, value: evaluateCondition(source, vars), defined: true };
    try {
      return { source, value: renderValue(`{{ ${source} }}`, vars), defined: true };
    } catch (error) {
      const missing = error instanceof TemplateError ? error.variable?.split('.')[0] : undefined;
      if (missing === undefined || isRegisteredLater(missing)) throw error;
      return { source, value: undefined, defined: false };
    }
  });
}
