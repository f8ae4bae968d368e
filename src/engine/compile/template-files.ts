/**
 * Template files, found and read once per run while compiling: beside the playbook, in its
 * templates/ folder, then in each configured folder (the project's and lvs's templates/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isHtmlTemplate, renderString, TemplateError } from '../templating';

export interface TemplateFile {
  path: string;
  text: string;
}

/** A template name that names no file in any of the places looked in. */
export class MissingTemplateError extends Error {
  constructor(
    readonly template: string,
    readonly lookedIn: string[],
  ) {
    super(`template '${template}' not found; looked in ${lookedIn.join(', ')}`);
    this.name = 'MissingTemplateError';
  }
}

/** A template file that failed to render, with the file and line at fault. */
export class TemplateFileError extends Error {
  constructor(
    readonly file: TemplateFile,
    readonly cause: TemplateError,
  ) {
    super(cause.message);
    this.name = 'TemplateFileError';
  }
}

export class TemplateFiles {
  private readonly cache = new Map<string, TemplateFile>();

  constructor(
    private readonly playbookDir: string,
    private readonly templateDirs: string[],
  ) {}

  find(name: string): TemplateFile {
    let file = this.cache.get(name);
    if (!file) {
      const candidates = [resolve(this.playbookDir, name), join(this.playbookDir, 'templates', name), ...this.templateDirs.map((dir) => join(dir, name))];
      const path = candidates.find((candidate) => existsSync(candidate));
      if (!path) throw new MissingTemplateError(name, candidates);
      file = { path, text: readFileSync(path, 'utf8') };
      this.cache.set(name, file);
    }
    return file;
  }

  /** The named template rendered against `vars` (HTML-escaped only for HTML templates). */
  render(name: string, vars: Record<string, unknown>): string {
    const file = this.find(name);
    try {
      return renderString(file.text, vars, isHtmlTemplate(file.path));
    } catch (error) {
      if (error instanceof TemplateError) throw new TemplateFileError(file, error);
      throw error;
    }
  }
}
