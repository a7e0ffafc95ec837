import { NR, tile4x8 } from './gemm';

// A multiply-add loop over registers (no data streamed): the engine's f32x4 ceiling on this machine,
// measured so the benchmark can quote GEMM efficiency as a ratio taken in the same run. Not used in
// training.

// Flops in one round of multiplyAddPeak's loop, which differs by build (see there).
export const PEAK_FLOPS_PER_ROUND: i32 = ASC_FEATURE_SIMD ? (ASC_FEATURE_RELAXED_SIMD ? 96 : 80) : 24;

// Runs `iterations` rounds of independent multiply-adds; returns a value derived from every
// accumulator so none is elided. `constants` holds seven f32x4 (112 bytes): m, a (or a second
// multiplier), four starting operands and a step; the relaxed and scalar loops read only m and a
// (the scalar one, lane 0 of each). The loop reads its constants from L1 each round: passed as
// numbers and splatted, they were re-broadcast inside the loop by V8 (Node 20), two shuffles a round
// on the ports the arithmetic uses.
//
// Plain SIMD (80 flops a round): eight accumulators each add a product of an operand and a
// multiplier, and the four operands step by an add of their own, so no product waits on the chain it
// feeds (each chain is one add a round, as in the GEMM's tile). Interleaved rounds here (11 045):
// 8 % above twelve x·m + a chains, multiply and add both on each chain, which ran below the GEMM's
// own tile when the host was fast (the tile at 110 % of them), and 2–8 % above those chains with
// their constants from L1. The tile still reached 102–103 % of this loop in the host's fast minutes.
// Relaxed SIMD (96): twelve fused x·m + a chains; one operation a link, so not held back by latency.
// Scalar (24): twelve f32 x·m + a chains.
export function multiplyAddPeak(iterations: i32, constants: usize): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    let c0 = f32x4.splat(0.1), c1 = f32x4.splat(0.2), c2 = f32x4.splat(0.3), c3 = f32x4.splat(0.4);
    let c4 = f32x4.splat(0.5), c5 = f32x4.splat(0.6), c6 = f32x4.splat(0.7), c7 = f32x4.splat(0.8);
    let c8 = f32x4.splat(0.9), c9 = f32x4.splat(1.0), c10 = f32x4.splat(1.1), c11 = f32x4.splat(1.2);
    for (let i = 0; i < iterations; i++) {
      const vm = v128.load(constants), va = v128.load(constants, 16);
      c0 = f32x4.relaxed_madd(c0, vm, va); c1 = f32x4.relaxed_madd(c1, vm, va);
      c2 = f32x4.relaxed_madd(c2, vm, va); c3 = f32x4.relaxed_madd(c3, vm, va);
      c4 = f32x4.relaxed_madd(c4, vm, va); c5 = f32x4.relaxed_madd(c5, vm, va);
      c6 = f32x4.relaxed_madd(c6, vm, va); c7 = f32x4.relaxed_madd(c7, vm, va);
      c8 = f32x4.relaxed_madd(c8, vm, va); c9 = f32x4.relaxed_madd(c9, vm, va);
      c10 = f32x4.relaxed_madd(c10, vm, va); c11 = f32x4.relaxed_madd(c11, vm, va);
    }
    const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
    return sumLanes(f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))));
  } else if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
    let x0 = v128.load(constants, 32), x1 = v128.load(constants, 48);
    let x2 = v128.load(constants, 64), x3 = v128.load(constants, 80);
    for (let i = 0; i < iterations; i++) {
      const m0 = v128.load(constants), m1 = v128.load(constants, 16), step = v128.load(constants, 96);
      c0 = f32x4.add(c0, f32x4.mul(x0, m0)); c1 = f32x4.add(c1, f32x4.mul(x0, m1));
      c2 = f32x4.add(c2, f32x4.mul(x1, m0)); c3 = f32x4.add(c3, f32x4.mul(x1, m1));
      c4 = f32x4.add(c4, f32x4.mul(x2, m0)); c5 = f32x4.add(c5, f32x4.mul(x2, m1));
      c6 = f32x4.add(c6, f32x4.mul(x3, m0)); c7 = f32x4.add(c7, f32x4.mul(x3, m1));
      x0 = f32x4.add(x0, step); x1 = f32x4.add(x1, step); x2 = f32x4.add(x2, step); x3 = f32x4.add(x3, step);
    }
    const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
    return sumLanes(f32x4.add(s, f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3))));
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

// @ts-ignore: decorator
@inline function sumLanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// The GEMM's own 4×8 tile, `reps` times over one group of A packed whole (kc·16 bytes at a) and one
// packed panel (kc·32 bytes at panel), storing C's 4×8 at c: the GEMM's k loop with everything around
// it taken away (packing, the walk over C, the modes of zero skipping). The benchmark times it beside
// the probe, so a run shows how much of the gap to the probe is the tile's and how much the GEMM's.
// 64·kc flops a rep. Not used in training.
export function tileAlone(reps: i32, kc: i32, a: usize, panel: usize, c: usize): void {
  for (let r = 0; r < reps; r++) tile4x8(kc, a, 1, 4, panel, NR << 2, 1, c, NR, NR, true);
}
