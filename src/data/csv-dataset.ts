// What a CSV load returns and how its first record decides the layout: the part of loadCsv that Node
// and browsers share.

import type { Readable } from 'node:stream';
import { matrix, oneHot, type Matrix } from '../matrix.js';
import { CsvCellError, type ParsedRows, type RecordLayout } from './csv-records.js';

export interface CsvOptions {
  /** Whether the first row is a header: true, false, or 'auto' (default: it is one if a cell is not a number). */
  readonly header?: boolean | 'auto';
  /**
   * Column of the class label, by 0-based index or header name (default 0, as in mnist_train.csv);
   * null when every column is a feature (data to predict on), leaving y with no columns.
   */
  readonly label?: number | string | null;
  /** Regression target columns, by index or name, instead of a label. */
  readonly targets?: readonly (number | string)[];
  /** Number of classes for one-hot targets; labels must be below it (default: largest label + 1). */
  readonly classes?: number;
  /** Worker threads for large files on Node (default: one per core, at most 4; 1 parses on the main thread). */
  readonly workers?: number;
  /** Name used in error messages (default: the path, or 'CSV input'). */
  readonly name?: string;
}

export interface Dataset {
  /** rows × features */
  readonly x: Matrix;
  /** rows × classes (one-hot) for a label column, rows × targets for regression */
  readonly y: Matrix;
  /** the class labels, when there is a label column */
  readonly labels?: Int32Array;
  readonly classes?: number;
  readonly featureNames: readonly string[];
  readonly targetNames: readonly string[];
}

/**
 * A path (Node), a Node stream, a Blob or File (Node and browsers), or the text itself. In a browser
 * only Blob, File and `{ text }` work.
 */
export type CsvSource = string | Readable | Blob | { readonly text: string };

/** How errors name the input: the path, the File's name, or 'CSV input'. */
export function csvName(source: CsvSource): string {
  if (typeof source === 'string') return source;
  if (typeof File !== 'undefined' && source instanceof File && source.name) return source.name;
  return 'CSV input';
}

/** A CsvCellError as the user sees it: the input's name, line and 1-based column. */
export function located(error: unknown, name: string): Error {
  if (!(error instanceof CsvCellError)) return error as Error;
  const where = error.column === null ? `line ${error.line}` : `line ${error.line}, column ${error.column + 1}`;
  return new Error(`ffnn: ${name}, ${where}: ${error.detail}`);
}

/** Decides header and layout from the first record. */
export function planner(options: CsvOptions) {
  return (first: string[]): { layout: RecordLayout; firstIsHeader: boolean } => {
    const looksNumeric = first.every((c) => c.trim() !== '' && !Number.isNaN(Number(c)));
    const firstIsHeader = options.header === 'auto' || options.header === undefined ? !looksNumeric : options.header;
    const names = firstIsHeader ? first.map((c) => c.trim()) : first.map((_, i) => String(i + 1));
    const column = (ref: number | string, what: string): number => {
      if (typeof ref === 'number') {
        if (!Number.isInteger(ref) || ref < 0 || ref >= first.length) {
          throw new CsvCellError(1, null, `${what} column ${ref} does not exist: rows have ${first.length} cells (columns 0..${first.length - 1})`);
        }
        return ref;
      }
      const at = names.indexOf(ref);
      if (at < 0) {
        throw new CsvCellError(1, null, firstIsHeader
          ? `no ${what} column named '${ref}' in the header (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`
          : `${what} column '${ref}' needs a header row, and this file has none`);
      }
      return at;
    };
    const targets = options.targets?.map((t) => column(t, 'target')) ?? [];
    const label = targets.length > 0 || options.label === null ? -1 : column(options.label ?? 0, 'label');
    if (first.length - (label >= 0 ? 1 : targets.length) < 1) {
      throw new CsvCellError(1, null, `rows have ${first.length} cells, which leaves no feature columns`);
    }
    return { layout: { cells: first.length, label, targets, classes: options.classes, names }, firstIsHeader };
  };
}

export function finish(parsed: ParsedRows & { layout: RecordLayout | null; header: string[] | null }, name: string, options: CsvOptions): Dataset {
  const { layout } = parsed;
  if (!layout) throw new Error(`ffnn: ${name} is empty: no rows to load`);
  if (parsed.rows === 0) throw new Error(`ffnn: ${name} has a header but no data rows`);
  const featureNames = layout.names.filter((_, i) => i !== layout.label && !layout.targets.includes(i));
  const x = matrix(parsed.rows, featureNames.length, parsed.features);
  if (layout.label < 0) {
    return { x, y: matrix(parsed.rows, layout.targets.length, parsed.targets), featureNames, targetNames: layout.targets.map((t) => layout.names[t]) };
  }
  const classes = options.classes ?? Math.max(2, parsed.maxLabel + 1);
  const labels = Int32Array.from(parsed.targets);
  return { x, y: oneHot(labels, classes), labels, classes, featureNames, targetNames: [layout.names[layout.label]] };
}

