// Data sets kept in a network's heap between calls: placed once, found again by the identity of
// their array, freed with the network, on release(), when their array is collected, or to make room.
// A byte matrix is not copied at all: its rows are read from the host's own array as they are
// gathered (or in place, when a loader put them in the memory this network took: engine/arena.ts),
// and only its per-column scaling vectors are kept here. Half floats are copied as halves,
// after their scaling vectors, and widened as they are gathered. Targets are not copied either:
// their rows are read from the host's array as batches are gathered (a few values a row), and what
// placing them keeps is what checking them found (every value finite, each column's moments).
//
// Heap layout: the model's regions, then these (in placing order), then the workspace of the call
// under way. Regions are placed and freed only while no workspace is open, so freeing one moves the
// regions above it down and nothing else holds an offset into them.

import type { Heap } from './backends/backend.js';
import { isByteMatrix, isHalfMatrix, type Inputs } from './matrix.js';

/** @internal What a placed data set is to the network: its inputs (scaled as they are read) or its targets. */
export type Role = 'inputs' | 'targets';

/** @internal A data set in the heap. */
export interface Region {
  readonly rows: number;
  readonly cols: number;
  /**
   * Byte offset of the region: float32 rows already scaled as the network reads them, or, for a
   * byte matrix, the per-column float32 multipliers then addends that gatherBytes applies (see
   * byteScalingOf), and for half floats the same vectors then the halves (see halvesOf); nothing
   * for targets.
   */
  at: number;
  /** Whether the region holds half floats (widened by gatherHalves as they are gathered). */
  readonly halves: boolean;
  /**
   * For a byte matrix and for targets (null for float inputs, whose rows are here): the host's array
   * the rows are read from as they are gathered, held weakly (the network never keeps a user's data
   * alive; the call under way holds it).
   */
  readonly source: WeakRef<Uint8Array | Float32Array> | null;
  /**
   * For inputs that lie in the network's own memory (loaded into the arena the network took, see
   * engine/arena.ts), bytes or float32: the byte offset of their rows, read in place; else -1.
   */
  readonly rowsAt: number;
  /** Whether the rows are bytes (a ByteMatrix), widened and scaled by gatherBytes as they are gathered. */
  readonly bytes: boolean;
  /** Targets' columns as training sees them (a regression's standardised), found when they were checked. */
  moments?: ColumnMoments;
  /** 4-byte slots the region takes in the heap. */
  readonly slots: number;
  readonly fingerprint: number;
  /** How the values read (a byte matrix's scale, half floats' scales and offsets), as scalingKey gives it. */
  readonly scaling: number;
  lastUse: number;
  dead: boolean;
}

/** @internal Per column: the least and greatest value, the mean and the variance. */
export interface ColumnMoments {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
}

/**
 * How many bytes of kept data a network holds before it frees the least recently used sets to place
 * another (a set needed by the call under way is never freed for it).
 */
const BUDGET_BYTES = 1 << 30;
/** Values sampled, evenly spread, for the fingerprint that tells an array changed in place. */
const SAMPLES = 257;

/**
 * @internal A cheap fingerprint of an array's values (its length and SAMPLES values spread over it): a whole
 * array rescaled or refilled in place reads as a different data set, and is placed again.
 */
export function fingerprint(data: ArrayLike<number>): number {
  let h = Math.imul(data.length, 0x9e3779b1) >>> 0;
  const step = Math.max(1, Math.floor(data.length / SAMPLES));
  for (let i = 0; i < data.length; i += step) {
    h = Math.imul(h ^ Math.fround(data[i]) * 1e4, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
  }
  return h;
}

/**
 * A key for what a set's own scaling makes of its values: a byte matrix's scale, half floats' scales
 * and offsets (their fingerprints), 0 for float32. The same array under another scale reads as
 * another data set: its scaling vectors were written from the old one.
 */
function scalingKey(m: Inputs): number {
  if (isByteMatrix(m)) return m.scale;
  if (isHalfMatrix(m)) {
    // every value's bits (a column's worth each, not a sample), FNV-1a over the words
    let h = 0x811c9dc5;
    for (const a of [m.scale, m.offset]) {
      const words = new Uint32Array(a.buffer, a.byteOffset, a.length);
      for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193) >>> 0;
    }
    return h;
  }
  return 0;
}

/** Whether m's rows stay in the host's array (byte inputs, and targets) rather than in the heap. */
function readFromHost(m: Inputs, role: Role): boolean {
  return role === 'targets' || isByteMatrix(m);
}

/** @internal Where a byte matrix's region (at `at`, `cols` columns) keeps its multipliers and its addends. */
export function byteScalingOf(region: Region): { mul: number; add: number } {
  return { mul: region.at, add: region.at + Math.ceil(region.cols / 4) * 16 };
}

