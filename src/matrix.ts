// Row-major float32 matrices: the shape of everything that goes into and comes out of a network.

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** rows × cols values, row after row. */
  readonly data: Float32Array;
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

/** Rows start..end (exclusive) as a matrix sharing the same storage. */
export function sliceRows(m: Matrix, start: number, end: number): Matrix {
  return { rows: end - start, cols: m.cols, data: m.data.subarray(start * m.cols, end * m.cols) };
}
