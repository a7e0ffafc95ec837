// Worker entry: scans one byte range of a CSV file (the WebAssembly scanner, then the column
// collector) with the plan the file's first records decided, and sends back its rows as plain data
// with the number of lines the range holds ('declined' when the range holds a quote).

import { parentPort, workerData } from 'node:worker_threads';
import type { CollectOptions } from './columns.js';
import { fileRange } from './csv.js';
import { CsvCellError } from './errors.js';
import { scanCsv, type CsvPlan } from './scanner.js';

interface Job {
  path: string;
  start: number;
  end: number;
  collect: CollectOptions;
  plan: CsvPlan;
}

const job = workerData as Job;
try {
  const result = await scanCsv(fileRange(job.path, job.start, job.end), job.collect, job.end - job.start, job.plan);
  if (result === 'declined') {
    parentPort!.postMessage({ ok: true, part: 'declined', lines: 0 });
  } else {
    const part = result.collector.part();
    const transfer = [part.features, part.targets, ...part.text.map((t) => t?.codes), part.label?.codes]
      .filter((a): a is Float32Array | Int32Array => a !== undefined && a !== null).map((a) => a.buffer as ArrayBuffer);
    parentPort!.postMessage({ ok: true, part, lines: result.lines }, [...new Set(transfer)]);
  }
} catch (error) {
  const e = error as CsvCellError;
  parentPort!.postMessage({ ok: false, line: e.line ?? 0, column: e.column ?? null, detail: e.detail ?? String(error) });
}
