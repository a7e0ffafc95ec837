// How a file's first records decide its layout: the preamble to skip, whether there is a header, and
// what each column is for (feature, label, target, ignored), from the options or a trained schema.
// Reader-independent: it sees records as arrays of strings.

import { dayOrdersOf, isMissing, numberOf, yearsOf } from './cells.js';
import { CsvCellError } from './errors.js';
import { isFeature, type DataSchema } from './schema.js';

/**
 * What a column of the file is for. Feature: a feature whose kind its cells decide (or the schema
 * gives); Text: a feature read as text categories whatever its cells hold (`categorical`, or a
 * categorical schema column).
 */
export const Role = { Feature: 0, Text: 1, Label: 2, Target: 3, Ignored: 4 } as const;
export type Role = (typeof Role)[keyof typeof Role];

/** A column by 0-based index (negative: counted from the end, −1 the last) or header name. */
export type ColumnRef = number | string;

export interface LayoutOptions {
  readonly header?: boolean | 'auto';
  readonly label?: ColumnRef | null;
  readonly targets?: readonly ColumnRef[];
  readonly ignore?: readonly ColumnRef[];
  readonly categorical?: readonly ColumnRef[];
  /** Records before the data (and header) to skip; 'auto' (default) skips a preamble it can tell. */
  readonly skipLines?: number | 'auto';
  /** A trained data set's schema: the columns mean what they meant in training. */
  readonly schema?: DataSchema;
}

/** The plan every reader follows; plain data, so it can be posted to a worker. */
export interface Layout {
  /** Cells in every record. */
  readonly cells: number;
  /** Column names (the header's, or 1-based numbers). */
  readonly names: readonly string[];
  /** Role of each cell. */
  readonly roles: Uint8Array;
  /** With a schema: the schema column each cell fills (−1: a column the schema does not know, ignored). */
  readonly schemaColumn: Int32Array | null;
  readonly header: boolean;
  /** Records skipped before the data: the preamble, then the header. */
  readonly preamble: number;
  /**
   * Whether rows may be shorter than the header (rows most often are): some writers leave out a row's
   * empty cells at its end, so a short row's last cells are missing. A row longer than the header is
   * refused all the same.
   */
  readonly ragged?: boolean;
}

const SNIFF_RECORDS = 50;
const MAX_PREAMBLE = 5;

/** How many of the first records the layout wants to see before deciding. */
export const LAYOUT_RECORDS = SNIFF_RECORDS + MAX_PREAMBLE;

type CellType = 'number' | 'date' | 'missing' | 'text';

function typeOf(cell: string): CellType {
  if (isMissing(cell)) return 'missing';
  if (!Number.isNaN(numberOf(cell))) return 'number';
  if (!Number.isNaN(yearsOf(cell)) || dayOrdersOf(cell) !== null) return 'date';
  return 'text';
}

/**
 * Leading records that are not data: sklearn's bundled files start with a line of counts and class
 * names (`178,13,class_0,class_1,class_2`), shorter than the rows or mostly empty. At most a few
 * records, and only while they differ from the records after them.
 */
export function preambleLength(records: readonly string[][]): number {
  if (records.length < 3) return 0;
  const modal = modalLength(records.slice(1));
  const empties = (r: readonly string[]) => r.filter((c) => c.trim() === '').length;
  let skip = 0;
  while (skip < Math.min(MAX_PREAMBLE, records.length - 2)) {
    const r = records[skip];
    const next = records[skip + 1];
    const odd = r.length !== modal || (empties(r) > r.length / 2 && empties(next) <= next.length / 2);
    if (!odd || wideHeader(r, modal)) break;
    skip++;
  }
  return skip;
}

/** A header wider than the rows below it: names (distinct, none empty, none a number or a date) over rows that leave out their last cells. */
function wideHeader(record: readonly string[], rowCells: number): boolean {
  return record.length > rowCells && record.every((c) => typeOf(c) === 'text') && new Set(record.map((c) => c.trim())).size === record.length;
}

/** The most common length of the records (the longer on a tie; 0 for none). */
export function modalLength(records: readonly string[][]): number {
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0;
}

/**
 * Whether the first record is a header, judged against the records after it (as Python's
 * csv.Sniffer does): a text cell above a column of numbers or dates says header; a number above
 * numbers, or a text cell that recurs in its column below, says data.
 */
export function looksLikeHeader(records: readonly string[][]): boolean {
  const [first, ...rest] = records;
  const sample = rest.slice(0, SNIFF_RECORDS).filter((r) => r.length === first.length);
  const types = first.map(typeOf);
  if (sample.length === 0) return types.some((t) => t === 'text' || t === 'date');
  let votes = 0;
  for (let c = 0; c < first.length; c++) {
    const below = sample.map((r) => typeOf(r[c])).filter((t) => t !== 'missing');
    const numeric = below.length > 0 && below.every((t) => t === 'number' || t === 'date');
    if (types[c] === 'text' && numeric) votes++;
    else if ((types[c] === 'number' || types[c] === 'date') && numeric) votes--;
    else if (types[c] === 'text' && sample.some((r) => r[c].trim() === first[c].trim())) votes--;
  }
  if (votes !== 0) return votes > 0;
  // no column tells: a row of distinct, non-empty text cells reads as names
  return types.every((t) => t === 'text') && new Set(first.map((c) => c.trim())).size === first.length;
}

