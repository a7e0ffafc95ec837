// Losses and the gradients they send into the output layer. Sums are accumulated in f64 and
// returned; gradients are overwritten, subnormal values flushed to zero (see subnormal.ts). y is the
// target, m×n row-major like the prediction.

import { flushTinyGradient } from './subnormal';

// Σ (ŷ − y)²: the seed's sum-of-squares cost over the whole block.
export function sumSquaresLoss(m: i32, n: i32, yhat: usize, y: usize): f64 {
  const count = m * n;
  let s: f64 = 0;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const d = <f64>load<f32>(yhat + o) - <f64>load<f32>(y + o);
    s += d * d;
  }
  return s;
}

// grad = scale · 2(ŷ − y); returns Σ (2(ŷ − y))², the squared norm of the unscaled gradient
// (the seed's convergence rule sums it over an epoch).
export function sumSquaresGrad(m: i32, n: i32, yhat: usize, y: usize, scale: f32, grad: usize): f64 {
  const count = m * n;
  let s: f64 = 0;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const g: f32 = 2 * (load<f32>(yhat + o) - load<f32>(y + o));
    s += <f64>g * <f64>g;
    store<f32>(grad + o, flushTinyGradient(scale * g));
  }
  return s;
}

// Softmax of the logits z into p (p may alias z) and −Σ y·log softmax(z), fused so the log comes
// from the log-sum-exp of the logits: a probability that underflows to 0 never becomes log(0).
export function softmaxCrossEntropy(m: i32, n: i32, z: usize, y: usize, p: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < m; i++) {
    const o = <usize>(i * n) << 2;
    let mx = load<f32>(z + o);
    for (let j = 1; j < n; j++) mx = max(mx, load<f32>(z + o + (<usize>j << 2)));
    let sum: f64 = 0;
    let yz: f64 = 0;
    let ysum: f64 = 0;
    for (let j = 0; j < n; j++) {
      const q = o + (<usize>j << 2);
      const shifted = load<f32>(z + q) - mx;
      const t = <f64>load<f32>(y + q);
      yz += t * <f64>shifted;
      ysum += t;
      const e = Mathf.exp(shifted);
      store<f32>(p + q, e);
      sum += <f64>e;
    }
    // −Σ y (z − max − log Σ e) = (Σ y)·log Σ e − Σ y (z − max)
    total += ysum * Math.log(sum) - yz;
    const inv = <f32>(1 / sum);
    for (let j = 0; j < n; j++) {
      const q = p + o + (<usize>j << 2);
      store<f32>(q, load<f32>(q) * inv);
    }
  }
  return total;
}

// grad = scale · (p − y), the gradient of softmax + cross-entropy with respect to the logits;
// returns Σ (p − y)², the squared norm of the unscaled gradient.
export function softmaxCrossEntropyGrad(m: i32, n: i32, p: usize, y: usize, scale: f32, grad: usize): f64 {
  const count = m * n;
  let s: f64 = 0;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(p + o) - load<f32>(y + o);
    s += <f64>g * <f64>g;
    store<f32>(grad + o, flushTinyGradient(scale * g));
  }
  return s;
}

// Sigmoid of the logits z into p (p may alias z) and the binary cross-entropy
// −Σ [y·log p + (1 − y)·log(1 − p)], from the logits in the stable form max(z, 0) − z·y + log(1 + e^−|z|).
export function sigmoidCrossEntropy(m: i32, n: i32, z: usize, y: usize, p: usize): f64 {
  const count = m * n;
  let total: f64 = 0;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const zv = load<f32>(z + o);
    const t = load<f32>(y + o);
    const e = Mathf.exp(-Mathf.abs(zv));
    total += <f64>max(zv, 0) - <f64>zv * <f64>t + Math.log1p(<f64>e);
    const s: f32 = 1 / (1 + e);
    store<f32>(p + o, zv >= 0 ? s : e * s);
  }
  return total;
}
