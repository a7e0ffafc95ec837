// CSV loading with csv-parse: from a path, a stream or a string into float32 features and targets,
// streamed (never the whole file as one string), every cell checked, errors naming file, line and
// column. Large unquoted files are parsed in byte-range chunks on worker threads.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { parse } from 'csv-parse';
import { CSV_OPTIONS, CsvCellError, parseRecords, type ParsedRows } from './csv-records.js';
import { csvName, finish, located, planner, type CsvOptions, type CsvSource, type Dataset } from './csv-dataset.js';
import { streamRecords } from './csv-stream.js';

export type { CsvOptions, CsvSource, Dataset } from './csv-dataset.js';

const PARALLEL_BYTES = 8 << 20;

/**
 * Loads a CSV file (path), stream, Blob/File or `{ text }`. Everything is checked before anything is returned:
 * a bad cell anywhere rejects the whole load with file, line and column.
 */
export async function loadCsv(source: CsvSource, options: CsvOptions = {}): Promise<Dataset> {
  const name = options.name ?? csvName(source);
  try {
    if (typeof source === 'string') return await loadPath(source, name, options);
    const stream = source instanceof Readable ? source
      : source instanceof Blob ? Readable.fromWeb(source.stream() as import('node:stream/web').ReadableStream<Uint8Array>)
      : Readable.from([source.text]);
    return finish(await parseRecords(streamRecords(stream), planner(options)), name, options);
  } catch (error) {
    throw located(error, name);
  }
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
    return finish(await parseRecords(streamRecords(createReadStream(path)), planner(options)), name, options);
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
