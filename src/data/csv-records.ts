// From csv-parse's records to a Dataset: the first records decide the layout (preamble, header,
// roles), then every record goes to the column collector. Shared by Node and the browser, so every
// path checks cells the same way.

import type { Options } from 'csv-parse';
import { ColumnCollector, type CollectOptions } from './columns.js';
import { decimalPoint } from './csv-dataset.js';
import { WHITESPACE } from './delimiter.js';
import { CsvCellError } from './errors.js';
import { LAYOUT_RECORDS, planLayout, type Layout, type LayoutOptions } from './layout.js';

/**
 * csv-parse's options for a file split at `delimiter` (or at runs of spaces and tabs: WHITESPACE),
 * starting after `skipLines` lines, each record paired with its line (see LinedRecord).
 */
export function csvOptions(delimiter: string, skipLines = 0, decimalComma = false): Options {
  const whitespace = delimiter === WHITESPACE;
  return {
    bom: true, skip_empty_lines: true, relax_column_count: true, delimiter: whitespace ? [' ', '\t'] : delimiter,
    on_record: decimalComma ? withDecimalPoints(whitespace) : whitespace ? withLineNoEmpties : withLine,
    ...(skipLines > 0 ? { from_line: skipLines + 1 } : {}),
  };
}

/** A record with the line it ends on, for error messages. */
export interface LinedRecord {
  readonly record: string[];
  readonly line: number;
}

/** csv-parse's on_record option that pairs each record with its line. */
const withLine = ((record: string[], context: { lines: number }): LinedRecord => ({ record, line: context.lines })) as unknown as Options['on_record'];

/** The same with numbers' decimal commas made points (see decimalPoint), empty cells dropped for runs of spaces. */
function withDecimalPoints(whitespace: boolean): Options['on_record'] {
  return ((record: string[], context: { lines: number }): LinedRecord =>
    ({ record: (whitespace ? record.filter((cell) => cell !== '') : record).map(decimalPoint), line: context.lines })) as unknown as Options['on_record'];
}

/** The note a load with decimal commas carries (see decimalCommaFor). */
export const DECIMAL_COMMA_NOTE = "numbers read with a decimal comma (2,5 is 2.5); give decimal: '.' (--decimal .) if commas are not decimal marks";

/** A data set with a note added at the front of its report. */
export function noted<D extends { readonly report: { readonly notes: readonly string[] } }>(data: D, note: string | null): D {
  return note ? { ...data, report: { ...data.report, notes: [note, ...data.report.notes] } } : data;
}

/** The same for runs of spaces and tabs: the empty cells between a run's characters (and before the first) are no cells. */
const withLineNoEmpties = ((record: string[], context: { lines: number }): LinedRecord =>
  ({ record: record.filter((cell) => cell !== ''), line: context.lines })) as unknown as Options['on_record'];

/** csv-parse's own errors (an unclosed quote, …) carry the line they stopped at. */
function parseError(error: unknown): unknown {
  if (error instanceof CsvCellError || !(error instanceof Error) || !('code' in error) || !String(error.code).startsWith('CSV_')) return error;
  const e = error as Error & { lines?: number };
  return new CsvCellError(e.lines ?? 0, null, `cannot parse: ${e.message}`);
}

/** Reads every record: the first ones decide the layout, all of them are collected. */
export async function collectRecords(records: AsyncIterable<LinedRecord>, options: LayoutOptions & CollectOptions): Promise<{ collector: ColumnCollector; layout: Layout }> {
  const head: string[][] = [];
  const lines: number[] = [];
  let collector: ColumnCollector | null = null;
  let layout: Layout | null = null;
  const start = () => {
    layout = planLayout(head, lines, options);
    collector = new ColumnCollector(layout, options);
    head.forEach((r, i) => i >= layout!.preamble && collector!.add(r, lines[i]));
  };
  try {
    for await (const { record, line } of records) {
      if (collector) {
        (collector as ColumnCollector).add(record, line);
        continue;
      }
      head.push(record);
      lines.push(line);
      if (head.length === LAYOUT_RECORDS) start();
    }
    if (!collector) {
      if (head.length === 0) throw new CsvCellError(0, null, 'the file is empty: no rows to load');
      start();
    }
  } catch (error) {
    throw parseError(error);
  }
  return { collector: collector!, layout: layout! };
}
