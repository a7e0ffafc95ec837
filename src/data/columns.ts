// The column logic of data loading, apart from how cells are split: rows go in as cells (from
// csv-parse or any other reader), and out comes a Dataset whose column kinds, categories, fill values
// and class names were decided on this file, or taken from a trained schema.
//
// While rows stream in, numbers go straight into a row-major float32 block (NaN where a cell is not
// a number), and a column's text cells, if it has any, into a dictionary of distinct values. Kinds
// are decided at the end, when every cell has been seen.

import { compactInputs, isByteMatrix, isHalfMatrix, matrix, oneHot, type Inputs, type Matrix } from '../matrix.js';
import { dayOrdersOf, isMissing, numberOf, yearsOf, type DayOrder } from './cells.js';
import { CsvCellError, quoted } from './errors.js';
import { growMemory, type ArenaTail } from '../engine/arena.js';
import { Role, type Layout } from './layout.js';
import { inputNames, widthOf, type NumericColumn, type CategoricalColumn, type ColumnSchema, type DataSchema } from './schema.js';

export interface CollectOptions {
  /** 'fill' (default): missing cells take the training median or a 'missing' category; 'error': refuse them. */
  readonly missing?: 'fill' | 'error';
  /** Number of classes when labels are class numbers; labels must be below it. */
  readonly classes?: number;
  /** More distinct text values than this (default 100) is too many for a category column. */
  readonly maxCategories?: number;
  /**
   * How dates of numbers alone (01/02/2012) are read where the column does not tell: a column with a
   * day past 12 first (31/01/2012) is read day first, one with a month place past 12 (01/31/2012)
   * month first, whatever this says. Default 'month-first', as spreadsheets do; a note says when it decided.
   */
  readonly dates?: DayOrder;
  /** A trained schema: kinds, categories, fill values and classes come from it. */
  readonly schema?: DataSchema;
}

/** What loading found and did, for the user to see. */
export interface LoadReport {
  /** Lines skipped before the data (a preamble such as sklearn's line of counts), header excluded. */
  readonly skippedLines: number;
  /** Rows dropped because their label or target was missing. */
  readonly droppedRows: number;
  /** Per feature column with missing cells: how many, and what they were filled with. */
  readonly missing: readonly { readonly column: string; readonly count: number; readonly fill: number | string }[];
  /** Per categorical column: cells whose value training never saw (they give all zeros). */
  readonly unseen: readonly { readonly column: string; readonly count: number; readonly values: readonly string[] }[];
  /** Columns left out: ignored on request, or with no value at all. */
  readonly ignored: readonly string[];
  /** The same facts as sentences. */
  readonly notes: readonly string[];
}

/** A loaded data set: inputs, targets, labels and class names, and what the file taught (its schema and a report). */
export interface Dataset {
  /**
   * rows × inputs: numbers, dates as years, categories one-hot (see featureNames); as bytes (a
   * ByteMatrix of scale 1) when every input is a whole number from 0 to 255, as pixels are.
   */
  readonly x: Inputs;
  /** rows × classes (one-hot) with a label column, rows × targets for regression, rows × 0 without either */
  readonly y: Matrix;
  /** each row's class index, with a label column */
  readonly labels?: Int32Array;
  /** the number of classes, with a label column */
  readonly classes?: number;
  /** the class names, by index (for class numbers in the file: '0', '1', …) */
  readonly classNames?: readonly string[];
  /** the name of each column of x */
  readonly featureNames: readonly string[];
  /** the label's or the targets' column names */
  readonly targetNames: readonly string[];
  /** what this file taught about its columns: pass it to load other files the same way */
  readonly schema: DataSchema;
  readonly report: LoadReport;
}

/** Rows as a scanner hands them over (see ColumnCollector.addScanned and assembly/csv.ts). */
export interface ScannedRows {
  readonly rows: number;
  /** rows × features: plain numbers, NaN where the cell is an exception */
  readonly values: Float32Array;
  /** each row's line */
  readonly lines: Int32Array;
  /** 5 per exception, in row order: row, cell, kind, start, end */
  readonly exceptions: Int32Array;
  readonly count: number;
  /** The rows' values as bytes (rows × features) when every one is a whole number 0–255, else null. */
  bytes(): Uint8Array | null;
  /** The text of input bytes [start, end). */
  text(start: number, end: number): string;
  /** The text of a row's cell (for quoting a number the scanner converted). */
  cellText(row: number, cell: number): string;
}

/** A collector's rows as plain data, numbers aside (see ColumnCollector.part). */
export interface CollectedPart {
  readonly rows: number;
  /** whether its features are bytes (in the storage's bytes) rather than float32 */
  readonly bytes: boolean;
  readonly text: readonly ({ readonly values: readonly string[]; readonly lines: readonly number[]; readonly codes: Int32Array } | null)[];
  readonly label: { readonly values: readonly string[]; readonly lines: readonly number[]; readonly codes: Int32Array } | null;
  readonly missingCount: Int32Array;
  readonly firstNumberLine: Int32Array;
  readonly firstNumberText: readonly string[];
  readonly dropped: readonly number[];
}

const DEFAULT_MAX_CATEGORIES = 100;
/** Rows a numeric column without missing cells takes its fill value from (see numericMedians). */
const MEDIAN_SAMPLE = 2048;

/**
 * What a store may be given to fill: a fixed region, a growable shared buffer's tail from an element
 * offset on, or a WebAssembly memory's from a byte offset on (the arena's, engine/arena.ts).
 */
type StorageOf<T> = T | { readonly buffer: SharedArrayBuffer; readonly from: number } | ArenaTail;

/** Growable typed storage (float32 numbers, or bytes while every number is one): doubling, so appending n values costs O(n). */
class Store<T extends Float32Array | Uint8Array> {
  data: T;
  length = 0;
  /** storage given from outside (a region of a shared buffer): it never grows */
  private fixed = false;
  /** the growable shared buffer whose tail this store fills, growing it (see over) */
  private shared: SharedArrayBuffer | null = null;
  /** the WebAssembly memory whose tail this store fills, growing it (see over) */
  private tail: ArenaTail | null = null;

  constructor(private readonly kind: { new (n: number): T; new (buffer: ArrayBufferLike, byteOffset: number, length?: number): T; readonly BYTES_PER_ELEMENT: number }) {
    this.data = new kind(1 << 12);
  }

  /**
   * A store over given storage, which it fills from the start: a fixed region, or the tail of a
   * growable SharedArrayBuffer from an element offset on, which it grows as it fills.
   */
  static over<T extends Float32Array | Uint8Array>(kind: Store<T>['kind'], storage: StorageOf<T>): Store<T> {
    const b = new Store(kind);
    if (storage instanceof kind) {
      b.data = storage;
    } else if ('memory' in storage) {
      b.tail = storage;
      b.data = new kind(storage.memory.buffer, storage.from, (storage.memory.buffer.byteLength - storage.from) / kind.BYTES_PER_ELEMENT);
    } else {
      const tail = storage as { readonly buffer: SharedArrayBuffer; readonly from: number };
      b.shared = tail.buffer;
      // a view without a length follows the buffer as it grows
      b.data = new kind(tail.buffer, kind.BYTES_PER_ELEMENT * tail.from);
    }
    b.fixed = true;
    return b;
  }

