// The fast CSV path: bytes stream into the WebAssembly scanner (assembly/csv.ts), which writes the
// plain numbers of each row straight into float32 rows and hands every other cell to the column
// collector as text. The same collector serves csv-parse's path, so both give the same data set or
// the same error. Platform-neutral: Node and browsers feed it chunks of bytes.
//
// It reads files without quotes; on a quote or a lone carriage return it declines, and the caller
// reads the file again with csv-parse.

import { compileBuild } from '../backends/wasm-module.js';
import { ColumnCollector, type CollectOptions, type CollectorStorage, type ScannedRows } from './columns.js';
import type { ArenaTail } from '../engine/arena.js';
import { readingOf, scannerReads, utf8Head } from './csv-dataset.js';
import { CsvCellError } from './errors.js';
import { LAYOUT_RECORDS, planLayout, Role, type Layout, type LayoutOptions } from './layout.js';

export interface ScanOptions extends LayoutOptions, CollectOptions {
  readonly delimiter?: string;
}

interface ScannerExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  scan(state: number, input: number, len: number, final: number, delimiter: number, cells: number, roles: number, dest: number,
    width: number, out: number, lines: number, starts: number, maxRows: number, exceptions: number, maxExceptions: number, bytes: number): void;
}

const DONE = 0, DECLINE = 1, RAGGED = 2, FULL = 3;
const BLOCK_BYTES = 4 << 20;
const PAGE = 65536;
const BOM = [0xef, 0xbb, 0xbf];

/** What the scanner made of a file: a collector holding every row, or 'declined'. */
export type ScanResult = { collector: ColumnCollector; layout: Layout; lines: number } | 'declined';

/** How a file is to be read: its delimiter, its layout and the records before the data. */
export interface CsvPlan {
  readonly layout: Layout;
  readonly delimiter: string;
  readonly skip: number;
}

/** The plan the first records of a file decide, without reading on ('declined' for csv-parse's files). */
export async function planCsv(chunks: AsyncIterable<Uint8Array>, options: ScanOptions): Promise<CsvPlan | 'declined'> {
  const input = new Input(chunks);
  try {
    const plan = await begin(input, options);
    return plan === 'declined' ? plan : { layout: plan.layout, delimiter: plan.delimiter, skip: plan.skip };
  } finally {
    await input.close();
  }
}

/**
 * Reads CSV bytes into a collector. `expectedBytes`, when known (a file's size), sizes the stores
 * once. The first records decide the plan (as collectRecords does), unless it is given (a chunk of a
 * file split among workers: then only its `skip` records are skipped). `lines` counts the lines read.
 */
export async function scanCsv(chunks: AsyncIterable<Uint8Array>, options: ScanOptions, expectedBytes?: number, given?: CsvPlan,
  storage?: CollectorStorage | { readonly tail: ArenaTail }): Promise<ScanResult> {
  const input = new Input(chunks);
  const plan = await begin(input, options, given);
  if (plan === 'declined') {
    await input.close();
    return plan;
  }
  const { layout, delimiter } = plan;
  const collector = new ColumnCollector(layout, options, storage);
  const scanner = await Scanner.create(layout, delimiter);
  const dataStart = input.dropped;
  try {
    for (;;) {
      const final = input.ended;
      const status = scanner.scan(input, final, collector);
      if (expectedBytes && input.dropped > dataStart) {
        // the rows to expect, from the bytes a row has taken so far: the stores then grow about once
        const rows = (collector.rows * (expectedBytes - dataStart)) / (input.dropped - dataStart);
        if (rows > collector.capacityRows()) collector.expectRows(Math.ceil(rows * 1.02) + 16 - collector.rows);
      }
      if (status === DECLINE) return 'declined';
      if (status === FULL) continue;
      if (final) break;
      await input.more(); // at the end, one more pass with final set
    }
  } finally {
    scanner.release();
    if (!input.ended) await input.close();
  }
  return { collector, layout, lines: input.line - 1 };
}

/** Reads the head of the input: BOM, skipped lines, delimiter, plan; leaves the input at the data. */
async function begin(input: Input, options: ScanOptions, given?: CsvPlan) {
  await input.fill(LAYOUT_RECORDS);
  if (input.atStart(BOM)) input.drop(3);
  if (typeof options.skipLines === 'number' && !given) {
    if (!input.dropLines(options.skipLines)) return 'declined';
  }
  const headText = input.headText();
  const reading = readingOf(options, headText, given?.delimiter);
  if (!scannerReads(reading)) return 'declined';
  const { delimiter } = reading;
  // (bytes that are not UTF-8: csv-parse's path, which decodes them as Windows-1252)
  if (!utf8Head(input.headBytes())) return 'declined';
  const head = input.headRecords(LAYOUT_RECORDS, delimiter);
  if (head === 'declined') return 'declined';
  if (head.records.length === 0 && !given) throw new CsvCellError(0, null, 'the file is empty: no rows to load');
  const layout = given?.layout ?? planLayout(head.records, head.lines, options);
  // (rows shorter than their header: csv-parse's path, where the collector pads them)
  if (layout.ragged) return 'declined';
  const skip = given ? given.skip : layout.preamble;
  // the data starts after the preamble and header records
  if (skip < head.records.length) {
    input.line = head.lines[skip];
    input.drop(head.offsets[skip]);
  } else {
    input.line += head.linesRead;
    input.drop(head.consumed);
  }
  return { layout, delimiter, skip, head };
}

