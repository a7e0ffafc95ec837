// loadCsv's options and inputs: the part of CSV loading that Node and browsers share.

import type { Readable } from 'node:stream';
import type { CollectOptions } from './columns.js';
import { lineCells, sniffDelimiter, WHITESPACE } from './delimiter.js';
import { modalLength, type LayoutOptions } from './layout.js';

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
   * The decimal mark of numbers: '.' or ',' (2,5: read by csv-parse, not the WebAssembly scanner).
   * Default: ',' when the file is not split at commas and most of its first lines hold a number
   * written with one (as spreadsheets write them in much of Europe); the load notes it.
   */
  readonly decimal?: '.' | ',';
  /**
   * A character that starts comment lines, skipped wherever they are (numpy's and gnuplot's data
   * files write `# ...` lines between rows), or false for none. Default: '#' when a line of the first
   * ones starts with it and is not shaped like the rows; the load notes how many it skipped. A line
   * is a comment only when the character is its first (a cell such as "#2" elsewhere is text).
   */
  readonly comment?: string | false;
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

/**
 * Whether the first bytes of a file read as UTF-8 (ASCII does). A file whose bytes do not is read as
 * Windows-1252, as spreadsheets in Western Europe save CSV (München's ü one byte, 0xFC); Latin-1
 * files read the same but for 0x80–0x9F, which Latin-1 leaves to control codes.
 */
export function utf8Head(head: Uint8Array): boolean {
  try {
    // (stream: a character cut by the end of the head is no error)
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** The text encoding a file's head says it has (see utf8Head). */
export function encodingOf(head: Uint8Array): 'utf-8' | 'windows-1252' {
  return utf8Head(head) ? 'utf-8' : 'windows-1252';
}

/** A number written with a decimal comma (2,5 or -0,25; no thousands separators). */
const DECIMAL_COMMA = /^\s*[+-]?\d*,\d+(?:[eE][+-]?\d+)?\s*$/;

/**
 * Whether numbers are written with a decimal comma: the option, or, for files not split at commas,
 * when most of the head's data lines hold such a number (as spreadsheets write them in much of
 * Europe, with semicolons between cells).
 */
function decimalCommaFor(options: CsvOptions, head: string, delimiter: string): boolean {
  if (options.decimal !== undefined) return options.decimal === ',';
  if (delimiter === ',') return false;
  const lines = headLines(head, 1, 31);
  return lines.length > 0 && lines.filter((l) => lineCells(l, delimiter).some((c) => DECIMAL_COMMA.test(c))).length > lines.length / 2;
}

/** A cell with a decimal comma written with a point (for Number()), other cells as they are. */
export function decimalPoint(cell: string): string {
  return DECIMAL_COMMA.test(cell) ? cell.replace(',', '.') : cell;
}

/**
 * The character that starts comment lines: the option, or '#' when one of the head's first lines
 * starts with it and has another number of cells than most lines (see CsvOptions.comment); else null.
 */
function commentFor(options: CsvOptions, head: string, delimiter: string): string | null {
  if (options.comment === false) return null;
  if (options.comment !== undefined) {
    if (typeof options.comment !== 'string' || options.comment.length !== 1) {
      throw new Error(`ffnn: comment must be one character or false, got ${JSON.stringify(options.comment)}`);
    }
    return options.comment;
  }
  const lines = headLines(head, 0, COMMENT_SNIFF_LINES);
  const marked = lines.filter((l) => l.startsWith('#'));
  const rows = lines.filter((l) => !l.startsWith('#')).map((l) => lineCells(l, delimiter));
  if (marked.length === 0 || rows.length === 0) return null;
  const modal = modalLength(rows);
  return marked.some((l) => lineCells(l, delimiter).length !== modal) ? '#' : null;
}

/** Lines start..end of the head, those not blank. */
function headLines(head: string, start: number, end: number): string[] {
  return head.split(/\r?\n/).slice(start, end).filter((l) => l.trim() !== '');
}

/** How a file's text is written, told from its head and the options: what its parser is set up with. */
export interface TextReading {
  readonly delimiter: string;
  /** numbers written 2,5 (see decimalCommaFor) */
  readonly decimalComma: boolean;
  /** the character that starts comment lines, or null (see commentFor) */
  readonly comment: string | null;
}

/** The reading of a file whose head is `head` (its delimiter given, or told from the head). */
export function readingOf(options: CsvOptions, head: string, delimiter = delimiterFor(options, head)): TextReading {
  return { delimiter, decimalComma: decimalCommaFor(options, head, delimiter), comment: commentFor(options, head, delimiter) };
}

/**
 * Whether the WebAssembly scanner reads text written so: not runs of spaces, decimal commas or
 * comment lines, which go to csv-parse (it drops the empty cells between a run's characters, reads
 * decimal commas and skips comments).
 */
export function scannerReads(reading: TextReading): boolean {
  return reading.delimiter !== WHITESPACE && !reading.decimalComma && reading.comment === null;
}

/** Lines of a file's head that decide whether '#' starts comments. */
const COMMENT_SNIFF_LINES = 200;

/** What reader 'wasm' says of a file the scanner declines, on Node and in browsers alike. */
export const SCANNER_DECLINES = "the WebAssembly reader declines this file (a quoted field, a carriage return that ends no line, runs of spaces between cells, decimal commas, comment lines, rows shorter than the header, or bytes that are not UTF-8); read it with reader 'auto' or 'csv-parse'";

/** The delimiter to use: the option, or told from the head of the text. */
export function delimiterFor(options: CsvOptions, head: string): string {
  if (options.delimiter === undefined || options.delimiter === 'auto') return sniffDelimiter(head);
  if (options.delimiter === WHITESPACE) return WHITESPACE;
  if (options.delimiter.length !== 1) throw new Error(`ffnn: delimiter must be one character, 'whitespace' or 'auto', got ${JSON.stringify(options.delimiter)}`);
  return options.delimiter;
}
