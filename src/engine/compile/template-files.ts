/**
 * Template files, found (see local-files.ts for the order) and read once per run while
 * compiling. A task reads them through the view of its own lookup folders.
 */
import { readFileSync } from 'node:fs';
import { isHtmlTemplate, renderString, TemplateError } from '../templating';
import { findLocalFile, localFileCandidates } from './local-files';

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

/** The template files one task can name. */
export interface TaskTemplates {
  find(name: string): TemplateFile;
  /** The named template rendered against `vars` (HTML-escaped only for HTML templates). */
  render(name: string, vars: Record<string, unknown>): string;
}

export class TemplateFiles {
  private readonly cache = new Map<string, TemplateFile>();

  constructor(
    /** Searched after a task's own folders: the project's and lvs's templates/. */
    private readonly templateDirs: string[],
  ) {}

  /** The templates a task with these lookup folders sees. */
  for(lookupDirs: readonly string[]): TaskTemplates {
    const find = (name: string): TemplateFile => {
      const path = findLocalFile('templates', name, lookupDirs, this.templateDirs);
      if (!path) throw new MissingTemplateError(name, localFileCandidates('templates', name, lookupDirs, this.templateDirs));
      let file = this.cache.get(path);
      if (!file) {
        file = { path, text: readFileSync(path, 'utf8') };
        this.cache.set(path, file);
      }
      return file;
    };
    return {
      find,
      render: (name, vars) => {
        const file = find(name);
        try {
          return renderString(file.text, vars, isHtmlTemplate(file.path));
        } catch (error) {
          if (error instanceof TemplateError) throw new TemplateFileError(file, error);
          throw error;
        }
      },
    };
  }
}
