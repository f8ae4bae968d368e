/** A lab step failed: what failed, and what the user can do about it. */
export class LabError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'LabError';
  }

  describe(): string {
    return this.hint ? `${this.message}\n${this.hint}` : this.message;
  }
}
