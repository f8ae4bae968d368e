import { join } from 'node:path';
import { InputError, InputErrors } from '../../../src/errors';

export const FIXTURES = join(__dirname, 'fixtures');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** Runs `action`, expects an InputError and returns its describe() with the fixture folder removed. */
export function inputErrorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError || error instanceof InputErrors) {
      const text = error instanceof InputError ? error.describe() : error.message;
      return text.split(`${FIXTURES}/`).join('');
    }
    throw error;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}
