// Row-wise and element-wise kernels: bias add, column sums, activations and their backward passes.
//
// Every kernel takes sizes and byte offsets, writes its output in place (overwrite, never +=, unless
// its comment says so) and allocates nothing. Inputs and outputs may alias (x == y is allowed), which
// is how the host runs activations in place. Backward passes take the activation's *output* y, so no
// pre-activation buffer has to be kept. Backward passes flush subnormal results to zero (see subnormal.ts).

import { flushSubnormal, flushTinyGradient, flushTinyGradient4 } from './subnormal';
import { expNonPositive } from './vexp';

// c[i, j] += bias[j] for an m×n row-major c (accumulates).
export function addBias(m: i32, n: i32, bias: usize, c: usize): void {
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>(i * n) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= n; j += 4) {
        const q = row + (<usize>j << 2);
        v128.store(q, f32x4.add(v128.load(q), v128.load(bias + (<usize>j << 2))));
      }
    }
    for (; j < n; j++) {
      const q = row + (<usize>j << 2);
      store<f32>(q, load<f32>(q) + load<f32>(bias + (<usize>j << 2)));
    }
  }
}

// out[j] = Σ_i a[i, j] for an m×n row-major a (overwrites): the bias gradient.
export function colSums(m: i32, n: i32, a: usize, out: usize): void {
  memory.fill(out, 0, <usize>n << 2);
  for (let i = 0; i < m; i++) {
    const row = a + (<usize>(i * n) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= n; j += 4) {
        const q = out + (<usize>j << 2);
        v128.store(q, f32x4.add(v128.load(q), v128.load(row + (<usize>j << 2))));
      }
    }
    for (; j < n; j++) {
      const q = out + (<usize>j << 2);
      store<f32>(q, load<f32>(q) + load<f32>(row + (<usize>j << 2)));
    }
  }
}

// y = 1 / (1 + e^-x), computed from e^-|x| so the exponent is never positive: no overflow for any x.
export function sigmoid(count: i32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, sigmoid4(v128.load(x + o)));
    }
    // the last one to three values go through the same four lanes: a value's bits must not depend
    // on where it falls (a team of threads splits the batch at any row; see src/threads.ts)
    const rest = count - i;
    if (rest > 0) {
      const src = x + (<usize>i << 2);
      const dst = y + (<usize>i << 2);
      let v = f32x4.splat(load<f32>(src));
      if (rest > 1) v = f32x4.replace_lane(v, 1, load<f32>(src, 4));
      if (rest > 2) v = f32x4.replace_lane(v, 2, load<f32>(src, 8));
      const s = sigmoid4(v);
      store<f32>(dst, f32x4.extract_lane(s, 0));
      if (rest > 1) store<f32>(dst, f32x4.extract_lane(s, 1), 4);
      if (rest > 2) store<f32>(dst, f32x4.extract_lane(s, 2), 8);
    }
    return;
  }
  for (; i < count; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    const e = Mathf.exp(-Mathf.abs(v));
    const s: f32 = 1 / (1 + e);
    // below about −87.3 e·s is subnormal: 0, as the SIMD lanes give (and no assist in the next GEMM)
    store<f32>(y + (<usize>i << 2), v >= 0 ? s : flushSubnormal(e * s));
  }
}

// @ts-ignore: decorator
@inline function sigmoid4(v: v128): v128 {
  const one = f32x4.splat(1);
  const e = expNonPositive(f32x4.neg(f32x4.abs(v)));
  const s = f32x4.div(one, f32x4.add(one, e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(v, f32x4.splat(0)));
}

// dx = dy · y(1 − y), with y the sigmoid's output.
export function sigmoidBackward(count: i32, y: usize, dy: usize, dx: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const yv = v128.load(y + o);
      v128.store(dx + o, flushTinyGradient4(f32x4.mul(v128.load(dy + o), f32x4.mul(yv, f32x4.sub(one, yv)))));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const yv = load<f32>(y + o);
    store<f32>(dx + o, flushTinyGradient(load<f32>(dy + o) * (yv * (1 - yv)))); // grouped as the lanes are
  }
}

