// Seeded shuffles and train/test splits of a data set, stratified by class when there are labels, so
// that a file sorted by class still gives a test set with every class in its share.

import type { Inputs, Matrix } from '../matrix.js';
import { Random } from '../random.js';

/** What a split or shuffle carries along: x and y, and a Dataset's labels, names and schema as they are. */
export interface Rows {
  readonly x: Inputs;
  readonly y: Matrix;
  readonly labels?: Int32Array;
}

/** splitRows' options: the test share, the seed, and whether to stratify by class. */
export interface SplitOptions {
  /** Share of the rows in the test set (default 0.2), in (0, 1). */
  readonly test?: number;
  /** Seed of the shuffle (default 1). */
  readonly seed?: number;
  /** Keep each class's share in both sets (default: true when the data has classes). */
  readonly stratify?: boolean;
}

/** The same rows in a seeded random order. */
export function shuffleRows<T extends Rows>(data: T, seed = 1): T {
  const order = Int32Array.from({ length: data.x.rows }, (_, i) => i);
  new Random(seed).shuffle(order, 0, order.length);
  return takeRows(data, order);
}

/**
 * A seeded random split into train and test rows. With classes (a Dataset's labels, or one-hot y),
 * each class is split on its own, so both sets keep the class shares (every class with at least two
 * rows has one in each set).
 */
export function splitRows<T extends Rows>(data: T, options: SplitOptions = {}): { train: T; test: T } {
  const share = options.test ?? 0.2;
  if (!(share > 0 && share < 1)) throw new Error(`ffnn: split: test must be a share in (0, 1), got ${share}`);
  const n = data.x.rows;
  const classes = options.stratify === false ? null : classesOf(data);
  if (options.stratify === true && !classes) throw new Error('ffnn: split: stratify needs classes (labels, or one-hot targets)');
  const { held, kept } = heldOut(n, share, classes, new Random(options.seed ?? 1));
  if (held.length === 0 || kept.length === 0) throw new Error(`ffnn: split: a test share of ${share} of ${n} rows leaves ${held.length === 0 ? 'no test rows' : 'nothing to train on'}`);
  return { train: takeRows(data, kept), test: takeRows(data, held) };
}

/**
 * Rows held out (a `share` of them, per class when classes are given) and the rest, each in the
 * generator's random order.
 */
export function heldOut(n: number, share: number, classes: Int32Array | null, rng: Random): { held: Int32Array; kept: Int32Array } {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order, 0, n);
  if (!classes) {
    const count = Math.min(n - 1, Math.max(1, Math.round(n * share)));
    return { held: order.slice(0, count), kept: order.slice(count) };
  }
  const groups = new Map<number, number[]>();
  for (const r of order) {
    const group = groups.get(classes[r]);
    if (group) group.push(r);
    else groups.set(classes[r], [r]);
  }
  const held: number[] = [];
  const kept: number[] = [];
  for (const rows of groups.values()) {
    const count = rows.length < 2 ? 0 : Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * share)));
    held.push(...rows.slice(0, count));
    kept.push(...rows.slice(count));
  }
  // back in the shuffled order, so neither set is grouped by class
  const rank = new Int32Array(n);
  order.forEach((r, i) => (rank[r] = i));
  const byRank = (a: number, b: number) => rank[a] - rank[b];
  return { held: Int32Array.from(held.sort(byRank)), kept: Int32Array.from(kept.sort(byRank)) };
}

/** Each row's class: a Dataset's labels, or the argmax of a one-hot y; null for other targets. */
export function classesOf(data: Rows): Int32Array | null {
  if (data.labels) return data.labels;
  const { rows, cols, data: y } = data.y;
  if (cols < 2) return null;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let ones = 0;
    for (let j = 0; j < cols; j++) {
      const v = y[i * cols + j];
      if (v === 1) {
        ones++;
        out[i] = j;
      } else if (v !== 0) return null;
    }
    if (ones !== 1) return null;
  }
  return out;
}

/** The given rows of x, y and labels, in that order; everything else of the data set is kept as it is. */
export function takeRows<T extends Rows>(data: T, rows: Int32Array): T {
  // a byte matrix stays bytes, with its scale; half floats stay halves, with their scales and offsets
  const pick = <M extends Inputs>(m: M): M => {
    const n = rows.length * m.cols;
    const out = m.data instanceof Uint8Array ? new Uint8Array(n) : m.data instanceof Uint16Array ? new Uint16Array(n) : new Float32Array(n);
    rows.forEach((r, i) => out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
    return { ...m, rows: rows.length, data: out };
  };
  return {
    ...data,
    x: pick(data.x),
    y: pick(data.y),
    ...(data.labels ? { labels: Int32Array.from(rows, (r) => data.labels![r]) } : {}),
  };
}
