// Input scaling: a per-feature affine map x′ = (x − shift)·scale that a network applies to every
// input it sees, fitted on the training set and saved with the model.

import { halfEntry, isByteMatrix, isHalfMatrix, type ByteMatrix, type HalfMatrix, type Inputs, type Matrix } from './matrix.js';

/** How a scaling is fitted: divide by a constant, min-max to [0, 1], or z-scores. */
export type ScalingMethod = 'divide' | 'minmax' | 'zscore';
export const SCALING_METHODS: readonly ScalingMethod[] = ['divide', 'minmax', 'zscore'];

/** A per-feature affine map x′ = (x − shift)·scale, fitted on the training rows and saved with the model. */
export interface InputScaling {
  /** How it was fitted: 'divide' (by a constant, e.g. 255 for pixels), 'minmax' to [0, 1], 'zscore'. */
  readonly method: ScalingMethod;
  /** Per feature: subtracted first. */
  readonly shift: Float32Array;
  /** Per feature: multiplied after the shift. */
  readonly scale: Float32Array;
}

/** Fits a scaling to the columns of x. Constant columns get scale 1, so they never divide by zero. */
export function fitScaling(x: Inputs, method: ScalingMethod, divisor = 255): InputScaling {
  const shift = new Float32Array(x.cols);
  const scale = new Float32Array(x.cols).fill(1);
  if (method === 'divide') {
    if (!(Number.isFinite(divisor) && divisor !== 0)) throw new Error(`ffnn: scaling divisor must be a finite non-zero number, got ${divisor}`);
    scale.fill(1 / divisor);
    return { method, shift, scale };
  }
  if (x.rows === 0) throw new Error(`ffnn: cannot fit '${method}' scaling on no rows`);
  // (min-max of bytes needs their range only, which is cheaper than every statistic)
  const { lo, hi, sum, sq } = isHalfMatrix(x) ? columnStats(x, (k, j) => halfEntry(x, k, j)) : !isByteMatrix(x) ? columnStats(x) : method === 'minmax' ? byteColumnRange(x) : byteColumnStats(x);
  for (let j = 0; j < x.cols; j++) {
    if (method === 'minmax') {
      shift[j] = lo[j];
      if (hi[j] > lo[j]) scale[j] = 1 / (hi[j] - lo[j]);
    } else {
      const mean = sum[j] / x.rows;
      const sd = Math.sqrt(Math.max(0, sq[j] / x.rows - mean * mean));
      shift[j] = mean;
      if (sd > 0) scale[j] = 1 / sd;
    }
  }
  return { method, shift, scale };
}

interface ColumnStats { lo: Float64Array; hi: Float64Array; sum: Float64Array; sq: Float64Array }

/**
 * Each column's least and greatest value, sum and sum of squares, row by row (in memory order); half
 * floats through `value`, which reads value k (in column j) as the float32 it stands for.
 */
function columnStats(x: Matrix | HalfMatrix, value?: (k: number, j: number) => number): ColumnStats {
  const n = x.cols, d = x.data;
  const s = { lo: new Float64Array(n).fill(Infinity), hi: new Float64Array(n).fill(-Infinity), sum: new Float64Array(n), sq: new Float64Array(n) };
  for (let i = 0; i < x.rows; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const v = value ? value(row + j, j) : d[row + j];
      if (v < s.lo[j]) s.lo[j] = v;
      if (v > s.hi[j]) s.hi[j] = v;
      s.sum[j] += v;
      s.sq[j] += v * v;
    }
  }
  return s;
}

/**
 * The same for a byte matrix, from a histogram of each column's 256 values: one increment per cell,
 * and each value taken as float32 holds it (byte × scale, rounded).
 */
function byteColumnStats(x: ByteMatrix): ColumnStats {
  const n = x.cols, d = x.data;
  const counts = new Float64Array(n * 256);
  for (let i = 0; i < x.rows; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) counts[j * 256 + d[row + j]]++;
  }
  const s = { lo: new Float64Array(n), hi: new Float64Array(n), sum: new Float64Array(n), sq: new Float64Array(n) };
  for (let j = 0; j < n; j++) {
    let lo = 255, hi = 0;
    for (let b = 0; b < 256; b++) {
      const c = counts[j * 256 + b];
      if (c === 0) continue;
      const v = Math.fround(b * x.scale);
      if (b < lo) lo = b;
      if (b > hi) hi = b;
      s.sum[j] += c * v;
      s.sq[j] += c * v * v;
    }
    [s.lo[j], s.hi[j]] = scaledRange(lo, hi, x.scale);
  }
  return s;
}

