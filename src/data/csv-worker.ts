// Worker entry: parses one byte range of a CSV file with csv-parse and sends back float32 arrays.

import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CsvCellError, parseRecords, type RecordLayout } from './csv-records.js';
import { streamRecords } from './csv-stream.js';

interface Job {
  path: string;
  start: number;
  end: number;
  layout: RecordLayout;
  /** the first chunk starts with the header, when there is one */
  skipFirst: boolean;
}

const job = workerData as Job;
try {
  const parsed = await parseRecords(streamRecords(createReadStream(job.path, { start: job.start, end: job.end - 1 })), () => ({ layout: job.layout, firstIsHeader: job.skipFirst }));
  const { rows, features, targets, maxLabel } = parsed;
  parentPort!.postMessage({ ok: true, parsed: { rows, features, targets, maxLabel } }, [features.buffer as ArrayBuffer, targets.buffer as ArrayBuffer]);
} catch (error) {
  const e = error as CsvCellError;
  parentPort!.postMessage({ ok: false, line: e.line ?? 0, column: e.column ?? null, detail: e.detail ?? String(error) });
}
