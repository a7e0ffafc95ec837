// Parameter updates and the vector operations around them. All parameters sit in one contiguous
// block with their gradients (and optimizer state) in blocks of the same layout, so one call updates
// the whole network. Every kernel overwrites its outputs in place. The updates flush subnormal
// weights and optimizer state to zero (subnormal.ts): a momentum or Adam moment whose gradient
// stops decays by μ or β1 each step, and in the subnormal range that product rounds back to the same
// value, so it would sit there for good and cost an assist in every later update; weights under L2
// decay stick the same way.

import { flushSubnormal, flushSubnormal4 } from './subnormal';

// w −= lr · g over count elements, rounded as w + (−lr)·g (negation is exact).
export function sgdUpdate(count: i32, lr: f32, g: usize, w: usize): void {
  let i = 0;
  const nlr = -lr;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(nlr);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      v128.store(w + o, flushSubnormal4(f32x4.add(v128.load(w + o), f32x4.mul(va, v128.load(g + o)))));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(w + o, flushSubnormal(load<f32>(w + o) + nlr * load<f32>(g + o)));
  }
}

// Heavy-ball momentum (PyTorch's form): v = μ·v + g; w −= lr · v, or with Nesterov w −= lr·(g + μ·v).
export function momentumUpdate(count: i32, lr: f32, mu: f32, nesterov: i32, g: usize, v: usize, w: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vmu = f32x4.splat(mu);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const gv = v128.load(g + o);
      const vv = flushSubnormal4(f32x4.add(f32x4.mul(vmu, v128.load(v + o)), gv));
      v128.store(v + o, vv);
      const step = nesterov ? f32x4.add(gv, f32x4.mul(vmu, vv)) : vv;
      v128.store(w + o, flushSubnormal4(f32x4.sub(v128.load(w + o), f32x4.mul(vlr, step))));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    const vv = flushSubnormal(mu * load<f32>(v + o) + gv);
    store<f32>(v + o, vv);
    store<f32>(w + o, flushSubnormal(load<f32>(w + o) - lr * (nesterov ? gv + mu * vv : vv)));
  }
}

// Adam, with AdamW's decoupled weight decay: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
// w −= lr·( (m/c1) / (√(v/c2) + ε) + decay·w ), where c1 = 1 − β1^t and c2 = 1 − β2^t (from the host).
export function adamUpdate(count: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, c1: f32, c2: f32, decay: f32,
  g: usize, m: usize, v: usize, w: usize): void {
  let i = 0;
  const ic1: f32 = 1 / c1, ic2: f32 = 1 / c2;
  if (ASC_FEATURE_SIMD) {
    const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), nb1 = f32x4.splat(1 - beta1), nb2 = f32x4.splat(1 - beta2);
    const vic1 = f32x4.splat(ic1), vic2 = f32x4.splat(ic2), veps = f32x4.splat(eps), vlr = f32x4.splat(lr), vdec = f32x4.splat(decay);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const gv = v128.load(g + o);
      const mv = flushSubnormal4(f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(nb1, gv)));
      const vv = flushSubnormal4(f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(nb2, f32x4.mul(gv, gv))));
      v128.store(m + o, mv);
      v128.store(v + o, vv);
      const wv = v128.load(w + o);
      const step = f32x4.add(f32x4.div(f32x4.mul(mv, vic1), f32x4.add(f32x4.sqrt(f32x4.mul(vv, vic2)), veps)), f32x4.mul(vdec, wv));
      v128.store(w + o, flushSubnormal4(f32x4.sub(wv, f32x4.mul(vlr, step))));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    const mv = flushSubnormal(beta1 * load<f32>(m + o) + (1 - beta1) * gv);
    const vv = flushSubnormal(beta2 * load<f32>(v + o) + (1 - beta2) * (gv * gv));
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    const wv = load<f32>(w + o);
    store<f32>(w + o, flushSubnormal(wv - lr * ((mv * ic1) / (Mathf.sqrt(vv * ic2) + eps) + decay * wv)));
  }
}

// y += α·x over count elements (accumulates): coupled L2 weight decay adds α·w to the gradient.
export function axpy(count: i32, alpha: f32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

// Σ x² over count elements, in f64: the squared norm that gradient clipping compares.
export function sumOfSquares(count: i32, x: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < count; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

// x *= α over count elements.
export function scale(count: i32, alpha: f32, x: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      v128.store(x + o, f32x4.mul(va, v128.load(x + o)));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, alpha * load<f32>(x + o));
  }
}
