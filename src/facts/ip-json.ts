/** iproute2's `ip -j` output, shared by the address and route facts. */
import type { CommandResult } from '../api';

/** The JSON list `ip -j` printed; callers ignore fields they do not know (they differ between versions). */
export function parseIpJson(result: CommandResult, what: string): unknown[] {
  if (result.exitCode !== 0) throw new Error(`cannot read ${what}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  const text = result.stdout.trim();
  // Some iproute2 versions print nothing at all instead of [] for an empty list.
  if (text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`cannot read ${what}: \`ip -j\` did not print JSON (iproute2 4.14 or later is needed)`);
  }
  if (!Array.isArray(parsed)) throw new Error(`cannot read ${what}: expected a JSON list from \`ip -j\``);
  return parsed;
}
