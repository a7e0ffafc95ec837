// Row-major float32 matrices: the shape of everything that goes into and comes out of a network.

import { halfOfFloatBits, halfValue } from './half.js';

/** A row-major float32 matrix: inputs, targets and outputs of a network. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** rows × cols values, row after row. */
  readonly data: Float32Array;
}

/**
 * Inputs kept as bytes: entry (i, j) is data[i·cols + j] × scale. Pixels and other small whole
 * numbers (0–255) come from the loaders this way (readIdx, loadMnist, loadCsv), at a quarter of
 * float32's memory, and stay bytes inside the network too: every method that takes inputs takes one.
 */
export interface ByteMatrix {
  readonly rows: number;
  readonly cols: number;
  /** rows × cols bytes, row after row. */
  readonly data: Uint8Array;
  /** What one unit of a byte stands for (1/255 for pixels scaled to [0, 1], 1 for raw values). */
  readonly scale: number;
}

/**
 * Inputs kept as IEEE half floats (float16), each column brought near 1 first: entry (i, j) is
 * half(data[i·cols + j]) × scale[j] + offset[j], in float32 arithmetic. Half the memory of float32,
 * in your program and in the copy a network keeps for training and evaluation. Made by toHalfFloats
 * (see there for what a half keeps); every method that takes inputs takes one.
 */
export interface HalfMatrix {
  readonly rows: number;
  readonly cols: number;
  /** rows × cols halves (IEEE 754 binary16 bit patterns), row after row. */
  readonly data: Uint16Array;
  /** Per column: what one unit of a half stands for. */
  readonly scale: Float32Array;
  /** Per column: added after the scale. */
  readonly offset: Float32Array;
}

/** A network's inputs: float32 values, bytes with a scale, or half floats. */
export type Inputs = Matrix | ByteMatrix | HalfMatrix;

export function isByteMatrix(m: Inputs): m is ByteMatrix {
  return m.data instanceof Uint8Array;
}

export function isHalfMatrix(m: Inputs): m is HalfMatrix {
  return m.data instanceof Uint16Array;
}

/** Value k of half floats (in column j) as the float32 it stands for: half × scale + offset, each step rounded as float32. */
export function halfEntry(m: HalfMatrix, k: number, j: number): number {
  return Math.fround(Math.fround(halfValue(m.data[k]) * m.scale[j]) + m.offset[j]);
}

/**
 * The inputs as float32 values: a byte matrix widened (byte × scale), half floats as they stand for
 * (half × scale + offset per column, as the network reads them), a float matrix as it is.
 */
export function toFloats(m: Inputs): Matrix {
  if (isHalfMatrix(m)) {
    const data = new Float32Array(m.data.length);
    for (let i = 0, j = 0; i < data.length; i++, j = j + 1 === m.cols ? 0 : j + 1) {
      data[i] = halfEntry(m, i, j);
    }
    return { rows: m.rows, cols: m.cols, data };
  }
  if (!isByteMatrix(m)) return m;
  const data = new Float32Array(m.data.length);
  for (let i = 0; i < data.length; i++) data[i] = m.data[i] * m.scale;
  return { rows: m.rows, cols: m.cols, data };
}

/**
 * m as half floats (a HalfMatrix), at half the memory. Each value keeps 11 significant bits (3 to 4
 * decimal digits), and zeros stay exact: each column is divided by a power of two near its typical
 * size (exact, and undone as it is read), and a column whose values sit far from zero for their
 * spread (years, air pressure) has its mean taken off first, so that its digits go to how the values
 * differ. Then each value is rounded to float32 and to the nearest half. Refuses a value that is not
 * a finite number, naming its row and column.
 */
