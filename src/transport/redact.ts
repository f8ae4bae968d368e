/** Hiding secret values (passwords) in every text lvs shows: commands, stderr, error messages. */

export const REDACTED = '********';

/** `text` with every occurrence of each secret replaced by REDACTED. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  // The longest first, so that a secret containing another is hidden whole.
  const hidden = [...new Set(secrets.filter((secret): secret is string => Boolean(secret)))].sort((a, b) => b.length - a.length);
  return hidden.reduce((shown, secret) => shown.split(secret).join(REDACTED), text);
}
