// The reference backend: every kernel written plainly in TypeScript over typed-array views.
//
// It is what the WASM kernels are tested against and the baseline the benchmarks race, so it is
// neither tuned nor slowed: straightforward loops in a cache-sensible order. With precision 64 the
// same code runs over a Float64Array (used by the finite-difference gradient checks).

import { Heap, type Backend, type FloatArray, type Kernels } from './backend.js';
import { Random } from '../random.js';
import { halfValue } from '../half.js';

class JsHeap extends Heap {
  private f: FloatArray;
  private i: Int32Array;
  /** Byte regions, made on first use: a third array over the same slots (see grow). */
  private b: Uint8Array | null = null;

  constructor(private readonly precision: 32 | 64) {
    super(16); // offset 0 stays unused, so a zero offset is never a live region
    this.f = this.makeFloats(1 << 16);
    this.i = new Int32Array(1 << 16);
  }

  private makeFloats(slots: number): FloatArray {
    return this.precision === 64 ? new Float64Array(slots) : new Float32Array(slots);
  }

  floats(): FloatArray {
    return this.f;
  }

  ints(): Int32Array {
    return this.i;
  }

  bytes(): Uint8Array {
    if (!this.b || this.b.length < this.f.length * 4) {
      const b = new Uint8Array(this.f.length * 4);
      if (this.b) b.set(this.b);
      this.b = b;
    }
    return this.b;
  }

  protected capacity(): number {
    return this.f.length * 4;
  }

  // floats, ints and bytes are separate arrays here: each moves
  moveSlots(to: number, from: number, slots: number): void {
    super.moveSlots(to, from, slots);
    this.i.copyWithin(to >> 2, from >> 2, (from >> 2) + slots);
    this.b?.copyWithin(to, from, from + 4 * slots);
  }

  // Floats and ints live in separate arrays indexed by the same 4-byte slots: a region is only ever
  // used as one type, and this keeps both views valid when floats are 8 bytes wide.
  protected grow(minBytes: number): void {
    const slots = Math.max(Math.ceil(minBytes / 4), this.f.length * 2);
    const f = this.makeFloats(slots);
    f.set(this.f);
    const i = new Int32Array(slots);
    i.set(this.i);
    this.f = f;
    this.i = i;
  }
}

// lowbias32, as in assembly/dropout.ts: the dropout mask is a pure function of (seed, index)
function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function createJsBackend(precision: 32 | 64 = 32): Backend {
  const heap = new JsHeap(precision);
  return { name: 'js', build: 'js', heap, kernels: jsKernels(heap), gemmScratchBytes: 0 };
}

/** Subnormal gradients, weights and optimizer state become 0, as in the WebAssembly kernels (assembly/subnormal.ts says why); NaN stays. */
const SMALLEST_NORMAL = 2 ** -126;
const flushSubnormal = (v: number): number => (Math.abs(v) < SMALLEST_NORMAL ? 0 : v);
/** Gradients handed to GEMMs: zero below 2^-64, as in the WebAssembly kernels (so no product with an input is subnormal). */
const GRADIENT_FLOOR = 2 ** -64;
const flushTinyGradient = (v: number): number => (Math.abs(v) < GRADIENT_FLOOR ? 0 : v);

