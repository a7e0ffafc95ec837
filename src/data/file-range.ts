// Byte ranges of a file on Node: read in chunks, and their lines counted (for splitting a large CSV
// file among threads).

import { open } from 'node:fs/promises';

const READ_CHUNK = 1 << 20;

/**
 * Bytes [start, end) of a file, in chunks read into one buffer: each chunk is valid until the next
 * is asked for (every reader here copies or counts it at once). A stream's fresh buffer per chunk
 * would cost a page fault per 4 KiB of the file, which on some hosts is most of a load's time.
 */
export async function* fileRange(path: string, start: number, end: number): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafeSlow(Math.min(READ_CHUNK, Math.max(1, end - start)));
    for (let at = start; at < end;) {
      const { bytesRead } = await fh.read(buffer, 0, Math.min(buffer.length, end - at), at);
      if (bytesRead === 0) break;
      at += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/**
 * The newlines in bytes [start, end) of a file, and the lines there that hold something (not blank):
 * where a range starts on a line's first byte, each such line becomes one row (or an error).
 */
export async function countLines(path: string, start: number, end: number): Promise<{ lines: number; filled: number }> {
  let lines = 0, filled = 0;
  let atStart = true;
  for await (const b of fileRange(path, start, end)) {
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
