// CSV loading with csv-parse: from a path, a stream or a string into float32 features and targets,
// streamed (never the whole file as one string), every cell checked, errors naming file, line and
// column. Large unquoted files are parsed in byte-range chunks on worker threads.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { matrix, oneHot, type Matrix } from '../matrix.js';
import { parse } from 'csv-parse';
import { CSV_OPTIONS, CsvCellError, parseRecords, type ParsedRows, type RecordLayout } from './csv-records.js';

export interface CsvOptions {
  /** Whether the first row is a header: true, false, or 'auto' (default: it is one if a cell is not a number). */
  readonly header?: boolean | 'auto';
  /**
   * Column of the class label, by 0-based index or header name (default 0, as in mnist_train.csv);
   * null when every column is a feature (data to predict on), leaving y with no columns.
   */
  readonly label?: number | string | null;
  /** Regression target columns, by index or name, instead of a label. */
  readonly targets?: readonly (number | string)[];
  /** Number of classes for one-hot targets; labels must be below it (default: largest label + 1). */
  readonly classes?: number;
  /** Worker threads for large files (default: one per core, at most 4; 1 parses on the main thread). */
  readonly workers?: number;
  /** Name used in error messages (default: the path, or 'CSV input'). */
  readonly name?: string;
}

export interface Dataset {
  /** rows × features */
  readonly x: Matrix;
  /** rows × classes (one-hot) for a label column, rows × targets for regression */
  readonly y: Matrix;
  /** the class labels, when there is a label column */
  readonly labels?: Int32Array;
  readonly classes?: number;
  readonly featureNames: readonly string[];
  readonly targetNames: readonly string[];
}

export type CsvSource = string | Readable | { readonly text: string };

const PARALLEL_BYTES = 8 << 20;

/**
 * Loads a CSV file (path), stream or `{ text }`. Everything is checked before anything is returned:
 * a bad cell anywhere rejects the whole load with file, line and column.
 */
export async function loadCsv(source: CsvSource, options: CsvOptions = {}): Promise<Dataset> {
  const name = options.name ?? (typeof source === 'string' ? source : 'CSV input');
  try {
    if (typeof source === 'string') return await loadPath(source, name, options);
    const stream = source instanceof Readable ? source : Readable.from([source.text]);
    return finish(await parseRecords(stream, planner(options)), name, options);
  } catch (error) {
    throw located(error, name);
  }
}

function located(error: unknown, name: string): Error {
  if (!(error instanceof CsvCellError)) return error as Error;
  const where = error.column === null ? `line ${error.line}` : `line ${error.line}, column ${error.column + 1}`;
  return new Error(`ffnn: ${name}, ${where}: ${error.detail}`);
}

/** Decides header and layout from the first record. */
function planner(options: CsvOptions) {
  return (first: string[]): { layout: RecordLayout; firstIsHeader: boolean } => {
    const looksNumeric = first.every((c) => c.trim() !== '' && !Number.isNaN(Number(c)));
    const firstIsHeader = options.header === 'auto' || options.header === undefined ? !looksNumeric : options.header;
    const names = firstIsHeader ? first.map((c) => c.trim()) : first.map((_, i) => String(i + 1));
    const column = (ref: number | string, what: string): number => {
      if (typeof ref === 'number') {
        if (!Number.isInteger(ref) || ref < 0 || ref >= first.length) {
          throw new CsvCellError(1, null, `${what} column ${ref} does not exist: rows have ${first.length} cells (columns 0..${first.length - 1})`);
        }
        return ref;
      }
      const at = names.indexOf(ref);
      if (at < 0) {
        throw new CsvCellError(1, null, firstIsHeader
          ? `no ${what} column named '${ref}' in the header (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`
          : `${what} column '${ref}' needs a header row, and this file has none`);
      }
      return at;
    };
    const targets = options.targets?.map((t) => column(t, 'target')) ?? [];
    const label = targets.length > 0 || options.label === null ? -1 : column(options.label ?? 0, 'label');
    if (first.length - (label >= 0 ? 1 : targets.length) < 1) {
      throw new CsvCellError(1, null, `rows have ${first.length} cells, which leaves no feature columns`);
    }
    return { layout: { cells: first.length, label, targets, classes: options.classes, names }, firstIsHeader };
  };
}

