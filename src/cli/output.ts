// How the command writes: lines for people (to stderr with --json, so stdout holds only the JSON),
// notes about the data, scores in words, models saved.

import type { Evaluation, Network } from '../network.js';

export interface Writer {
  log(line: string): void;
}

export function writer(v: { json?: boolean; quiet?: boolean }): Writer {
  const stream = v.json ? process.stderr : process.stdout;
  return { log: (line) => { if (!v.quiet) stream.write(line + '\n'); } };
}

/** What loading found (preamble skipped, missing cells filled, rows dropped, unseen categories). */
export function printNotes(out: Writer, what: string, notes: readonly string[]): void {
  for (const note of notes) out.log(`${what} data: ${note}`);
}

/** A score in words: accuracy for classes, RMSE, MAE and R² for a regression. */
export function describeScore(e: Evaluation): string {
  if (e.task === 'classification') return `accuracy: ${(100 * e.accuracy).toFixed(2)} % (${e.correct} / ${e.rows}), loss ${e.loss.toFixed(4)}`;
  return `RMSE ${e.rmse.toPrecision(4)}, MAE ${e.mae.toPrecision(4)}, R² ${e.r2.toFixed(4)} (${e.rows} rows)`;
}

export async function saveModel(out: Writer, net: Network, path: string): Promise<void> {
  await net.save(path);
  out.log(`Saved the model to ${path}`);
}

/** A CSV cell: quoted when it holds a comma, a quote or a line break. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
