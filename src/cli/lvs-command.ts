/**
 * What every lvs command shares: Ansible's exit codes for bad input (4) and bad options
 * (5), and typed errors printed as one precise line instead of a stack trace.
 */
import { Command } from '@oclif/core';
import { InputError, InputErrors } from '../errors';

export abstract class LvsCommand extends Command {
  /** A line for stderr, printed with --json too (oclif's logToStderr is silent then). */
  toStderr(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  protected async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof InputErrors || error instanceof InputError) {
      const lines = error instanceof InputErrors ? error.errors.map((item) => item.describe()) : [error.describe()];
      for (const line of lines) this.toStderr(`ERROR: ${line}`);
      // 4, or what the error says Ansible exits with (1 when --limit leaves no host).
      this.exit(error.exitCode);
    }
    // Ansible exits 5 on bad options. package.json's oclif.exitCodes covers most parse
    // errors; the invalid-option ones carry no code of their own, only their `parse` input.
    if ('parse' in error && error.oclif) error.oclif.exit = 5;
    return super.catch(error);
  }
}