/** The bytes not yet scanned, filled from the chunks as the scanner needs them. */
class Input {
  bytes = new Uint8Array(0);
  start = 0;
  length = 0;
  /** bytes read and dropped so far */
  dropped = 0;
  ended = false;
  /** the line number of the first byte not yet scanned */
  line = 1;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /** Stops reading (the source is released). */
  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  get view(): Uint8Array {
    return this.bytes.subarray(this.start, this.start + this.length);
  }

  /** Reads on until `records` lines are here (or the input ends). */
  async fill(records: number): Promise<void> {
    while (!this.ended && this.countNewlines() < records + 1) await this.more();
  }

  private countNewlines(): number {
    let n = 0;
    const v = this.view;
    for (let at = v.indexOf(10); at >= 0; at = v.indexOf(10, at + 1)) n++;
    return n;
  }

  /** Appends the next chunk; false at the end of the input. */
  async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.append(next.value);
    return true;
  }

  private append(chunk: Uint8Array): void {
    const need = this.length + chunk.length;
    if (this.start + need > this.bytes.length) {
      if (need <= this.bytes.length) {
        this.bytes.copyWithin(0, this.start, this.start + this.length);
      } else {
        const grown = new Uint8Array(Math.max(2 * need, 1 << 16));
        grown.set(this.view);
        this.bytes = grown;
      }
      this.start = 0;
    }
    this.bytes.set(chunk, this.start + this.length);
    this.length += chunk.length;
  }

  atStart(prefix: readonly number[]): boolean {
    return prefix.every((b, i) => this.view[i] === b);
  }

  drop(n: number): void {
    this.start += n;
    this.length -= n;
    this.dropped += n;
  }

  /** Drops `n` whole lines (skipLines); false when a quote or lone CR says csv-parse must read the file. */
  dropLines(n: number): boolean {
    for (let i = 0; i < n; i++) {
      const v = this.view;
      const at = v.indexOf(10);
      if (at < 0) {
        this.drop(v.length);
        this.line += 1;
        return true;
      }
      if (v.subarray(0, at).includes(34)) return false;
      this.drop(at + 1);
      this.line++;
    }
    return true;
  }

  headText(): string {
    return new TextDecoder().decode(this.headBytes());
  }

  headBytes(): Uint8Array {
    return this.view.subarray(0, 1 << 16);
  }

  /**
   * The first `count` records, split as csv-parse splits unquoted lines (blank lines skipped), each
   * with its line and byte offset; 'declined' on a quote or a lone carriage return.
   */
  headRecords(count: number, delimiter: string): { records: string[][]; lines: number[]; offsets: number[]; bytes: number; linesRead: number; consumed: number } | 'declined' {
    const v = this.view;
    const decoder = new TextDecoder();
    const records: string[][] = [], lines: number[] = [], offsets: number[] = [];
    let at = 0, line = this.line, bytes = 0, linesRead = 0;
    while (records.length < count && at < v.length) {
      let end = v.indexOf(10, at);
      if (end < 0) {
        if (!this.ended) break;
        end = v.length;
      }
      let text = decoder.decode(v.subarray(at, end));
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.includes('"') || text.includes('\r')) return 'declined';
      if (text !== '') {
        records.push(text.split(delimiter));
        lines.push(line);
        offsets.push(at);
        bytes += end + 1 - at;
      }
      at = end + 1;
      line++;
      linesRead++;
    }
    return { records, lines, offsets, bytes, linesRead, consumed: Math.min(at, v.length) };
  }
}

/** Scanner instances no load is using. */
const idle: ScannerExports[] = [];

/** One instance of the scanner module, its regions laid out for a layout. */
class Scanner {
  private readonly cells: number;
  private readonly width: number;
  private readonly maxRows: number;
  private readonly maxExceptions: number;
  private readonly regions: { state: number; roles: number; dest: number; out: number; byteRows: number; lines: number; starts: number; exceptions: number; input: number };
  private inputCapacity: number;
  private readonly decoder = new TextDecoder();

