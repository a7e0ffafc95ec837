// CSV loading on Node: from a path, a stream, a Blob or a string (gzip told by its first bytes and
// decompressed as it streams) into a Dataset, every cell checked, errors naming file, line and
// column. Files without quotes go through the WebAssembly scanner (scanner.ts), large ones split
// among worker threads; quoted files, and streams that cannot be read twice, through csv-parse.
// Both paths feed one column collector: the same data set or the same error.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import { Readable, Transform } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { ColumnCollector, type CollectedPart, type CollectorStorage } from './columns.js';
import { collectRecords, commentLinesOf, csvOptions, withReadingNotes, type LinedRecord } from './csv-records.js';
import { csvName, encodingOf, readingOf, SCANNER_DECLINES, type CsvOptions, type CsvSource, type Dataset } from './csv-dataset.js';
import { CsvCellError, DataError, located } from './errors.js';
import { Role } from './layout.js';
import { countLines, fileRange } from './file-range.js';
import { planCsv, scanCsv } from './scanner.js';
import { endTail, growMemory, lendTail, type ArenaTail } from '../engine/arena.js';

export type { CsvOptions, CsvSource, Dataset, LoadReport } from './csv-dataset.js';

/** From these sizes a file is split among threads: by default, and when `workers` asks for it (a thread takes ~0.1 s to start). */
const PARALLEL_BYTES = 32 << 20, PARALLEL_BYTES_ASKED = 8 << 20;
const HEAD_BYTES = 1 << 16;
const READ_CHUNK = 1 << 20;

/**
 * Loads a CSV file (path), stream, Blob/File or `{ text }`, plain or gzip-compressed. Everything is
 * checked before anything is returned: a bad cell anywhere rejects the whole load with a DataError
 * naming the input, line and column. Features that are all whole numbers 0–255 come back as bytes.
 * Read by the WebAssembly scanner (a source that is not a stream, without quoted cells) from 1 MiB
 * or more, numeric features lie in memory the next network created takes as its own, which reads
 * them in place (their buffer is a SharedArrayBuffer: share it, do not transfer it).
 */
export async function loadCsv(source: CsvSource, options: CsvOptions = {}): Promise<Dataset> {
  const name = csvName(source, options);
  try {
    if (typeof source === 'string') return await loadPath(source, name, options);
    if (source instanceof Readable) {
      if (options.reader === 'wasm') throw new Error("ffnn: the WebAssembly reader reads a path, a Blob or { text }; a stream is read by csv-parse (reader 'auto')");
      return await loadStream(source, options);
    }
    const blob = source instanceof Blob ? source : new Blob([source.text]);
    const bytes = () => Readable.fromWeb(blob.stream() as import('node:stream/web').ReadableStream<Uint8Array>);
    return await scanOrParse(bytes, options, blob.size);
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
  const gzip = await gzipInfo(path, size);
  const threads = Math.max(1, Math.min(options.workers ?? Math.min(availableParallelism(), 4), 16));
  if (!gzip && threads > 1 && size >= (options.workers ? PARALLEL_BYTES_ASKED : PARALLEL_BYTES) && options.reader !== 'csv-parse' && typeof options.skipLines !== 'number') {
    const split = await loadInChunks(path, size, threads, options);
    if (split !== 'declined') return split;
    if (options.reader === 'wasm') throw declined();
    return loadStream(createReadStream(path, { highWaterMark: READ_CHUNK }), options);
  }
  return scanOrParse(() => createReadStream(path, { highWaterMark: READ_CHUNK }), options, gzip ? gzip.size : size);
}

/** The scanner over a source that can be read again, and csv-parse when the scanner declines. */
async function scanOrParse(open: () => Readable, options: CsvOptions, bytes: number): Promise<Dataset> {
  if (options.reader !== 'csv-parse') {
    // the features are written into the arena, where the next network reads them in place
    const tail = lendTail(bytes);
    let kept: Uint8Array | Float32Array | null = null;
    try {
      const scanned = await scanCsv(await plainBytes(open()), options, bytes, undefined, tail ? { tail } : undefined);
      if (scanned !== 'declined') {
        const set = scanned.collector.finish();
        if (scanned.collector.heldInTail(set.x.data)) kept = set.x.data as Uint8Array | Float32Array;
        return set;
      }
    } finally {
      if (tail) endTail(tail, kept ? kept.byteLength : 0, kept);
    }
    if (options.reader === 'wasm') throw declined();
  }
  return loadStream(open(), options);
}

function declined(): Error {
  return new CsvCellError(0, null, SCANNER_DECLINES);
}

/** csv-parse's path: records of a byte stream, gunzipped when it starts with gzip's magic. */
async function loadStream(input: Readable, options: CsvOptions): Promise<Dataset> {
  const plain = await plainBytes(input);
  const head = await peek(plain, HEAD_BYTES);
  const encoding = encodingOf(head.head.subarray(0, HEAD_BYTES));
  const text = new TextDecoder(encoding).decode(head.head);
  const reading = readingOf(options, text);
  const skip = typeof options.skipLines === 'number' ? options.skipLines : 0;
  // Windows-1252 bytes become UTF-8 text for csv-parse
  const source = encoding === 'utf-8' ? head.stream : head.stream.pipe(decodingAs(encoding));
  if (source !== head.stream) head.stream.on('error', (error) => source.destroy(error));
  const parser = source.pipe(parse(csvOptions(reading, skip)));
  source.on('error', (error) => parser.destroy(error));
  const data = (await collectRecords(parser as AsyncIterable<LinedRecord>, options)).collector.finish();
  return withReadingNotes(data, reading, encoding, commentLinesOf(parser));
}

/** A stream of bytes in `encoding` made UTF-8. */
function decodingAs(encoding: string): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
    },
    flush(done) {
      done(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
}

/** The bytes of a stream, decompressed when they start with gzip's magic (1f 8b). */
async function plainBytes(input: Readable): Promise<Readable> {
  const start = await peek(input, 2);
  if (!isGzip(start.head)) return start.stream;
  const gunzip = createGunzip({ chunkSize: READ_CHUNK });
  start.stream.on('error', (error) => gunzip.destroy(error));
  return (await peek(start.stream.pipe(gunzip), 1)).stream;
}

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Whether a file is gzip, and then its uncompressed size (gzip keeps it, mod 2³², in its last 4 bytes). */
async function gzipInfo(path: string, size: number): Promise<{ size: number } | null> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (!isGzip(head) || size < 18) return null;
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, size - 4);
    return { size: tail.readUInt32LE(0) };
  } finally {
    await fh.close();
  }
}

