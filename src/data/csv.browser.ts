// Browser twin of csv.ts: the same loadCsv over a File, Blob or `{ text }`, with csv-parse's browser
// build, the same checks and the same errors. The file is decoded and parsed as it streams in.

import { CSV_OPTIONS, parseRecords, withLine, type LinedRecord } from './csv-records.js';
import { csvName, finish, located, planner, type CsvOptions, type CsvSource, type Dataset } from './csv-dataset.js';

export type { CsvOptions, CsvSource, Dataset } from './csv-dataset.js';

export async function loadCsv(source: CsvSource, options: CsvOptions = {}): Promise<Dataset> {
  const name = options.name ?? csvName(source);
  if (typeof source === 'string') {
    throw new Error(`ffnn: cannot read ${name}: a browser has no file paths; pass a File (from an <input type="file">), a Blob or { text }`);
  }
  if (!(source instanceof Blob) && typeof (source as { text?: unknown }).text !== 'string') {
    throw new Error('ffnn: loadCsv in a browser takes a File, a Blob or { text }');
  }
  const blob = source instanceof Blob ? source : new Blob([(source as { text: string }).text]);
  try {
    return finish(await parseRecords(blobRecords(blob), planner(options)), name, options);
  } catch (error) {
    throw located(error, name);
  }
}

/** Records from a Blob: text chunks into csv-parse's stream parser, records out as they complete. */
async function* blobRecords(blob: Blob): AsyncGenerator<LinedRecord> {
  // csv-parse's browser build (with its stream shim) loads on first use: pages without CSV skip it
  const { parse } = await import('csv-parse/browser/esm');
  const parser = parse({ ...CSV_OPTIONS, on_record: withLine });
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

  const reader = blob.stream().pipeThrough(new TextDecoderStream()).getReader();
  let stop = false;
  const pump = (async () => {
    while (!stop) {
      const { value, done } = await reader.read();
      if (done) break;
      // the shim takes strings (not Uint8Array); wait for each chunk before reading the next
      await new Promise<void>((resolve) => parser.write(value, () => resolve()));
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
