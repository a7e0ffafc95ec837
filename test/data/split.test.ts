// Seeded shuffles and splits: reproducible, nothing lost or repeated, each class in its share.

import { describe, expect, it } from 'vitest';
import { shuffleRows, splitRows } from '../../src/data/split.js';
import { matrix, oneHot, toFloats, toHalfFloats, type Inputs } from '../../src/matrix.js';

function sortedByClass(n: number, classes: number) {
  // as sklearn's wine_data.csv: rows grouped by class
  const labels = Int32Array.from({ length: n }, (_, i) => Math.floor((i * classes) / n));
  return { x: matrix(n, 1, Array.from({ length: n }, (_, i) => i)), y: oneHot(labels, classes), labels };
}

describe('splitRows and shuffleRows', () => {
  it('a stratified split keeps every class in both parts, in its share', () => {
    const data = sortedByClass(178, 3);
    const { train, test } = splitRows(data, { test: 0.2, seed: 7 });
    expect(train.x.rows + test.x.rows).toBe(178);
    const ids = [...train.x.data, ...test.x.data].sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 178 }, (_, i) => i)); // nothing lost, nothing twice
    for (let c = 0; c < 3; c++) {
      const inClass = data.labels.filter((l) => l === c).length;
      const held = test.labels!.filter((l) => l === c).length;
      expect(Math.abs(held - 0.2 * inClass)).toBeLessThanOrEqual(0.5);
    }
    // rows keep their labels and one-hot targets
    test.labels!.forEach((l, i) => {
      expect(Math.floor((test.x.data[i] * 3) / 178)).toBe(l);
      expect(test.y.data[i * 3 + l]).toBe(1);
    });
  });

  it('the same seed gives the same split; another seed another one; without classes a plain share', () => {
    const data = sortedByClass(100, 2);
    const a = splitRows(data, { seed: 1 }), b = splitRows(data, { seed: 1 }), c = splitRows(data, { seed: 2 });
    expect(Array.from(a.test.x.data)).toEqual(Array.from(b.test.x.data));
    expect(Array.from(a.test.x.data)).not.toEqual(Array.from(c.test.x.data));
    const regression = { x: data.x, y: matrix(100, 1, Array.from({ length: 100 }, (_, i) => i / 10)) };
    expect(splitRows(regression, { test: 0.25 }).test.x.rows).toBe(25);
    expect(() => splitRows(regression, { stratify: true })).toThrow(/stratify needs classes/);
    expect(() => splitRows(data, { test: 1 })).toThrow(/test must be a share in \(0, 1\), got 1/);
  });

  it('splits bytes as bytes and half floats as halves, each with its scale (and offset)', () => {
    const data = sortedByClass(60, 3);
    const half = { ...data, x: toHalfFloats(matrix(60, 2, Array.from({ length: 120 }, (_, i) => 2000 + (i >> 1) + (i & 1) / 4))) };
    const bytes = { ...data, x: { rows: 60, cols: 2, data: Uint8Array.from({ length: 120 }, (_, i) => i), scale: 0.5 } };
    for (const set of [half, bytes]) {
      const { train, test } = splitRows(set, { seed: 4 });
      expect(train.x.data.constructor).toBe(set.x.data.constructor);
      const values = (m: Inputs) => Array.from(toFloats(m).data);
      const all = values(set.x);
      // every row's values where its label says it came from
      [train, test].forEach((part) => part.labels!.forEach((l, i) => {
        const row = values(part.x).slice(2 * i, 2 * i + 2);
        const from = all.findIndex((v, k) => k % 2 === 0 && v === row[0] && all[k + 1] === row[1]) / 2;
        expect(Math.floor((from * 3) / 60)).toBe(l);
      }));
      expect(train.x.rows + test.x.rows).toBe(60);
    }
  });

  it('a shuffle is a seeded permutation of the rows', () => {
    const data = sortedByClass(50, 5);
    const s = shuffleRows(data, 3);
    expect([...s.x.data].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(s.x.data)).not.toEqual(Array.from(data.x.data));
    expect(Array.from(shuffleRows(data, 3).x.data)).toEqual(Array.from(s.x.data));
    s.labels!.forEach((l, i) => expect(Math.floor((s.x.data[i] * 5) / 50)).toBe(l));
  });
});
