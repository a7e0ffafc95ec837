// Browser twin of csv.ts: the same loadCsv over a File, Blob or `{ text }`, with csv-parse's browser
// build, the same checks and the same errors. The file is decompressed (gzip, told by its first
// bytes, through DecompressionStream), decoded and parsed as it streams in.

import { collectRecords, commentLinesOf, csvOptions, withReadingNotes, type LinedRecord } from './csv-records.js';
import { csvName, encodingOf, readingOf, SCANNER_DECLINES, type CsvOptions, type TextReading, type CsvSource, type Dataset } from './csv-dataset.js';
import { CsvCellError, located } from './errors.js';
import { scanCsv } from './scanner.js';

export type { CsvOptions, CsvSource, Dataset, LoadReport } from './csv-dataset.js';

const HEAD_CHARS = 1 << 16;

export async function loadCsv(source: CsvSource, options: CsvOptions = {}): Promise<Dataset> {
  const name = csvName(source, options);
  if (typeof source === 'string') {
    throw new Error(`ffnn: cannot read ${name}: a browser has no file paths; pass a File (from an <input type="file">), a Blob or { text }`);
  }
  if (!(source instanceof Blob) && typeof (source as { text?: unknown }).text !== 'string') {
    throw new Error('ffnn: loadCsv in a browser takes a File, a Blob or { text }');
  }
  const blob = source instanceof Blob ? source : new Blob([(source as { text: string }).text]);
  try {
    if (blob.size === 0) throw new CsvCellError(0, null, 'the file is empty: no rows to load');
    const magic = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
    const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
    const bytes = (): ReadableStream<Uint8Array> => (gzip
      ? blob.stream().pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>)
      : blob.stream());
    if (options.reader !== 'csv-parse') {
      // the WebAssembly scanner first; csv-parse reads what it declines (quoted fields)
      const scanned = await scanCsv(chunksOf(bytes()), options, gzip ? undefined : blob.size);
      if (scanned !== 'declined') return scanned.collector.finish();
      if (options.reader === 'wasm') throw new CsvCellError(0, null, SCANNER_DECLINES);
    }
    const encoding = encodingOf(await headOf(bytes()));
    const text = bytes().pipeThrough(new TextDecoderStream(encoding) as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
    const read: ParsedText = { reading: null, parser: null };
    const data = (await collectRecords(textRecords(text, options, read), options)).collector.finish();
    return withReadingNotes(data, read.reading!, encoding, commentLinesOf(read.parser));
  } catch (error) {
    if (error instanceof TypeError && /decompress|gzip|zlib|corrupt/i.test(error.message)) {
      throw located(new CsvCellError(0, null, `gzip data is corrupt or truncated (${error.message})`), name);
    }
    throw located(error, name);
  }
}

/** The first 64 KiB of a stream (or all of it), the rest left unread. */
async function headOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  try {
    while (length < 1 << 16) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      length += value.length;
    }
  } finally {
    await reader.cancel();
  }
  const head = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    head.set(p, at);
    at += p.length;
  }
  return head.subarray(0, 1 << 16);
}

/** A stream's chunks as an async iterable (a ReadableStream is one only in newer engines). */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Records from decoded text chunks: the first chunks tell the delimiter, then csv-parse splits them. */
/** What textRecords found of how the text is written, and its parser, for the load's notes. */
interface ParsedText {
  reading: TextReading | null;
  parser: unknown;
}

async function* textRecords(reader: ReadableStreamDefaultReader<string>, options: CsvOptions, read: ParsedText): AsyncGenerator<LinedRecord> {
  // csv-parse's browser build (with its stream shim) loads on first use: pages without CSV skip it
  const { parse } = await import('csv-parse/browser/esm');
  const head: string[] = [];
  let headLength = 0;
  let finished = false;
  while (headLength < HEAD_CHARS) {
    const { value, done } = await reader.read();
    if (done) {
      finished = true;
      break;
    }
    head.push(value);
    headLength += value.length;
  }
  const skip = typeof options.skipLines === 'number' ? options.skipLines : 0;
  read.reading = readingOf(options, head.join(''));
  const parser = parse(csvOptions(read.reading, skip));
  read.parser = parser;
  // csv-parse's browser stream calls this.destroy() when it ends, which its stream shim lacks
  const shim = parser as unknown as { destroy?: () => void };
  shim.destroy ??= () => {};
  let queue: LinedRecord[] = [];
  let failure: Error | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => { wake?.(); wake = null; };
  parser.on('data', (record: LinedRecord) => { queue.push(record); notify(); });
  parser.on('error', (error: Error) => { failure = error; notify(); });
  parser.on('end', () => { ended = true; notify(); });

  let stop = false;
  const write = (chunk: string) => new Promise<void>((resolve) => parser.write(chunk, () => resolve()));
  const pump = (async () => {
    // the shim takes strings (not Uint8Array); wait for each chunk before reading the next
    for (const chunk of head) if (!stop) await write(chunk);
    while (!stop && !finished) {
      const { value, done } = await reader.read();
      if (done) break;
      await write(value);
    }
    if (!stop) parser.end();
  })();
  pump.catch((error: Error) => { failure = error; notify(); });
  try {
    for (;;) {
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        yield* batch;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stop = true;
    void reader.cancel().catch(() => {});
  }
}
