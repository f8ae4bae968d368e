/**
 * The base of the `lvs lab` commands: a LabError prints as its message and hint on stderr
 * with exit code 1, without a stack trace.
 */
import { LvsCommand } from './lvs-command';
import { LabError } from '../lab/lab-error';

export abstract class LabCommand extends LvsCommand {
  protected async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof LabError) {
      this.logToStderr(`ERROR: ${error.describe()}`);
      this.exit(1);
    }
    return super.catch(error);
  }
}
