import { NR, tile4x8 } from './gemm';

// A multiply-add loop over registers (no data streamed, two constants read from L1 each round): the
// engine's f32x4 ceiling on this machine, measured so the benchmark can quote GEMM efficiency as a
// ratio taken in the same run. Not used in training.

// x·m + a: fused in the relaxed-SIMD build, as the GEMM's inner loop is.
// @ts-ignore: decorator
@inline function madd(x: v128, m: v128, a: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, m, a);
  return f32x4.add(f32x4.mul(x, m), a);
}

// Runs `iterations` rounds of 12 independent f32x4 (x·m + a) chains: 96 flops a round (24 in the
// scalar build, whose chains are f32). m and a are read from `constants` (m in its first four
// floats, a in the next four) at every round: two loads from L1 on the load ports. Passed as
// numbers and splatted, they were re-broadcast inside the loop by V8 (Node 20), two shuffles a round
// on the ports the multiplies and adds use, plus a spilled scalar reloaded, and that probe ran 3–7 %
// below this one (interleaved rounds), so the GEMM's tile could outrun the "peak" it is measured by.
// Returns a value derived from every chain so none is elided.
export function multiplyAddPeak(iterations: i32, constants: usize): f32 {
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0.1), c1 = f32x4.splat(0.2), c2 = f32x4.splat(0.3), c3 = f32x4.splat(0.4);
    let c4 = f32x4.splat(0.5), c5 = f32x4.splat(0.6), c6 = f32x4.splat(0.7), c7 = f32x4.splat(0.8);
    let c8 = f32x4.splat(0.9), c9 = f32x4.splat(1.0), c10 = f32x4.splat(1.1), c11 = f32x4.splat(1.2);
    for (let i = 0; i < iterations; i++) {
      const vm = v128.load(constants), va = v128.load(constants, 16);
      c0 = madd(c0, vm, va); c1 = madd(c1, vm, va);
      c2 = madd(c2, vm, va); c3 = madd(c3, vm, va);
      c4 = madd(c4, vm, va); c5 = madd(c5, vm, va);
      c6 = madd(c6, vm, va); c7 = madd(c7, vm, va);
      c8 = madd(c8, vm, va); c9 = madd(c9, vm, va);
      c10 = madd(c10, vm, va); c11 = madd(c11, vm, va);
    }
    const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
    const t = f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11));
    const u = f32x4.add(s, t);
    return f32x4.extract_lane(u, 0) + f32x4.extract_lane(u, 1) + f32x4.extract_lane(u, 2) + f32x4.extract_lane(u, 3);
  } else {
    const m = load<f32>(constants), a = load<f32>(constants, 16);
    let c0: f32 = 0.1, c1: f32 = 0.2, c2: f32 = 0.3, c3: f32 = 0.4, c4: f32 = 0.5, c5: f32 = 0.6;
    let c6: f32 = 0.7, c7: f32 = 0.8, c8: f32 = 0.9, c9: f32 = 1.0, c10: f32 = 1.1, c11: f32 = 1.2;
    for (let i = 0; i < iterations; i++) {
      c0 = c0 * m + a; c1 = c1 * m + a; c2 = c2 * m + a; c3 = c3 * m + a; c4 = c4 * m + a; c5 = c5 * m + a;
      c6 = c6 * m + a; c7 = c7 * m + a; c8 = c8 * m + a; c9 = c9 * m + a; c10 = c10 * m + a; c11 = c11 * m + a;
    }
    return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
  }
}

// The GEMM's own 4×8 tile, `reps` times over one group of A packed whole (kc·16 bytes at a) and one
// packed panel (kc·32 bytes at panel), storing C's 4×8 at c: the GEMM's k loop with everything around
// it taken away (packing, the walk over C, the modes of zero skipping). The benchmark times it beside
// the probe, so a run shows how much of the gap to the probe is the tile's and how much the GEMM's.
// 64·kc flops a rep. Not used in training.
export function tileAlone(reps: i32, kc: i32, a: usize, panel: usize, c: usize): void {
  for (let r = 0; r < reps; r++) tile4x8(kc, a, 1, 4, panel, NR << 2, 1, c, NR, NR, true);
}