  private constructor(private readonly exports: ScannerExports, layout: Layout, private readonly delimiter: number) {
    this.cells = layout.cells;
    const features: number[] = [];
    layout.roles.forEach((role, c) => { if (role === Role.Feature || role === Role.Text) features.push(c); });
    this.width = features.length;
    const reported = layout.roles.filter((r) => r !== Role.Feature && r !== Role.Ignored).length;
    this.maxRows = Math.max(16, Math.floor(BLOCK_BYTES / (4 * Math.max(1, this.width))));
    this.maxExceptions = Math.max(this.cells + 1, this.maxRows * (reported + 2));
    let at = align(exports.heapBase());
    const take = (bytes: number) => {
      const here = at;
      at = align(at + bytes);
      return here;
    };
    this.regions = {
      state: take(32), roles: take(this.cells), dest: take(4 * this.cells),
      out: take(4 * this.width * this.maxRows), byteRows: take(this.width * this.maxRows), lines: take(4 * this.maxRows), starts: take(4 * this.maxRows), exceptions: take(20 * this.maxExceptions), input: at,
    };
    this.inputCapacity = 0;
    this.ensureInput(1 << 20);
    const m = new Uint8Array(exports.memory.buffer);
    const dest = new Int32Array(exports.memory.buffer, this.regions.dest, this.cells);
    layout.roles.forEach((role, c) => {
      // Text-role features and the label and targets are read from their text; ignored cells skipped
      m[this.regions.roles + c] = role === Role.Feature ? 0 : role === Role.Ignored ? 2 : 1;
      dest[c] = features.indexOf(c);
    });
  }

  static async create(layout: Layout, delimiter: string): Promise<Scanner> {
    // an instance (and its memory) is reused from one load to the next: loads one after another,
    // a thousand small files say, would otherwise leave a thousand memories for the collector
    const exports = idle.pop() ?? (await WebAssembly.instantiate(await compileBuild('csv'), {})).exports as unknown as ScannerExports;
    return new Scanner(exports, layout, delimiter.charCodeAt(0));
  }

  /** Hands the instance back for the next load (its memory stays as grown, up to a few megabytes). */
  release(): void {
    if (idle.length < 2) idle.push(this.exports);
  }

  private ensureInput(bytes: number): void {
    if (bytes <= this.inputCapacity) return;
    const need = this.regions.input + bytes;
    const have = this.exports.memory.buffer.byteLength;
    if (need > have) this.exports.memory.grow(Math.ceil((need - have) / PAGE));
    this.inputCapacity = bytes;
  }

  /** Scans what input holds (whole lines unless final) into the collector; the scan's status. */
  scan(input: Input, final: boolean, collector: ColumnCollector): number {
    const r = this.regions;
    this.ensureInput(input.length + 1);
    const memory = this.exports.memory.buffer;
    const bytes = new Uint8Array(memory, r.input, input.length + 1);
    bytes.set(input.view);
    bytes[input.length] = 0; // the sentinel the scanner may read past a cell
    const state = new Int32Array(memory, r.state, 8);
    state[0] = input.line;
    this.exports.scan(r.state, r.input, input.length, final ? 1 : 0, this.delimiter, this.cells, r.roles, r.dest,
      this.width, r.out, r.lines, r.starts, this.maxRows, r.exceptions, this.maxExceptions, r.byteRows);
    const [line, rows, count, status, errorLine, errorCells, consumed, allBytes] = state;
    if (status === DECLINE) return DECLINE;
    const decoder = this.decoder;
    const starts = new Int32Array(memory, r.starts, rows);
    const delimiter = String.fromCharCode(this.delimiter);
    let splitRow = -1, splitCells: string[] = [];
    const block: ScannedRows = {
      rows,
      values: new Float32Array(memory, r.out, rows * this.width),
      lines: new Int32Array(memory, r.lines, rows),
      exceptions: new Int32Array(memory, r.exceptions, 5 * count),
      count,
      bytes: () => (allBytes ? new Uint8Array(memory, r.byteRows, rows * this.width) : null),
      text: (start, end) => textOf(bytes, start, end, decoder),
      cellText: (row, cell) => {
        // (asked for many cells of one row at a time: each row is split once)
        if (row !== splitRow) {
          const from = starts[row];
          let to = bytes.indexOf(10, from);
          if (to < 0 || to > input.length) to = input.length;
          splitCells = decoder.decode(bytes.subarray(from, to)).replace(/\r$/, '').split(delimiter);
          splitRow = row;
        }
        return splitCells[cell];
      },
    };
    collector.addScanned(block);
    if (status === RAGGED) throw new CsvCellError(errorLine, null, `${errorCells} cells where ${this.cells} were expected`);
    input.drop(consumed);
    input.line = line;
    // a line longer than the room left: the next pass gets more input, and more room
    if (status === DONE && rows === 0 && !final && consumed === 0) this.ensureInput(2 * input.length + (1 << 20));
    return status;
  }
}

/** Text of bytes [start, end): ASCII directly, anything else through UTF-8 decoding (as csv-parse reads it). */
function textOf(bytes: Uint8Array, start: number, end: number, decoder: TextDecoder): string {
  if (end - start <= 32) {
    let ascii = true;
    for (let i = start; i < end; i++) if (bytes[i] > 127) { ascii = false; break; }
    if (ascii) return String.fromCharCode(...bytes.subarray(start, end));
  }
  return decoder.decode(bytes.subarray(start, end));
}

function align(at: number): number {
  return (at + 15) & ~15;
}
