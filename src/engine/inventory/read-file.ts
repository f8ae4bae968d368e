import { readFileSync } from 'node:fs';
import { InputError } from '../../errors';

/** Reads a text file, turning any failure (missing, unreadable, a directory) into an InputError. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new InputError(`cannot read the file: ${code ?? message}`, { file });
  }
}
