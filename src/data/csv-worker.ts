// Worker entry: one byte range of a large CSV file, scanned with the WebAssembly scanner straight into
// its place in the shared buffer the main thread sends (it counted every range's rows meanwhile); the
// rest of what it collected (text columns, counts) goes back as plain data.

import { parentPort, workerData } from 'node:worker_threads';
import type { CollectOptions, CollectorStorage } from './columns.js';
import { CsvCellError } from './errors.js';
import { fileRange } from './file-range.js';
import { scanCsv, type CsvPlan } from './scanner.js';

interface Job {
  path: string;
  start: number;
  end: number;
  collect: CollectOptions;
  plan: CsvPlan;
}

const job = workerData as Job;
const place = await new Promise<CollectorStorage | null>((resolve) => parentPort!.once('message', resolve));
if (place) {
  try {
    const result = await scanCsv(fileRange(job.path, job.start, job.end), job.collect, undefined, job.plan, place);
    if (result === 'declined') {
      parentPort!.postMessage({ ok: true, part: 'declined' });
    } else {
      const part = result.collector.part();
      const transfer = [...part.text.map((t) => t?.codes), part.label?.codes]
        .filter((a): a is Int32Array => a !== undefined && a !== null).map((a) => a.buffer as ArrayBuffer);
      parentPort!.postMessage({ ok: true, part }, [...new Set(transfer)]);
    }
  } catch (error) {
    const e = error as CsvCellError;
    parentPort!.postMessage({ ok: false, line: e.line ?? 0, column: e.column ?? null, detail: e.detail ?? String(error) });
  }
}
