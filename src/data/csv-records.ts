// Turns CSV records from csv-parse into float32 features and targets, checking every cell: the part
// of CSV loading shared by the main thread, the chunk workers and the browser.

import type { Options } from 'csv-parse';

/** Which cells of a record are features and which are the label or targets. */
export interface RecordLayout {
  /** Cells every record must have. */
  readonly cells: number;
  /** Cell index of the class label, or −1 for regression targets. */
  readonly label: number;
  /** Cell indexes of regression targets (empty when there is a label). */
  readonly targets: readonly number[];
  /** Number of classes when known in advance; labels must be below it. */
  readonly classes?: number;
  /** Column names for messages (header names, or 1-based numbers). */
  readonly names: readonly string[];
}

/** A bad cell or row, with its position relative to the start of the parsed text. */
export class CsvCellError extends Error {
  constructor(readonly line: number, readonly column: number | null, readonly detail: string) {
    super(detail);
  }
}

export interface ParsedRows {
  rows: number;
  features: Float32Array;
  /** rows × targets.length for regression, rows labels (as floats) for classification */
  targets: Float32Array;
  maxLabel: number;
}

export const CSV_OPTIONS: Options = { bom: true, skip_empty_lines: true, relax_column_count: true };

/** A record with the line it ends on, for error messages. */
export interface LinedRecord {
  readonly record: string[];
  readonly line: number;
}

/** csv-parse's on_record option that pairs each record with its line. */
export const withLine = ((record: string[], context: { lines: number }): LinedRecord => ({ record, line: context.lines })) as unknown as Options['on_record'];

/** Growable float32 storage: doubling, so appending n values costs O(n). */
class FloatBuffer {
  data = new Float32Array(1 << 16);
  length = 0;
  reserve(n: number): number {
    if (this.length + n > this.data.length) {
      const next = new Float32Array(Math.max(this.data.length * 2, this.length + n));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  take(): Float32Array {
    return this.data.slice(0, this.length);
  }
}

/** What the first record decides: the layout, and whether that record is a header. */
export type LayoutPlan = (first: string[], line: number) => { layout: RecordLayout; firstIsHeader: boolean };

export interface ParseResult extends ParsedRows {
  /** null when the input held no records at all */
  layout: RecordLayout | null;
  header: string[] | null;
}

/**
 * Checks and converts records from csv-parse (with `withLine`); the first record fixes the layout
 * through `plan`. Lines are counted from 1 at the input's start; errors carry that line and the
 * 0-based column.
 */
export async function parseRecords(records: AsyncIterable<LinedRecord>, plan: LayoutPlan): Promise<ParseResult> {
  let layout: RecordLayout | null = null;
  let header: string[] | null = null;
  let isTarget = new Uint8Array(0);
  let featureCount = 0;
  const features = new FloatBuffer();
  const targets = new FloatBuffer();
  let rows = 0;
  let maxLabel = -1;
  try {
    for await (const { record, line } of records) {
      if (!layout) {
        const decided = plan(record, line);
        layout = decided.layout;
        isTarget = new Uint8Array(layout.cells);
        if (layout.label >= 0) isTarget[layout.label] = 1;
        for (const t of layout.targets) isTarget[t] = 1;
        featureCount = layout.cells - (layout.label >= 0 ? 1 : layout.targets.length);
        if (decided.firstIsHeader) {
          header = record;
          continue;
        }
      }
      if (record.length !== layout.cells) {
        throw new CsvCellError(line, null, `${record.length} cells where ${layout.cells} were expected`);
      }
      let f = features.reserve(featureCount);
      const fd = features.data;
      for (let c = 0; c < record.length; c++) {
        if (isTarget[c]) continue;
        fd[f++] = cellValue(record[c], line, c, layout);
      }
      if (layout.label >= 0) {
        const label = cellValue(record[layout.label], line, layout.label, layout);
        if (!Number.isInteger(label) || label < 0) {
          throw new CsvCellError(line, layout.label, `label ${record[layout.label]} is not a class number (a whole number ≥ 0)`);
        }
        if (layout.classes !== undefined && label >= layout.classes) {
          throw new CsvCellError(line, layout.label, `label ${label} is outside the classes 0..${layout.classes - 1}`);
        }
        if (label > maxLabel) maxLabel = label;
        targets.data[targets.reserve(1)] = label;
      } else {
        const t = targets.reserve(layout.targets.length);
        const l = layout;
        l.targets.forEach((c, i) => (targets.data[t + i] = cellValue(record[c], line, c, l)));
      }
      rows++;
    }
  } catch (error) {
    if (error instanceof CsvCellError) throw error;
    // csv-parse's own errors (an unclosed quote, …) carry the line they stopped at
    const e = error as Error & { lines?: number };
    throw new CsvCellError(e.lines ?? 0, null, `cannot parse: ${e.message}`);
  }
  return { rows, features: features.take(), targets: targets.take(), maxLabel, layout, header };
}

function cellValue(cell: string, line: number, column: number, layout: RecordLayout): number {
  const v = Number(cell);
  if (Number.isFinite(v) && cell.trim() !== '') return v;
  const shown = JSON.stringify(cell.length > 20 ? cell.slice(0, 20) + '…' : cell);
  if (Number.isNaN(v) && cell.trim() !== 'NaN') {
    throw new CsvCellError(line, column, `${shown} is not a number (column ${layout.names[column]})`);
  }
  throw new CsvCellError(line, column, `${shown} is not a finite number (column ${layout.names[column]}); NaN, Infinity and empty cells are not allowed`);
}
