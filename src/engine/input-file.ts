/**
 * Reading an input file (inventory, playbook, vars file) without trusting its size: a device,
 * a FIFO or a log given by mistake must not fill the memory before lvs can say what is wrong.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../errors';

/**
 * Far above any hand-written file: an INI inventory of 100 000 hosts, the most an inventory
 * may hold, is about 5 MiB.
 */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

const CHUNK_BYTES = 1024 * 1024;

/** The file's text; an InputError when it is larger than MAX_INPUT_BYTES, file system errors as they come. */
export function readInputFile(file: string): string {
  const descriptor = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, MAX_INPUT_BYTES + 1 - total));
      const length = readSync(descriptor, chunk, 0, chunk.length, null);
      if (length === 0) break;
      chunks.push(chunk.subarray(0, length));
      total += length;
      if (total > MAX_INPUT_BYTES) {
        throw new InputError(`the file is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, the most lvs reads of an input file`, { file });
      }
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(descriptor);
  }
}
