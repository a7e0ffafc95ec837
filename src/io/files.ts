// Reading and writing whole files on Node. The browser twin (files.browser.ts) refuses with a
// message that says what to use there instead.

import { readFile, writeFile } from 'node:fs/promises';

export function readBytes(path: string): Promise<Uint8Array> {
  return readFile(path);
}

export function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

export function writeText(path: string, text: string): Promise<void> {
  return writeFile(path, text);
}
