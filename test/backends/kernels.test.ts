// Every WASM kernel, SIMD and scalar build, equals its JS twin to 1e-5 relative on awkward shapes.

import { setFlagsFromString } from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendName, Kernels } from '../../src/backends/backend.js';
import { Random } from '../../src/random.js';
import { halfValue } from '../../src/half.js';
import { backendsByName, firstMismatch, randomArray } from '../helpers/backends.js';

// Node 20 keeps relaxed SIMD behind a flag; switched on here (before any module is compiled in this
// test process) so the relaxed build is held to the JS reference like the others.
setFlagsFromString('--experimental-wasm-relaxed-simd');
const WASM_BACKENDS: BackendName[] = ['wasm', 'wasm-relaxed', 'wasm-scalar'];

const SIZES = [1, 3, 5, 17, 33, 100, 785];
const TOL = 1e-5;

let backends: Record<BackendName, Backend>;
beforeAll(async () => {
  backends = (await backendsByName()) as Record<BackendName, Backend>;
  // the flag above must have taken: otherwise the relaxed build would go untested
  expect(backends['wasm-relaxed']?.build).toBe('relaxed');
});

/**
 * Runs the same kernel call on the JS reference and on one WASM backend over identical inputs, and
 * returns both outputs (and both return values). Regions are allocated afresh and released after.
 */
function race(
  name: BackendName,
  inputs: Float32Array[],
  outputSizes: number[],
  call: (k: Kernels, inputs: number[], outputs: number[], scratch: number) => number | void,
  intInput?: Int32Array,
) {
  const results = (['js', name] as BackendName[]).map((which) => {
    const b = backends[which];
    const mark = b.heap.mark();
    const ins = inputs.map((arr) => {
      const at = b.heap.alloc(arr.length);
      b.heap.write(at, arr);
      return at;
    });
    if (intInput) {
      const at = b.heap.alloc(intInput.length);
      b.heap.ints().set(intInput, at >> 2);
      ins.push(at);
    }
    // outputs start as a copy of recognisable junk, so "accumulate" vs "overwrite" bugs show
    const outs = outputSizes.map((n) => {
      const at = b.heap.alloc(n);
      b.heap.write(at, new Float32Array(n).map((_, i) => (i % 7) - 3));
      return at;
    });
    const scratch = b.heap.alloc(Math.max(1, b.gemmScratchBytes / 4));
    const value = call(b.kernels, ins, outs, scratch);
    const data = outs.map((at, i) => b.heap.read(at, outputSizes[i]));
    b.heap.release(mark);
    return { value, data };
  });
  return { js: results[0], wasm: results[1] };
}

function expectSame(r: ReturnType<typeof race>, tol = TOL) {
  r.js.data.forEach((ref, i) => expect(firstMismatch(r.wasm.data[i], ref, tol)).toBeNull());
  if (typeof r.js.value === 'number') {
    expect(Math.abs((r.wasm.value as number) - r.js.value)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(r.js.value)));
  }
}

