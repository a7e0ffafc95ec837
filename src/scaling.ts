// Input scaling: a per-feature affine map x′ = (x − shift)·scale that a network applies to every
// input it sees, fitted on the training set and saved with the model.

import { isByteMatrix, type ByteMatrix, type Inputs, type Matrix } from './matrix.js';

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
  const { lo, hi, sum, sq } = isByteMatrix(x) ? byteColumnStats(x) : columnStats(x);
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

/** Each column's least and greatest value, sum and sum of squares, row by row (in memory order). */
function columnStats(x: Matrix): ColumnStats {
  const n = x.cols, d = x.data;
  const s = { lo: new Float64Array(n).fill(Infinity), hi: new Float64Array(n).fill(-Infinity), sum: new Float64Array(n), sq: new Float64Array(n) };
  for (let i = 0; i < x.rows; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const v = d[row + j];
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
    // (a negative scale turns the order round)
    const ends = [Math.fround(lo * x.scale), Math.fround(hi * x.scale)];
    s.lo[j] = Math.min(...ends);
    s.hi[j] = Math.max(...ends);
  }
  return s;
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
