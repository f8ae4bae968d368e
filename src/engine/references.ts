/** The names a templated value or a condition mentions, found without rendering anything. */

/** The names every `{{ ... }}` in `value` (deeply) mentions: variables, path segments, helpers. */
export function referencedNames(value: unknown): Set<string> {
  const names = new Set<string>();
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  for (const expression of text.matchAll(/\{\{([^}]*)\}\}/g)) {
    for (const word of expression[1].matchAll(/[A-Za-z_][\w-]*/g)) names.add(word[0]);
  }
  return names;
}

/** Conditions name variables without braces: every identifier counts. */
export function conditionNames(condition: unknown): Set<string> {
  return new Set(JSON.stringify(condition ?? null).match(/[A-Za-z_][\w-]*/g) ?? []);
}
