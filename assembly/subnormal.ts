// Subnormal floats (below 2^-126 ≈ 1.18e-38) flushed to zero where the optimizers write weights and
// state (optim.ts says why those stick), and, below a higher floor (the end of this file), where
// the backward pass writes a gradient that GEMMs will read. WebAssembly keeps subnormals (no flush-to-zero mode), and on x86
// every vector multiply that reads or writes one takes a microcode assist costing about a hundred
// cycles. They do arise: a well-trained sigmoid network's saturated units give y(1 − y) ≈ 1e-31, and
// times a small upstream gradient that is subnormal. One such value in ∂z is then read by every
// tile of the weight-gradient GEMM (784 multiplies at w1's first layer): 784-30-10 epochs on a trained
// network ran 1.29× slower than on a fresh one (median of 5 alternating pairs), 1.06× with the flush.
// A gradient of 1e-38 moves no float32 weight above 1e-31, so the weights come out the same.
// NaN is kept (it compares false), so the finiteness checks still see it.

// @ts-ignore: decorator
@inline const SMALLEST_NORMAL: f32 = 1.17549435e-38;

// @ts-ignore: decorator
@inline export function flushSubnormal4(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), f32x4.splat(SMALLEST_NORMAL)));
}

// @ts-ignore: decorator
@inline export function flushSubnormal(v: f32): f32 {
  return Mathf.abs(v) < SMALLEST_NORMAL ? 0 : v;
}

// Gradients the backward pass hands to GEMMs are flushed below a higher floor, 2^-64 ≈ 5.4e-20: a
// gradient just above 2^-126 still makes a subnormal product with every input below 2^-126/g (and
// so the assist above), and inputs need not be 0 or near 1 (MNIST with its zero pixels made 1/255
// trained 1.6× slower per epoch by its fifth). Above 2^-64 it takes an input below 2^-62. A
// gradient under 5e-20 moves no float32 weight (lr·g lies far below a weight's last bit) and adds
// nothing to Adam's step (ε = 1e-8 dominates its denominator); NaN is kept.
// @ts-ignore: decorator
@inline const GRADIENT_FLOOR: f32 = 5.421010862427522e-20;

// @ts-ignore: decorator
@inline export function flushTinyGradient4(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), f32x4.splat(GRADIENT_FLOOR)));
}

// @ts-ignore: decorator
@inline export function flushTinyGradient(v: f32): f32 {
  return Mathf.abs(v) < GRADIENT_FLOOR ? 0 : v;
}
