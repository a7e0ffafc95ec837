// Subnormal floats (below 2^-126 ≈ 1.18e-38) flushed to zero where the backward pass writes a
// gradient that GEMMs will read, and where the optimizers write weights and state (optim.ts says
// why those stick). WebAssembly keeps subnormals (no flush-to-zero mode), and on x86
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
