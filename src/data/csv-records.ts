// From csv-parse's records to a Dataset: the first records decide the layout (preamble, header,
// roles), then every record goes to the column collector. Shared by Node and the browser, so every
// path checks cells the same way.

import type { Options } from 'csv-parse';
import { ColumnCollector, type CollectOptions, type Dataset } from './columns.js';
import { decimalPoint, type TextReading } from './csv-dataset.js';
import { WHITESPACE } from './delimiter.js';
import { CsvCellError } from './errors.js';
import { LAYOUT_RECORDS, planLayout, type Layout, type LayoutOptions } from './layout.js';

/**
 * csv-parse's options for text read so (split at its delimiter, or at runs of spaces and tabs:
 * WHITESPACE), starting after `skipLines` lines, each record paired with its line (see LinedRecord).
 */
export function csvOptions({ delimiter, decimalComma, comment }: TextReading, skipLines = 0): Options {
  const whitespace = delimiter === WHITESPACE;
  return {
    // a quote counts only where a cell starts with one, as pandas and Python's csv read it: x"y and
    // "a"b are text (TSV files write quotes in cells freely), where csv-parse would refuse them
    bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, delimiter: whitespace ? [' ', '\t'] : delimiter,
    on_record: linedRecords(whitespace, decimalComma),
    ...(skipLines > 0 ? { from_line: skipLines + 1 } : {}),
    // a comment starts a line only: "#2" inside a row is a cell
    ...(comment !== null ? { comment, comment_no_infix: true } : {}),
  };
}

/** How many comment lines csv-parse skipped (its parser's info). */
export function commentLinesOf(parser: unknown): number {
  return (parser as { info?: { comment_lines?: number } }).info?.comment_lines ?? 0;
}

/** A record with the line it ends on, for error messages. */
export interface LinedRecord {
  readonly record: string[];
  readonly line: number;
}

/**
 * csv-parse's on_record option that pairs each record with its line; for runs of spaces and tabs,
 * without the empty cells between a run's characters (and before the first); with decimal commas,
 * each number's comma made a point (see decimalPoint).
 */
function linedRecords(whitespace: boolean, decimalComma: boolean): Options['on_record'] {
  return ((record: string[], context: { lines: number }): LinedRecord => {
    let cells = whitespace ? record.filter((cell) => cell !== '') : record;
    if (decimalComma) cells = cells.map(decimalPoint);
    return { record: cells, line: context.lines };
  }) as unknown as Options['on_record'];
}

/**
 * A data set read by csv-parse with the notes of how its text was read put first: decimal commas
 * (see decimalCommaFor), an encoding other than UTF-8 (see encodingOf), comment lines skipped (see
 * commentFor).
 */
export function withReadingNotes(data: Dataset, reading: TextReading, encoding: string, commentLines: number): Dataset {
  const notes = [
    ...(encoding === 'utf-8' ? [] : ["text read as Windows-1252: the file's bytes are not UTF-8 (spreadsheets in Western Europe save CSV so)"]),
    ...(reading.decimalComma ? ["numbers read with a decimal comma (2,5 is 2.5); give decimal: '.' (--decimal .) if commas are not decimal marks"] : []),
    ...(commentLines > 0 ? [`skipped ${commentLines} comment line(s) starting with ${reading.comment}; give comment: false (--comment none) to read them as rows`] : []),
  ];
  return notes.length === 0 ? data : { ...data, report: { ...data.report, notes: [...notes, ...data.report.notes] } };
}

/**
 * csv-parse's own errors (an unclosed quote, …), which carry the line they stopped at, as the loader's:
 * named by file and line. Every code counts, not only CSV_ ones (INVALID_OPENING_QUOTE once came
 * through bare, without the file's name; relax_quotes now reads such quotes as text).
 */
function parseError(error: unknown): unknown {
  if (error instanceof CsvCellError || !(error instanceof Error) || !('code' in error) || !/^(CSV_|INVALID_)/.test(String(error.code))) return error;
  const e = error as Error & { code: string; lines?: number };
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') return new CsvCellError(e.lines ?? 0, null, 'the file ends inside a quoted cell: a quote opens and is never closed');
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
