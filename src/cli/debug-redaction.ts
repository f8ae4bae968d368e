/**
 * With DEBUG set, oclif's debug lines print the command line: `-e ansible_become_password=...`,
 * `lvs task ... password=...`. Which of its values are secret is known only once the task
 * schemas are loaded, so every value given as `key=value` or inside a JSON map is hidden there.
 */
import { parseKeyValueWords, splitWords } from '../engine/kv-args';
import { leaves, Redactor } from '../engine/secrets';

/** The values among `key=value` words (`--flag=key=value` too) and JSON maps of a command line. */
function commandLineValues(argv: string[]): string[] {
  return argv.flatMap((word) => {
    const value = word.replace(/^--?[A-Za-z][\w-]*=/, '');
    try {
      // A JSON map is hidden whole too: inside it, its values are escaped once more.
      if (/^\s*\{/.test(value)) return [value, ...leaves(Object.values(JSON.parse(value)))];
      return leaves(Object.values(parseKeyValueWords(splitWords(value))));
    } catch {
      return [];
    }
  });
}

export function hideSecretsFromDebugOutput(argv: string[]): void {
  if (!process.env.DEBUG) return;
  const redactor = new Redactor(commandLineValues(argv));
  const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? redactor.redact(chunk) : chunk, ...rest)) as typeof process.stderr.write;
}