describe.each(WASM_BACKENDS)('%s kernels equal the JS reference', (name) => {
  const rng = new Random(42);

  describe('gemm', () => {
    const shapes: [number, number, number][] = [];
    for (const m of [1, 3, 5, 17, 33]) for (const n of [1, 5, 8, 17, 33]) for (const k of [1, 3, 33, 100]) shapes.push([m, n, k]);
    shapes.push([10, 30, 785], [100, 33, 785], [5, 785, 17], [785, 3, 10], [17, 100, 300], [130, 17, 300]);
    // dense groups packed whole: A·B and A·Bᵀ from n = 128 on (a partial last panel, a pair of leftover rows)
    shapes.push([34, 130, 100], [18, 257, 300]);
    // with A compressed (k ≥ 64) and more than 64 rows, B packed 512 columns at a time: two or three
    // column blocks, the last with a partial panel, k-blocks whose length is not a multiple of four;
    // and with fewer rows, panel by panel (read in place up to 16 rows)
    shapes.push([66, 530, 70], [70, 1030, 67], [6, 515, 65], [20, 530, 70]);

    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      it(`${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} on ${shapes.length} shapes, overwrite and accumulate`, () => {
        for (const [m, n, k] of shapes) {
          const a = randomArray(rng, m * k), b = randomArray(rng, k * n);
          for (const [alpha, beta] of [[1, 0], [0.7, 0.3]]) {
            const r = race(name, [a, b], [m * n], (kk, [pa, pb], [pc], s) =>
              kk.gemm(transA, transB, m, n, k, alpha, pa, pb, beta, pc, s));
            // float32 sums of k products differ with their order by ~√k·ε·|terms|, so the error is
            // measured against the largest entry of C (a norm-wise relative error)
            const scale = r.js.data[0].reduce((mx, v) => Math.max(mx, Math.abs(v)), 1);
            const bad = firstMismatch(r.wasm.data[0], r.js.data[0], TOL * scale);
            expect(bad, `${m}×${n}×${k} α=${alpha} β=${beta}: ${bad}`).toBeNull();
          }
        }
      });

      it(`${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} is exact on dyadic values, where summation order cannot matter`, () => {
        // multiples of 1/8 in [−1, 1]: every product and partial sum is exact in float32
        const dyadic = (n: number) => randomArray(rng, n).map((v) => Math.round(v * 8) / 8);
        for (const [m, n, k] of shapes) {
          const a = dyadic(m * k), b = dyadic(k * n);
          const r = race(name, [a, b], [m * n], (kk, [pa, pb], [pc], s) =>
            kk.gemm(transA, transB, m, n, k, 1, pa, pb, 0, pc, s));
          const bad = firstMismatch(r.wasm.data[0], r.js.data[0], 0);
          expect(bad, `${m}×${n}×${k}: ${bad}`).toBeNull();
        }
      });
    }

    // A team of threads computes a weight gradient's rows in blocks, op(A) being a block of columns
    // of the stored A (lda = its full width); every row of C must come out as the whole GEMM makes
    // it, bit for bit, however the rows are cut (the threaded step equals the one-thread step).
    for (const transA of [true, false]) {
      it(`${transA ? 'T' : 'N'}N row blocks of op(A) through lda give the whole GEMM's rows, bit for bit, and equal the JS reference`, () => {
        const cases: [number, number, number, number[]][] = [[785, 33, 100, [64, 17, 16, 5, 3, 1]], [100, 17, 33, [8, 33, 3]], [130, 5, 300, [64, 4, 65]], [17, 100, 10, [5, 3]], [40, 20, 600, [16, 8, 3]]];
        for (const [m, n, k, blocks] of cases) {
          const a = randomArray(rng, m * k), bm = randomArray(rng, k * n);
          for (const [alpha, beta] of [[1, 0], [-0.3, 1]]) {
            const whole = race(name, [a, bm], [m * n], (kk, [pa, pb], [pc], s) =>
              kk.gemm(transA, false, m, n, k, alpha, pa, pb, beta, pc, s));
            for (const rowsPerBlock of blocks) {
              const split = race(name, [a, bm], [m * n], (kk, [pa, pb], [pc], s) => {
                for (let i0 = 0; i0 < m; i0 += rowsPerBlock) {
                  const rows = Math.min(rowsPerBlock, m - i0);
                  kk.gemm(transA, false, rows, n, k, alpha, pa + (transA ? i0 : i0 * k) * 4, pb, beta, pc + i0 * n * 4, s, transA ? m : k);
                }
              });
              const where = `${m}×${n}×${k} in blocks of ${rowsPerBlock}, α=${alpha} β=${beta}`;
              expect(firstMismatch(split.wasm.data[0], whole.wasm.data[0], 0), where).toBeNull();
              const scale = whole.js.data[0].reduce((mx, v) => Math.max(mx, Math.abs(v)), 1);
              expect(firstMismatch(split.js.data[0], whole.js.data[0], TOL * scale), `js: ${where}`).toBeNull();
            }
          }
        }
      });
    }

    // The SIMD builds skip A's zeros (each group of four rows of op(A) is compressed to the k where
    // one of them is nonzero), which must give exactly the dense sums: the whole GEMM equals, bit for
    // bit, the same rows computed one at a time (one row skips nothing), and the JS reference.
    it('zeros in A (skipped by the SIMD builds) give the dense sums bit for bit, in every form', () => {
      // k ≥ 64 compresses A; below, Aᵀ·B skips groups of four rows that are zero over all of k
      const shapes: [number, number, number][] = [[4, 8, 64], [10, 30, 785], [17, 33, 300], [33, 5, 257], [70, 17, 100], [130, 40, 64], [34, 130, 100], [70, 530, 70], [70, 17, 10], [785, 30, 10], [33, 8, 3]];
      for (const [m, n, k] of shapes) {
        for (const pattern of ['scattered', 'image-like'] as const) {
          for (const [transA, transB] of [[false, false], [false, true], [true, false]]) {
            // op(A)(i, p): scattered zeros (80 %, some of them −0), or an image's kind: a band of k
            // and a group of rows all zero, half the rest zero
            const value = (i: number, p: number): number => {
              const u = rng.uniform();
              if (pattern === 'scattered') return u < 0.4 ? 0 : u < 0.8 ? -0 : rng.uniform() - 0.5;
              if (p < k / 3 || (i >= 4 && i < 8) || u < 0.5) return 0;
              return rng.uniform();
            };
            const a = new Float32Array(m * k);
            for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[transA ? p * m + i : i * k + p] = value(i, p);
            const bm = randomArray(rng, k * n);
            for (const [alpha, beta] of [[1, 0], [-0.3, 1], [0.5, 1]]) {
              const whole = race(name, [a, bm], [m * n], (kk, [pa, pb], [pc], s) =>
                kk.gemm(transA, transB, m, n, k, alpha, pa, pb, beta, pc, s));
              const byRow = race(name, [a, bm], [m * n], (kk, [pa, pb], [pc], s) => {
                for (let i = 0; i < m; i++) kk.gemm(transA, transB, 1, n, k, alpha, pa + (transA ? i : i * k) * 4, pb, beta, pc + i * n * 4, s, transA ? m : k);
              });
              const where = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${m}×${n}×${k}, ${pattern} zeros, α=${alpha} β=${beta}`;
              const [got, rowwise] = [new Uint32Array(whole.wasm.data[0].buffer), new Uint32Array(byRow.wasm.data[0].buffer)];
              const differ = got.findIndex((bits, i) => bits !== rowwise[i]);
              expect(differ, `${where}: element ${differ}`).toBe(-1);
              const scale = whole.js.data[0].reduce((mx, v) => Math.max(mx, Math.abs(v)), 1);
              expect(firstMismatch(whole.wasm.data[0], whole.js.data[0], TOL * scale), where).toBeNull();
            }
          }
        }
      }
    });

    it('never reads C when β = 0, so stale NaN cannot leak in', () => {
      const b = backends[name];
      const [m, n, k] = [5, 9, 7];
      const pa = b.heap.alloc(m * k), pb = b.heap.alloc(k * n), pc = b.heap.alloc(m * n);
      const s = b.heap.alloc(b.gemmScratchBytes / 4);
      b.heap.write(pa, randomArray(rng, m * k));
      b.heap.write(pb, randomArray(rng, k * n));
      b.heap.write(pc, new Float32Array(m * n).fill(NaN));
      b.kernels.gemm(false, false, m, n, k, 1, pa, pb, 0, pc, s);
      expect(b.heap.read(pc, m * n).every(Number.isFinite)).toBe(true);
    });
  });

  // A team of threads runs a layer's rows in parts that start anywhere, so a value's bits must not
  // depend on where it falls: in the four-lane body or the one-to-three-value tail.
  it('element-wise kernels give each value the same bits wherever a call starts and ends', () => {
    const b = backends[name];
    const n = 37;
    const x = randomArray(rng, n, -9, 9), y = randomArray(rng, n, 0.01, 0.99), dy = randomArray(rng, n);
    const calls: [string, (k: Kernels, count: number, at: (p: number) => number, out: number) => void][] = [
      ['sigmoid', (k, c, at, out) => k.sigmoid(c, at(0), out)],
      ['tanh', (k, c, at, out) => k.tanh(c, at(0), out)],
      ['leakyRelu', (k, c, at, out) => k.leakyRelu(c, 0.01, at(0), out)],
      ['sigmoidBackward', (k, c, at, out) => k.sigmoidBackward(c, at(1), at(2), out)],
      ['tanhBackward', (k, c, at, out) => k.tanhBackward(c, at(1), at(2), out)],
      ['leakyReluBackward', (k, c, at, out) => k.leakyReluBackward(c, 0.01, at(1), at(2), out)],
      ['multiply', (k, c, at, out) => k.multiply(c, at(0), at(2), out)],
    ];
    for (const [kernel, call] of calls) {
      const mark = b.heap.mark();
      const ins = [x, y, dy].map((arr) => {
        const p = b.heap.alloc(n);
        b.heap.write(p, arr);
        return p;
      });
      const whole = b.heap.alloc(n), parts = b.heap.alloc(n);
      call(b.kernels, n, (i) => ins[i], whole);
      const cuts = [0, 5, 6, 13, 30, 37];
      for (let c = 0; c + 1 < cuts.length; c++) {
        const first = cuts[c], count = cuts[c + 1] - first;
        call(b.kernels, count, (i) => ins[i] + first * 4, parts + first * 4);
      }
      expect(firstMismatch(b.heap.read(parts, n), b.heap.read(whole, n), 0), kernel).toBeNull();
      b.heap.release(mark);
    }
  });

  for (const size of SIZES) {
    it(`element-wise kernels on ${size} values`, () => {
      const x = randomArray(rng, size, -6, 6), dy = randomArray(rng, size);
      const unary: (keyof Kernels)[] = ['sigmoid', 'tanh', 'relu'];
      for (const kernel of unary) {
        expectSame(race(name, [x], [size], (k, [px], [py]) => (k[kernel] as (n: number, a: number, b: number) => void)(size, px, py)));
      }
      expectSame(race(name, [x], [size], (k, [px], [py]) => k.leakyRelu(size, 0.1, px, py)));
      // backward passes take the activation's output
      const yS = x.map((v) => 1 / (1 + Math.exp(-v))), yT = x.map(Math.tanh);
      expectSame(race(name, [yS, dy], [size], (k, [py, pd], [pdx]) => k.sigmoidBackward(size, py, pd, pdx)));
      expectSame(race(name, [yT, dy], [size], (k, [py, pd], [pdx]) => k.tanhBackward(size, py, pd, pdx)));
      expectSame(race(name, [x, dy], [size], (k, [py, pd], [pdx]) => k.reluBackward(size, py, pd, pdx)));
      expectSame(race(name, [x, dy], [size], (k, [py, pd], [pdx]) => k.leakyReluBackward(size, 0.1, py, pd, pdx)));
      // w starts as the same junk pattern on both backends and is updated in place
      expectSame(race(name, [dy], [size], (k, [pg], [pw]) => k.sgdUpdate(size, 0.3, pg, pw)));
      expect(race(name, [x], [], (k, [px]) => k.firstNonFinite(size, px)).wasm.value).toBe(-1);
      expectSame(race(name, [x, dy], [size], (k, [pa, pb], [py]) => k.multiply(size, pa, pb, py)));
      expectSame(race(name, [x], [size], (k, [px], [py]) => k.axpy(size, -0.3, px, py)));
      expectSame(race(name, [], [size], (k, _i, [px]) => k.scale(size, 0.7, px)));
      expectSame(race(name, [x], [], (k, [px]) => k.sumOfSquares(size, px)));
      // the dropout mask is bit-identical: a pure function of (seed, index) in both languages
      const drop = race(name, [x], [size, size], (k, [px], [pm, py]) => k.dropoutForward(size, 0.3, 0xdeadbeef, px, pm, py));
      expect(Array.from(drop.wasm.data[0])).toEqual(Array.from(drop.js.data[0]));
      expectSame(drop);
    });
  }

  for (const [m, n] of [[1, 1], [3, 5], [17, 10], [33, 17], [5, 785], [100, 3]]) {
    it(`row kernels on ${m}×${n}`, () => {
      const x = randomArray(rng, m * n, -5, 5), dy = randomArray(rng, m * n), bias = randomArray(rng, n);
      const y = randomArray(rng, m * n, 0, 1);
      expectSame(race(name, [bias, x], [m * n], (k, [pb, px], [pc]) => {
        k.gemm(false, false, m, n, 1, 0, px, px, 0, pc, 0); // zero C (α = 0 never touches A, B)
        k.addBias(m, n, pb, pc);
        k.addBias(m, n, pb, pc);
      }));
      expectSame(race(name, [x], [n], (k, [px], [po]) => k.colSums(m, n, px, po)));
      expectSame(race(name, [x], [m * n], (k, [px], [py]) => k.softmax(m, n, px, py)));
      expectSame(race(name, [y, dy], [m * n], (k, [py, pd], [pdx]) => k.softmaxBackward(m, n, py, pd, pdx)));
      expectSame(race(name, [x, y], [], (k, [pa, pb]) => k.sumSquaresLoss(m, n, pa, pb)));
      expectSame(race(name, [x, y], [m * n], (k, [pa, pb], [pg]) => k.sumSquaresGrad(m, n, pa, pb, 0.25, pg)));
      expectSame(race(name, [x, y], [m * n], (k, [pz, py], [pp]) => k.softmaxCrossEntropy(m, n, pz, py, pp)));
      expectSame(race(name, [y, dy], [m * n], (k, [pp, py], [pg]) => k.softmaxCrossEntropyGrad(m, n, pp, py, 0.5, pg)));
      expectSame(race(name, [x, y], [m * n], (k, [pz, py], [pp]) => k.sigmoidCrossEntropy(m, n, pz, py, pp)));
      expectSame(race(name, [x, y], [], (k, [pa, pb]) => k.countCorrect(m, n, pa, pb)));
      expectSame(race(name, [bias, randomArray(rng, n, 0.1, 3)], [m * n], (k, [ps, pk], [px]) => k.scaleColumns(m, n, ps, pk, px)));
      expectSame(race(name, [x, bias], [6 * n], (k, [px, ps], [po]) => k.columnMoments(m, n, px, ps, po)));
    });
  }

  // What the host makes of columnMoments' output: the mean and variance about the shift, in float64.
  const momentsOf = (out: Float32Array, n: number, m: number, shift: ArrayLike<number>) => Array.from({ length: n }, (_, j) => {
    const d = (out[2 * n + j] + out[3 * n + j]) / m;
    return { lo: out[j], hi: out[n + j], mean: shift[j] + d, variance: (out[4 * n + j] + out[5 * n + j]) / m - d * d };
  });

  it('columnMoments: least, greatest and float64 sums per column, exact on one-hot targets, steady far from zero', () => {
    // one-hot rows: every column's mean is its class share, its variance p(1 − p)
    const m = 60_001, n = 10;
    const y = new Float32Array(m * n);
    for (let i = 0; i < m; i++) y[i * n + ((i * 7) % n)] = 1;
    const first = y.slice(0, n);
    const r = race(name, [y, first], [6 * n], (k, [py, ps], [po]) => k.columnMoments(m, n, py, ps, po));
    expectSame(r);
    momentsOf(r.wasm.data[0], n, m, first).forEach((c, j) => {
      let count = 0;
      for (let i = 0; i < m; i++) if ((i * 7) % n === j) count++;
      const p = count / m;
      expect([c.lo, c.hi]).toEqual([0, 1]);
      expect(c.mean).toBeCloseTo(p, 12);
      expect(c.variance).toBeCloseTo(p * (1 - p), 12);
    });
    // prices around 10⁶ with a spread of about 1, and a column whose first value is 10⁴ spreads off
    // the rest: the variance does not cancel away
    const rows = 1001;
    const cols = Float32Array.from({ length: 2 * rows }, (_, i) => (i % 2 === 0 ? 1_000_000 + ((i >> 1) % 4) - 1.5 : i === 1 ? 10_000 : ((i >> 1) % 5) - 2));
    const shift = cols.slice(0, 2);
    const got = momentsOf(race(name, [cols, shift], [12], (k, [pc, ps], [po]) => k.columnMoments(rows, 2, pc, ps, po)).wasm.data[0], 2, rows, shift);
    [0, 1].forEach((j) => {
      const v = Array.from({ length: rows }, (_, i) => cols[2 * i + j]);
      const mean = v.reduce((a, b) => a + b, 0) / rows;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / rows;
      expect([got[j].lo, got[j].hi]).toEqual([Math.min(...v), Math.max(...v)]);
      expect(got[j].mean).toBeCloseTo(mean, 9);
      expect(Math.abs(got[j].variance - variance) / variance).toBeLessThan(1e-9);
    });
  });

  it('dropout drops about the asked share of units, and a different seed drops others', () => {
    const n = 20_000;
    const ones = new Float32Array(n).fill(1);
    const a = race(name, [ones], [n, n], (k, [px], [pm, py]) => k.dropoutForward(n, 0.25, 7, px, pm, py)).wasm.data[0];
    const b = race(name, [ones], [n, n], (k, [px], [pm, py]) => k.dropoutForward(n, 0.25, 8, px, pm, py)).wasm.data[0];
    const dropped = a.filter((v) => v === 0).length / n;
    expect(dropped).toBeGreaterThan(0.23);
    expect(dropped).toBeLessThan(0.27);
    expect(a.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('optimizer kernels equal their JS twins over several steps', () => {
    const n = 785;
    const g = () => randomArray(rng, n);
    // w, v (or m, v) start as the race's junk pattern on both sides and evolve in place over 5 steps
    for (const nesterov of [0, 1]) {
      const grads = Array.from({ length: 5 }, g);
      expectSame(race(name, grads, [n, n], (k, gs, [pv, pw]) => {
        for (const pg of gs) k.momentumUpdate(n, 0.05, 0.9, nesterov, pg, pv, pw);
      }));
    }
    const grads = Array.from({ length: 5 }, g);
    expectSame(race(name, grads, [n, n, n], (k, gs, [pm, pv, pw]) => {
      k.scale(n, 0, pm);
      k.scale(n, 0, pv);
      gs.forEach((pg, t) => k.adamUpdate(n, 0.01, 0.9, 0.999, 1e-8, 1 - 0.9 ** (t + 1), 1 - 0.999 ** (t + 1), 0.01, pg, pm, pv, pw));
    }));
  });

  it('gatherRows copies the indexed rows, in order, repeats allowed', () => {
    const rows = 33, cols = 17;
    const src = randomArray(rng, rows * cols);
    const idx = Int32Array.from([32, 0, 5, 5, 17, 1, 31]);
    const r = race(name, [src], [idx.length * cols], (k, [ps, pi], [pd]) => k.gatherRows(idx.length, cols, ps, pi, pd), idx);
    expectSame(r);
    // and it is the right rows, not merely the same wrong ones
    idx.forEach((from, i) => expect(Array.from(r.wasm.data[0].subarray(i * cols, (i + 1) * cols)))
      .toEqual(Array.from(src.subarray(from * cols, (from + 1) * cols))));
  });

  /**
   * gatherBytes or gatherHalves of rows idx of src (bytes or halves) on one backend, into a block with
   * one row of junk beyond the batch: a kernel writing past its rows would change it.
   */
  function widen(b: Backend, kernel: 'gatherBytes' | 'gatherHalves', src: Uint8Array | Uint16Array, cols: number,
    mul: Float32Array, add: Float32Array, idx: Int32Array): Float32Array {
    const mark = b.heap.mark();
    const s = b.heap.allocBytes(src.byteLength);
    if (src instanceof Uint16Array) b.heap.halves().set(src, s >> 1);
    else b.heap.bytes().set(src, s);
    const pm = b.heap.alloc(cols), pa = b.heap.alloc(cols), pi = b.heap.alloc(idx.length);
    b.heap.write(pm, mul);
    b.heap.write(pa, add);
    b.heap.ints().set(idx, pi >> 2);
    const pd = b.heap.alloc((idx.length + 1) * cols);
    b.heap.write(pd, new Float32Array((idx.length + 1) * cols).fill(-7));
    b.kernels[kernel](idx.length, cols, s, pi, pm, pa, pd);
    const out = b.heap.read(pd, (idx.length + 1) * cols);
    b.heap.release(mark);
    return out;
  }

  // widths around the 16-byte SIMD block (and MNIST's 784 = 49·16, a row of 785 bytes leaving every
  // next row unaligned); the index list ends in a part batch, as an epoch's last batch does
  it.each([1, 3, 15, 16, 17, 31, 33, 784, 785])('gatherBytes widens and scales byte rows of width %i like the reference', (cols) => {
    const rows = 41;
    const src = Uint8Array.from({ length: rows * cols }, () => rng.int(256));
    src[0] = 255;
    src[1 % src.length] = 0;
    const mul = randomArray(rng, cols, -0.02, 0.02), add = randomArray(rng, cols, -3, 3);
    const batch = 10;
    const order = Int32Array.from({ length: rows }, (_, i) => (i * 17 + 5) % rows);
    for (let first = 0; first < rows; first += batch) {
      const idx = order.subarray(first, Math.min(rows, first + batch)); // 10, 10, 10, 10, then 1
      const got = (['js', name] as BackendName[]).map((which) => widen(backends[which], 'gatherBytes', src, cols, mul, add, idx));
      // the same bits as the reference, which is the rule itself
      expect(firstMismatch(got[1], got[0], 0)).toBeNull();
      idx.forEach((from, r) => {
        for (let j = 0; j < cols; j++) {
          expect(got[0][r * cols + j]).toBe(Math.fround(Math.fround(src[from * cols + j] * mul[j]) + add[j]));
        }
      });
      expect(Array.from(got[1].subarray(idx.length * cols)).every((v) => v === -7)).toBe(true);
    }
  });

  // odd widths too: a row of halves is 2·cols bytes; one junk byte past the batch must stay
  it.each([1, 2, 3, 17, 80, 1570])('gatherRowBytes copies the indexed rows of %i bytes, in order, repeats allowed', (width) => {
    const rows = 29;
    const src = Uint8Array.from({ length: rows * width }, () => rng.int(256));
    const idx = Int32Array.from([28, 0, 5, 5, 17, 1, 27, 3]);
    const got = (['js', name] as BackendName[]).map((which) => {
      const b = backends[which];
      const mark = b.heap.mark();
      const s = b.heap.allocBytes(src.length), pi = b.heap.alloc(idx.length), pd = b.heap.allocBytes(idx.length * width + 1);
      b.heap.bytes().set(src, s);
      b.heap.ints().set(idx, pi >> 2);
      b.heap.bytes().fill(0xa5, pd, pd + idx.length * width + 1);
      b.kernels.gatherRowBytes(idx.length, width, s, pi, pd);
      const out = b.heap.bytes().slice(pd, pd + idx.length * width + 1);
      b.heap.release(mark);
      return out;
    });
    const want = new Uint8Array(idx.length * width + 1).fill(0xa5);
    idx.forEach((from, i) => want.set(src.subarray(from * width, (from + 1) * width), i * width));
    expect(Array.from(got[0])).toEqual(Array.from(want));
    expect(Array.from(got[1])).toEqual(Array.from(want));
  });

  // widths around the 8-half SIMD block; rows hold ±0, subnormal halves, the largest half and
  // ±Infinity beside random finite halves; the index list ends in a part batch
  it.each([1, 3, 7, 8, 9, 15, 16, 17, 784, 785])('gatherHalves widens and scales half-float rows of width %i like the reference', (cols) => {
    const rows = 23;
    const special = [0x0000, 0x8000, 0x0001, 0x83ff, 0x0400, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x3c00];
    const src = Uint16Array.from({ length: rows * cols }, (_, i) => {
      if (i < special.length) return special[i];
      const h = rng.int(0x10000);
      return (h & 0x7c00) === 0x7c00 ? h & 0x83ff : h; // random bits, NaN left out (its payload may differ)
    });
    const mul = randomArray(rng, cols, -3, 3), add = randomArray(rng, cols, -3, 3);
    const batch = 10;
    const order = Int32Array.from({ length: rows }, (_, i) => (i * 7 + 3) % rows);
    for (let first = 0; first < rows; first += batch) {
      const idx = order.subarray(first, Math.min(rows, first + batch)); // 10, 10, then 3
      const got = (['js', name] as BackendName[]).map((which) => widen(backends[which], 'gatherHalves', src, cols, mul, add, idx));
      // the same bits as the reference (±0 and ±Infinity included), which is the rule itself
      expect(Array.from(got[1])).toEqual(Array.from(got[0]));
      idx.forEach((from, r) => {
        for (let j = 0; j < cols; j++) {
          expect(got[0][r * cols + j]).toBe(Math.fround(Math.fround(halfValue(src[from * cols + j]) * mul[j]) + add[j]));
        }
      });
      expect(Array.from(got[1].subarray(idx.length * cols)).every((v) => v === -7)).toBe(true);
    }
  });

  // sizes around nothing to shuffle, and one large enough that floor(u · (i + 1)) rounds at every scale
  it.each([0, 1, 2, 7, 33, 65_537])('shuffleRows draws the permutation and generator state Random.shuffle does, n = %i', (n) => {
    const seed = 1000 + n;
    const kept = Int32Array.from({ length: n }, (_, i) => 3 * i + 1); // a validation split's kept rows
    for (const from of [null, kept]) {
      const want = from ? Int32Array.from(from) : Int32Array.from({ length: n }, (_, i) => i);
      const host = new Random(seed);
      host.shuffle(want, 0, n);
      const next = host.nextUint32();
      for (const which of ['js', name] as BackendName[]) {
        const b = backends[which];
        const mark = b.heap.mark();
        const pf = from ? b.heap.alloc(n) : 0;
        if (from) b.heap.ints().set(from, pf >> 2);
        // one slot of junk beyond the order: a kernel writing past n would change it
        const po = b.heap.alloc(n + 1), ps = b.heap.alloc(4);
        b.heap.ints().fill(-7, po >> 2, (po >> 2) + n + 1);
        const rng = new Random(seed);
        rng.saveWords(b.heap.ints(), ps >> 2);
        b.kernels.shuffleRows(n, pf, po, ps);
        rng.loadWords(b.heap.ints(), ps >> 2);
        const got = b.heap.ints().slice(po >> 2, (po >> 2) + n + 1);
        // and without a generator: the row numbers in order, the state untouched
        b.kernels.shuffleRows(n, pf, po, 0);
        const unshuffled = b.heap.ints().slice(po >> 2, (po >> 2) + n);
        b.heap.release(mark);
        expect(firstMismatch(got.subarray(0, n), want, 0), which).toBeNull();
        expect(got[n]).toBe(-7);
        expect(rng.nextUint32(), which).toBe(next);
        expect(Array.from(unshuffled)).toEqual(Array.from(from ?? Int32Array.from({ length: n }, (_, i) => i)));
      }
    }
  });

  it('firstNonFinite finds NaN and Infinity at the right index', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const x = randomArray(rng, 785);
      x[617] = bad;
      const r = race(name, [x], [], (k, [px]) => k.firstNonFinite(785, px));
      expect(r.wasm.value).toBe(617);
      expect(r.js.value).toBe(617);
    }
  });
});

describe('kernels are stable at extreme inputs (±1e4)', () => {
  it.each(['js', 'wasm', 'wasm-scalar'] as BackendName[])('%s: sigmoid, tanh, softmax and cross-entropy stay finite', (name) => {
    const b = backends[name];
    const k = b.kernels;
    const x = Float32Array.from([1e4, -1e4, 0, 88.8, -88.8, 1e4, -1e4]);
    const n = x.length;
    const px = b.heap.alloc(n), py = b.heap.alloc(n), pt = b.heap.alloc(n);
    for (const f of ['sigmoid', 'tanh'] as const) {
      b.heap.write(px, x);
      k[f](n, px, py);
      const y = b.heap.read(py, n);
      expect(y.every(Number.isFinite), `${f}: ${y}`).toBe(true);
      expect(y[0]).toBe(1);
      expect(y[1]).toBe(f === 'sigmoid' ? 0 : -1);
    }
    b.heap.write(px, x);
    k.softmax(1, n, px, py);
    const p = b.heap.read(py, n);
    expect(p.every(Number.isFinite)).toBe(true);
    expect(p.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    // the target is the class whose probability underflows to 0: the loss is large but finite
    const target = new Float32Array(n);
    target[1] = 1;
    b.heap.write(pt, target);
    b.heap.write(px, x);
    const loss = k.softmaxCrossEntropy(1, n, px, pt, py);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(2e4 + Math.log(2), 0);
  });
});

describe('NaN is never hidden', () => {
  // the SIMD sigmoid clamps its exponent from below; a NaN must still come out as NaN, in the
  // vector lanes and in the scalar tail, so divergence is seen by the trainer
  it.each(['js', 'wasm', 'wasm-scalar'] as BackendName[])('%s: sigmoid of NaN is NaN', (name) => {
    const b = backends[name];
    const x = Float32Array.from([NaN, -1e4, 0.5, NaN, -90, NaN]);
    const px = b.heap.alloc(x.length), py = b.heap.alloc(x.length);
    b.heap.write(px, x);
    b.kernels.sigmoid(x.length, px, py);
    const y = b.heap.read(py, x.length);
    expect([0, 3, 5].map((i) => Number.isNaN(y[i]))).toEqual([true, true, true]);
    expect(y[1]).toBe(0);
    expect(y[2]).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 6);
    expect(y[4]).toBe(0); // e^-90 is subnormal in float32: flushed, as every build's sigmoid does
  });
});

/** Plain numbers onto a backend's heap and back (the caller releases with heap.mark / release). */
function heapValues(b: Backend) {
  return {
    put(values: number[]): number {
      const at = b.heap.alloc(values.length);
      b.heap.write(at, Float32Array.from(values));
      return at;
    },
    read: (at: number, n: number) => Array.from(b.heap.read(at, n)),
  };
}

describe('gradients that GEMMs read are never tiny', () => {
  // a subnormal in ∂z, or a product of ∂z with an input that is, costs a microcode assist in every
  // multiply it meets (assembly/subnormal.ts); the backward kernels and output gradients flush
  // values below 2^-64 to 0 (subnormal ones and tiny normal ones alike), keep NaN, and leave
  // larger values, however small, alone
  const FLOOR = 2 ** -64;
  it.each(['js', 'wasm', 'wasm-relaxed', 'wasm-scalar'] as BackendName[])('%s: backward kernels and output gradients flush values below 2^-64', (name) => {
    const b = backends[name];
    const k = b.kernels;
    const mark = b.heap.mark();
    const { put, read } = heapValues(b);
    const out = (n: number) => put(new Array(n).fill(7));
    // seven values: a SIMD build's four lanes, then its scalar tail
    const y = put([1e-31, 0.5, 1e-31, 0.3, 1e-20, NaN, 1e-10]);
    const dy = put([1e-8, 0.5, -1e-9, 1e-17, 1e-17, 1, 1e-9]);
    const dx = out(7);
    k.sigmoidBackward(7, y, dy, dx);
    const s = read(dx, 7);
    // 1e-39 (subnormal), −1e-40 and 1e-37 (normal, below the floor) go; 2.1e-18 and 1e-19 stay
    expect([s[0], s[1], s[2], s[4]]).toEqual([0, 0.125, 0, 0]);
    expect(s[3]).toBeCloseTo(0.21e-17, 24);
    expect(s[6]).toBeGreaterThan(FLOOR);
    expect(Number.isNaN(s[5])).toBe(true);

    const t = out(5);
    k.tanhBackward(5, put([0.99999988, 0.5, 0.99999988, 0, 0.99999988]), put([1e-32, 1, -1e-32, 2, 1e-32]), t);
    expect(read(t, 5)).toEqual([0, 0.75, 0, 2, 0]);

    const l = out(5);
    k.leakyReluBackward(5, 0.01, put([-1, 1, -1, -1, -1]), put([1e-37, 1e-18, 1, -1e-37, 1e-19]), l);
    const lv = read(l, 5);
    expect([lv[0], lv[3], lv[4]]).toEqual([0, 0, 0]); // 1e-39, −1e-39, 1e-21
    expect(lv[1]).toBeCloseTo(1e-18, 24);
    expect(lv[2]).toBeCloseTo(0.01, 7);

    const sm = out(2);
    k.softmaxBackward(1, 2, put([1e-37, 1]), put([0.01, 0]), sm);
    expect(read(sm, 2)).toEqual([0, 0]);

    const g = out(2);
    k.sumSquaresGrad(1, 2, put([1e-20, 0.5]), put([0, 0]), 0.01, g);
    expect(read(g, 2)).toEqual([0, Math.fround(0.01)]);
    const c = out(2);
    k.softmaxCrossEntropyGrad(1, 2, put([1e-20, 1]), put([0, 1]), 0.01, c);
    expect(read(c, 2)).toEqual([0, 0]);
    b.heap.release(mark);
  });
});

describe('optimizer state and weights never stick in the subnormal range', () => {
  // a moment whose gradient stops decays by μ or β1 a step; in the subnormal range that product
  // rounds back to itself, so without the flush it would stay there, costing an assist every update
  it.each(['js', 'wasm', 'wasm-relaxed', 'wasm-scalar'] as BackendName[])('%s: momentum, Adam and SGD updates flush to zero', (name) => {
    const b = backends[name];
    const k = b.kernels;
    const mark = b.heap.mark();
    const n = 5; // four lanes and a scalar tail
    const values = heapValues(b);
    const put = values.put, read = (at: number) => values.read(at, n);
    const zeros = put(new Array(n).fill(0));
    const weights = [0.5, -0.25, 0.125, 1e-35, -2];

    const v = put(new Array(n).fill(1e-36)), w = put(weights);
    for (let t = 0; t < 60; t++) k.momentumUpdate(n, 0.01, 0.9, 0, zeros, v, w);
    expect(read(v)).toEqual([0, 0, 0, 0, 0]);
    expect(read(w).map((x, i) => x !== 0 && Math.abs(x - weights[i]) < 1e-6), String(read(w))).toEqual([true, true, true, true, true]);

    const m = put(new Array(n).fill(1e-36)), s = put(new Array(n).fill(0)), w2 = put(weights);
    for (let t = 1; t <= 60; t++) k.adamUpdate(n, 1e-3, 0.9, 0.999, 1e-8, 1 - 0.9 ** t, 1 - 0.999 ** t, 0, zeros, m, s, w2);
    expect(read(m)).toEqual([0, 0, 0, 0, 0]);
    expect(read(s)).toEqual([0, 0, 0, 0, 0]);

    // L2 decay at lr·λ = 0.5 halves a weight each step: 2e-38 falls to 1e-38, under the smallest normal
    const w3 = put([2e-38, 0.5, -2e-38, 1, 2e-38]);
    k.sgdUpdate(n, 1, put([1e-38, 0.25, -1e-38, 0.5, 1e-38]), w3);
    expect(read(w3)).toEqual([0, 0.25, 0, 0.5, 0]);
    b.heap.release(mark);
  });
});
