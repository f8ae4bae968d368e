/**
 * Secrets as a property of values. A variable is secret when its name says it holds a
 * credential, or when its template names a secret variable (so `db_url: "u:{{ db_password }}@h"`
 * is secret too). Every text lvs prints has each secret value replaced in every form in
 * which it can appear (raw, shell-quoted, HTML-escaped, JSON-escaped, with its white space
 * folded); a task whose arguments or templates hold or name a secret has its diff, commands
 * and messages hidden whole, as Ansible's no_log does, since a secret can also come out
 * transformed or cut short.
 */
import Handlebars from 'handlebars';
import { inspect } from 'node:util';
import { quote } from '../shell/quote';
import { REDACTED, redact } from '../transport/redact';
import type { Inventory } from './inventory/types';
import { conditionNames, referencedNames } from './references';

/** The password variables Ansible itself knows. */
export const SECRET_VARS: readonly string[] = [
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_become_password',
  'ansible_become_pass',
];

/** Names that look like credentials: password, pass, passwd, *_password, *_pass, *_passwd, *token*, *secret*, vault_*. */
const CREDENTIAL_NAME = /(?:^|_)(?:password|pass|passwd)$|token|secret|^vault_/i;

/** A list of variable names, in any variable layer, that are not secret although their names look so. */
export const NOT_SECRET_VAR = 'lvs_not_secret';

/** What a hidden value is shown as. */
export const HIDDEN = `${REDACTED} (hidden: the task holds a secret)`;

/**
 * Shorter secrets are never searched for in other text: "ab" would garble every line that
 * holds those letters. A task that names such a secret is still hidden whole.
 */
export const MIN_SECRET_LENGTH = 4;

export function isSecretName(name: string): boolean {
  return name !== NOT_SECRET_VAR && (SECRET_VARS.includes(name) || CREDENTIAL_NAME.test(name));
}

/**
 * The secret variables among `raw` (a host's variables before rendering): credential names,
 * unless listed in `lvs_not_secret`, and every variable whose template names a secret one.
 */
export function secretVariableNames(raw: Record<string, unknown>): Set<string> {
  const notSecret = new Set(Array.isArray(raw[NOT_SECRET_VAR]) ? (raw[NOT_SECRET_VAR] as unknown[]).map(String) : []);
  // Ansible's own password variables stay secret whatever lvs_not_secret says.
  const secret = new Set(Object.keys(raw).filter((name) => isSecretName(name) && (SECRET_VARS.includes(name) || !notSecret.has(name))));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, value] of Object.entries(raw)) {
      if (secret.has(name) || notSecret.has(name)) continue;
      if ([...referencedNames(value)].some((reference) => secret.has(reference))) {
        secret.add(name);
        grew = true;
      }
    }
  }
  return secret;
}

/** Whether a task's arguments, loop, condition or template texts name one of `secretNames`. */
export function namesASecret(secretNames: ReadonlySet<string>, templated: unknown[], conditions: unknown[]): boolean {
  // Another host's secret, reached through hostvars, counts by its name.
  const named = (names: Set<string>) => [...names].some((name) => secretNames.has(name) || isSecretName(name));
  return templated.some((value) => named(referencedNames(value))) || conditions.some((condition) => named(conditionNames(condition)));
}

/** The non-empty values of the credential-named variables in `vars`, as text. */
export function secretValues(vars: Record<string, unknown>): string[] {
  return leaves(Object.entries(vars).filter(([name]) => isSecretName(name)).map(([, value]) => value));
}

/** The values of every host's credential-named variables and of those given as extra vars. */
export function inventorySecrets(inventory: Inventory, extraVars: Record<string, unknown>): string[] {
  return [...inventory.hosts.values()].flatMap((host) => secretValues(host.vars)).concat(secretValues(extraVars));
}

/** Every non-empty string or number inside `values`. */
export function leaves(values: unknown[]): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (value === undefined || value === null || value === '') return;
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && !(value instanceof Date)) Object.values(value).forEach(walk);
    else found.push(String(value));
  };
  values.forEach(walk);
  return found;
}

/**
 * A deep copy of `value` in which every variable named in `secretNames` (by default, every
 * credential-named one) is REDACTED and every occurrence of each string of `secrets` inside
 * a string is REDACTED.
 */
export function redactDeep<T>(value: T, secrets: readonly string[], secretNames?: ReadonlySet<string>): T {
  const hidden = (key: string) => (secretNames ? secretNames.has(key) : isSecretName(key));
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return redact(item, secrets);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object' && !(item instanceof Date)) {
      return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, hidden(key) ? REDACTED : walk(entry)]));
    }
    return item;
  };
  return walk(value) as T;
}

/** The forms in which a value can reach an output: as written or with its white space folded (sysctl does), each escaped every way lvs or a tool prints it. */
function formsOf(secret: string): string[] {
  const bases = [secret, secret.replace(/\s+/g, ' ').trim()];
  return bases.flatMap((base) => [
    base,
    quote(base),
    // Inside a longer single-quoted word, such as 'key=SECRET'.
    base.replace(/'/g, `'\\''`),
    Handlebars.Utils.escapeExpression(base),
    JSON.stringify(base).slice(1, -1),
    // How node's util.inspect (DEBUG logs, console) prints it inside quotes.
    inspect(base).slice(1, -1),
  ]);
}

/**
 * What a run hides: every host's secret variables, those given as extra vars, and the task
 * arguments whose schema marks them secret (added while compiling).
 */
export class Redactor {
  private patterns: string[] = [];

  constructor(secrets: unknown[] = []) {
    this.add(secrets);
  }

  add(values: unknown[]): void {
    const texts = leaves(values).filter((text) => text.length >= MIN_SECRET_LENGTH);
    if (texts.length === 0) return;
    this.patterns = [...new Set([...this.patterns, ...texts.flatMap(formsOf)])].filter((form) => form.length >= MIN_SECRET_LENGTH);
  }

  /** Whether `text` holds one of the secrets. */
  holds(text: string): boolean {
    return this.patterns.some((pattern) => text.includes(pattern));
  }

  readonly redact = (text: string): string => redact(text, this.patterns);
}
