/**
 * The variables that hold passwords, and how every output hides them. Vars dumps
 * (`lvs inventory`, --json) replace the value of each secret variable, and every text lvs
 * prints (commands, stderr, error messages) has each secret value replaced wherever it
 * appears, since a password can travel inside a command line or a templated string.
 */
import { quote } from '../shell/quote';
import { REDACTED, redact } from '../transport/redact';
import type { Inventory } from './inventory/types';

export const SECRET_VARS: readonly string[] = [
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_become_password',
  'ansible_become_pass',
];

/** The non-empty values of the secret variables in `vars`, as text. */
export function secretValues(vars: Record<string, unknown>): string[] {
  return SECRET_VARS.map((name) => vars[name])
    .filter((value) => value !== undefined && value !== null && value !== '')
    .map(String);
}

/**
 * A deep copy of `value` in which every variable named in SECRET_VARS is REDACTED and every
 * occurrence of each string of `secrets` inside a string is REDACTED.
 */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return redact(item, secrets);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object' && !(item instanceof Date)) {
      return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, SECRET_VARS.includes(key) ? REDACTED : walk(entry)]));
    }
    return item;
  };
  return walk(value) as T;
}

/**
 * What a run hides: every host's secret variables, those given as extra vars, and the task
 * arguments whose schema marks them secret (added as tasks are prepared). A value is also
 * hidden in its shell-quoted form, the way it appears inside a command.
 */
export class Redactor {
  private secrets: string[] = [];

  constructor(inventory: Inventory, extraVars: Record<string, unknown>) {
    this.add([...inventory.hosts.values()].flatMap((host) => secretValues(host.vars)).concat(secretValues(extraVars)));
  }

  add(values: unknown[]): void {
    const texts = values.filter((value) => value !== undefined && value !== null && value !== '').map(String);
    this.secrets = [...new Set([...this.secrets, ...texts, ...texts.map((text) => quote(text))])];
  }

  readonly redact = (text: string): string => redact(text, this.secrets);
}