/** @internal The 4-byte slots of the scaling vectors at the start of a byte or half-float region. */
export function scalingSlots(cols: number): number {
  return 2 * Math.ceil(cols / 4) * 4;
}

/** @internal Where a half-float region's halves start (after its scaling vectors), as a byte offset. */
export function halvesOf(region: Region): number {
  return region.at + 4 * scalingSlots(region.cols);
}

/** @internal The data sets kept in one network's heap. */
export class ResidentData {
  private regions: Region[] = [];
  private readonly found = { inputs: new WeakMap<object, Region>(), targets: new WeakMap<object, Region>() };
  private readonly collected = new FinalizationRegistry<Region>((region) => {
    region.dead = true;
  });
  private uses = 0;

  constructor(private readonly heap: Heap, private readonly base: number) {}

  /** Where the workspace may start: the top of the kept regions. */
  get top(): number {
    const last = this.regions[this.regions.length - 1];
    return last ? last.at + last.slots * 4 : this.base;
  }

  /** Bytes of kept data. */
  get bytes(): number {
    return this.regions.reduce((sum, r) => sum + r.slots * 4, 0);
  }

  /** The region holding m for `role`, if it is kept and its values have not visibly changed. */
  find(m: Inputs, role: Role): Region | null {
    const region = this.found[role].get(m.data);
    if (!region || region.dead) return null;
    const rowsAt = this.inPlace(m, role);
    if (region.rows !== m.rows || region.cols !== m.cols || region.rowsAt !== rowsAt || (region.source !== null) !== (rowsAt < 0 && readFromHost(m, role)) || region.fingerprint !== fingerprint(m.data) || !Object.is(region.scaling, scalingKey(m))) {
      this.free(region);
      return null;
    }
    region.lastUse = ++this.uses;
    return region;
  }

  /**
   * Reserves a region for m (`slots` 4-byte slots in all) at the top, freeing collected and then
   * least recently used sets beyond the budget (never one in `keep`); `fill` writes it.
   */
  place(m: Inputs, role: Role, slots: number, keep: readonly Region[], fill: (region: Region) => void): Region {
    this.sweep();
    while (this.bytes + slots * 4 > BUDGET_BYTES) {
      const victim = this.regions.filter((r) => !keep.includes(r)).sort((a, b) => a.lastUse - b.lastUse)[0];
      if (!victim) break;
      this.free(victim);
    }
    this.heap.release(this.top);
    const at = this.heap.alloc(slots);
    const rowsAt = this.inPlace(m, role);
    const region: Region = {
      // (half floats are copied in: only bytes and targets are read from the host, as Uint8Array or Float32Array)
      rows: m.rows, cols: m.cols, at, rowsAt, halves: isHalfMatrix(m), bytes: isByteMatrix(m), slots,
      source: rowsAt < 0 && readFromHost(m, role) ? new WeakRef(m.data as Uint8Array | Float32Array) : null,
      fingerprint: fingerprint(m.data), scaling: scalingKey(m), lastUse: ++this.uses, dead: false,
    };
    try {
      fill(region);
    } catch (error) {
      this.heap.release(at);
      throw error;
    }
    this.regions.push(region);
    this.found[role].set(m.data, region);
    this.collected.register(m.data, region, region);
    return region;
  }

  /** Where inputs' rows (bytes or float32) lie in the heap's own memory (-1: elsewhere). */
  inPlace(m: Inputs, role: Role): number {
    return role === 'inputs' && !isHalfMatrix(m) ? this.heap.offsetOf(m.data) : -1;
  }

  /** Frees the kept copies of `data` (both roles); all of them without it. Returns how many went. */
  release(data?: ArrayBufferView): number {
    const gone = data === undefined ? [...this.regions]
      : [this.found.inputs.get(data), this.found.targets.get(data)].filter((r): r is Region => r !== undefined && this.regions.includes(r));
    for (const r of gone) this.free(r);
    return gone.length;
  }

  /** Frees the regions whose arrays were collected. */
  sweep(): void {
    for (const r of this.regions.filter((r) => r.dead)) this.free(r);
  }

  /** Takes a region out, moving every region above it down by its size. */
  private free(region: Region): void {
    const i = this.regions.indexOf(region);
    if (i < 0) return;
    region.dead = true;
    this.collected.unregister(region);
    this.regions.splice(i, 1);
    let to = region.at;
    for (const r of this.regions.slice(i)) {
      // a float set's rows, a byte set's multipliers and addends, a half-float set's and its halves
      this.heap.moveSlots(to, r.at, r.slots);
      r.at = to;
      to += r.slots * 4;
    }
    this.heap.release(this.top);
  }
}
