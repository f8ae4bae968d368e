/** Whether a path, or a glob, names something on the host: what command's creates/removes ask. */
import type { Fact } from '../api';
import { sh } from '../shell/quote';

/**
 * The pattern is expanded by the host's shell as a glob and nothing else: it reaches the
 * shell quoted, in a variable, and an empty IFS keeps its expansion one word, so `$(...)`
 * or spaces in it are plain characters. A pattern that matches nothing stays as written,
 * which names a file only if one has that very name. A relative pattern is taken from `chdir`.
 */
export function pathMatches(pattern: string, chdir?: string): Fact<boolean> {
  const enter = chdir === undefined ? sh`:` : sh`cd -- ${chdir}`;
  return {
    command: sh`${enter} && lvs_glob=${pattern} && IFS='' && set -- $lvs_glob && if [ -e "$1" ] || [ -L "$1" ]; then echo yes; else echo no; fi`,
    parse(result) {
      const answer = result.stdout.trim();
      if (result.exitCode !== 0 || (answer !== 'yes' && answer !== 'no')) {
        throw new Error(`cannot look for ${pattern}${chdir === undefined ? '' : ` in ${chdir}`}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
      }
      return answer === 'yes';
    },
  };
}