/** A byte range [lo, hi] as the float32 values it holds at a scale (a negative scale turns the order round). */
function scaledRange(lo: number, hi: number, scale: number): [number, number] {
  const ends = [Math.fround(lo * scale), Math.fround(hi * scale)];
  return [Math.min(...ends), Math.max(...ends)];
}

/** Each byte column's least and greatest value (sums left zero): what min-max scaling needs. */
function byteColumnRange(x: ByteMatrix): ColumnStats {
  const n = x.cols;
  const { lo, hi } = byteRange(x);
  const s = { lo: new Float64Array(n), hi: new Float64Array(n), sum: new Float64Array(n), sq: new Float64Array(n) };
  for (let j = 0; j < n; j++) [s.lo[j], s.hi[j]] = scaledRange(lo[j], hi[j], x.scale);
  return s;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Each column's least and greatest byte. Where rows are whole 32-bit words, four columns go at a
 * time: a word's bytes 0 and 2 and its bytes 1 and 3 as two 16-bit lanes each, compared lane by lane
 * without a branch (about twice as fast as a byte at a time).
 */
function byteRange(x: ByteMatrix): { lo: Uint8Array; hi: Uint8Array } {
  const n = x.cols, d = x.data;
  const lo = new Uint8Array(n).fill(255), hi = new Uint8Array(n);
  if (n % 4 !== 0 || d.byteOffset % 4 !== 0 || !LITTLE_ENDIAN) {
    for (let i = 0; i < x.rows * n; i += n) {
      for (let j = 0; j < n; j++) {
        const v = d[i + j];
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
    }
    return { lo, hi };
  }
  const q = n >> 2;
  const words = new Uint32Array(d.buffer, d.byteOffset, x.rows * q);
  const LANES = 0x00ff00ff, CARRY = 0x01000100;
  // per word of a row: the greatest and least of its even bytes and of its odd bytes, lane by lane
  const maxEven = new Int32Array(q), maxOdd = new Int32Array(q);
  const minEven = new Int32Array(q).fill(LANES), minOdd = new Int32Array(q).fill(LANES);
  // a lane of (a | 0x100) − b keeps its bit 8 exactly when a ≥ b (lanes hold 0–255: no borrow crosses)
  const atLeast = (a: number, b: number) => ((((a | CARRY) - b) >>> 8) & 0x00010001) * 0xff;
  for (let row = 0; row < words.length; row += q) {
    for (let k = 0; k < q; k++) {
      const w = words[row + k];
      const even = w & LANES, odd = (w >>> 8) & LANES;
      let m = atLeast(even, maxEven[k]);
      maxEven[k] = (even & m) | (maxEven[k] & ~m);
      m = atLeast(odd, maxOdd[k]);
      maxOdd[k] = (odd & m) | (maxOdd[k] & ~m);
      m = atLeast(minEven[k], even);
      minEven[k] = (even & m) | (minEven[k] & ~m);
      m = atLeast(minOdd[k], odd);
      minOdd[k] = (odd & m) | (minOdd[k] & ~m);
    }
  }
  for (let k = 0; k < q; k++) {
    hi[4 * k] = maxEven[k]; hi[4 * k + 2] = maxEven[k] >>> 16; hi[4 * k + 1] = maxOdd[k]; hi[4 * k + 3] = maxOdd[k] >>> 16;
    lo[4 * k] = minEven[k]; lo[4 * k + 2] = minEven[k] >>> 16; lo[4 * k + 1] = minOdd[k]; lo[4 * k + 3] = minOdd[k] >>> 16;
  }
  return { lo, hi };
}

export function checkScaling(s: InputScaling, inputs: number, what = 'scaling', of = 'inputs'): void {
  if (!SCALING_METHODS.includes(s.method)) {
    throw new Error(`ffnn: unknown scaling method '${s.method}'; expected one of ${SCALING_METHODS.join(', ')}`);
  }
  for (const [name, v] of [['shift', s.shift], ['scale', s.scale]] as const) {
    if (v.length !== inputs) throw new Error(`ffnn: ${what} ${name} has ${v.length} values but the network has ${inputs} ${of}`);
    const bad = v.findIndex((e) => !Number.isFinite(e));
    if (bad >= 0) throw new Error(`ffnn: ${what} ${name}[${bad}] is ${v[bad]}; every value must be finite`);
  }
}
