// Data kept in a network's memory between calls: placed once, found by identity, read the same as a
// fresh copy, placed again when changed in place, freed by release(); bytes stay bytes, read from
// the host's own array as rows are gathered.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Network } from '../src/network.js';
import { fitScaling } from '../src/scaling.js';
import { matrix, sliceRows, toFloats, toHalfFloats, type ByteMatrix, type Matrix } from '../src/matrix.js';
import type { BackendName } from '../src/backends/backend.js';
import { mnist } from './helpers/mnist.js';

async function digits(rows: number) {
  const set = await mnist('train', { raw: true, limit: rows });
  return { x: set.x, y: set.y };
}

const copyOf = <M extends ByteMatrix | Matrix>(m: M): M => ({ ...m, data: m.data.slice() });

function net(backend: BackendName, scaling?: 'zscore' | 'divide', x?: ByteMatrix) {
  return Network.create({
    inputs: 784, layers: [{ units: 24, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy', backend, seed: 3,
    ...(scaling && x ? { scaling: fitScaling(x, scaling) } : {}),
  });
}

describe.each(['wasm', 'js'] as BackendName[])('data kept in the heap (%s)', (backend) => {
  it('is placed once: training again and evaluating the same arrays copy nothing more', async () => {
    const { x, y } = await digits(1500);
    const n = await net(backend, 'divide', x);
    await n.train(x, y, { epochs: 1, batchSize: 50, learningRate: 0.05 });
    const used = n.engine.live.heap.used;
    const mark = n.engine.live.heap.mark();
    await n.train(x, y, { epochs: 1, batchSize: 50, learningRate: 0.05 });
    n.evaluate(x, y);
    n.predict(x);
    expect(n.engine.live.heap.used).toBe(used);
    expect(n.engine.live.heap.mark()).toBe(mark);
    // a copy of the same values is another data set: placed beside the first
    await n.train(copyOf(x), y, { epochs: 1, batchSize: 50, learningRate: 0.05 });
    expect(n.engine.live.heap.used).toBeGreaterThan(used);
    n.dispose();
  });

  it('reads the same bits as a fresh copy streamed from the host, bytes and floats, with z-scores', async () => {
    const { x, y } = await digits(700);
    const floats = toFloats(x);
    for (const data of [x, floats] as const) {
      const n = await net(backend, 'zscore', x);
      await n.train(data, y, { epochs: 1, batchSize: 32, learningRate: 0.05 });
      // the kept copy (data) against an unseen copy of the same values, read chunk by chunk
      expect(n.evaluate(data, y)).toEqual(n.evaluate(copyOf(data), y));
      expect(Array.from(n.predict(sliceRows(data, 0, 300)).data)).toEqual(Array.from(n.predict(copyOf(sliceRows(data, 0, 300))).data));
      n.dispose();
    }
  });

  it('trains bytes to the same bits as their float32 values when the scaling is a division', async () => {
    const { x, y } = await digits(600);
    const runs = [];
    for (const data of [x, toFloats(x)]) {
      const n = await net(backend, 'divide', x);
      const history = await n.train(data, y, { epochs: 2, batchSize: 20, learningRate: 0.1, validationSplit: 0.2 });
      runs.push({ losses: history.epochs.map((e) => [e.loss, e.validation?.loss]), params: n.parameters() });
      n.dispose();
    }
    expect(runs[0]).toEqual(runs[1]);
  });

  it('reads a byte matrix where it is: training places its scaling vectors, not its rows', async () => {
    const { x, y } = await digits(1000);
    const n = await net(backend, 'zscore', x);
    await n.train(toFloats(x), y, { epochs: 1, batchSize: 50, learningRate: 0.05 });
    const withFloats = n.engine.live.heap.used;
    n.release();
    await n.train(x, y, { epochs: 1, batchSize: 50, learningRate: 0.05 });
    const withBytes = n.engine.live.heap.used;
    // the float copy took rows × cols × 4 bytes; the byte set two vectors of cols floats
    expect(withFloats - withBytes).toBeGreaterThanOrEqual(x.rows * x.cols * 4 - 2 * 4 * x.cols);
    n.dispose();
  });

  it("reads targets where they are, checked once: a regression's standardised the same bits as a fresh copy", async () => {
    const { x } = await digits(500);
    // two numbers to predict per image, narrow rows (value by value) and wide ones (one set() a row)
    for (const cols of [2, 50]) {
      const y: Matrix = { rows: x.rows, cols, data: Float32Array.from({ length: x.rows * cols }, (_, i) => 1000 + x.data[Math.floor(i / cols) * 784 + 300 + (i % cols)] / 7) };
      const n = await Network.create({
        inputs: 784, layers: [{ units: 16, activation: 'tanh' }, { units: cols, activation: 'linear' }], loss: 'mse', backend, seed: 4,
        scaling: fitScaling(x, 'divide'), targetScaling: fitScaling(y, 'zscore'),
      });
      const before = n.engine.live.heap.used;
      await n.train(x, y, { epochs: 1, batchSize: 25, learningRate: 0.01, validationSplit: 0.2 });
      // the rows stayed in y: what training kept is x's scaling vectors (784 multipliers and addends)
      expect(n.engine.live.heap.used - before).toBe(2 * 784 * 4);
      expect(n.evaluate(x, y)).toEqual(n.evaluate(copyOf(x), copyOf(y)));
      n.dispose();
    }
  });

  it('narrow byte rows (copied a byte at a time) and wide ones train to the same bits as their floats', async () => {
    // 5 and 47 columns take the byte loop, 48 and 131 one set() per row; odd widths, a last partial batch
    for (const cols of [5, 47, 48, 131]) {
      const rows = 203;
      const data = Uint8Array.from({ length: rows * cols }, (_, i) => (Math.imul(i + cols, 2654435761) >>> 24) % 200);
      // scale 1 and no input scaling: the float path reads the same values exactly
      const bytes: ByteMatrix = { rows, cols, data, scale: 1 };
      const labels = Array.from({ length: rows }, (_, r) => data[r * cols] % 3);
      const y: Matrix = { rows, cols: 3, data: Float32Array.from({ length: rows * 3 }, (_, i) => (labels[Math.floor(i / 3)] === i % 3 ? 1 : 0)) };
      const runs = [];
      for (const m of [bytes, toFloats(bytes)]) {
        const n = await Network.create({ inputs: cols, layers: [{ units: 7, activation: 'tanh' }, { units: 3 }], loss: 'cross-entropy', backend, seed: 5 });
        const history = await n.train(m, y, { epochs: 2, batchSize: 16, learningRate: 0.001, validationSplit: 0.25 });
        runs.push({ losses: history.epochs.map((e) => [e.loss, e.validation?.loss]), params: n.parameters(), eval: n.evaluate(m, y) });
        n.dispose();
      }
      expect(runs[0], `${cols} columns`).toEqual(runs[1]);
    }
  });

  it('sees an array changed in place, and forgets what release() frees', async () => {
    const { x, y } = await digits(800);
    const n = await net(backend, 'divide', x);
    const data = copyOf(x);
    await n.train(data, y, { epochs: 1, batchSize: 40, learningRate: 0.1 });
    const before = n.evaluate(data, y);
    // every pixel halved, in place: the kept copy no longer matches, and is placed afresh
    for (let i = 0; i < data.data.length; i++) data.data[i] >>= 1;
    const after = n.evaluate(data, y);
    expect(after).not.toEqual(before);
    expect(after).toEqual(n.evaluate(copyOf(data), y));

    // (evaluate reads a kept copy but places none: the changed one is gone, the targets stay, and
    // take no room: their rows are read from the host's array)
    const targetsOnly = n.engine.live.heap.used;
    await n.train(data, y, { epochs: 1, batchSize: 40, learningRate: 0.1 });
    const trained = n.evaluate(copyOf(data), y);
    expect(n.engine.live.heap.used).toBeGreaterThan(targetsOnly);
    n.release(data);
    expect(n.engine.live.heap.used).toBe(targetsOnly);
    // still usable: read from the host now
    expect(n.evaluate(data, y)).toEqual(trained);
    n.release();
    expect(n.engine.live.heap.used).toBe(targetsOnly);
    n.dispose();
  });

  it('moves the sets above a released one down, and they still read right', async () => {
    const { x, y } = await digits(900);
    const n = await net(backend, 'zscore', x);
    const parts = [sliceRows(x, 0, 300), sliceRows(x, 300, 600), sliceRows(x, 600, 900)].map(copyOf);
    const targets = [sliceRows(y, 0, 300), sliceRows(y, 300, 600), sliceRows(y, 600, 900)].map(copyOf);
    for (let i = 0; i < 3; i++) await n.train(parts[i], targets[i], { epochs: 1, batchSize: 30, learningRate: 0.05 });
    const expected = parts.map((p, i) => n.evaluate(copyOf(p), targets[i]));
    n.release(parts[0]);
    n.release(targets[1]);
    parts.forEach((p, i) => expect(n.evaluate(p, targets[i])).toEqual(expected[i]));
    await n.train(parts[2], targets[2], { epochs: 1, batchSize: 30, learningRate: 0.05 });
    expect(n.evaluate(parts[2], targets[2]).loss).toBeLessThan(expected[2].loss);
    n.dispose();
  });

  it('reads the same array under another scale (bytes) or other scales and offsets (halves) as another data set', async () => {
    const { x, y } = await digits(300);
    const n = await net(backend, 'divide', x);
    const half = toHalfFloats(toFloats(x));
    for (const [m, other] of [
      [x, { ...x, scale: x.scale * 2 }],
      [half, { ...half, scale: half.scale.map((v) => v * 2), offset: half.offset.map((v) => v + 0.5) }],
    ] as const) {
      await n.train(m, y, { epochs: 1, batchSize: 30, learningRate: 0.05 });
      // kept under the first scaling; the second, on the same array, must read as its own values
      const fresh = n.evaluate({ ...other, data: other.data.slice() } as typeof other, y);
      expect(n.evaluate(other, y)).toEqual(fresh);
      expect(n.evaluate(other, y).loss).not.toBe(n.evaluate(m, y).loss);
    }
    n.dispose();
  });

  it('places half floats once, as halves, moves them down with the others, and reads them as a fresh copy', async () => {
    const { x, y } = await digits(900);
    const n = await net(backend, 'zscore', x);
    const floats = [sliceRows(toFloats(x), 0, 300), sliceRows(toFloats(x), 300, 600), sliceRows(toFloats(x), 600, 900)];
    const parts = floats.map((f) => toHalfFloats(copyOf(f)));
    const targets = [sliceRows(y, 0, 300), sliceRows(y, 300, 600), sliceRows(y, 600, 900)].map(copyOf);
    for (let i = 0; i < 3; i++) await n.train(parts[i], targets[i], { epochs: 1, batchSize: 30, learningRate: 0.05 });
    // evaluated from a fresh copy (streamed from the host, never kept): the same as from the kept halves
    const expected = parts.map((p, i) => n.evaluate({ ...p, data: p.data.slice() }, targets[i]));
    parts.forEach((p, i) => expect(n.evaluate(p, targets[i])).toEqual(expected[i]));
    n.release(parts[0]);
    n.release(targets[1]);
    parts.forEach((p, i) => expect(n.evaluate(p, targets[i])).toEqual(expected[i]));
    n.dispose();
  });
});

it('a byte matrix with a bad scale is refused with its name', async () => {
  const n = await Network.create({ inputs: 2, layers: [{ units: 1 }], backend: 'js' });
  const bad = { rows: 1, cols: 2, data: new Uint8Array(2), scale: NaN };
  expect(() => n.predict(bad)).toThrow(/predict: x holds bytes \(Uint8Array\) but its scale is NaN/);
});

it('min-max of bytes, four columns to a word where rows are whole words: the same as byte by byte', () => {
  const random = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (Math.imul(i + seed, 2654435761) >>> 24) % (i % 3 ? 256 : 7));
  for (const [rows, cols, offset] of [[1, 4, 0], [37, 8, 0], [300, 784, 0], [50, 12, 1], [50, 5, 0], [64, 16, 4]]) {
    const data = random(rows * cols + offset, cols).subarray(offset);
    const a = fitScaling({ rows, cols, data, scale: 1 }, 'minmax');
    for (let j = 0; j < cols; j++) {
      let lo = 255, hi = 0;
      for (let r = 0; r < rows; r++) { lo = Math.min(lo, data[r * cols + j]); hi = Math.max(hi, data[r * cols + j]); }
      expect([a.shift[j], a.scale[j]], `${rows}×${cols}+${offset} column ${j}`).toEqual([lo, hi > lo ? Math.fround(1 / (hi - lo)) : 1]);
    }
  }
});

it('fitScaling reads a byte matrix as its float32 values (z-scores and min-max, any scale)', async () => {
  const { x } = await digits(2000);
  for (const scale of [1, 1 / 255, -0.5]) {
    const bytes = { ...x, scale };
    const floats = toFloats(bytes);
    for (const method of ['zscore', 'minmax'] as const) {
      const a = fitScaling(bytes, method), b = fitScaling(floats, method);
      for (let j = 0; j < x.cols; j++) {
        expect(a.shift[j]).toBeCloseTo(b.shift[j], 5);
        expect(Math.abs(a.scale[j] - b.scale[j])).toBeLessThanOrEqual(1e-5 * Math.abs(b.scale[j]));
      }
    }
  }
});

describe('rows gathered from the host', () => {
  // Rows that follow each other in the source are copied as one run: any order of row numbers,
  // runs, repeats and descents included, must give the rows themselves, for byte inputs (wide rows,
  // copied as views) and float targets (narrow rows, copied value by value).
  it('give every row in the order asked, whatever runs the order has', async () => {
    const rows = 40, cols = 53, outputs = 3;
    const bytes = Uint8Array.from({ length: rows * cols }, (_, i) => (i * 31 + 7) & 255);
    const x: ByteMatrix = { rows, cols, data: bytes, scale: 1 };
    const y = matrix(rows, outputs, Float32Array.from({ length: rows * outputs }, (_, i) => i / 7));
    const n = await Network.create({ inputs: cols, layers: [{ units: 4 }, { units: outputs }], seed: 1 });
    const e = n.engine;
    const xs = e.placeInputs(x, [], 'x'), ys = e.placeTargets(y, [xs], 'y');
    const ws = e.openWorkspace(64);
    fc.assert(fc.property(
      fc.array(fc.oneof(
        fc.integer({ min: 0, max: rows - 1 }).map((i) => [i]),
        fc.tuple(fc.integer({ min: 0, max: rows - 1 }), fc.integer({ min: 1, max: 12 }))
          .map(([i, k]) => Array.from({ length: Math.min(k, rows - i) }, (_, j) => i + j)),
      ), { minLength: 1, maxLength: 8 }).map((parts) => parts.flat().slice(0, 64)),
      (order) => {
        const heap = e.live.heap;
        heap.ints().set(order, ws.index >> 2);
        e.gatherInto(ws, xs, order.length, ws.index, ws.x);
        e.gatherInto(ws, ys, order.length, ws.index, ws.y);
        const gotBytes = heap.bytes().slice(ws.xBytes, ws.xBytes + order.length * cols);
        const gotTargets = heap.floats().slice(ws.y >> 2, (ws.y >> 2) + order.length * outputs);
        order.forEach((row, r) => {
          expect(gotBytes.subarray(r * cols, (r + 1) * cols)).toEqual(bytes.subarray(row * cols, (row + 1) * cols));
          expect(gotTargets.subarray(r * outputs, (r + 1) * outputs)).toEqual(y.data.subarray(row * outputs, (row + 1) * outputs));
        });
      }), { numRuns: 200 });
    n.dispose();
  });
});
