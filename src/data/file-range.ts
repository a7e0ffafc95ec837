// Byte ranges of a file on Node: read in chunks, and their lines counted (for splitting a large CSV
// file among threads).

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

const READ_CHUNK = 1 << 20;

/** Bytes [start, end) of a file, in chunks. */
export function fileRange(path: string, start: number, end: number): Readable {
  return createReadStream(path, { start, end: end - 1, highWaterMark: READ_CHUNK });
}

/**
 * The newlines in bytes [start, end) of a file, and the lines there that hold something (not blank):
 * where a range starts on a line's first byte, each such line becomes one row (or an error).
 */
export async function countLines(path: string, start: number, end: number): Promise<{ lines: number; filled: number }> {
  let lines = 0, filled = 0;
  let atStart = true;
  for await (const chunk of fileRange(path, start, end)) {
    const b = chunk as Buffer;
    if (b.length === 0) continue;
    if (atStart && b[0] !== 10 && b[0] !== 13) filled++;
    for (let at = b.indexOf(10); at >= 0; at = b.indexOf(10, at + 1)) {
      lines++;
      if (at + 1 < b.length && b[at + 1] !== 10 && b[at + 1] !== 13) filled++;
    }
    atStart = b[b.length - 1] === 10;
  }
  return { lines, filled };
}
