// loadCsv's options and inputs: the part of CSV loading that Node and browsers share.

import type { Readable } from 'node:stream';
import type { CollectOptions } from './columns.js';
import { sniffDelimiter, WHITESPACE } from './delimiter.js';
import type { LayoutOptions } from './layout.js';

export type { Dataset, LoadReport } from './columns.js';

/** How loadCsv reads a file: which column is the label or targets, what to ignore, missing cells, a schema to follow. */
export interface CsvOptions extends LayoutOptions, CollectOptions {
  /**
   * Whether the first row (after any preamble) is a header: true, false, or 'auto' (default: it is
   * one when its cells read as names above the columns below).
   */
  readonly header?: boolean | 'auto';
  /**
   * Column of the class label, by 0-based index (negative: from the end, −1 the last) or header name
   * (default 0, as in mnist_train.csv); null when every column is a feature (data to predict on).
   * Labels are class numbers (0, 1, …) or names (`rain`, `sun`: sorted, saved as the class names).
   */
  readonly label?: number | string | null;
  /** Regression target columns, by index or name, instead of a label. Rows with a missing target are dropped. */
  readonly targets?: readonly (number | string)[];
  /** Columns to leave out (names, ids), by index or name. */
  readonly ignore?: readonly (number | string)[];
  /** Columns to read as categories whatever they hold (e.g. numeric codes), by index or name. */
  readonly categorical?: readonly (number | string)[];
  /** Lines to skip before the header or data; 'auto' (default) skips a preamble it can tell, such as sklearn's line of counts. */
  readonly skipLines?: number | 'auto';
  /**
   * The cell separator: 'auto' (default: told from the first lines), ',', ';', '\t', '|', ' ', or
   * 'whitespace' (runs of spaces and tabs, leading ones ignored: columns aligned for reading).
   */
  readonly delimiter?: string;
  /**
   * Which parser splits the cells: 'auto' (default: the WebAssembly scanner, and csv-parse for files
   * it declines: quoted fields, or a stream that cannot be read twice), 'wasm' (the scanner only: an
   * error where it declines) or 'csv-parse'. Both give the same data set or the same error.
   */
  readonly reader?: 'auto' | 'wasm' | 'csv-parse';
  /**
   * Threads that share a large plain file on Node, the calling one among them (default: one per core,
   * at most 4, for files from 32 MB, below which starting a thread costs more than it saves; 1: the
   * calling thread alone). Given, files from 8 MB are shared.
   */
  readonly workers?: number;
  /** Name used in error messages (default: the path, the File's name, or 'CSV input'). */
  readonly name?: string;
}

/**
 * A path (Node), a Node stream, a Blob or File (Node and browsers), or the text itself. In a browser
 * only Blob, File and `{ text }` work. Gzip-compressed input is recognised by its first bytes.
 */
export type CsvSource = string | Readable | Blob | { readonly text: string };

/** How errors name the input: the option, the path, the File's name, or 'CSV input'. */
export function csvName(source: CsvSource, options: CsvOptions): string {
  if (options.name) return options.name;
  if (typeof source === 'string') return source;
  if (typeof File !== 'undefined' && source instanceof File && source.name) return source.name;
  return 'CSV input';
}

/** The delimiter to use: the option, or told from the head of the text. */
export function delimiterFor(options: CsvOptions, head: string): string {
  if (options.delimiter === undefined || options.delimiter === 'auto') return sniffDelimiter(head);
  if (options.delimiter === WHITESPACE) return WHITESPACE;
  if (options.delimiter.length !== 1) throw new Error(`ffnn: delimiter must be one character, 'whitespace' or 'auto', got ${JSON.stringify(options.delimiter)}`);
  return options.delimiter;
}