function finish(parsed: ParsedRows & { layout: RecordLayout | null; header: string[] | null }, name: string, options: CsvOptions): Dataset {
  const { layout } = parsed;
  if (!layout) throw new Error(`ffnn: ${name} is empty: no rows to load`);
  if (parsed.rows === 0) throw new Error(`ffnn: ${name} has a header but no data rows`);
  const featureNames = layout.names.filter((_, i) => i !== layout.label && !layout.targets.includes(i));
  const x = matrix(parsed.rows, featureNames.length, parsed.features);
  if (layout.label < 0) {
    return { x, y: matrix(parsed.rows, layout.targets.length, parsed.targets), featureNames, targetNames: layout.targets.map((t) => layout.names[t]) };
  }
  const classes = options.classes ?? Math.max(2, parsed.maxLabel + 1);
  const labels = Int32Array.from(parsed.targets);
  return { x, y: oneHot(labels, classes), labels, classes, featureNames, targetNames: [layout.names[layout.label]] };
}

async function loadPath(path: string, name: string, options: CsvOptions): Promise<Dataset> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new Error(`ffnn: cannot read ${name}: ${(error as Error).message}`);
  }
  if (size === 0) throw new Error(`ffnn: ${name} is empty: no rows to load`);
  const workers = Math.max(1, Math.min(options.workers ?? Math.min(availableParallelism(), 4), 16));
  if (workers === 1 || size < PARALLEL_BYTES || (await containsQuote(path))) {
    return finish(await parseRecords(createReadStream(path), planner(options)), name, options);
  }
  return loadInChunks(path, size, workers, name, options);
}

/** Quoted fields may hold newlines, which byte-range chunks would cut: such files parse in one piece. */
async function containsQuote(path: string): Promise<boolean> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    if ((chunk as Buffer).includes(0x22)) return true;
  }
  return false;
}

async function loadInChunks(path: string, size: number, workers: number, name: string, options: CsvOptions): Promise<Dataset> {
  // The first record fixes the header and layout for every chunk.
  const { layout, firstIsHeader } = planner(options)(await firstRecordOf(path));

  const bounds = [0];
  const fh = await open(path, 'r');
  try {
    const probe = Buffer.alloc(1 << 16);
    for (let i = 1; i < workers; i++) {
      const from = Math.floor((size * i) / workers);
      const { bytesRead } = await fh.read(probe, 0, probe.length, from);
      const nl = probe.subarray(0, bytesRead).indexOf(0x0a);
      if (nl >= 0 && from + nl + 1 > bounds[bounds.length - 1] && from + nl + 1 < size) bounds.push(from + nl + 1);
    }
  } finally {
    await fh.close();
  }
  bounds.push(size);

  const workerUrl = new URL(import.meta.url.endsWith('.ts') ? '../../dist/data/csv-worker.js' : './csv-worker.js', import.meta.url);
  const results = await Promise.all(bounds.slice(0, -1).map((start, i) => new Promise<
    { ok: true; parsed: ParsedRows } | { ok: false; line: number; column: number | null; detail: string }
  >((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: { path, start, end: bounds[i + 1], layout, skipFirst: i === 0 && firstIsHeader } });
    worker.once('message', (m) => { resolve(m); void worker.terminate(); });
    worker.once('error', reject);
  })));

  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (!r.ok) {
      const before = await countNewlines(path, bounds[i]);
      throw new CsvCellError(before + r.line, r.column, r.detail);
    }
  }
  const parts = results.map((r) => (r as { parsed: ParsedRows }).parsed);
  const rows = parts.reduce((a, p) => a + p.rows, 0);
  const features = new Float32Array(parts.reduce((a, p) => a + p.features.length, 0));
  const targets = new Float32Array(parts.reduce((a, p) => a + p.targets.length, 0));
  let f = 0, t = 0;
  for (const p of parts) {
    features.set(p.features, f);
    targets.set(p.targets, t);
    f += p.features.length;
    t += p.targets.length;
  }
  const maxLabel = parts.reduce((a, p) => Math.max(a, p.maxLabel), -1);
  return finish({ rows, features, targets, maxLabel, layout, header: null }, name, options);
}

async function firstRecordOf(path: string): Promise<string[]> {
  const parser = createReadStream(path, { end: (1 << 20) - 1 }).pipe(parse({ ...CSV_OPTIONS, to: 1 }));
  for await (const record of parser) return record as string[];
  throw new CsvCellError(1, null, 'the first record could not be read');
}

async function countNewlines(path: string, end: number): Promise<number> {
  if (end === 0) return 0;
  let count = 0;
  for await (const chunk of createReadStream(path, { end: end - 1 })) {
    const b = chunk as Buffer;
    for (let at = b.indexOf(0x0a); at >= 0; at = b.indexOf(0x0a, at + 1)) count++;
  }
  return count;
}
