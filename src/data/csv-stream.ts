// CSV records from a Node stream through csv-parse's stream API (main thread and chunk workers).

import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { CSV_OPTIONS, withLine, type LinedRecord } from './csv-records.js';

export function streamRecords(input: Readable): AsyncIterable<LinedRecord> {
  const parser = input.pipe(parse({ ...CSV_OPTIONS, on_record: withLine }));
  input.on('error', (error) => parser.destroy(error));
  return parser as AsyncIterable<LinedRecord>;
}
