/**
 * With DEBUG set, oclif's debug lines print the command line, and with it `-e
 * ansible_become_password=...`: secret values given on the command line are hidden there too.
 */
import { parseKeyValueWords, splitWords } from '../engine/kv-args';
import { Redactor, secretValues } from '../engine/secrets';

/** The credential-named values among `key=value` words and JSON maps of a command line. */
function commandLineSecrets(argv: string[]): string[] {
  return argv.flatMap((word) => {
    try {
      const vars = /^\s*\{/.test(word) ? JSON.parse(word) : parseKeyValueWords(splitWords(word));
      return vars && typeof vars === 'object' ? secretValues(vars) : [];
    } catch {
      return [];
    }
  });
}

export function hideSecretsFromDebugOutput(argv: string[]): void {
  if (!process.env.DEBUG) return;
  const redactor = new Redactor(commandLineSecrets(argv));
  const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? redactor.redact(chunk) : chunk, ...rest)) as typeof process.stderr.write;
}
