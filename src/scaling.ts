// Input scaling: a per-feature affine map x′ = (x − shift)·scale that a network applies to every
// input it sees, fitted on the training set and saved with the model.

import { isByteMatrix, type Inputs } from './matrix.js';

export type ScalingMethod = 'divide' | 'minmax' | 'zscore';
export const SCALING_METHODS: readonly ScalingMethod[] = ['divide', 'minmax', 'zscore'];

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
  // a byte matrix's values are byte × scale, as float32 would hold them
  const unit = isByteMatrix(x) ? x.scale : 1;
  for (let j = 0; j < x.cols; j++) {
    let lo = Infinity, hi = -Infinity, sum = 0, sq = 0;
    for (let i = 0; i < x.rows; i++) {
      const v = Math.fround(x.data[i * x.cols + j] * unit);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
      sq += v * v;
    }
    if (method === 'minmax') {
      shift[j] = lo;
      if (hi > lo) scale[j] = 1 / (hi - lo);
    } else {
      const mean = sum / x.rows;
      const sd = Math.sqrt(Math.max(0, sq / x.rows - mean * mean));
      shift[j] = mean;
      if (sd > 0) scale[j] = 1 / sd;
    }
  }
  return { method, shift, scale };
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