// y = tanh(x); Mathf.tanh saturates to ±1 without overflow.
export function tanh(count: i32, x: usize, y: usize): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, Mathf.tanh(load<f32>(x + o)));
  }
}

// dx = dy · (1 − y²), with y the tanh's output.
export function tanhBackward(count: i32, y: usize, dy: usize, dx: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const yv = v128.load(y + o);
      v128.store(dx + o, flushTinyGradient4(f32x4.mul(v128.load(dy + o), f32x4.sub(one, f32x4.mul(yv, yv)))));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const yv = load<f32>(y + o);
    store<f32>(dx + o, flushTinyGradient(load<f32>(dy + o) * (1 - yv * yv)));
  }
}

// y = max(0, x).
export function relu(count: i32, x: usize, y: usize): void {
  leakyRelu(count, 0, x, y);
}

// dx = dy where y > 0, else 0.
export function reluBackward(count: i32, y: usize, dy: usize, dx: usize): void {
  leakyReluBackward(count, 0, y, dy, dx);
}

// y = x for x > 0, slope·x otherwise (slope ≥ 0, so y has the sign of x).
export function leakyRelu(count: i32, slope: f32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    const vs = f32x4.splat(slope);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o);
      v128.store(y + o, v128.bitselect(xv, f32x4.mul(xv, vs), f32x4.gt(xv, zero)));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const xv = load<f32>(x + o);
    store<f32>(y + o, xv > 0 ? xv : slope * xv);
  }
}

// dx = dy where y > 0, slope·dy otherwise.
export function leakyReluBackward(count: i32, slope: f32, y: usize, dy: usize, dx: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    const vs = f32x4.splat(slope);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const g = v128.load(dy + o);
      v128.store(dx + o, flushTinyGradient4(v128.bitselect(g, f32x4.mul(g, vs), f32x4.gt(v128.load(y + o), zero))));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    store<f32>(dx + o, flushTinyGradient(load<f32>(y + o) > 0 ? g : slope * g));
  }
}

// Row-wise softmax of an m×n matrix. The row maximum is subtracted first, so every exponent is ≤ 0.
export function softmax(m: i32, n: i32, x: usize, y: usize): void {
  for (let i = 0; i < m; i++) {
    const xr = x + (<usize>(i * n) << 2);
    const yr = y + (<usize>(i * n) << 2);
    let mx = load<f32>(xr);
    for (let j = 1; j < n; j++) mx = max(mx, load<f32>(xr + (<usize>j << 2)));
    let sum: f32 = 0;
    for (let j = 0; j < n; j++) {
      const e = Mathf.exp(load<f32>(xr + (<usize>j << 2)) - mx);
      store<f32>(yr + (<usize>j << 2), e);
      sum += e;
    }
    const inv: f32 = 1 / sum;
    for (let j = 0; j < n; j++) {
      const q = yr + (<usize>j << 2);
      store<f32>(q, load<f32>(q) * inv);
    }
  }
}

// dx[i, j] = y[i, j] · (dy[i, j] − Σ_k dy[i, k] y[i, k]): the softmax Jacobian applied row by row.
export function softmaxBackward(m: i32, n: i32, y: usize, dy: usize, dx: usize): void {
  for (let i = 0; i < m; i++) {
    const o = <usize>(i * n) << 2;
    let dot: f32 = 0;
    for (let j = 0; j < n; j++) {
      const q = o + (<usize>j << 2);
      dot += load<f32>(dy + q) * load<f32>(y + q);
    }
    for (let j = 0; j < n; j++) {
      const q = o + (<usize>j << 2);
      store<f32>(dx + q, flushTinyGradient(load<f32>(y + q) * (load<f32>(dy + q) - dot)));
    }
  }
}
