// Reading and writing whole files on Node. The browser twin (files.browser.ts) refuses with a
// message that says what to use there instead.

import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';

/** Bytes between the writes that map every page of a new buffer (a page is 4 KiB or more). */
const PAGE = 4096;

/**
 * A whole file's bytes, in pages this process has already written to. Pages that a read() filled
 * without the process touching them first cost about 5 µs each at their first use on the project's
 * VMs (60 ms for MNIST's 47 MB, paid by whatever reads the data first: the first epoch); writing
 * each page before the read moves that cost here, where loading is timed, and costs nothing extra.
 * `allocate` may give the array to read into (else a new one).
 */
export async function readBytes(path: string, allocate?: (size: number) => Uint8Array | null): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const bytes = allocate?.(size) ?? new Uint8Array(size);
    for (let at = 0; at < size; at += PAGE) bytes[at] = 0;
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await file.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break; // the file shrank while read
      filled += bytesRead;
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } finally {
    await file.close();
  }
}

/** Up to the first `count` bytes of a file. */
export async function readHead(path: string, count: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(count);
    const { bytesRead } = await file.read(head, 0, count, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

export function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

/**
 * Writes a file whole or not at all: into a temporary file beside it, then renamed over it, so a
 * process killed mid-write leaves the previous file as it was.
 */
export async function writeText(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