export function toHalfFloats(m: Matrix): HalfMatrix {
  if (!m || !(m.data instanceof Float32Array) || m.data.length !== m.rows * m.cols) {
    throw new Error('ffnn: toHalfFloats needs a Matrix { rows, cols, data: Float32Array } (see matrix())');
  }
  const { rows, cols } = m, d = m.data;
  const sum = new Float64Array(cols), sq = new Float64Array(cols);
  for (let i = 0, j = 0; i < d.length; i++, j = j + 1 === cols ? 0 : j + 1) {
    const v = d[i];
    if (!Number.isFinite(v)) {
      throw new Error(`ffnn: toHalfFloats: row ${Math.floor(i / cols)}, column ${j} is ${v}; every value must be a finite number`);
    }
    sum[j] += v;
    sq[j] += v * v;
  }
  const offset = new Float32Array(cols), scale = new Float32Array(cols).fill(1);
  for (let j = 0; j < cols && rows > 0; j++) {
    const mean = sum[j] / rows, meanSq = sq[j] / rows;
    const sd = Math.sqrt(Math.max(0, meanSq - mean * mean));
    // a constant column is its offset (every half 0); one far from zero for its spread, its mean and
    // what is left; any other keeps its zeros and signs as they are
    const centred = sd === 0 || Math.abs(mean) > CENTRE_BEYOND * sd;
    if (centred) offset[j] = mean;
    const size = centred ? sd : Math.sqrt(meanSq);
    if (size > 0) scale[j] = 2 ** Math.max(-126, Math.min(127, Math.round(Math.log2(size))));
  }
  // a chunk at a time: each value moved and scaled (by a power of two, exactly) into float32, then
  // its bits made a half with integer arithmetic (~18 ns a value in all, much of it the first touch
  // of the new array's pages)
  const data = new Uint16Array(d.length);
  const inverse = Float64Array.from(scale, (s) => 1 / s);
  const chunk = new Float32Array(Math.min(d.length, 8192)), bits = new Uint32Array(chunk.buffer);
  for (let start = 0; start < d.length; start += chunk.length) {
    const n = Math.min(chunk.length, d.length - start);
    for (let i = 0, j = start % cols; i < n; i++, j = j + 1 === cols ? 0 : j + 1) chunk[i] = (d[start + i] - offset[j]) * inverse[j];
    for (let i = 0; i < n; i++) {
      const h = halfOfFloatBits(bits[i]);
      if ((h & 0x7c00) === 0x7c00) {
        // only a value tens of thousands of times its column's typical size
        const at = start + i;
        throw new Error(`ffnn: toHalfFloats: row ${Math.floor(at / cols)}, column ${at % cols} is ${d[at]}, too far from its column's other values for a half float; keep this data as float32`);
      }
      data[start + i] = h;
    }
  }
  return { rows, cols, data, scale, offset };
}

/**
 * A column whose mean is more than this many standard deviations from zero is stored as its distance
 * from the mean: kept from zero, a half's 11 bits would go to the mean's own digits (a year, 2003 ± 5,
 * could only be told to within 1; from its mean, to within 0.004).
 */
const CENTRE_BEYOND = 16;

/**
 * m as bytes (scale 1) when every value is a whole number from 0 to 255, the same numbers in a
 * quarter of the memory; else m itself.
 */
export function compactInputs(m: Matrix): Inputs {
  const d = m.data;
  if (d.length === 0) return m;
  // checked and narrowed in one pass; the bytes' pages are touched only as far as the check gets
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    const b = v & 255;
    // b === v for whole numbers 0–255 only (-0 becomes 0, which is the same number)
    if (b !== v) return m;
    out[i] = b;
  }
  return { rows: m.rows, cols: m.cols, data: out, scale: 1 };
}

/** A rows×cols matrix over data (copied into a Float32Array unless it already is one), or zeros. */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new Error(`ffnn: a matrix needs whole, non-negative rows and cols, got ${rows}×${cols}`);
  }
  const values = data === undefined ? new Float32Array(rows * cols)
    : data instanceof Float32Array ? data : Float32Array.from(data);
  if (values.length !== rows * cols) {
    throw new Error(`ffnn: a ${rows}×${cols} matrix needs ${rows * cols} values, got ${values.length}`);
  }
  return { rows, cols, data: values };
}

/** A matrix from an array of equal-length rows. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows.length === 0 ? 0 : rows[0].length;
  const data = new Float32Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) {
      throw new Error(`ffnn: row ${i} has ${row.length} values where row 0 has ${cols}`);
    }
    data.set(row, i * cols);
  });
  return { rows: rows.length, cols, data };
}

/** One row per label with a 1 in the label's column: labels 0..classes−1. */
export function oneHot(labels: ArrayLike<number>, classes: number): Matrix {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`ffnn: oneHot needs a whole number of classes ≥ 1, got ${classes}`);
  }
  const out = matrix(labels.length, classes);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new Error(`ffnn: label ${label} at row ${i} is outside the classes 0..${classes - 1}`);
    }
    out.data[i * classes + label] = 1;
  }
  return out;
}

/** The column of each row's largest value (the first, on ties). */
export function argmaxRows(m: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let best = 0;
    for (let j = 1; j < m.cols; j++) if (m.data[i * m.cols + j] > m.data[i * m.cols + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Rows start..end (exclusive) as a matrix sharing the same storage (a byte matrix keeps its scale). */
export function sliceRows<M extends Inputs>(m: M, start: number, end: number): M {
  return { ...m, rows: end - start, data: m.data.subarray(start * m.cols, end * m.cols) };
}
