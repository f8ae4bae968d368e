/** A template, condition or helper that cannot be rendered or decided. */
export class TemplateError extends Error {
  constructor(
    message: string,
    /** The undefined variable, when that is the cause. */
    readonly variable?: string,
    /** Where in the template, when handlebars knows (1-based line, 0-based column). */
    readonly location?: { line: number; column?: number },
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}
