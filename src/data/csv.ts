// CSV loading on Node with csv-parse: from a path, a stream, a Blob or a string (gzip told by its
// first bytes and decompressed as it streams) into a Dataset, every cell checked, errors naming file,
// line and column. Large plain files are parsed in byte-range chunks on worker threads.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { ColumnCollector, type CollectedPart } from './columns.js';
import { collectRecords, csvOptions, withLine, type LinedRecord } from './csv-records.js';
import { csvName, delimiterFor, type CsvOptions, type CsvSource, type Dataset } from './csv-dataset.js';
import { CsvCellError, DataError, located } from './errors.js';
import { LAYOUT_RECORDS, planLayout, type Layout } from './layout.js';

export type { CsvOptions, CsvSource, Dataset, LoadReport } from './csv-dataset.js';

const PARALLEL_BYTES = 8 << 20;
const HEAD_BYTES = 1 << 16;

/**
 * Loads a CSV file (path), stream, Blob/File or `{ text }`, plain or gzip-compressed. Everything is
 * checked before anything is returned: a bad cell anywhere rejects the whole load with a DataError
 * naming the input, line and column.
 */
export async function loadCsv(source: CsvSource, options: CsvOptions = {}): Promise<Dataset> {
  const name = csvName(source, options);
  try {
    if (typeof source === 'string') return await loadPath(source, name, options);
    const bytes = source instanceof Readable ? source
      : source instanceof Blob ? Readable.fromWeb(source.stream() as import('node:stream/web').ReadableStream<Uint8Array>)
      : Readable.from([Buffer.from(source.text)]);
    return await loadStream(bytes, options);
  } catch (error) {
    throw located(error, name);
  }
}

async function loadPath(path: string, name: string, options: CsvOptions): Promise<Dataset> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new DataError(name, `cannot read the file: ${(error as Error).message}`);
  }
  if (size === 0) throw new CsvCellError(0, null, 'the file is empty: no rows to load');
  const workers = Math.max(1, Math.min(options.workers ?? Math.min(availableParallelism(), 4), 16));
  if (workers === 1 || size < PARALLEL_BYTES || typeof options.skipLines === 'number' || !(await plainUnquoted(path))) {
    return loadStream(createReadStream(path), options);
  }
  return loadInChunks(path, size, workers, options);
}

/** Records of a byte stream: gunzipped when it starts with gzip's magic, split at the delimiter. */
async function loadStream(input: Readable, options: CsvOptions): Promise<Dataset> {
  const { records } = await recordsOf(input, options);
  return (await collectRecords(records, options)).collector.finish();
}

async function recordsOf(input: Readable, options: CsvOptions): Promise<{ records: AsyncIterable<LinedRecord>; delimiter: string }> {
  let bytes = await peek(input, 2);
  if (isGzip(bytes.head)) {
    const gunzip = createGunzip();
    bytes.stream.on('error', (error) => gunzip.destroy(error));
    bytes = await peek(bytes.stream.pipe(gunzip), HEAD_BYTES);
  } else {
    bytes = await peek(bytes.stream, HEAD_BYTES);
  }
  const delimiter = delimiterFor(options, bytes.head.toString('utf8'));
  const skip = typeof options.skipLines === 'number' ? options.skipLines : 0;
  const parser = bytes.stream.pipe(parse({ ...csvOptions(delimiter, skip), on_record: withLine }));
  bytes.stream.on('error', (error) => parser.destroy(error));
  return { records: parser as AsyncIterable<LinedRecord>, delimiter };
}

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The first `bytes` bytes of a stream (fewer if it is shorter), and a stream that still yields all of it. */
async function peek(input: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = input[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let length = 0;
  let done = false;
  try {
    while (length < bytes) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array | string);
      taken.push(chunk);
      length += chunk.length;
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'Z_DATA_ERROR' || (error as { code?: string }).code === 'Z_BUF_ERROR') {
      throw new CsvCellError(0, null, `gzip data is corrupt or truncated (${(error as Error).message})`);
    }
    throw error;
  }
  const head = Buffer.concat(taken);
  async function* all() {
    yield* taken;
    if (done) return;
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Buffer;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') throw new CsvCellError(0, null, `gzip data is corrupt or truncated (${(error as Error).message})`);
      throw error;
    }
  }
  return { head, stream: Readable.from(all(), { objectMode: false }) };
}

/**
 * Whether the file can be split at byte offsets: not gzip (which must stream from its start), and no
 * quotes (a quoted field may hold a newline, which a chunk boundary would cut).
 */
async function plainUnquoted(path: string): Promise<boolean> {
  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    if (first && isGzip(b)) return false;
    first = false;
    if (b.includes(0x22)) return false;
  }
  return true;
}

type ChunkResult = { ok: true; part: CollectedPart; lines: number } | { ok: false; line: number; column: number | null; detail: string };

async function loadInChunks(path: string, size: number, workers: number, options: CsvOptions): Promise<Dataset> {
  // The first records fix the delimiter, header and layout for every chunk.
  const head = await firstBytes(path, HEAD_BYTES);
  const delimiter = delimiterFor(options, head.toString('utf8'));
  const { layout, skip } = await layoutOf(path, options);

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

  const { schema, missing, classes, maxCategories } = options;
  const collect = { schema, missing, classes, maxCategories };
  const workerUrl = new URL(import.meta.url.endsWith('.ts') ? '../../dist/data/csv-worker.js' : './csv-worker.js', import.meta.url);
  const results = await Promise.all(bounds.slice(0, -1).map((start, i) => new Promise<ChunkResult>((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: { path, start, end: bounds[i + 1], layout, collect, delimiter, skip: i === 0 ? skip : 0 } });
    worker.once('message', (m: ChunkResult) => { resolve(m); void worker.terminate(); });
    worker.once('error', reject);
  })));

  const offsets: number[] = [];
  let before = 0;
  for (const r of results) {
    offsets.push(before);
    if (!r.ok) throw new CsvCellError(before + r.line, r.column, r.detail);
    before += r.lines;
  }
  const parts = results.map((r) => (r as { part: CollectedPart }).part);
  return ColumnCollector.merge(layout, collect, parts, offsets).finish();
}

async function firstBytes(path: string, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path, { end: bytes - 1 })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The layout the first records decide, and how many records of the first chunk come before the data. */
async function layoutOf(path: string, options: CsvOptions): Promise<{ layout: Layout; skip: number }> {
  const { records } = await recordsOf(createReadStream(path, { end: (1 << 20) - 1 }), options);
  const head: string[][] = [];
  const lines: number[] = [];
  for await (const { record, line } of records) {
    head.push(record);
    lines.push(line);
    if (head.length === LAYOUT_RECORDS) break;
  }
  const layout = planLayout(head, lines, options);
  return { layout, skip: layout.preamble };
}
