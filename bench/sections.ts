// bench/RESULTS.md holds the speed bench's report and, after it, sections other bench programs write
// (the data bench's). Each program rewrites its own part and keeps the others.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('../bench/RESULTS.md', import.meta.url));
const BLOCK = /<!-- section:([\w-]+) -->[\s\S]*?<!-- \/section:\1 -->\n?/g;

function current(): string {
  return existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
}

/** Replaces (or adds) the named section, keeping everything else. */
export function writeSection(name: string, markdown: string): void {
  const text = current();
  const block = `<!-- section:${name} -->\n${markdown.trimEnd()}\n<!-- /section:${name} -->\n`;
  const blocks = [...text.matchAll(BLOCK)].filter((m) => m[1] !== name).map((m) => m[0]);
  const main = text.replace(BLOCK, '').trimEnd();
  writeFileSync(RESULTS, [main, ...blocks, block].filter((s) => s !== '').join('\n\n').replace(/\n{3,}/g, '\n\n'));
}

/** Replaces the speed bench's report, keeping the other programs' sections after it. */
export function writeMain(markdown: string): void {
  const blocks = [...current().matchAll(BLOCK)].map((m) => m[0]);
  writeFileSync(RESULTS, [markdown.trimEnd() + '\n', ...blocks].join('\n'));
}
