// Worker entry: collects one byte range of a CSV file (csv-parse, then the column collector) and
// sends back its rows as plain data, with the number of lines the range holds.

import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parse } from 'csv-parse';
import type { CollectOptions } from './columns.js';
import { collectWithLayout, csvOptions, withLine, type LinedRecord } from './csv-records.js';
import { CsvCellError } from './errors.js';
import type { Layout } from './layout.js';

interface Job {
  path: string;
  start: number;
  end: number;
  layout: Layout;
  collect: CollectOptions;
  delimiter: string;
  /** records before the data (preamble and header): the first chunk only */
  skip: number;
}

const job = workerData as Job;
try {
  const input = createReadStream(job.path, { start: job.start, end: job.end - 1 });
  let lines = 0;
  input.on('data', (chunk) => {
    const b = chunk as Buffer;
    for (let at = b.indexOf(0x0a); at >= 0; at = b.indexOf(0x0a, at + 1)) lines++;
  });
  const records = input.pipe(parse({ ...csvOptions(job.delimiter), on_record: withLine })) as AsyncIterable<LinedRecord>;
  const collector = await collectWithLayout(records, job.layout, job.collect, job.skip);
  const part = collector.part();
  const transfer = [part.features, part.targets, ...part.text.map((t) => t?.codes), part.label?.codes]
    .filter((a): a is Float32Array | Int32Array => a !== undefined && a !== null).map((a) => a.buffer as ArrayBuffer);
  parentPort!.postMessage({ ok: true, part, lines }, [...new Set(transfer)]);
} catch (error) {
  const e = error as CsvCellError;
  parentPort!.postMessage({ ok: false, line: e.line ?? 0, column: e.column ?? null, detail: e.detail ?? String(error) });
}
