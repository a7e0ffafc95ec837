// Reading and writing whole files on Node. The browser twin (files.browser.ts) refuses with a
// message that says what to use there instead.

import { readFile, rename, rm, writeFile } from 'node:fs/promises';

export function readBytes(path: string): Promise<Uint8Array> {
  return readFile(path);
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
