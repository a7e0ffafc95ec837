// e^x on four lanes for x ≤ 0, for the activations' SIMD paths (WebAssembly has no vector exp, and
// the scalar Mathf.exp cost a batch-10 sigmoid layer more than its bias add and backward together).
//
// Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so r keeps its low bits), e^r from a
// degree-7 polynomial, 2^n written into the exponent field. About 1 ulp from the correctly rounded
// value. Below −87.3, where e^x falls under the smallest normal float, the lane is 0 (the scalar
// sigmoid flushes its subnormal results to 0 too; see subnormal.ts).

// @ts-ignore: decorator
@inline const LOWEST: f32 = -87.3;

// @ts-ignore: decorator
@inline export function expNonPositive(x: v128): v128 {
  const lowest = f32x4.splat(LOWEST);
  const xc = f32x4.pmax(x, lowest);
  // adding 1.5·2^23 rounds x·log2(e) to an integer n held in the low mantissa bits of t
  const shifter = f32x4.splat(12582912);
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), shifter);
  const n = f32x4.sub(t, shifter);
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const er = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  // n ∈ [−126, 0]: 2^n = (n + 127) << 23 as float bits, always a normal number; t's bits are
  // 0x4B400000 + n, whose shift by 23 leaves n << 23
  const pow2n = i32x4.add(i32x4.shl(t, 23), i32x4.splat(127 << 23));
  // lanes under the floor become 0; NaN compares false and stays NaN
  return v128.andnot(f32x4.mul(er, pow2n), f32x4.lt(x, lowest));
}
