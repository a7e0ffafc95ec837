// Option parsers and the data options every command shares, declared once for commander.

import { Option, type Command } from 'commander';
import { ALL_BACKENDS, type BackendName } from '../backends/backend.js';
import type { ColumnRef } from '../data/layout.js';
import type { DataFlags } from './data.js';
import { UsageError } from './usage.js';

/** A number parser for `--name`: refuses anything `ok` rejects, saying what was wanted. */
export function numberArg(name: string, ok: (n: number) => boolean, want: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name} must be ${want}, got '${text}'`);
    return n;
  };
}

export const wholeArg = (name: string, min = 1) => numberArg(name, (n) => Number.isInteger(n) && n >= min, `a whole number ≥ ${min}`);
export const positiveArg = (name: string) => numberArg(name, (n) => n > 0, 'a number > 0');
export const nonNegativeArg = (name: string) => numberArg(name, (n) => n >= 0, 'a number ≥ 0');

/** A column: a whole number is an index (negative from the end), anything else a header name. */
export function columnRef(text: string): ColumnRef {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
}

/** A comma-separated list of columns. */
export function columnList(text: string): ColumnRef[] {
  return text.split(',').filter((s) => s.trim() !== '').map((s) => columnRef(s.trim()));
}

export function backendOption(): Option {
  return new Option('--backend <name>', 'wasm (relaxed SIMD, switched on by this command), wasm-simd (plain SIMD: the same bits on every engine), wasm-relaxed, wasm-scalar, js')
    .choices(ALL_BACKENDS).default('wasm');
}

export interface DataOptionValues {
  label?: ColumnRef;
  target?: ColumnRef[];
  ignore?: ColumnRef[];
  categorical?: ColumnRef[];
  dates?: 'month-first' | 'day-first';
  missing?: 'fill' | 'error';
  skipLines?: number;
  header?: 'auto' | 'true' | 'false';
  delimiter?: string;
  decimal?: '.' | ',';
  comment?: string;
  backend: BackendName;
}

/** The options that say how to read a CSV file's columns; `training` adds those that decide a schema. */
export function addDataOptions(command: Command, training: boolean): Command {
  command
    .option('--label <col>', 'the class label column: index (0 is the first, -1 the last) or header name (default 0)', columnRef)
    .option('--header <auto|true|false>', 'whether the first row (after any preamble) names the columns (default auto)')
    .option('--skip-lines <n>', 'lines to skip before the header or data (default: a preamble such as sklearn\'s line of counts is told and skipped)', wholeArg('skip-lines', 0))
    .option('--delimiter <char>', 'cell separator (default: told from the first lines: , ; tab | space, or whitespace: runs of spaces and tabs)')
    .addOption(new Option('--decimal <mark>', 'decimal mark of numbers (default: , when the file is not split at commas and its first lines write 2,5)').choices(['.', ',']))
    .option('--comment <char>', 'a character that starts comment lines, or none (default: # when lines of the first ones start with it and are not shaped like the rows)')
    .addOption(new Option('--missing <how>', 'missing cells (empty, NA, NaN, ?): fill them (training median, or a "missing" category) or refuse them').choices(['fill', 'error']).default('fill'));
  if (training) {
    command
      .option('--target <cols>', 'regression target column(s), comma-separated: trains a regression instead of classes', columnList)
      .option('--ignore <cols>', 'columns to leave out (names, ids), comma-separated', columnList)
      .option('--categorical <cols>', 'columns to read as categories whatever they hold (e.g. numeric codes), comma-separated', columnList)
      .addOption(new Option('--dates <order>', 'dates of numbers alone (01/02/2012) where no day past 12 tells: month first (default, as spreadsheets) or day first').choices(['month-first', 'day-first']));
  }
  return command;
}

/** --comment: one character, or none. */
function commentArg(text: string): string | false {
  if (text === 'none') return false;
  if (text.length !== 1) throw new UsageError(`--comment must be one character or none, got '${text}'`);
  return text;
}

/** The CSV options the data flags ask for. */
export function dataFlags(v: DataOptionValues, source: string): DataFlags {
  const header = v.header === undefined || v.header === 'auto' ? 'auto' : v.header === 'true' ? true : v.header === 'false' ? false : null;
  if (header === null) throw new UsageError(`--header must be auto, true or false, got '${v.header}'`);
  return {
    source,
    header,
    ...(v.target ? { targets: v.target } : v.label !== undefined ? { label: v.label } : {}),
    ...(v.ignore ? { ignore: v.ignore } : {}),
    ...(v.categorical ? { categorical: v.categorical } : {}),
    ...(v.dates ? { dates: v.dates } : {}),
    missing: v.missing ?? 'fill',
    ...(v.skipLines !== undefined ? { skipLines: v.skipLines } : {}),
    ...(v.decimal !== undefined ? { decimal: v.decimal } : {}),
    ...(v.comment !== undefined ? { comment: commentArg(v.comment) } : {}),
    ...(v.delimiter !== undefined ? { delimiter: v.delimiter === '\\t' || v.delimiter === 'tab' ? '\t' : v.delimiter } : {}),
  };
}