/** Decides the layout from the first records (up to LAYOUT_RECORDS of them; lines for errors). */
export function planLayout(records: readonly string[][], lines: readonly number[], options: LayoutOptions): Layout {
  const explicitSkip = typeof options.skipLines === 'number';
  const preamble = explicitSkip ? 0 : preambleLength(records);
  const rest = records.slice(preamble);
  if (rest.length === 0) throw new CsvCellError(lines[0] ?? 1, null, 'no data rows after the lines before the data');
  const first = rest[0];
  const line = lines[preamble] ?? 1;
  if (options.schema) return schemaLayout(options.schema, rest, line, preamble, options.header ?? 'auto');

  const header = options.header === 'auto' || options.header === undefined ? looksLikeHeader(rest) : options.header;
  const names = header ? first.map((c, i) => c.trim() || `column ${i + 1}`) : first.map((_, i) => String(i + 1));
  const cells = first.length;
  const index = (ref: ColumnRef, what: string): number => {
    if (typeof ref === 'number') {
      const at = ref < 0 ? cells + ref : ref;
      if (!Number.isInteger(ref) || at < 0 || at >= cells) {
        throw new CsvCellError(line, null, `${what} column ${ref} does not exist: rows have ${cells} cells (columns 0..${cells - 1}, or −1 for the last)`);
      }
      return at;
    }
    const at = names.indexOf(ref);
    if (at < 0) {
      throw new CsvCellError(line, null, header
        ? `no ${what} column named '${ref}' in the header (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`
        : `${what} column '${ref}' needs a header row, and this file has none (give its index instead: 0 is the first column, −1 the last)`);
    }
    return at;
  };
  const roles = new Uint8Array(cells); // Role.Feature
  const assign = (refs: readonly ColumnRef[] | undefined, role: Role, what: string) => {
    for (const ref of refs ?? []) {
      const at = index(ref, what);
      if (roles[at] !== Role.Feature && roles[at] !== role) {
        throw new CsvCellError(line, null, `column '${names[at]}' is given two parts to play (${what} and ${roleName(roles[at] as Role)})`);
      }
      roles[at] = role;
    }
  };
  assign(options.targets, Role.Target, 'target');
  if (!options.targets?.length && options.label !== null) assign([options.label ?? 0], Role.Label, 'label');
  assign(options.ignore, Role.Ignored, 'ignored');
  assign(options.categorical, Role.Text, 'categorical');
  if (!roles.some((r) => r === Role.Feature || r === Role.Text)) {
    throw new CsvCellError(line, null, `rows have ${cells} cells, which leaves no feature columns`);
  }
  return { cells, names, roles, schemaColumn: null, header, preamble: preamble + (header ? 1 : 0), ...(header && wideHeader(first, modalLength(rest.slice(1))) ? { ragged: true } : {}) };
}

function roleName(role: Role): string {
  return ['feature', 'categorical', 'label', 'target', 'ignored'][role];
}

/**
 * A file read with a trained schema: matched by header names when it has a header, else by position,
 * with or without the label and target columns.
 */
function schemaLayout(schema: DataSchema, records: readonly string[][], line: number, preamble: number, headerOption: boolean | 'auto'): Layout {
  const first = records[0];
  const trimmed = first.map((c) => c.trim());
  // a header names columns the model knows; a data row would need a cell equal to a column name
  const known = new Set(schema.columns.map((c) => c.name));
  const header = headerOption === 'auto' ? schema.header && trimmed.some((c) => known.has(c)) : headerOption;
  const schemaColumn = new Int32Array(first.length).fill(-1);
  if (header) {
    schema.columns.forEach((c, s) => {
      const at = trimmed.indexOf(c.name);
      if (at >= 0) schemaColumn[at] = s;
      else if (isFeature(c)) {
        throw new CsvCellError(line, null, `the header has no column '${c.name}', which the model was trained on (it has ${trimmed.slice(0, 8).join(', ')}${trimmed.length > 8 ? ', …' : ''})`);
      }
    });
  } else {
    const inputsOnly = schema.columns.map((c, s) => [c, s] as const).filter(([c]) => c.kind !== 'label' && c.kind !== 'target');
    if (first.length === schema.columns.length) schemaColumn.forEach((_, i) => (schemaColumn[i] = i));
    else if (first.length === inputsOnly.length) inputsOnly.forEach(([, s], i) => (schemaColumn[i] = s));
    else {
      const also = inputsOnly.length === schema.columns.length ? '' : ` (${inputsOnly.length} without the ${schema.columns.some((c) => c.kind === 'label') ? 'label' : 'targets'})`;
      throw new CsvCellError(line, null, `rows have ${first.length} cells, but the model was trained on rows of ${schema.columns.length}${also}`);
    }
  }
  const roles = new Uint8Array(first.length);
  schemaColumn.forEach((s, i) => {
    const c = s >= 0 ? schema.columns[s] : null;
    roles[i] = !c || c.kind === 'ignored' ? Role.Ignored : c.kind === 'label' ? Role.Label : c.kind === 'target' ? Role.Target : c.kind === 'categorical' ? Role.Text : Role.Feature;
  });
  const names = first.map((c, i) => (header ? c.trim() : schemaColumn[i] >= 0 ? schema.columns[schemaColumn[i]].name : String(i + 1)));
  return {
    cells: first.length, names, roles, schemaColumn, header, preamble: preamble + (header ? 1 : 0),
    ...(header && wideHeader(first, modalLength(records.slice(1))) ? { ragged: true } : {}),
  };
}