const isZlibError = (error: unknown) => ['Z_DATA_ERROR', 'Z_BUF_ERROR'].includes((error as { code?: string }).code ?? '');
const corrupt = (error: unknown) => new CsvCellError(0, null, `gzip data is corrupt or truncated (${(error as Error).message})`);

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
    throw isZlibError(error) ? corrupt(error) : error;
  }
  const head = Buffer.concat(taken);
  async function* all() {
    yield* taken;
    if (done) return;
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Buffer;
    } catch (error) {
      throw isZlibError(error) ? corrupt(error) : error;
    }
  }
  return { head, stream: Readable.from(all(), { objectMode: false }) };
}

type Done = { ok: true; part: CollectedPart | 'declined' } | { ok: false; line: number; column: number | null; detail: string };

/**
 * A large plain file split at line boundaries: the main thread scans the first range and a worker
 * thread each other one, every range's rows straight into their place in one shared buffer (so no
 * part is copied to make the whole, and memory holds the data set once). While the workers start,
 * the main thread counts the rows of every range but the last, to find those places; the last
 * range's thread grows the buffer as it fills it. The plan the first records decide holds for every
 * range; what each collected besides numbers merges in order. 'declined' when any range holds what
 * the scanner does not read.
 */
async function loadInChunks(path: string, size: number, threads: number, options: CsvOptions): Promise<Dataset | 'declined'> {
  const plan = await planCsv(fileRange(path, 0, size), options);
  if (plan === 'declined') return 'declined';
  const { layout } = plan;

  const bounds = [0];
  const fh = await open(path, 'r');
  try {
    const probe = Buffer.alloc(1 << 16);
    for (let i = 1; i < threads; i++) {
      const from = Math.floor((size * i) / threads);
      const { bytesRead } = await fh.read(probe, 0, probe.length, from);
      const nl = probe.subarray(0, bytesRead).indexOf(0x0a);
      if (nl >= 0 && from + nl + 1 > bounds[bounds.length - 1] && from + nl + 1 < size) bounds.push(from + nl + 1);
    }
  } finally {
    await fh.close();
  }
  bounds.push(size);

  const { schema, missing, classes, maxCategories, dates } = options;
  const collect = { schema, missing, classes, maxCategories, dates };
  const workerUrl = new URL(import.meta.url.endsWith('.ts') ? '../../dist/data/csv-worker.js' : './csv-worker.js', import.meta.url);
  let tail: ArenaTail | null = null;
  let kept: { end: number; data: ArrayBufferView } | null = null;
  const workers = bounds.slice(1, -1).map((start, i) => new Worker(workerUrl, {
    workerData: { path, start, end: bounds[i + 2], collect, plan: { ...plan, skip: 0 } },
  }));
  try {
    // every filled line is a row (the first range's preamble and header aside). The ranges but the
    // last are counted while the workers start, to place their rows; the last range's rows go after
    // them, in a shared buffer that its thread grows as it fills (each row takes at least `cells`
    // bytes, which bounds how far)
    const counts = [];
    for (let i = 0; i + 2 < bounds.length; i++) counts.push(await countLines(path, bounds[i], bounds[i + 1]));
    const rowsOf = counts.map((c, i) => Math.max(0, c.filled - (i === 0 ? plan.skip : 0)));
    const counted = rowsOf.reduce((a, b) => a + b, 0);
    const lastBound = Math.ceil((size - bounds[bounds.length - 2]) / Math.max(1, layout.cells)) + 1;
    const fw = layout.roles.filter((r) => r === Role.Feature || r === Role.Text).length;
    const tw = layout.roles.filter((r) => r === Role.Target).length;
    const shared = (bytes: number) => new SharedArrayBuffer(bytes * counted * fw, { maxByteLength: bytes * (counted + lastBound) * fw });
    // features go in as bytes while every one is a whole number 0–255 (the float32 buffer's pages are
    // then never touched), as float32 from the first one that is not. Both go into the arena's memory
    // (where the next network reads them in place) when it can hold as many as may come: room for
    // the floats first, the bytes after it (room that is never written costs no memory)
    tail = lendTail(size);
    const room = (counted + lastBound) * fw;
    const floatsAt = tail?.from ?? 0, bytesAt = floatsAt + Math.ceil((4 * room) / 16) * 16;
    const inArena = tail !== null && growMemory(tail.memory, bytesAt + counted * fw, bytesAt + room);
    const featureBuffer = inArena ? null : shared(4), byteBuffer = inArena ? null : shared(1);
    const floatRegion = (from: number, count: number) => (inArena ? new Float32Array(tail!.memory.buffer, floatsAt + 4 * from, count) : new Float32Array(featureBuffer!, 4 * from, count));
    const byteRegion = (from: number, count: number) => (inArena ? new Uint8Array(tail!.memory.buffer, bytesAt + from, count) : new Uint8Array(byteBuffer!, from, count));
    const targetBuffer = new SharedArrayBuffer(4 * counted * tw, { maxByteLength: 4 * (counted + lastBound) * tw });
    const places: CollectorStorage[] = [];
    let row = 0;
    for (const rows of rowsOf) {
      places.push({
        features: floatRegion(row * fw, rows * fw), bytes: byteRegion(row * fw, rows * fw),
        targets: new Float32Array(targetBuffer, 4 * row * tw, rows * tw),
      });
      row += rows;
    }
    places.push({
      features: inArena ? { memory: tail!.memory, from: floatsAt + 4 * row * fw } : { buffer: featureBuffer!, from: row * fw },
      bytes: inArena ? { memory: tail!.memory, from: bytesAt + row * fw } : { buffer: byteBuffer!, from: row * fw },
      targets: { buffer: targetBuffer, from: row * tw },
    });
    const done = workers.map(async (worker, i) => {
      const answer = once(worker, 'message');
      worker.postMessage(places[i + 1]);
      return (await answer)[0] as Done;
    });
    // the first range's errors come first in the file: they need not wait for the others
    const first = await scanCsv(fileRange(path, 0, bounds[1]), collect, undefined, plan, places[0]);
    const results: Done[] = [{ ok: true, part: first === 'declined' ? 'declined' : first.collector.part() }, ...(await Promise.all(done))];
    // an error's line counts the lines of the ranges before its own
    const offsets = [0];
    for (let i = 0; i + 2 < bounds.length; i++) offsets.push(offsets[i] + counts[i].lines);
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (!r.ok) throw new CsvCellError(offsets[i] + r.line, r.column, r.detail);
    }
    if (results.some((r) => r.ok && r.part === 'declined')) return 'declined';
    const parts = results.map((r, i) => {
      const part = (r as { part: CollectedPart }).part;
      if (i < rowsOf.length && part.rows !== rowsOf[i]) throw new Error(`ffnn: internal: a range counted ${rowsOf[i]} rows and scanned ${part.rows}`);
      return part;
    });
    const total = parts.reduce((a, p) => a + p.rows, 0);
    // (widening a last range that stayed bytes needs its floats' room)
    const allBytes = parts.every((p) => p.bytes);
    if (inArena) {
      growMemory(tail!.memory, bytesAt + total * fw);
    } else {
      if (byteBuffer!.byteLength < total * fw) byteBuffer!.grow(total * fw);
      if (!allBytes && featureBuffer!.byteLength < 4 * total * fw) featureBuffer!.grow(4 * total * fw);
    }
    const features = floatRegion(0, allBytes ? 0 : total * fw), bytes = byteRegion(0, total * fw);
    const set = ColumnCollector.merge(layout, collect, parts, offsets, { features, bytes, targets: new Float32Array(targetBuffer, 0, total * tw) }).finish();
    // what of the arena the set keeps: its features, where they were written (encoded anew, they are not there)
    const x = set.x.data;
    for (const region of inArena ? [features, bytes] : []) {
      if (x.buffer === region.buffer && x.byteOffset === region.byteOffset && x.length > 0) kept = { end: x.byteOffset + x.byteLength, data: x };
    }
    return set;
  } finally {
    if (tail) endTail(tail, kept ? kept.end - tail.from : 0, kept?.data ?? null);
    for (const worker of workers) {
      worker.postMessage(null);
      void worker.terminate();
    }
  }
}

