// Row-major float32 matrices: the shape of everything that goes into and comes out of a network.

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

/** A network's inputs: float32 values, or bytes with a scale. */
export type Inputs = Matrix | ByteMatrix;

export function isByteMatrix(m: Inputs): m is ByteMatrix {
  return m.data instanceof Uint8Array;
}

/** The inputs as float32 values (a byte matrix widened: byte × scale; a float matrix as it is). */
export function toFloats(m: Inputs): Matrix {
  if (!isByteMatrix(m)) return m;
  const data = new Float32Array(m.data.length);
  for (let i = 0; i < data.length; i++) data[i] = m.data[i] * m.scale;
  return { rows: m.rows, cols: m.cols, data };
}

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