function jsKernels(heap: Heap): Kernels {
  const F = () => heap.floats();
  const ix = (offset: number) => offset >> 2;

  const unary = (fn: (x: number) => number) => (count: number, x: number, y: number): void => {
    const f = F();
    const xi = ix(x), yi = ix(y);
    for (let i = 0; i < count; i++) f[yi + i] = fn(f[xi + i]);
  };
  // dx = dy · d(y), with d the derivative written in terms of the output y
  const backward = (d: (y: number) => number) => (count: number, y: number, dy: number, dx: number): void => {
    const f = F();
    const yi = ix(y), gi = ix(dy), xi = ix(dx);
    for (let i = 0; i < count; i++) f[xi + i] = flushTinyGradient(f[gi + i] * d(f[yi + i]));
  };

  return {
    gemm(transA, transB, m, n, k, alpha, a, b, beta, c, _scratch, lda = 0) {
      const f = F();
      const ld = lda || (transA ? m : k);
      const ai = ix(a), bi = ix(b), ci = ix(c);
      for (let i = 0; i < m * n; i++) f[ci + i] = beta === 0 ? 0 : beta * f[ci + i];
      if (alpha === 0) return;
      if (!transB) {
        // i-p-j: the inner loop runs along rows of B and C
        for (let i = 0; i < m; i++) {
          for (let p = 0; p < k; p++) {
            const av = alpha * (transA ? f[ai + p * ld + i] : f[ai + i * ld + p]);
            const br = bi + p * n, cr = ci + i * n;
            for (let j = 0; j < n; j++) f[cr + j] += av * f[br + j];
          }
        }
      } else {
        // B stored n×k: each C entry is a dot product along rows of B
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            const br = bi + j * k;
            for (let p = 0; p < k; p++) s += (transA ? f[ai + p * ld + i] : f[ai + i * ld + p]) * f[br + p];
            f[ci + i * n + j] += alpha * s;
          }
        }
      }
    },
    addBias(m, n, bias, c) {
      const f = F();
      const bi = ix(bias), ci = ix(c);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[ci + i * n + j] += f[bi + j];
    },
    colSums(m, n, a, out) {
      const f = F();
      const ai = ix(a), oi = ix(out);
      for (let j = 0; j < n; j++) f[oi + j] = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[oi + j] += f[ai + i * n + j];
    },
    // e^-|x| never overflows; the two branches are the same function written for each sign; below
    // about −87.3 the result is subnormal, and 0 as in the WebAssembly kernels
    sigmoid: unary((x) => {
      const e = Math.exp(-Math.abs(x));
      return x >= 0 ? 1 / (1 + e) : flushSubnormal(e / (1 + e));
    }),
    sigmoidBackward: backward((y) => y * (1 - y)),
    tanh: unary(Math.tanh),
    tanhBackward: backward((y) => 1 - y * y),
    relu: unary((x) => (x > 0 ? x : 0)),
    reluBackward: backward((y) => (y > 0 ? 1 : 0)),
    // the slope is an argument, so these two are written out rather than made per call by the factories
    leakyRelu(count, slope, x, y) {
      const f = F();
      const xi = ix(x), yi = ix(y);
      for (let i = 0; i < count; i++) f[yi + i] = f[xi + i] > 0 ? f[xi + i] : slope * f[xi + i];
    },
    leakyReluBackward(count, slope, y, dy, dx) {
      const f = F();
      const yi = ix(y), gi = ix(dy), xi = ix(dx);
      for (let i = 0; i < count; i++) f[xi + i] = flushTinyGradient(f[gi + i] * (f[yi + i] > 0 ? 1 : slope));
    },
    softmax(m, n, x, y) {
      const f = F();
      for (let i = 0; i < m; i++) {
        const xr = ix(x) + i * n, yr = ix(y) + i * n;
        let mx = f[xr];
        for (let j = 1; j < n; j++) mx = Math.max(mx, f[xr + j]);
        let sum = 0;
        for (let j = 0; j < n; j++) {
          f[yr + j] = Math.exp(f[xr + j] - mx);
          sum += f[yr + j];
        }
        for (let j = 0; j < n; j++) f[yr + j] /= sum;
      }
    },
    softmaxBackward(m, n, y, dy, dx) {
      const f = F();
      for (let i = 0; i < m; i++) {
        const yr = ix(y) + i * n, gr = ix(dy) + i * n, xr = ix(dx) + i * n;
        let dot = 0;
        for (let j = 0; j < n; j++) dot += f[gr + j] * f[yr + j];
        for (let j = 0; j < n; j++) f[xr + j] = flushTinyGradient(f[yr + j] * (f[gr + j] - dot));
      }
    },
    sumSquaresLoss(m, n, yhat, y) {
      const f = F();
      const pi = ix(yhat), ti = ix(y);
      let s = 0;
      for (let i = 0; i < m * n; i++) s += (f[pi + i] - f[ti + i]) ** 2;
      return s;
    },
    sumSquaresGrad(m, n, yhat, y, scale, grad) {
      const f = F();
      const pi = ix(yhat), ti = ix(y), gi = ix(grad);
      let s = 0;
      for (let i = 0; i < m * n; i++) {
        const g = 2 * (f[pi + i] - f[ti + i]);
        s += g * g;
        f[gi + i] = flushTinyGradient(scale * g);
      }
      return s;
    },
    softmaxCrossEntropy(m, n, z, y, p) {
      const f = F();
      let total = 0;
      for (let i = 0; i < m; i++) {
        const zr = ix(z) + i * n, tr = ix(y) + i * n, pr = ix(p) + i * n;
        let mx = f[zr];
        for (let j = 1; j < n; j++) mx = Math.max(mx, f[zr + j]);
        let sum = 0, yz = 0, ysum = 0;
        for (let j = 0; j < n; j++) {
          const shifted = f[zr + j] - mx;
          yz += f[tr + j] * shifted;
          ysum += f[tr + j];
          f[pr + j] = Math.exp(shifted);
          sum += f[pr + j];
        }
        total += ysum * Math.log(sum) - yz;
        for (let j = 0; j < n; j++) f[pr + j] /= sum;
      }
      return total;
    },
    softmaxCrossEntropyGrad(m, n, p, y, scale, grad) {
      const f = F();
      const pi = ix(p), ti = ix(y), gi = ix(grad);
      let s = 0;
      for (let i = 0; i < m * n; i++) {
        const g = f[pi + i] - f[ti + i];
        s += g * g;
        f[gi + i] = flushTinyGradient(scale * g);
      }
      return s;
    },
    sgdUpdate(count, lr, g, w) {
      const f = F();
      const gi = ix(g), wi = ix(w);
      for (let i = 0; i < count; i++) f[wi + i] = flushSubnormal(f[wi + i] - lr * f[gi + i]);
    },
    momentumUpdate(count, lr, mu, nesterov, g, v, w) {
      const f = F();
      const gi = ix(g), vi = ix(v), wi = ix(w);
      for (let i = 0; i < count; i++) {
        f[vi + i] = flushSubnormal(mu * f[vi + i] + f[gi + i]);
        f[wi + i] = flushSubnormal(f[wi + i] - lr * (nesterov ? f[gi + i] + mu * f[vi + i] : f[vi + i]));
      }
    },
    adamUpdate(count, lr, beta1, beta2, eps, c1, c2, decay, g, m, v, w) {
      const f = F();
      const gi = ix(g), mi = ix(m), vi = ix(v), wi = ix(w);
      for (let i = 0; i < count; i++) {
        const gv = f[gi + i];
        f[mi + i] = flushSubnormal(beta1 * f[mi + i] + (1 - beta1) * gv);
        f[vi + i] = flushSubnormal(beta2 * f[vi + i] + (1 - beta2) * (gv * gv));
        f[wi + i] = flushSubnormal(f[wi + i] - lr * ((f[mi + i] / c1) / (Math.sqrt(f[vi + i] / c2) + eps) + decay * f[wi + i]));
      }
    },
    axpy(count, alpha, x, y) {
      const f = F();
      const xi = ix(x), yi = ix(y);
      for (let i = 0; i < count; i++) f[yi + i] += alpha * f[xi + i];
    },
    sumOfSquares(count, x) {
      const f = F();
      const xi = ix(x);
      let s = 0;
      for (let i = 0; i < count; i++) s += f[xi + i] ** 2;
      return s;
    },
    scale(count, alpha, x) {
      const f = F();
      const xi = ix(x);
      for (let i = 0; i < count; i++) f[xi + i] *= alpha;
    },
    dropoutForward(count, rate, seed, x, mask, y) {
      const f = F();
      const threshold = Math.floor(rate * 4294967296);
      const keep = 1 / (1 - rate);
      const mi = ix(mask), yi = ix(y), xi = ix(x);
      for (let i = 0; i < count; i++) {
        const m = hash32((seed + Math.imul(i, 0x9e3779b9)) >>> 0) < threshold ? 0 : keep;
        f[mi + i] = m;
        f[yi + i] = f[xi + i] * m;
      }
    },
    multiply(count, a, b, y) {
      const f = F();
      const yi = ix(y), ai = ix(a), bi = ix(b);
      for (let i = 0; i < count; i++) f[yi + i] = f[ai + i] * f[bi + i];
    },
    sigmoidCrossEntropy(m, n, z, y, p) {
      const f = F();
      const zi = ix(z), yi = ix(y), pi = ix(p);
      let total = 0;
      for (let i = 0; i < m * n; i++) {
        const zv = f[zi + i], t = f[yi + i];
        const e = Math.exp(-Math.abs(zv));
        total += Math.max(zv, 0) - zv * t + Math.log1p(e);
        f[pi + i] = zv >= 0 ? 1 / (1 + e) : e / (1 + e);
      }
      return total;
    },
    gatherBytes(rows, cols, src, idx, mul, add, dst) {
      const f = F(), ints = heap.ints(), bytes = heap.bytes();
      const mi = ix(mul), ai = ix(add), di = ix(dst);
      // each op rounded as float32 arithmetic rounds it (the float64 reference keeps full precision)
      const round = f instanceof Float32Array ? Math.fround : (v: number) => v;
      for (let r = 0; r < rows; r++) {
        const from = src + ints[ix(idx) + r] * cols;
        for (let j = 0; j < cols; j++) f[di + r * cols + j] = round(round(bytes[from + j] * f[mi + j]) + f[ai + j]);
      }
    },
    gatherHalves(rows, cols, src, idx, mul, add, dst) {
      const f = F(), ints = heap.ints(), halves = heap.halves();
      const mi = ix(mul), ai = ix(add), di = ix(dst), at = src >> 1;
      const round = f instanceof Float32Array ? Math.fround : (v: number) => v;
      for (let r = 0; r < rows; r++) {
        const from = at + ints[ix(idx) + r] * cols;
        for (let j = 0; j < cols; j++) f[di + r * cols + j] = round(round(halfValue(halves[from + j]) * f[mi + j]) + f[ai + j]);
      }
    },
    gatherRows(rows, cols, src, idx, dst) {
      const f = F(), ints = heap.ints();
      for (let r = 0; r < rows; r++) {
        const from = ix(src) + ints[ix(idx) + r] * cols;
        f.copyWithin(ix(dst) + r * cols, from, from + cols);
      }
    },
    gatherRowBytes(rows, rowBytes, src, idx, dst) {
      const bytes = heap.bytes(), ints = heap.ints();
      for (let r = 0; r < rows; r++) {
        const from = src + ints[ix(idx) + r] * rowBytes;
        bytes.copyWithin(dst + r * rowBytes, from, from + rowBytes);
      }
    },
    shuffleRows(n, from, out, state) {
      const ints = heap.ints(), o = ix(out);
      if (from !== 0) ints.copyWithin(o, ix(from), ix(from) + n);
      else for (let i = 0; i < n; i++) ints[o + i] = i;
      if (state === 0) return;
      const rng = new Random(0);
      rng.loadWords(ints, ix(state));
      rng.shuffle(ints, o, n);
      rng.saveWords(ints, ix(state));
    },
    firstNonFinite(count, x) {
      const f = F();
      const xi = ix(x);
      for (let i = 0; i < count; i++) if (!Number.isFinite(f[xi + i])) return i;
      return -1;
    },
    countCorrect(m, n, yhat, y) {
      const f = F();
      let correct = 0;
      for (let i = 0; i < m; i++) {
        const pr = ix(yhat) + i * n, tr = ix(y) + i * n;
        if (n === 1) {
          if ((f[pr] >= 0.5) === (f[tr] >= 0.5)) correct++;
          continue;
        }
        let bp = 0, bt = 0;
        for (let j = 1; j < n; j++) {
          if (f[pr + j] > f[pr + bp]) bp = j;
          if (f[tr + j] > f[tr + bt]) bt = j;
        }
        if (bp === bt) correct++;
      }
      return correct;
    },
    scaleColumns(m, n, shift, scale, x) {
      const f = F();
      const si = ix(shift), ki = ix(scale), xi = ix(x);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[xi + i * n + j] = (f[xi + i * n + j] - f[si + j]) * f[ki + j];
    },
    columnMoments(m, n, x, shift, out) {
      const f = F();
      const xi = ix(x), oi = ix(out);
      // a float32 heap keeps each sum as its rounding and the rest; a float64 one keeps it whole
      const round = f instanceof Float32Array ? Math.fround : (v: number) => v;
      for (let j = 0; j < n; j++) {
        const k = f[ix(shift) + j];
        let lo = f[xi + j], hi = lo, s1 = 0, s2 = 0;
        for (let i = 0; i < m; i++) {
          const v = f[xi + i * n + j];
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          s1 += v - k;
          s2 += (v - k) ** 2;
        }
        f[oi + j] = lo;
        f[oi + n + j] = hi;
        f[oi + 2 * n + j] = round(s1);
        f[oi + 3 * n + j] = s1 - round(s1);
        f[oi + 4 * n + j] = round(s2);
        f[oi + 5 * n + j] = s2 - round(s2);
      }
    },
  };
}