  reserve(n: number): number {
    if (this.length + n > this.data.length && this.tail) this.growTail(this.length + n);
    if (this.length + n > this.data.length) {
      const shared = this.shared;
      const size = this.kind.BYTES_PER_ELEMENT;
      const need = shared ? shared.byteLength + size * (this.length + n - this.data.length) : 0;
      if (shared && need <= shared.maxByteLength) {
        // the view follows the buffer: grown by a quarter at least, so it grows a few times only
        shared.grow(Math.min(shared.maxByteLength, Math.max(need, Math.ceil((shared.byteLength * 1.25) / size) * size)));
      } else if (this.fixed) {
        throw new Error(`ffnn: internal: ${this.length + n} values do not fit the ${this.data.length} of the given storage`);
      } else {
        const next = new this.kind(Math.max(this.data.length * 2, this.length + n));
        next.set(this.data.subarray(0, this.length));
        this.data = next;
      }
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  /**
   * Room for `values` in a memory's tail, grown by a quarter at least (each page is written first
   * as the rows arrive, never copied); where the memory cannot grow (4 GiB), the values so far move
   * to a plain array that grows as any store does.
   */
  private growTail(values: number): void {
    const { memory, from } = this.tail!;
    const size = this.kind.BYTES_PER_ELEMENT;
    const need = from + size * values;
    if (!growMemory(memory, Math.max(need, Math.ceil(memory.buffer.byteLength * 1.25))) && !growMemory(memory, need)) {
      const next = new this.kind(Math.max(this.data.length * 2, values));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
      this.tail = null;
      this.fixed = false;
      return;
    }
    this.data = new this.kind(memory.buffer, from, (memory.buffer.byteLength - from) / size);
  }

  /** Whether the values lie in the memory tail they were given (a store that had to leave it does not). */
  get inTail(): boolean {
    return this.tail !== null;
  }

  /** Capacity for `n` more values at once. */
  ensure(n: number): void {
    if (this.length + n > this.data.length && this.tail) this.growTail(this.length + n);
    if (this.length + n > this.data.length && !this.fixed) {
      const next = new this.kind(this.length + n);
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
  }

  /** The values, without the spare capacity (a view when little is spare, else a copy). */
  take(): T {
    // (a memory's tail is never copied: its arena keeps what the data set holds, see endTail)
    return (this.tail || this.length * 4 >= this.data.length * 3 ? this.data.subarray(0, this.length) : this.data.slice(0, this.length)) as T;
  }
}

/** The distinct text values of one column and each row's value (−1: not text). */
class TextColumn {
  codes: Int32Array;
  readonly index = new Map<string, number>();
  readonly values: string[] = [];
  /** the line each value first appears on */
  readonly lines: number[] = [];

  constructor(rows: number) {
    this.codes = new Int32Array(Math.max(64, rows * 2)).fill(-1);
  }

  set(row: number, text: string, line: number): void {
    if (row >= this.codes.length) {
      const next = new Int32Array(this.codes.length * 2).fill(-1);
      next.set(this.codes);
      this.codes = next;
    }
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.values.length;
      this.index.set(text, code);
      this.values.push(text);
      this.lines.push(line);
    }
    this.codes[row] = code;
  }

  /** The code of the value in use (counts > 0) that `pick` picks and appears first in the file, or −1. */
  earliest(counts: Int32Array, pick: (value: string, code: number) => boolean): number {
    let first = -1;
    this.values.forEach((v, code) => {
      if (counts[code] > 0 && pick(v, code) && (first < 0 || this.lines[code] < this.lines[first])) first = code;
    });
    return first;
  }

  /** Distinct values in use, with how many rows hold each (after rows were dropped). */
  counts(rows: number): Int32Array {
    const counts = new Int32Array(this.values.length);
    for (let r = 0; r < rows && r < this.codes.length; r++) if (this.codes[r] >= 0) counts[this.codes[r]]++;
    return counts;
  }
}

/** The most classes a hint offers the last column as a label with (see lastColumnHint), and past which a label needs MIN_ROWS_PER_CLASS rows a class. */
const MAX_HINTED_CLASSES = 20;
/** Below this many rows a class, a label of more than MAX_HINTED_CLASSES values is refused as a quantity. */
const MIN_ROWS_PER_CLASS = 10;
/** Below this many rows a class, a label of 3 to MAX_HINTED_CLASSES values is refused as a quantity. */
const MIN_ROWS_PER_FEW_CLASSES = 3;

/** Whether a cell reads as a number that is not finite (Infinity, -Infinity, 1e999). */
const isInfinite = (v: string): boolean => Math.abs(Number(v)) === Infinity;

// made at first use: building the collator costs ~10 ms, which every process paid at start-up
let collator: Intl.Collator | undefined;
const byName = (a: string, b: string): number => (collator ??= new Intl.Collator('en', { numeric: true })).compare(a, b);

/**
 * Where a collector keeps its numbers: given regions (of a shared buffer) it fills from their start,
 * or the tail of a growable SharedArrayBuffer (from a float offset), which it grows as it fills.
 */
export interface CollectorStorage {
  /** rows × features, as float32 */
  readonly features: StorageOf<Float32Array>;
  /** rows × features, as bytes while every feature cell is a whole number 0–255 (without it, floats from the start) */
  readonly bytes?: StorageOf<Uint8Array>;
  /** rows × targets */
  readonly targets: StorageOf<Float32Array>;
}

/** Collects rows laid out by `layout`, then decides and encodes the columns (see finish). */
export class ColumnCollector {
  rows = 0;
  private features: Store<Float32Array>;
  /**
   * The features as bytes, while every feature cell so far was a plain whole number 0–255 (pixels,
   * counts, codes): null once one was not, and the bytes were widened into `features`. Such data
   * sets are handed back as a ByteMatrix without ever being float32.
   */
  private bytes: Store<Uint8Array> | null;
  private targets: Store<Float32Array>;
  /** the memory's tail the features go to (see the constructor), if one was given */
  private readonly tail: ArenaTail | null;
  /** per cell: its index among the features, or −1 */
  private readonly featureOf: Int32Array;
  private readonly featureCells: number[] = [];
  private readonly targetCells: number[] = [];
  private readonly labelCellIndex: number;
  private readonly text: (TextColumn | null)[];
  private label: TextColumn | null;
  private readonly missingCount: Int32Array;
  /** per feature: the first numeric cell's line and text (0: none yet) */
  private readonly firstNumberLine: Int32Array;
  private readonly firstNumberText: string[];
  /** rows whose label or target is missing */
  private dropped: number[] = [];
  /** columns whose dates of numbers alone were read in the assumed order (see dayOrder) */
  private readonly dayOrderNotes: string[] = [];
  private readonly failOnMissing: boolean;

  /**
   * `storage`: where the numbers go (see CollectorStorage); or a memory's tail (the arena's) where
   * the features go, as bytes while they are bytes, then as float32; the rest in stores of the
   * collector's own.
   */
  constructor(private readonly layout: Layout, private readonly options: CollectOptions, storage?: CollectorStorage | { readonly tail: ArenaTail }) {
    const given = storage && 'features' in storage ? storage : undefined;
    this.tail = storage && 'tail' in storage ? storage.tail : null;
    this.features = given ? Store.over(Float32Array, given.features) : new Store(Float32Array);
    this.bytes = given ? (given.bytes ? Store.over(Uint8Array, given.bytes) : null) : this.tail ? Store.over(Uint8Array, this.tail) : new Store(Uint8Array);
    this.targets = given ? Store.over(Float32Array, given.targets) : new Store(Float32Array);
    this.featureOf = new Int32Array(layout.cells).fill(-1);
    layout.roles.forEach((role, c) => {
      if (role === Role.Feature || role === Role.Text) {
        this.featureOf[c] = this.featureCells.length;
        this.featureCells.push(c);
      } else if (role === Role.Target) {
        this.targetCells.push(c);
      }
    });
    this.labelCellIndex = layout.roles.indexOf(Role.Label);
    const n = this.featureCells.length;
    this.text = this.featureCells.map((c) => (layout.roles[c] === Role.Text ? new TextColumn(0) : null));
    this.label = this.labelCellIndex >= 0 ? new TextColumn(0) : null;
    this.missingCount = new Int32Array(n);
    this.firstNumberLine = new Int32Array(n);
    this.firstNumberText = new Array<string>(n).fill('');
    this.failOnMissing = options.missing === 'error';
  }

  /** Adds one record (its cells as text) that ends on `line`. */
  add(record: readonly string[], line: number): void {
    const layout = this.layout;
    if (layout.ragged && record.length < layout.cells) record = [...record, ...new Array<string>(layout.cells - record.length).fill('')];
    if (record.length !== layout.cells) {
      throw new CsvCellError(line, null, `${record.length} cells where ${layout.cells} were expected`);
    }
    const row = this.rows;
    // (rows read from text come from csv-parse's path, quoted files: kept as float32)
    this.widen();
    let f = this.features.reserve(this.featureCells.length);
    for (let i = 0; i < this.featureCells.length; i++, f++) this.featureCell(i, row, f, record[this.featureCells[i]], line);
    if (this.label) this.labelCell(row, record[this.labelCellIndex], line);
    if (this.targetCells.length > 0) {
      const t = this.targets.reserve(this.targetCells.length);
      let missing = false;
      for (let j = 0; j < this.targetCells.length; j++) missing = this.targetCell(t + j, this.targetCells[j], record[this.targetCells[j]], line) || missing;
      if (missing) this.dropped.push(row);
    }
    this.rows++;
  }

  /**
   * Adds rows a scanner has split (see assembly/csv.ts): each feature cell that was a plain number is
   * already in `values`; every other cell of a feature, label or target column is an exception, read
   * here by the same rules as add() reads text, in the same order, so both give the same data set or
   * the same error.
   */
  addScanned(block: ScannedRows): void {
    const { rows, values, lines, exceptions, count } = block;
    const fw = this.featureCells.length, tw = this.targetCells.length;
    const base = this.rows;
    if (this.bytes) {
      // bytes while every feature cell is a plain whole number 0–255: none is an exception, and the
      // scanner's narrowing of the block succeeds
      let plain = true;
      for (let k = 0; k < count && plain; k++) plain = this.featureOf[exceptions[5 * k + 1]] < 0;
      const rowBytes = plain ? block.bytes() : null;
      if (rowBytes) {
        const at = this.bytes.reserve(rows * fw); // (before reading data, which reserve may replace)
        this.bytes.data.set(rowBytes, at);
      } else {
        this.widen();
      }
    }
    const at = this.bytes ? -1 : this.features.reserve(rows * fw);
    if (!this.bytes) this.features.data.set(values.subarray(0, rows * fw), at);
    const targetsAt = tw > 0 ? this.targets.reserve(rows * tw) : 0;
    // where each feature column's first plain number is in this block, so a number the host reads
    // (0x1F, or more digits than the scanner converts) on an earlier row still comes first
    const firstRow = this.featureCells.map((_, i) => {
      if (this.firstNumberLine[i] !== 0) return Infinity;
      for (let r = 0; r < rows; r++) if (values[r * fw + i] === values[r * fw + i]) return r;
      return Infinity;
    });
    let x = 0;
    for (let r = 0; r < rows; r++) {
      const line = lines[r];
      const row = base + r;
      let end = x;
      while (end < count && exceptions[5 * end] === r) end++;
      // add()'s order: the feature cells, then the label, then the targets
      for (let k = x; k < end; k++) {
        const c = exceptions[5 * k + 1];
        const i = this.featureOf[c];
        if (i < 0) continue;
        const text = block.text(exceptions[5 * k + 3], exceptions[5 * k + 4]);
        const numberBefore = this.firstNumberLine[i];
        this.featureCell(i, row, at + r * fw + i, text, line);
        if (numberBefore === 0 && this.firstNumberLine[i] !== 0 && firstRow[i] < r) {
          // the scanner's plain number came first: undo, and let it set the column's first number below
          this.firstNumberLine[i] = 0;
        }
        if (this.firstNumberLine[i] !== 0) firstRow[i] = Infinity;
      }
      let missingTarget = false;
      for (let k = x; k < end; k++) {
        const c = exceptions[5 * k + 1];
        if (c === this.labelCellIndex) this.labelCell(row, block.text(exceptions[5 * k + 3], exceptions[5 * k + 4]), line);
      }
      for (let k = x; k < end; k++) {
        const c = exceptions[5 * k + 1];
        const j = this.targetCells.indexOf(c);
        if (j >= 0) missingTarget = this.targetCell(targetsAt + r * tw + j, c, block.text(exceptions[5 * k + 3], exceptions[5 * k + 4]), line) || missingTarget;
      }
      if (missingTarget) this.dropped.push(row);
      x = end;
    }
    this.featureCells.forEach((c, i) => {
      if (this.firstNumberLine[i] === 0 && firstRow[i] !== Infinity) {
        this.firstNumberLine[i] = lines[firstRow[i]];
        this.firstNumberText[i] = block.cellText(firstRow[i], c);
      }
    });
    this.rows += rows;
  }

  /** Leaves byte mode: the bytes so far become float32 features, as every later row will be. */
  private widen(): void {
    const bytes = this.bytes;
    if (!bytes) return;
    this.bytes = null;
    if (this.tail && bytes.inTail) {
      // the floats take the memory's tail over: the bytes so far are copied out first (the first
      // floats land where they lie)
      const values = bytes.data.slice(0, bytes.length);
      this.features = Store.over(Float32Array, this.tail);
      const first = this.features.reserve(values.length); // (which may grow the memory: data after it)
      this.features.data.set(values, first);
      return;
    }
    const at = this.features.reserve(bytes.length);
    this.features.data.set(bytes.data.subarray(0, bytes.length), at);
  }

  /** The feature store in use: bytes, or float32 once widened. */
  private get store(): Store<Float32Array> | Store<Uint8Array> {
    return this.bytes ?? this.features;
  }

  /** A feature cell as text: a number (as Number() reads it), a missing value, or a text value. */
  private featureCell(i: number, row: number, f: number, cell: string, line: number): void {
    const layout = this.layout;
    const c = this.featureCells[i];
    const data = this.features.data;
    if (layout.roles[c] === Role.Feature) {
      let v = +cell;
      // +'' and +'  ' are 0: a zero must have a digit to be a number
      if (!(v - v === 0 && (v !== 0 || cell.trim() !== ''))) v = numberOf(cell); // ("$1,234.50", or NaN)
      if (v - v === 0) {
        data[f] = v;
        if (this.firstNumberLine[i] === 0) {
          this.firstNumberLine[i] = line;
          this.firstNumberText[i] = cell;
        }
        return;
      }
    }
    data[f] = NaN;
    if (isMissing(cell)) {
      if (this.failOnMissing) this.refuseMissing(line, c, cell);
      this.missingCount[i]++;
      return;
    }
    // (Infinity and 1e999 are kept as text until the column's kind is known: in a column of numbers
    // they are refused as numbers that are not finite, in one of text they are text; see decide)
    (this.text[i] ?? (this.text[i] = new TextColumn(row))).set(row, cell.trim(), line);
  }

  private labelCell(row: number, cell: string, line: number): void {
    if (isMissing(cell)) {
      if (this.failOnMissing) this.refuseMissing(line, this.labelCellIndex, cell);
      this.dropped.push(row);
    } else {
      this.label!.set(row, cell.trim(), line);
    }
  }

  /** A target cell into targets[t]; true when it is missing (its row is dropped). */
  private targetCell(t: number, c: number, cell: string, line: number): boolean {
    const v = numberOf(cell);
    this.targets.data[t] = v;
    if (!Number.isNaN(v)) return false;
    if (!isMissing(cell)) throw new CsvCellError(line, c, `${quoted(cell)} is not a number (target column ${this.layout.names[c]})`);
    if (this.failOnMissing) this.refuseMissing(line, c, cell);
    return true;
  }

  /** Whether `data` is the features this collector wrote into the memory's tail it was given (from its start). */
  heldInTail(data: ArrayBufferView): boolean {
    const store = this.bytes ?? this.features;
    return this.tail !== null && store.inTail && data.buffer === store.data.buffer && data.byteOffset === this.tail.from;
  }

  /** Rows the stores hold without growing. */
  capacityRows(): number {
    const store = this.store;
    return this.rows + Math.floor((store.data.length - store.length) / Math.max(1, this.featureCells.length));
  }

  /** Room for about `rows` more rows, so the stores grow once (a reader that can estimate them says so). */
  expectRows(rows: number): void {
    const fw = this.featureCells.length, tw = this.targetCells.length;
    this.store.ensure(rows * fw);
    if (tw > 0) this.targets.ensure(rows * tw);
  }

  private refuseMissing(line: number, c: number, cell: string): never {
    throw new CsvCellError(line, c, `${quoted(cell)} is a missing value (column ${this.layout.names[c]}), and missing values are refused here`);
  }

  /**
   * What this collector holds besides its numbers (those are in the storage it was given), as plain
   * data a worker can post; lines relative to its input.
   */
  part(): CollectedPart {
    const text = (t: TextColumn | null) => (t ? { values: t.values, lines: t.lines, codes: t.codes.subarray(0, this.rows) } : null);
    return {
      rows: this.rows,
      bytes: this.bytes !== null,
      text: this.text.map(text),
      label: text(this.label),
      missingCount: this.missingCount,
      firstNumberLine: this.firstNumberLine,
      firstNumberText: this.firstNumberText,
      dropped: this.dropped,
    };
  }

  /**
   * One collector holding the parts' rows in order, as if one reader had read them all: their numbers
   * are already in `storage` (each part filled its place), the rest merges here, each part's lines
   * shifted by its offset (the lines before its input).
   */
  static merge(layout: Layout, options: CollectOptions, parts: readonly CollectedPart[], lineOffsets: readonly number[], storage: CollectorStorage): ColumnCollector {
    const allBytes = storage.bytes !== undefined && parts.every((p) => p.bytes);
    const merged = new ColumnCollector(layout, options, allBytes ? storage : { ...storage, bytes: undefined });
    const rows = parts.reduce((a, p) => a + p.rows, 0);
    const fw = merged.featureCells.length, tw = merged.targetCells.length;
    merged.store.reserve(rows * fw);
    merged.targets.reserve(rows * tw);
    if (!allBytes) {
      // some part met a cell that is no byte: the parts that are still bytes widen into their places
      const floats = merged.features.data, bytes = storage.bytes as Uint8Array | undefined;
      let row = 0;
      for (const p of parts) {
        if (p.bytes) floats.set(bytes!.subarray(row * fw, (row + p.rows) * fw), row * fw);
        row += p.rows;
      }
    }
    const texts = (pick: (p: CollectedPart) => CollectedPart['label']): TextColumn | null => {
      if (!parts.some((p) => pick(p))) return null;
      const column = new TextColumn(rows);
      let first = 0;
      parts.forEach((p, k) => {
        const t = pick(p);
        if (t) for (let r = 0; r < p.rows; r++) if (t.codes[r] >= 0) column.set(first + r, t.values[t.codes[r]], lineOffsets[k] + t.lines[t.codes[r]]);
        first += p.rows;
      });
      return column;
    };
    let first = 0;
    parts.forEach((p, k) => {
      for (let i = 0; i < merged.missingCount.length; i++) {
        merged.missingCount[i] += p.missingCount[i];
        if (merged.firstNumberLine[i] === 0 && p.firstNumberLine[i] > 0) {
          merged.firstNumberLine[i] = lineOffsets[k] + p.firstNumberLine[i];
          merged.firstNumberText[i] = p.firstNumberText[i];
        }
      }
      for (const r of p.dropped) merged.dropped.push(first + r);
      first += p.rows;
    });
    merged.text.forEach((_, i) => (merged.text[i] = texts((p) => p.text[i])));
    merged.label = texts((p) => p.label);
    merged.rows = rows;
    return merged;
  }

  /** Decides each column's kind (or takes the schema's), fills, encodes: the finished data set. */
  finish(): Dataset {
    const layout = this.layout;
    this.dropRows();
    const rows = this.rows;
    if (rows === 0) {
      throw new CsvCellError(0, null, this.dropped.length > 0 ? `every row's ${this.targetCells.length ? 'target' : 'label'} is missing: no rows to learn from` : 'the file has a header but no data rows');
    }
    const notes: string[] = [];
    const schema = this.options.schema;
    const columns: ColumnSchema[] = [];
    const missingReport: { column: string; count: number; fill: number | string }[] = [];
    const unseen: { column: string; count: number; values: string[] }[] = [];
    const ignored: string[] = [];

    // what each feature column is (decided here, or read from the schema)
    const decided: ColumnSchema[] = this.featureCells.map((c, i) => {
      const given = schema && layout.schemaColumn ? schema.columns[layout.schemaColumn[c]] : undefined;
      return given ? this.checkKind(i, given) : this.decideKind(i);
    });
    const medians = this.numericMedians(decided.map((c, i) => (c.kind === 'numeric' && Number.isNaN(c.fill) ? i : -1)).filter((i) => i >= 0));
    for (const [i, fill] of medians) decided[i] = { ...(decided[i] as NumericColumn), fill };
    decided.forEach((col, i) => {
      const count = this.missingCount[i];
      if (count === 0) return;
      if (col.kind === 'numeric' || col.kind === 'date') missingReport.push({ column: col.name, count, fill: col.fill });
      else if (col.kind === 'categorical') missingReport.push({ column: col.name, count, fill: col.missing ? "category 'missing'" : 'all zeros (training had no missing cells)' });
    });

    // the file's columns as the schema records them
    for (let c = 0; c < layout.cells; c++) {
      const role = layout.roles[c];
      const name = layout.names[c];
      if (role === Role.Feature || role === Role.Text) columns.push(decided[this.featureOf[c]]);
      else columns.push({ name, kind: role === Role.Label ? 'label' : role === Role.Target ? 'target' : 'ignored' });
      if (role === Role.Ignored || decided[this.featureOf[c]]?.kind === 'ignored') ignored.push(name);
    }

    // x's columns follow the schema's order (a later file may order its columns differently)
    const order = decided.map((_, i) => i);
    if (schema && layout.schemaColumn) order.sort((a, b) => layout.schemaColumn![this.featureCells[a]] - layout.schemaColumn![this.featureCells[b]]);
    // pixels and other small whole numbers stay bytes (see ByteMatrix)
    const encoded = this.encode(decided, order, unseen);
    const x = isByteMatrix(encoded) || isHalfMatrix(encoded) ? encoded : compactInputs(encoded);
    let y: Matrix;
    let labels: Int32Array | undefined;
    let classNames: readonly string[] | undefined;
    let labelMode: 'index' | 'names' | undefined;
    if (this.label) {
      ({ labels, classNames, mode: labelMode } = this.classLabels());
      y = oneHot(labels, classNames.length);
    } else {
      y = matrix(rows, this.targetCells.length, this.targets.take());
    }

    const taught: DataSchema = schema ?? {
      columns,
      header: layout.header,
      ...(classNames ? { classes: classNames, labels: labelMode } : {}),
    };
    if (layout.preamble - (layout.header ? 1 : 0) > 0) {
      notes.push(`skipped ${layout.preamble - (layout.header ? 1 : 0)} line(s) before the ${layout.header ? 'header' : 'data'} (not shaped like the rows below)`);
    }
    if (this.dropped.length > 0) {
      notes.push(`dropped ${this.dropped.length} row(s) whose ${this.targetCells.length ? 'target' : 'label'} is missing`);
    }
    for (const m of missingReport) notes.push(`column ${m.column}: ${m.count} missing cell(s) filled with ${typeof m.fill === 'number' ? `${+m.fill.toPrecision(6)} (the training median)` : m.fill}`);
    notes.push(...this.dayOrderNotes);
    const mangled = this.undecodedText();
    if (mangled) notes.push(mangled);
    for (const u of unseen) notes.push(`column ${u.column}: ${u.count} cell(s) hold values training never saw (${u.values.slice(0, 3).map((v) => `'${v}'`).join(', ')}${u.values.length > 3 ? ', …' : ''}); they give all zeros`);
    const report: LoadReport = {
      skippedLines: layout.preamble - (layout.header ? 1 : 0),
      droppedRows: this.dropped.length,
      missing: missingReport,
      unseen,
      ignored,
      notes,
    };
    return {
      x, y,
      ...(labels ? { labels, classes: classNames!.length, classNames } : {}),
      featureNames: inputNames({ columns: order.map((i) => decided[i]), header: true }),
      targetNames: this.label ? [layout.names[this.labelCellIndex]] : this.targetCells.map((c) => layout.names[c]),
      schema: taught,
      report,
    };
  }

  /** Removes the rows whose label or target is missing from every store. */
  private dropRows(): void {
    if (this.dropped.length === 0) return;
    const drop = new Uint8Array(this.rows);
    for (const r of this.dropped) drop[r] = 1;
    const fw = this.featureCells.length, tw = this.targetCells.length;
    const f = this.store.data, t = this.targets.data;
    let kept = 0;
    for (let r = 0; r < this.rows; r++) {
      if (drop[r]) continue;
      if (kept !== r) {
        f.copyWithin(kept * fw, r * fw, (r + 1) * fw);
        if (tw) t.copyWithin(kept * tw, r * tw, (r + 1) * tw);
        for (const text of [...this.text, this.label]) {
          if (text && kept < text.codes.length) text.codes[kept] = r < text.codes.length ? text.codes[r] : -1;
        }
      }
      kept++;
    }
    // missing counts were taken over every row: recount over the kept ones
    this.missingCount.fill(0);
    for (let i = 0; i < fw; i++) {
      for (let r = 0; r < kept; r++) {
        if (Number.isNaN(f[r * fw + i]) && !((this.text[i]?.codes[r] ?? -1) >= 0)) this.missingCount[i]++;
      }
    }
    this.rows = kept;
    this.store.length = kept * fw;
    this.targets.length = kept * tw;
  }

  /** A feature column's kind, from its cells: numbers, dates or text, never a mixture. */
  private decideKind(i: number): ColumnSchema {
    const c = this.featureCells[i];
    const name = this.layout.names[c];
    const text = this.text[i];
    const counts = text?.counts(this.rows);
    const forced = this.layout.roles[c] === Role.Text;
    let textCells = 0, dateCells = 0;
    let firstText = -1, firstDate = -1;
    const order = text && !forced ? this.dayOrder(i, text, counts!) : undefined;
    const isDate = text ? text.values.map((v) => !Number.isNaN(yearsOf(v, order?.order))) : [];
    text?.values.forEach((_, code) => {
      if (counts![code] === 0) return;
      if (isDate[code]) {
        dateCells += counts![code];
        if (firstDate < 0 || text.lines[code] < text.lines[firstDate]) firstDate = code;
      } else {
        textCells += counts![code];
        if (firstText < 0 || text.lines[code] < text.lines[firstText]) firstText = code;
      }
    });
    const numberCells = this.rows - this.missingCount[i] - textCells - dateCells;
    if (forced) return this.categorical(i, name, true);
    // text that is all Infinity (or 1e999): numbers that are not finite, where numbers are expected
    if (textCells > 0 && text!.earliest(counts!, (v, code) => !isInfinite(v) && !isDate[code]) < 0) {
      const code = text!.earliest(counts!, isInfinite);
      throw new CsvCellError(text!.lines[code], c, `${quoted(text!.values[code])} is not a finite number (column ${name}); a number must be finite`);
    }
    if (numberCells + textCells + dateCells === 0) return { name, kind: 'ignored' };
    const kinds = [['number', numberCells], ['date', dateCells], ['text', textCells]] as const;
    const present = kinds.filter(([, n]) => n > 0);
    if (present.length > 1) {
      const major = [...present].sort((a, b) => b[1] - a[1])[0][0];
      // the first cell that is not of the column's main kind
      const odd: { line: number; cell: string; kind: string }[] = [];
      if (major !== 'number' && numberCells > 0) odd.push({ line: this.firstNumberLine[i], cell: this.firstNumberText[i], kind: 'a number' });
      if (major !== 'date' && firstDate >= 0) odd.push({ line: text!.lines[firstDate], cell: text!.values[firstDate], kind: 'a date' });
      if (major !== 'text' && firstText >= 0) odd.push({ line: text!.lines[firstText], cell: text!.values[firstText], kind: 'text' });
      const first = odd.sort((a, b) => a.line - b.line)[0];
      const majorText = { number: 'numbers', date: 'dates', text: 'text' }[major];
      const what = major === 'number' ? 'is not a number' : `is ${first.kind}`;
      // text atop a column of numbers, on the first line of a file read without a header: most
      // likely a header that a number-like cell kept from being told (numpy's "seed, 0xdeadbeaf")
      const header = !this.layout.header && first.line === this.layout.preamble + 1 && major !== 'text' && first.kind === 'text'
        ? `; or, if line ${first.line} names the columns, read it as the header (header: true, --header true)` : '';
      const ref = this.columnRef(c);
      throw new CsvCellError(first.line, c,
        `${quoted(first.cell)} ${what} (column ${name}, whose other cells are ${majorText}); ` +
        `fix the cell, leave it empty (missing), or read the column as categories (categorical: [${ref.api}], --categorical ${ref.cli})${header}`);
    }
    if (textCells > 0) return this.categorical(i, name, false);
    // a numeric column's median is filled in for all of them at once (see numericMedians)
    if (dateCells === 0) return { name, kind: 'numeric', fill: NaN };
    if (order?.assumed) this.dayOrderNotes.push(`column ${name}: dates such as ${order.example} read ${order.order.replace('-', ' ')} (no day past 12 tells which); give dates: '${order.order === 'month-first' ? 'day-first' : 'month-first'}' (--dates ${order.order === 'month-first' ? 'day-first' : 'month-first'}) for the other reading`);
    return { name, kind: 'date', fill: median(this.columnValues(i, isDate, order?.order)), ...(order ? { order: order.order } : {}) };
  }

  /**
   * A note when names or text cells hold bytes that were not UTF-8 (decoded as U+FFFD, '�'): a file
   * saved as Windows-1252 or Latin-1, as spreadsheets in Western Europe often save CSV. Two names
   * that differ only there (Köln, Kéln) read the same, so the load says so; else ''.
   */
  private undecodedText(): string {
    const bad = (v: string) => v.includes('\uFFFD');
    const columns = new Set<string>();
    let example = '';
    this.layout.names.forEach((name, c) => {
      const i = this.featureOf[c];
      const values = c === this.labelCellIndex ? this.label?.values : i >= 0 ? this.text[i]?.values : undefined;
      const found = bad(name) ? name : values?.find(bad);
      if (found === undefined) return;
      columns.add(name);
      example ||= found;
    });
    if (columns.size === 0) return '';
    return `text in column(s) ${[...columns].slice(0, 4).join(', ')}${columns.size > 4 ? ', …' : ''} holds bytes that are not UTF-8, read as \uFFFD (${quoted(example)}): ` +
      'the file may be saved as Windows-1252 or Latin-1; save it as UTF-8, or names that differ only there read as one';
  }

  /**
   * How a text column's dates of numbers alone read, when it has any: day first when one has a day
   * past 12 in first place, month first when one has it in second place, else the `dates` option
   * (assumed: the load notes it). Undefined without such dates; refused when both orders are there.
   */
  private dayOrder(i: number, text: TextColumn, counts: Int32Array): { order: DayOrder; assumed: boolean; example: string } | undefined {
    let monthFirst = -1, dayFirst = -1, example = '';
    let dateCells = 0, textCells = 0;
    text.values.forEach((v, code) => {
      if (counts[code] === 0) return;
      textCells += counts[code];
      const orders = dayOrdersOf(v);
      if (orders === null) return;
      dateCells += counts[code];
      example ||= v;
      if (orders === 'month-first' && (monthFirst < 0 || text.lines[code] < text.lines[monthFirst])) monthFirst = code;
      if (orders === 'day-first' && (dayFirst < 0 || text.lines[code] < text.lines[dayFirst])) dayFirst = code;
    });
    if (!example) return undefined;
    // both orders in a column of dates is refused; in a column of other text (version numbers such as
    // 22.1.1570 and 3.25.1108 among 1.2.3s) the few that read as dates are the odd cells the column's
    // kind decides on, as any other
    if (monthFirst >= 0 && dayFirst >= 0 && 2 * dateCells <= textCells) return { order: text.lines[monthFirst] < text.lines[dayFirst] ? 'month-first' : 'day-first', assumed: false, example };
    if (monthFirst >= 0 && dayFirst >= 0) {
      const [first, later] = text.lines[monthFirst] < text.lines[dayFirst] ? [monthFirst, dayFirst] : [dayFirst, monthFirst];
      const how = (code: number) => (code === dayFirst ? 'day first' : 'month first');
      throw new CsvCellError(text.lines[later], this.featureCells[i],
        `${quoted(text.values[later])} is a date written ${how(later)}, but line ${text.lines[first]} has ${quoted(text.values[first])}, written ${how(first)} ` +
        `(column ${this.layout.names[this.featureCells[i]]}); write the column's dates one way, or as ISO dates (2012-01-31)`);
    }
    if (monthFirst >= 0 || dayFirst >= 0) return { order: dayFirst >= 0 ? 'day-first' : 'month-first', assumed: false, example };
    return { order: this.options.dates ?? 'month-first', assumed: true, example };
  }

  /** A text column as categories: refused when it has so many values that it looks like names or ids. */
  private categorical(i: number, name: string, forced: boolean): CategoricalColumn {
    const text = this.text[i];
    const counts = text?.counts(this.rows) ?? new Int32Array(0);
    const values = text ? text.values.filter((_, code) => counts[code] > 0).sort(byName) : [];
    const present = this.rows - this.missingCount[i];
    const max = this.options.maxCategories ?? DEFAULT_MAX_CATEGORIES;
    if (!forced && (values.length > max || (values.length >= 20 && values.length > present / 2))) {
      const ref = this.columnRef(this.featureCells[i]);
      throw new CsvCellError(0, this.featureCells[i],
        `column ${name} has ${values.length} distinct text values in ${present} rows: too many to be categories ` +
        `(names or ids?). Leave it out (ignore: [${ref.api}], --ignore ${ref.cli}), or read it as categories anyway (categorical: [${ref.api}], --categorical ${ref.cli})`);
    }
    return { name, kind: 'categorical', values, missing: this.missingCount[i] > 0 };
  }

  /** A trained schema's kind for a column, checked against this file's cells. */
  private checkKind(i: number, given: ColumnSchema): ColumnSchema {
    const text = this.text[i];
    if (!text || given.kind === 'categorical' || given.kind === 'ignored') return given;
    const counts = text.counts(this.rows);
    const bad = text.earliest(counts, (v) => !(given.kind === 'date' && !Number.isNaN(yearsOf(v, given.order))));
    if (given.kind === 'date' && this.firstNumberLine[i] > 0 && (bad < 0 || this.firstNumberLine[i] < text.lines[bad])) {
      throw new CsvCellError(this.firstNumberLine[i], this.featureCells[i], `${quoted(this.firstNumberText[i])} is not a date (column ${given.name} held dates in training)`);
    }
    if (bad >= 0) {
      const want = given.kind === 'date' ? 'a date' : isInfinite(text.values[bad]) ? 'a finite number' : 'a number';
      throw new CsvCellError(text.lines[bad], this.featureCells[i], `${quoted(text.values[bad])} is not ${want} (column ${given.name} held ${given.kind === 'date' ? 'dates' : 'numbers'} in training)`);
    }
    return given;
  }

  /**
   * The fill value of numeric columns: the median of the column when it has missing cells (what they
   * are filled with here); otherwise, since it only fills cells missing in later files, the median
   * of at most MEDIAN_SAMPLE evenly spaced rows. The rows are copied out, transposed a tile at a time
   * (so each column's values lie together), and each middle value selected in linear time.
   */
  private numericMedians(columns: readonly number[]): Map<number, number> {
    const out = new Map<number, number>();
    const exact = columns.filter((i) => this.missingCount[i] > 0);
    const sampled = columns.filter((i) => this.missingCount[i] === 0);
    const step = Math.max(1, Math.floor(this.rows / MEDIAN_SAMPLE));
    if (this.bytes) return this.byteMedians(columns, step); // (bytes have no missing cells)
    for (const [list, stride] of [[exact, 1], [sampled, step]] as const) {
      if (list.length === 0) continue;
      const count = Math.ceil(this.rows / stride);
      const values = this.columnsOf(list, stride, count);
      list.forEach((i, k) => {
        const column = values.subarray(k * count, (k + 1) * count);
        let n = 0;
        for (let r = 0; r < count; r++) if (column[r] === column[r]) column[n++] = column[r]; // drop missing (NaN)
        out.set(i, middle(column.subarray(0, n)));
      });
    }
    return out;
  }

  /** numericMedians' fill values for byte features: each column's middle of every `stride`-th row, from a histogram. */
  private byteMedians(list: readonly number[], stride: number): Map<number, number> {
    const fw = this.featureCells.length;
    const b = this.bytes!.data;
    const counts = new Int32Array(list.length * 256);
    let n = 0;
    for (let row = 0; row < this.rows * fw; row += stride * fw, n++) {
      for (let k = 0; k < list.length; k++) counts[k * 256 + b[row + list[k]]]++;
    }
    // the k-th smallest (0-based) of column k's histogram
    const nth = (k: number, at: number) => {
      let v = 0;
      for (let seen = counts[k * 256]; seen <= at; seen += counts[k * 256 + ++v]);
      return v;
    };
    const out = new Map<number, number>();
    list.forEach((i, k) => out.set(i, n % 2 ? nth(k, n >> 1) : Math.fround((nth(k, (n >> 1) - 1) + nth(k, n >> 1)) / 2)));
    return out;
  }

  /** Columns `list` of every `stride`-th row, column after column (list.length × count values). */
  private columnsOf(list: readonly number[], stride: number, count: number): Float32Array {
    const fw = this.featureCells.length;
    const f = this.store.data;
    const out = new Float32Array(list.length * count);
    const TILE = 32;
    for (let r0 = 0; r0 < count; r0 += TILE) {
      const r1 = Math.min(count, r0 + TILE);
      for (let k0 = 0; k0 < list.length; k0 += TILE) {
        const k1 = Math.min(list.length, k0 + TILE);
        for (let r = r0; r < r1; r++) {
          const row = r * stride * fw;
          for (let k = k0; k < k1; k++) out[k * count + r] = f[row + list[k]];
        }
      }
    }
    return out;
  }

  /** The non-missing values of a numeric or date column (isDate: which text values are dates). */
  private columnValues(i: number, isDate: boolean[] | null, order?: DayOrder): Float64Array {
    const fw = this.featureCells.length;
    const f = this.store.data;
    const text = this.text[i];
    const years = isDate ? text!.values.map((v, code) => (isDate[code] ? yearsOf(v, order) : NaN)) : null;
    const out = new Float64Array(this.rows - this.missingCount[i]);
    let n = 0;
    for (let r = 0; r < this.rows; r++) {
      const v = f[r * fw + i];
      if (!Number.isNaN(v)) out[n++] = v;
      else if (years && text!.codes[r] >= 0) out[n++] = years[text!.codes[r]];
    }
    return out.subarray(0, n);
  }

  /** x: each feature column encoded by its kind, in the given order, missing cells filled. */
  private encode(columns: readonly ColumnSchema[], order: readonly number[], unseen: { column: string; count: number; values: string[] }[]): Inputs {
    const rows = this.rows;
    const fw = this.featureCells.length;
    const numericOnly = columns.every((c) => c.kind === 'numeric') && order.every((i, k) => i === k);
    // bytes hold no missing cell: as they are, they are x
    if (this.bytes && numericOnly) return { rows, cols: fw, data: this.bytes.take(), scale: 1 };
    this.widen();
    const f = this.features.data;
    if (numericOnly) {
      // the common case: the float32 block is x; fill its missing cells in place
      columns.forEach((c, i) => {
        if (this.missingCount[i] === 0 || c.kind !== 'numeric') return;
        for (let r = 0; r < rows; r++) if (Number.isNaN(f[r * fw + i])) f[r * fw + i] = c.fill;
      });
      return matrix(rows, fw, this.features.take());
    }
    const width = columns.reduce((sum, c) => sum + widthOf(c), 0);
    const x = new Float32Array(rows * width);
    // runs of numeric columns that stay neighbours in x are copied a row at a time
    const runs: { from: number; to: number; length: number }[] = [];
    let at = 0;
    for (const i of order) {
      const last = runs[runs.length - 1];
      if (columns[i].kind === 'numeric') {
        if (last && last.from + last.length === i && last.to + last.length === at) last.length++;
        else runs.push({ from: i, to: at, length: 1 });
      }
      at += widthOf(columns[i]);
    }
    for (let r = 0; r < rows; r++) {
      for (const run of runs) x.set(f.subarray(r * fw + run.from, r * fw + run.from + run.length), r * width + run.to);
    }
    at = 0;
    for (const i of order) {
      const c = columns[i];
      const text = this.text[i];
      if (c.kind === 'numeric') {
        if (this.missingCount[i] > 0) {
          for (let r = 0; r < rows; r++) if (Number.isNaN(x[r * width + at])) x[r * width + at] = c.fill;
        }
      } else if (c.kind === 'date') {
        const years = text ? text.values.map((v) => yearsOf(v, c.order)) : null;
        for (let r = 0; r < rows; r++) {
          let v = f[r * fw + i];
          if (Number.isNaN(v)) v = years && text!.codes[r] >= 0 ? years[text!.codes[r]] : c.fill;
          x[r * width + at] = v;
        }
      } else if (c.kind === 'categorical') {
        const slot = new Map(c.values.map((v, k) => [v, k]));
        const column = text ? text.values.map((v) => slot.get(v) ?? -1) : [];
        const missingSlot = c.missing ? c.values.length : -1;
        const strange = new Map<string, number>();
        for (let r = 0; r < rows; r++) {
          const code = text && r < text.codes.length ? text.codes[r] : -1;
          let k: number;
          if (code >= 0) {
            k = column[code];
            if (k < 0) strange.set(text!.values[code], (strange.get(text!.values[code]) ?? 0) + 1);
          } else {
            k = missingSlot; // a categorical column holds text or missing cells only
          }
          if (k >= 0) x[r * width + at + k] = 1;
        }
        if (strange.size > 0) {
          unseen.push({ column: c.name, count: [...strange.values()].reduce((a, b) => a + b, 0), values: [...strange.keys()] });
        }
      }
      at += widthOf(c);
    }
    return matrix(rows, width, x);
  }

  /**
   * How an option names column `cell`, for a hint: by its header name, or by its index in a file
   * without a header (whose columns have no names to give). `api` goes in loadCsv's options, `cli` after a flag.
   */
  private columnRef(cell: number): { api: string; cli: string } {
    if (!this.layout.header) return { api: String(cell), cli: String(cell) };
    const name = this.layout.names[cell];
    return { api: `'${name}'`, cli: /[\s'"]/.test(name) ? JSON.stringify(name) : name };
  }

  /**
   * When the label column holds no classes, another column may, or the last may be the number to
   * predict: many published data sets (UCI's, scikit-learn's) keep the label or target last, where
   * the seed's MNIST files keep the label first. A hint naming the last column as the label when its
   * values are classes, else the feature columns whose values are (up to four), else the last column
   * as a regression target when it holds numbers; '' when none fits.
   */
  private lastColumnHint(): string {
    const last = this.layout.cells - 1;
    if (this.rows === 0) return '';
    const lastName = this.layout.names[last];
    const lastValues = last !== this.labelCellIndex ? this.classValues(last) : null;
    let hint = '';
    if (lastValues === 'numbers') {
      const ref = this.layout.header ? this.columnRef(last) : { api: '-1', cli: '-1' };
      hint = `. Or is the number to predict the last column, ${lastName}? Read it as a regression target (targets: [${ref.api}], --target ${ref.cli})`;
    } else if (lastValues) {
      hint = `. Or is the label the last column, ${lastName}, with its ${lastValues.count} classes (${lastValues.shown})? Read it with label: -1 (--label -1)`;
    }
    const others: string[] = [];
    let firstCell = -1;
    for (let c = 0; c < last && others.length < 3; c++) {
      const v = c !== this.labelCellIndex ? this.classValues(c) : null;
      if (!v || v === 'numbers') continue;
      if (firstCell < 0) firstCell = c;
      others.push(this.layout.names[c] + ` (${v.shown})`);
    }
    if (others.length === 0) return hint;
    const first = this.columnRef(firstCell);
    return `${hint}. ${lastValues && lastValues !== 'numbers' ? 'Other columns' : 'Columns'} that hold classes: ${others.join(', ')}; ` +
      `name the label to use one (label: ${first.api}, --label ${first.cli})`;
  }

  /**
   * What a feature column's values are, for a hint: classes (names, or whole numbers ≥ 0; 2 to 20
   * distinct, at least 2 rows a class; missing cells allowed), 'numbers' (a number in every row, not
   * classes), or null.
   */
  private classValues(cell: number): { count: number; shown: string } | 'numbers' | null {
    const i = this.featureOf[cell];
    if (i < 0) return null;
    const seen = new Set<string>();
    const text = this.text[i];
    const fw = this.featureCells.length;
    let wholes = true, numbers = true, present = 0;
    for (let r = 0; r < this.rows; r++) {
      const code = text && r < text.codes.length ? text.codes[r] : -1;
      if (code >= 0) {
        numbers = false;
        if (seen.size <= MAX_HINTED_CLASSES) seen.add(text!.values[code]);
        present++;
        continue;
      }
      const v = this.bytes ? this.bytes.data[r * fw + i] : this.features.data[r * fw + i];
      if (Number.isNaN(v)) {
        numbers = false;
        continue;
      }
      present++;
      wholes &&= Number.isInteger(v) && v >= 0;
      if (seen.size <= MAX_HINTED_CLASSES) seen.add(String(v));
    }
    const named = !!text && !numbers;
    if ((named || wholes) && seen.size >= 2 && seen.size <= MAX_HINTED_CLASSES && seen.size <= present / 2) {
      const values = [...seen].sort(byName);
      const shown = values.slice(0, 6).map((v) => (Number.isNaN(numberOf(v)) ? quoted(v) : v)).join(', ') + (values.length > 6 ? ', …' : '');
      return { count: values.length, shown };
    }
    return numbers && present === this.rows && seen.size >= 2 ? 'numbers' : null;
  }

  /** Each row's class: class numbers as they are, or names looked up in the (training) class list. */
  private classLabels(): { labels: Int32Array; classNames: readonly string[]; mode: 'index' | 'names' } {
    const text = this.label!;
    const name = this.layout.names[this.labelCellIndex];
    const ref = this.columnRef(this.labelCellIndex);
    const counts = text.counts(this.rows);
    const schema = this.options.schema;
    const asNumbers = text.values.map(numberOf);
    let mode: 'index' | 'names';
    let classNames: readonly string[];
    let classOf: number[];
    if (schema?.classes) {
      mode = schema.labels!;
      classNames = schema.classes;
    } else {
      const used = text.values.filter((_, code) => counts[code] > 0);
      const isClass = (v: string) => Number.isInteger(numberOf(v)) && numberOf(v) >= 0;
      const wholes = used.every(isClass);
      if (used.every((v) => !Number.isNaN(numberOf(v))) && !wholes) {
        // the first row whose label is no class number: a fraction, or a negative whole number
        const code = text.earliest(counts, (v) => !isClass(v));
        throw new CsvCellError(text.lines[code], this.labelCellIndex,
          `label ${text.values[code]} is not a class (a whole number ≥ 0 or a name): is ${name} a number to predict? Read it as a regression target (targets: [${ref.api}], --target ${ref.cli})${this.lastColumnHint()}`);
      }
      if (used.length === 1 && this.options.classes === undefined && this.rows > 1) {
        // (a test set of one class still loads with classes given, or with the training schema)
        throw new CsvCellError(0, this.labelCellIndex,
          `the label column ${name} holds one value, ${Number.isNaN(numberOf(used[0])) ? quoted(used[0]) : used[0]}, in all ${this.rows} rows: a classifier needs two classes or more to tell apart` +
          `${this.lastColumnHint()}. To load a set of one class to score, give the classes (classes: N, or schema: the training set's)`);
      }
      // more than 20 classes with fewer than 10 rows each, or any number with fewer than 3: a quantity
      // (an age, a count), not classes
      const perClass = used.length > MAX_HINTED_CLASSES ? MIN_ROWS_PER_CLASS : used.length >= 3 ? MIN_ROWS_PER_FEW_CLASSES : 0;
      if (this.rows < perClass * used.length && this.options.classes === undefined) {
        throw new CsvCellError(0, this.labelCellIndex,
          `the label column ${name} has ${used.length} distinct values in ${this.rows} rows (${(this.rows / used.length).toFixed(1)} rows a class): too many classes to learn from so few rows. ` +
          `If it is a number to predict, read it as a regression target (targets: [${ref.api}], --target ${ref.cli})${this.lastColumnHint()}. ` +
          'To read it as classes all the same, give their count (classes: N)');
      }
      mode = wholes ? 'index' : 'names';
      if (mode === 'index') {
        const largest = Math.max(...used.map(numberOf));
        const count = this.options.classes ?? Math.max(2, largest + 1);
        classNames = Array.from({ length: count }, (_, k) => String(k));
      } else {
        classNames = [...used].sort(byName);
      }
    }
    if (mode === 'index') {
      classOf = asNumbers.map((v) => (Number.isInteger(v) && v >= 0 && v < classNames.length ? v : -1));
    } else {
      const slot = new Map(classNames.map((v, k) => [v, k]));
      classOf = text.values.map((v) => slot.get(v) ?? -1);
    }
    const bad = text.values.findIndex((_, code) => counts[code] > 0 && classOf[code] < 0);
    if (bad >= 0) {
      const v = text.values[bad];
      const detail = mode === 'names'
        ? `label ${quoted(v)} is not one of the classes ${schema ? 'the model was trained on' : 'given'} (${classNames.slice(0, 6).join(', ')}${classNames.length > 6 ? ', …' : ''})`
        : Number.isInteger(asNumbers[bad]) && asNumbers[bad] >= 0
          ? `label ${v} is outside the classes 0..${classNames.length - 1}`
          : `label ${v} is not a class number (a whole number ≥ 0)`;
      throw new CsvCellError(text.lines[bad], this.labelCellIndex, detail);
    }
    const labels = new Int32Array(this.rows);
    for (let r = 0; r < this.rows; r++) labels[r] = classOf[text.codes[r]];
    return { labels, classNames, mode };
  }
}

/** The median of float32 values (the mean of the middle two for an even count), as float32; reorders them. */
function middle(values: Float32Array): number {
  const n = values.length;
  if (n === 0) return 0;
  const upper = select(values, n >> 1);
  if (n % 2) return upper;
  // the lower middle is the largest value left of the upper one after selection
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (values[i] > lower) lower = values[i];
  return Math.fround((lower + upper) / 2);
}

/** The k-th smallest value (0-based), moving it to index k (Hoare's selection, middle pivot). */
function select(a: Float32Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++; j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** The median of some values (the mean of the middle two for an even count), as float32. */
function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return Math.fround(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
}

