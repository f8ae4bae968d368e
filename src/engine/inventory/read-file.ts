import { InputError } from '../../errors';
import { readInputFile } from '../input-file';

/** Reads a text file, turning any failure (missing, unreadable, a directory, too large) into an InputError. */
export function readText(file: string): string {
  try {
    return readInputFile(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    throw new InputError(`cannot read the file: ${code ?? message}`, { file });
  }
}
