/**
 * Typed errors. Each kind maps to an Ansible-compatible exit code and carries where it
 * happened (file:line:column and key for input errors; host, task and command for remote
 * ones), so the CLI can print a precise message without parsing strings.
 */

export interface SourcePosition {
  file: string;
  line?: number;
  column?: number;
}

/** `file:line:column`, leaving out what is not known. */
export function formatPosition(position: SourcePosition): string {
  return [position.file, position.line, position.column].filter((part) => part !== undefined).join(':');
}

/** Bad inventory, playbook, variables or task arguments. Nothing has been touched. Exit 4. */
export class InputError extends Error {
  readonly exitCode: number = 4;
  constructor(
    message: string,
    readonly position?: SourcePosition,
    /** The key or path in error, e.g. `plays[0].tasks[2].sysctl.value`. */
    readonly key?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }

  /** `file:line:col: key: message (hint)` */
  describe(): string {
    const where = this.position ? formatPosition(this.position) : '';
    const parts = [where, this.key].filter(Boolean).join(': ');
    return `${parts ? `${parts}: ` : ''}${this.message}${this.hint ? ` (${this.hint})` : ''}`;
  }
}

/** Several input errors found in one pass, reported together. */
export class InputErrors extends Error {
  readonly exitCode = 4;
  constructor(readonly errors: InputError[]) {
    super(errors.map((error) => error.describe()).join('\n'));
    this.name = 'InputErrors';
  }
}

/** The host could not be reached or authenticated, or its key did not match. */
export class UnreachableError extends Error {
  constructor(
    readonly host: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** A remote command failed. `command` is already redacted. */
export class CommandError extends Error {
  constructor(
    readonly host: string,
    readonly task: string,
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
    readonly hint?: string,
  ) {
    super(`${command} exited ${exitCode}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    this.name = 'CommandError';
  }
}
