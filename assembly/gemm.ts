// Matrix multiply C = αA·B + βC in the three forms backprop needs (NN, NT, TN), register-blocked.
//
// Shapes: op(A) is m×k, op(B) is k×n, C is m×n, all row-major f32. With transA, A is stored k×m
// (so op(A) = Aᵀ); with transB, B is stored n×k. lda, when not 0, is the stored A's row length: op(A)
// is then a block of a wider matrix (a training thread's rows of a weight gradient, Aᵀ·B over
// columns i0.. of A). C is overwritten when β = 0 (never read, so stale
// NaN cannot leak in) and accumulated into otherwise.
//
// Blocking: B is packed, KC rows at a time, into k-major panels of NR = 8 columns (two f32x4) in the
// caller's scratch (or, for a few rows of A, read in place when its rows hold the panel's columns);
// a 4×8 tile of C lives in 8 f32x4 accumulators while the k loop runs. Packing is what lets one
// micro-kernel serve every transpose form: only the packer and A's strides differ.
// With k ≥ 64 and at least four rows, A is packed too, compressed (gemmCompressedA): its zeros are
// skipped, with the same bits, and each panel of B is packed once per k-block for all of A's rows.
// Scratch must hold GEMM_SCRATCH_BYTES. Nothing is allocated.

// @ts-ignore: decorator
@inline export const KC: i32 = 256;
// @ts-ignore: decorator
@inline export const NR: i32 = 8;
// @ts-ignore: decorator
@inline export const MC: i32 = 64;
// @ts-ignore: decorator
@inline export const NC: i32 = 512;
// the B panels (one in gemm, NC / NR of them in gemmCompressedA), then MC rows of A packed in k-major
// groups of four (values), then each group's k indices (compressed A)
export const GEMM_SCRATCH_BYTES: i32 = (KC * NC + KC * MC) * 4 + KC * MC + MC;

export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, b: usize, beta: f32, c: usize, scratch: usize, lda: i32,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) {
    scaleMatrix(m * n, beta, c);
    return;
  }
  // β = 0: the first k-block stores its tiles (C is never read); otherwise C is scaled once and
  // every k-block accumulates
  if (beta != 0) scaleMatrix(m * n, beta, c);
  // element strides of op(A)(i, p) and op(B)(p, j)
  if (lda == 0) lda = transA ? m : k;
  const rsA: i32 = transA ? 1 : lda;
  const csA: i32 = transA ? lda : 1;
  const rsB: i32 = transB ? 1 : n;
  const csB: i32 = transB ? k : 1;
  // A packed (compressed) wherever a k loop is long enough to repay the packing; below k = 64 (a
  // weight gradient at a small batch: k is the batch) the cost per tile dominates and skipping zeros
  // gains nothing, so A is read in place (docs/performance.md, the GEMM's choices, gives the figures)
  if (ASC_FEATURE_SIMD && m >= 4 && k >= 64) {
    gemmCompressedA(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta == 0, c, scratch);
    return;
  }
  // Aᵀ·B over a short k (a weight gradient at a small batch: k is the batch, op(A)'s rows the layer's
  // inputs): a group of four inputs that is zero in every example of the batch (an image's border
  // pixels) adds nothing, so its tiles skip the k loop; flagged once per call, in the scratch past
  // the one panel this path packs
  let zeroGroups: usize = 0;
  if (ASC_FEATURE_SIMD && rsA == 1 && k <= KC && (m >> 2) <= KC * MC * 4) {
    zeroGroups = scratch + (<usize>(KC * NR) << 2);
    for (let g = 0; (g << 2) + 4 <= m; g++) {
      let any = f32x4.splat(0);
      let src = a + (<usize>(g << 2) << 2);
      for (let p = 0; p < k; p++) {
        any = v128.or(any, v128.load(src));
        src += <usize>csA << 2;
      }
      store<u8>(zeroGroups + <usize>g, <u8>!v128.any_true(any));
    }
  }
  for (let jc = 0; jc < n; jc += NR) {
    const nr = min(NR, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const overwrite = beta == 0 && pc == 0;
      const src = b + (<usize>(pc * rsB + jc * csB) << 2);
      const inPlace = panelInPlace(m, csB, nr);
      const panel = inPlace ? src : scratch;
      const ldp: usize = inPlace ? <usize>rsB << 2 : NR << 2;
      if (!inPlace) packB(kc, nr, src, rsB, csB, pc + kc == k, scratch);
      let i = 0;
      const cCol = c + (<usize>jc << 2);
      for (; i + 4 <= m; i += 4) {
        let steps = kc;
        if (zeroGroups != 0 && load<u8>(zeroGroups + <usize>(i >> 2)) != 0) {
          // the dense sums would be +0; α·(+0) added to C leaves it as it is when α < 0 (−0 then,
          // and x + −0 = x for every x), so only a store or α > 0 still needs the tile, without its k loop
          if (!overwrite && alpha < 0) continue;
          steps = 0;
        }
        tile4x8(steps, a + (<usize>(i * rsA + pc * csA) << 2), rsA, csA, panel, ldp, alpha,
          cCol + (<usize>(i * n) << 2), n, nr, overwrite);
      }
      leftoverRows(i, m, kc, a + (<usize>(pc * csA) << 2), rsA, csA, panel, ldp, alpha, cCol, n, nr, overwrite);
    }
  }
}

// Every form, with A packed compressed: each MC-row block of op(A), per k-block, becomes groups of
// four rows holding, for each k where one of the four is nonzero, the four values (one vector) and
// that k. Zeros are common in what a network multiplies (image pixels, relu outputs and their
// gradients), and a product with a zero only adds
// ±0, which leaves a sum exactly as it is (a sum that starts at +0 never becomes −0), so skipping
// them gives the dense result bit for bit, with B finite. With more than MC rows, B's panels are
// packed NC columns at a time (packBBlock) ahead of every row block of A, so each is packed once per
// k-block, not once per MC rows (a tall Aᵀ·B would pack each panel once per row block). Panels are
// read in place for a few rows of row-major B, as in gemm. Dense groups take the plain tile: packed whole
// (every k, 16 bytes a step) when enough panels share it to repay the packing, else over A in place.
// Packed, the tile's k loop has one A pointer and constant offsets where in place it has four rows to
// step (A·B and A·Bᵀ), or, for Aᵀ·B, four adjacent floats lda apart in k, a stride that with lda a
// power of two (a 512-unit layer) keeps hitting the same few L1 sets.
function gemmCompressedA(m: i32, n: i32, k: i32, alpha: f32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32,
  betaZero: bool, c: usize, scratch: usize): void {
  const vals = scratch + (<usize>(KC * NC) << 2);
  const idxs = vals + (<usize>(KC * MC) << 2);
  const modes = idxs + (<usize>KC * MC);
  // (k ≥ 64 here) packing a group whole repays itself over two panels for Aᵀ·B, whose in-place reads
  // are strided; over about sixteen for A·B and A·Bᵀ, whose in-place reads are contiguous
  const packDense = m > 16 && n >= (rsA == 1 ? 16 : 128);
  // with one MC-row block of A (packed once, at the first panel), each panel is packed right before
  // its tiles, while it is still in L1 (packing many columns ahead evicts it before its use)
  const ncStep = m > MC ? NC : NR;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const overwrite = betaZero && pc == 0;
    for (let jb = 0; jb < n; jb += ncStep) {
      const nb = min(ncStep, n - jb);
      packBBlock(m, kc, nb, b + (<usize>(pc * rsB + jb * csB) << 2), rsB, csB, pc + kc == k, scratch);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        const groups = (mc + 3) >> 2;
        // The only row block stays packed from one column block to the next.
        if (jb == 0 || m > MC) packRowBlock(mc, kc, a + (<usize>(ic * rsA + pc * csA) << 2), rsA, csA, packDense, vals, idxs, modes);
        for (let jc = jb; jc < jb + nb; jc += NR) {
          const nr = min(NR, n - jc);
          const inPlace = panelInPlace(m, csB, nr);
          const panel = inPlace ? b + (<usize>(pc * rsB + jc) << 2) : scratch + (<usize>((jc - jb) * kc) << 2);
          const ldp: usize = inPlace ? <usize>rsB << 2 : NR << 2;
          const cCol = c + (<usize>jc << 2);
          for (let g = 0; g < groups; g++) {
            const i = ic + (g << 2);
            const rows = min(4, mc - (g << 2));
            const cc = cCol + (<usize>(i * n) << 2);
            const mode = load<i32>(modes + (<usize>g << 2));
            const gv = vals + (<usize>(g * kc) << 4);
            if (mode == WHOLE) {
              tile4x8(kc, gv, 1, 4, panel, ldp, alpha, cc, n, nr, overwrite);
            } else if (mode == DENSE) {
              if (rows == 4) tile4x8(kc, a + (<usize>(i * rsA + pc * csA) << 2), rsA, csA, panel, ldp, alpha, cc, n, nr, overwrite);
              else leftoverRows(i, i + rows, kc, a + (<usize>(pc * csA) << 2), rsA, csA, panel, ldp, alpha, cCol, n, nr, overwrite);
            } else {
              const gi = idxs + (<usize>(g * kc) << 2);
              if (rows == 2) tileIdx2x8(mode, gv, gi, panel, ldp, alpha, cc, n, nr, overwrite);
              else tileIdx4x8(mode, gv, gi, panel, ldp, alpha, cc, n, nr, overwrite, rows);
            }
          }
        }
      }
    }
  }
}

// Packs the groups of four rows of an MC-row block of op(A) (a is its (0, 0)) over k 0..kc for
// gemmCompressedA, and stores each group's mode: its count of nonzero k when compressed, DENSE (read
// in place) or WHOLE (packed whole); a group is compressed unless four probes all find nonzeros or
// four in five of its k turn out nonzero. A function of its own, called once a row block, so that
// gemmCompressedA stays small: V8 compiles a function with its optimising tier only once it is hot,
// in the background, and the first epoch runs the baseline code until then (gemmCompressedA with
// the packing inlined took 90 ms to compile, a third of a small network's epoch).
function packRowBlock(mc: i32, kc: i32, a: usize, rsA: i32, csA: i32, packDense: bool, vals: usize, idxs: usize, modes: usize): void {
  const groups = (mc + 3) >> 2;
  for (let g = 0; g < groups; g++) {
    const rows = min(4, mc - (g << 2));
    const at = a + (<usize>((g << 2) * rsA) << 2);
    const gv = vals + (<usize>(g * kc) << 4);
    const gi = idxs + (<usize>(g * kc) << 2);
    let mode = DENSE;
    if (rows >= 2 && !looksDense(rows, at, rsA, csA, kc)) {
      mode = packGroup(rows, at, rsA, csA, kc, gv, gi, false);
      // mostly nonzero after all: the plain tile over every k beats the indexed one
      if (mode * 5 > kc * 4) mode = DENSE;
    }
    if (mode == DENSE && rows == 4 && packDense) {
      packGroup(rows, at, rsA, csA, kc, gv, gi, true);
      mode = WHOLE;
    }
    store<i32>(modes + (<usize>g << 2), mode);
  }
}

// Packs op(B)[0..kc, 0..nb] (b is op(B)(0, 0)) into consecutive kc×8 panels at `block`, the last one
// zero-padded, leaving out the full panels gemmCompressedA reads in place. Rows of contiguous floats
// (A·B, Aᵀ·B) are read along the rows, four at a time so that each panel receives 128 contiguous
// bytes rather than four 32-byte pieces from one row at a time.
function packBBlock(m: i32, kc: i32, nb: i32, b: usize, rsB: i32, csB: i32, lastRow: bool, block: usize): void {
  const panelBytes = <usize>(kc * NR) << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD && csB == 1) {
    const full = nb >> 3;
    if (!panelInPlace(m, csB, NR)) {
      const rs = <usize>rsB << 2;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        let src = b + (<usize>(p * rsB) << 2);
        let dst = block + (<usize>(p * NR) << 2);
        for (let q = 0; q < full; q++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          v128.store(dst, v128.load(src + rs), 32);
          v128.store(dst, v128.load(src + rs, 16), 48);
          v128.store(dst, v128.load(src + 2 * rs), 64);
          v128.store(dst, v128.load(src + 2 * rs, 16), 80);
          v128.store(dst, v128.load(src + 3 * rs), 96);
          v128.store(dst, v128.load(src + 3 * rs, 16), 112);
          src += NR << 2;
          dst += panelBytes;
        }
      }
      // the last kc mod 4 rows of each panel
      if (p < kc) {
        for (let q = 0; q < full; q++) {
          packB(kc - p, NR, b + (<usize>(p * rsB + q * NR) << 2), rsB, csB, lastRow,
            block + <usize>q * panelBytes + (<usize>(p * NR) << 2));
        }
      }
    }
    j = full;
  }
  // transposed B (op(B) = Bᵀ), the scalar build, and a last partial panel: panel by panel
  for (; (j << 3) < nb; j++) {
    const nr = min(NR, nb - (j << 3));
    if (panelInPlace(m, csB, nr)) continue;
    packB(kc, nr, b + (<usize>((j << 3) * csB) << 2), rsB, csB, lastRow, block + <usize>j * panelBytes);
  }
}

// Whether a B panel is read in place from B's rows (row stride rsB) rather than packed: for a few rows
// of A (the forward pass at a small batch) packing costs more than the strided reads it saves, since
// only a few tiles use the panel. The same k-blocks either way, so the same sums bit for bit.
// @ts-ignore: decorator
@inline function panelInPlace(m: i32, csB: i32, nr: i32): bool {
  return ASC_FEATURE_SIMD && m <= 16 && csB == 1 && nr == NR;
}

// @ts-ignore: decorator
@inline const DENSE: i32 = -1;
// @ts-ignore: decorator
@inline const WHOLE: i32 = -2;

// Whether op(A)'s rows 0..rows (a is op(A)(0, 0)) have a nonzero at each of four k spread over the
// block: a dense matrix then costs four probes a group, not a packing pass.
// @ts-ignore: decorator
@inline function looksDense(rows: i32, a: usize, rsA: i32, csA: i32, kc: i32): bool {
  if (kc < 4) return true;
  const rs = <usize>rsA << 2;
  let active = 0;
  for (let s = 0; s < 4; s++) {
    const src = a + (<usize>((s * kc >> 2) * csA) << 2);
    let bits = load<u32>(src) | load<u32>(src + rs);
    if (rows > 2) bits |= load<u32>(src + 2 * rs);
    if (rows > 3) bits |= load<u32>(src + 3 * rs);
    active += <i32>((bits << 1) != 0);
  }
  return active == 4;
}

// Packs op(A)'s rows 0..rows (2 to 4) over k 0..kc (a is op(A)(0, 0)) into a compressed group: for
// each k where a row is nonzero (every k when `whole`), the rows' values as one vector (lanes past
// rows 0) at vals and k at idx; returns how many. Every slot is written and kept only when nonzero,
// without a branch.
// @ts-ignore: decorator
@inline function packGroup(rows: i32, a: usize, rsA: i32, csA: i32, kc: i32, vals: usize, idx: usize, whole: bool): i32 {
  let t = 0;
  if (rsA == 1 && rows == 4) {
    // Aᵀ·B: the four values are adjacent in a row of stored A
    const step = <usize>csA << 2;
    let src = a;
    for (let p = 0; p < kc; p++) {
      const v = v128.load(src);
      t = putSlot(vals, idx, t, v, p, whole);
      src += step;
    }
    return t;
  }
  let p = 0;
  if (csA == 1) {
    // rows run along k: four k at a time from each row, transposed in registers
    const rs = <usize>rsA << 2;
    const zero = f32x4.splat(0);
    for (; p + 4 <= kc; p += 4) {
      const src = a + (<usize>p << 2);
      const r0 = v128.load(src);
      const r1 = v128.load(src + rs);
      const r2 = rows > 2 ? v128.load(src + 2 * rs) : zero;
      const r3 = rows > 3 ? v128.load(src + 3 * rs) : zero;
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      t = putSlot(vals, idx, t, v128.shuffle<i64>(t0, t2, 0, 2), p, whole);
      t = putSlot(vals, idx, t, v128.shuffle<i64>(t0, t2, 1, 3), p + 1, whole);
      t = putSlot(vals, idx, t, v128.shuffle<i64>(t1, t3, 0, 2), p + 2, whole);
      t = putSlot(vals, idx, t, v128.shuffle<i64>(t1, t3, 1, 3), p + 3, whole);
    }
  }
  // the rest lane by lane (and a partial group of Aᵀ·B, whose vector would read past its rows)
  const rs = <usize>rsA << 2;
  for (; p < kc; p++) {
    const src = a + (<usize>(p * csA) << 2);
    let v = f32x4.splat(0);
    v = f32x4.replace_lane(v, 0, load<f32>(src));
    v = f32x4.replace_lane(v, 1, load<f32>(src + rs));
    if (rows > 2) v = f32x4.replace_lane(v, 2, load<f32>(src + 2 * rs));
    if (rows > 3) v = f32x4.replace_lane(v, 3, load<f32>(src + 3 * rs));
    t = putSlot(vals, idx, t, v, p, whole);
  }
  return t;
}

// Writes slot t of a compressed group (the values v, their k p) and returns the next slot: t + 1 when
// the slot is kept (`whole`, or a nonzero in v), t when the next write may overwrite it.
// @ts-ignore: decorator
@inline function putSlot(vals: usize, idx: usize, t: i32, v: v128, p: i32, whole: bool): i32 {
  v128.store(vals + (<usize>t << 4), v);
  store<i32>(idx + (<usize>t << 2), p);
  return t + (whole ? 1 : <i32>v128.any_true(v));
}

// C[0..rows, 0..nr] (+)= α · (a compressed group) · panel, rows 3 or 4: the 4×8 tile over the group's
// nonzero k only, each step reading the panel's row at its k.
// @ts-ignore: decorator
@inline function tileIdx4x8(count: i32, vals: usize, idx: usize, panel: usize, ldp: usize, alpha: f32, c: usize, ldc: i32, nr: i32, overwrite: bool, rows: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let vp = vals;
  let ip = idx;
  const end = idx + (<usize>count << 2);
  while (ip < end) {
    const bp = panel + <usize>load<i32>(ip) * ldp;
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load32_splat(vp);
    c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(vp, 4);
    c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    av = v128.load32_splat(vp, 8);
    c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
    av = v128.load32_splat(vp, 12);
    c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
    vp += 16;
    ip += 4;
  }
  const ldcb = <usize>ldc << 2;
  const va = f32x4.splat(alpha);
  addTile(c, ldc, rows, c00, c01, c10, c11, c20, c21, c30, c31, va, nr, overwrite);
}

// The same for a group of two rows: half the accumulators and loads, as tile2x8 beside tile4x8
// (the seed's batch of 10 ends in such a pair). Not inlined, like leftoverRows: one group of a row
// block at most takes it, and gemmCompressedA compiles sooner without it.
function tileIdx2x8(count: i32, vals: usize, idx: usize, panel: usize, ldp: usize, alpha: f32, c: usize, ldc: i32, nr: i32, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let vp = vals;
  let ip = idx;
  const end = idx + (<usize>count << 2);
  while (ip < end) {
    const bp = panel + <usize>load<i32>(ip) * ldp;
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load32_splat(vp);
    c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(vp, 4);
    c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    vp += 16;
    ip += 4;
  }
  const va = f32x4.splat(alpha);
  const z = f32x4.splat(0);
  addTile(c, ldc, 2, c00, c01, c10, c11, z, z, z, z, va, nr, overwrite);
}

// Rows i..end of C's panel columns, after the 4×8 tiles: a pair shares each panel load (m = 10, the
// seed's batch, is 4 + 4 + 2; SIMD builds only), the rest go one by one. a is op(A)(0, pc). Not
// inlined: it runs once a panel, and inlined twice it made gemm and gemmCompressedA slower to
// compile with V8's optimising tier (the first epoch runs baseline code until then).
function leftoverRows(i: i32, end: i32, kc: i32, a: usize, rsA: i32, csA: i32, panel: usize, ldp: usize, alpha: f32,
  cCol: usize, n: i32, nr: i32, overwrite: bool): void {
  if (ASC_FEATURE_SIMD && i + 2 <= end) {
    tile2x8(kc, a + (<usize>(i * rsA) << 2), rsA, csA, panel, ldp, alpha, cCol + (<usize>(i * n) << 2), n, nr, overwrite);
    i += 2;
  }
  for (; i < end; i++) {
    tile1x8(kc, a + (<usize>(i * rsA) << 2), csA, panel, ldp, alpha, cCol + (<usize>(i * n) << 2), nr, overwrite);
  }
}

// C *= β over count elements; β = 0 writes zeros without reading.
function scaleMatrix(count: i32, beta: f32, c: usize): void {
  if (beta == 1) return;
  let i = 0;
  if (beta == 0) {
    memory.fill(c, 0, <usize>count << 2);
    return;
  }
  if (ASC_FEATURE_SIMD) {
    const vb = f32x4.splat(beta);
    for (; i + 4 <= count; i += 4) {
      const p = c + (<usize>i << 2);
      v128.store(p, f32x4.mul(v128.load(p), vb));
    }
  }
  for (; i < count; i++) {
    const p = c + (<usize>i << 2);
    store<f32>(p, load<f32>(p) * beta);
  }
}

// Copies op(B)[0..kc, 0..nr] into a kc×8 k-major panel, zero-padding columns nr..7. lastRow: the
// block ends at B's last row (nothing may be read past it).
function packB(kc: i32, nr: i32, b: usize, rsB: i32, csB: i32, lastRow: bool, panel: usize): void {
  if (nr == NR && csB == 1) {
    // rows of 8 contiguous floats: two vector moves per row
    for (let p = 0; p < kc; p++) {
      const src = b + (<usize>(p * rsB) << 2);
      const dst = panel + (<usize>(p * NR) << 2);
      if (ASC_FEATURE_SIMD) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        for (let j = 0; j < NR; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
      }
    }
    return;
  }
  if (ASC_FEATURE_SIMD && nr >= 4 && rsB == 1) {
    // transposed (op(B) = Bᵀ): each panel column is a contiguous run of a stored row; 4×4 blocks
    // are read as four vectors along those rows and transposed in registers. A partial panel
    // (n = 100: 12 panels and 4 columns) does its whole blocks so and the rest column by column.
    const blocked = nr & ~3;
    const kc8 = kc & ~7;
    const stride = <usize>csB << 2;
    // four stored rows (four panel columns) at a time, eight k a step: each row keeps its own
    // pointer, so every load and store takes a constant offset and a step needs five additions for
    // its addresses, where a 4×4 block at a time recomputed all eight (a multiply among them)
    for (let jj = 0; jj < blocked; jj += 4) {
      let s0 = b + (<usize>(jj * csB) << 2);
      let s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
      let dst = panel + (<usize>jj << 2);
      for (let p = 0; p < kc8; p += 8) {
        transpose4x4(v128.load(s0), v128.load(s1), v128.load(s2), v128.load(s3), dst);
        transpose4x4(v128.load(s0, 16), v128.load(s1, 16), v128.load(s2, 16), v128.load(s3, 16), dst + (NR << 4));
        s0 += 32; s1 += 32; s2 += 32; s3 += 32;
        dst += NR << 5;
      }
      if (kc8 + 4 <= kc) transpose4x4(v128.load(s0), v128.load(s1), v128.load(s2), v128.load(s3), dst);
    }
    let p = kc & ~3;
    for (; p < kc; p++) {
      for (let j = 0; j < blocked; j++) {
        store<f32>(panel + (<usize>(p * NR + j) << 2), load<f32>(b + (<usize>(j * csB + p) << 2)));
      }
    }
    for (let j = blocked; j < NR; j++) {
      const src = b + (<usize>(j * csB) << 2);
      for (let p = 0; p < kc; p++) {
        store<f32>(panel + (<usize>(p * NR + j) << 2), j < nr ? load<f32>(src + (<usize>p << 2)) : 0);
      }
    }
    return;
  }
  if (ASC_FEATURE_SIMD && csB == 1) {
    // a partial panel of contiguous rows (n = 30: w1's hidden layer): read eight floats and keep nr
    // of them; the lanes past nr belong to the next row, so the matrix's very last row goes lane by lane
    const lanes = i32x4(0, 1, 2, 3);
    const keepLo = i32x4.lt_s(lanes, i32x4.splat(nr));
    const keepHi = i32x4.lt_s(lanes, i32x4.splat(nr - 4));
    const last = lastRow ? kc - 1 : kc;
    let p = 0;
    for (; p < last; p++) {
      const src = b + (<usize>(p * rsB) << 2);
      const dst = panel + (<usize>(p * NR) << 2);
      v128.store(dst, v128.and(v128.load(src), keepLo));
      v128.store(dst, v128.and(v128.load(src, 16), keepHi), 16);
    }
    for (; p < kc; p++) {
      for (let j = 0; j < NR; j++) {
        store<f32>(panel + (<usize>(p * NR + j) << 2), j < nr ? load<f32>(b + (<usize>(p * rsB + j) << 2)) : 0);
      }
    }
    return;
  }
  // partial panel: column by column, so each source read runs along memory when csB > 1
  for (let j = 0; j < NR; j++) {
    if (j < nr) {
      const src = b + (<usize>(j * csB) << 2);
      for (let p = 0; p < kc; p++) {
        store<f32>(panel + (<usize>(p * NR + j) << 2), load<f32>(src + (<usize>(p * rsB) << 2)));
      }
    } else {
      for (let p = 0; p < kc; p++) store<f32>(panel + (<usize>(p * NR + j) << 2), 0);
    }
  }
}

// Stores the 4×4 block whose rows are r0..r3 transposed: its columns go to four panel rows (NR
// floats apart) from dst.
// @ts-ignore: decorator
@inline function transpose4x4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<i64>(t0, t2, 0, 2));
  v128.store(dst, v128.shuffle<i64>(t0, t2, 1, 3), NR * 4);
  v128.store(dst, v128.shuffle<i64>(t1, t3, 0, 2), NR * 8);
  v128.store(dst, v128.shuffle<i64>(t1, t3, 1, 3), NR * 12);
}

// C[0..4, 0..nr] (+)= α · op(A)[0..4, 0..kc] · panel: stores when `overwrite`, else accumulates.
// c is row-major with row stride ldc elements. Inlined into its loops (as is tile2x8): engines do not
// inline WebAssembly calls, and a call per tile is a large share of a tile whose k loop is short
// (a weight gradient at batch 10 has ten-step tiles).
// @ts-ignore: decorator
@inline export function tile4x8(kc: i32, a: usize, rsA: i32, csA: i32, panel: usize, ldp: usize, alpha: f32, c: usize, ldc: i32, nr: i32, overwrite: bool): void {
  const stepA = <usize>csA << 2;
  let a0 = a;
  let a1 = a + (<usize>rsA << 2);
  let a2 = a + (<usize>(2 * rsA) << 2);
  let a3 = a + (<usize>(3 * rsA) << 2);
  if (ASC_FEATURE_SIMD) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    let bp = panel;
    if (rsA == 1) {
      // the four rows' values are adjacent (Aᵀ·B, or A packed in groups of four): one pointer and
      // constant offsets, three fewer additions a step
      for (let p = 0; p < kc; p++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        let av = v128.load32_splat(a0);
        c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
        av = v128.load32_splat(a0, 4);
        c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
        av = v128.load32_splat(a0, 8);
        c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
        av = v128.load32_splat(a0, 12);
        c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
        a0 += stepA;
        bp += ldp;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        let av = v128.load32_splat(a0);
        c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1);
        c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2);
        c20 = madd(av, b0, c20); c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3);
        c30 = madd(av, b0, c30); c31 = madd(av, b1, c31);
        a0 += stepA; a1 += stepA; a2 += stepA; a3 += stepA;
        bp += ldp;
      }
    }
    const ldcb = <usize>ldc << 2;
    const va = f32x4.splat(alpha);
    addTile(c, ldc, 4, c00, c01, c10, c11, c20, c21, c30, c31, va, nr, overwrite);
  } else {
    tile1x8(kc, a0, csA, panel, ldp, alpha, c, nr, overwrite);
    tile1x8(kc, a1, csA, panel, ldp, alpha, c + (<usize>ldc << 2), nr, overwrite);
    tile1x8(kc, a2, csA, panel, ldp, alpha, c + (<usize>(2 * ldc) << 2), nr, overwrite);
    tile1x8(kc, a3, csA, panel, ldp, alpha, c + (<usize>(3 * ldc) << 2), nr, overwrite);
  }
}

// C[0..2, 0..nr] (+)= α · op(A)[0..2, 0..kc] · panel: a pair of leftover rows (SIMD builds only).
// @ts-ignore: decorator
@inline function tile2x8(kc: i32, a: usize, rsA: i32, csA: i32, panel: usize, ldp: usize, alpha: f32, c: usize, ldc: i32, nr: i32, overwrite: bool): void {
  const stepA = <usize>csA << 2;
  let a0 = a;
  let a1 = a + (<usize>rsA << 2);
  let bp = panel;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load32_splat(a0);
    c00 = madd(av, b0, c00); c01 = madd(av, b1, c01);
    av = v128.load32_splat(a1);
    c10 = madd(av, b0, c10); c11 = madd(av, b1, c11);
    a0 += stepA; a1 += stepA;
    bp += ldp;
  }
  const va = f32x4.splat(alpha);
  const z = f32x4.splat(0);
  addTile(c, ldc, 2, c00, c01, c10, c11, z, z, z, z, va, nr, overwrite);
}

// C[0, 0..nr] (+)= α · op(A)[0, 0..kc] · panel: the row tail (and the scalar build's whole kernel).
function tile1x8(kc: i32, a: usize, csA: i32, panel: usize, ldp: usize, alpha: f32, c: usize, nr: i32, overwrite: bool): void {
  const stepA = <usize>csA << 2;
  let ap = a;
  let bp = panel;
  if (ASC_FEATURE_SIMD) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
    for (let p = 0; p < kc; p++) {
      const av = v128.load32_splat(ap);
      c0 = madd(av, v128.load(bp), c0);
      c1 = madd(av, v128.load(bp, 16), c1);
      ap += stepA;
      bp += ldp;
    }
    const z = f32x4.splat(0);
    addTile(c, 0, 1, c0, c1, z, z, z, z, z, z, f32x4.splat(alpha), nr, overwrite);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    let s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
    for (let p = 0; p < kc; p++) {
      const av = load<f32>(ap);
      s0 += av * load<f32>(bp); s1 += av * load<f32>(bp, 4);
      s2 += av * load<f32>(bp, 8); s3 += av * load<f32>(bp, 12);
      s4 += av * load<f32>(bp, 16); s5 += av * load<f32>(bp, 20);
      s6 += av * load<f32>(bp, 24); s7 += av * load<f32>(bp, 28);
      ap += stepA;
      bp += ldp;
    }
    // unrolled stores would write past nr; go through a lane index instead
    for (let j = 0; j < nr; j++) {
      const s = j == 0 ? s0 : j == 1 ? s1 : j == 2 ? s2 : j == 3 ? s3 : j == 4 ? s4 : j == 5 ? s5 : j == 6 ? s6 : s7;
      const q = c + (<usize>j << 2);
      store<f32>(q, (overwrite ? 0 : load<f32>(q)) + alpha * s);
    }
  }
}

// a·b + c: one fused multiply-add in the relaxed-SIMD build (the engine may round once or twice),
// a multiply then an add otherwise.
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// C[0..rows, 0..nr] = α·(the tile's accumulators, lo ‖ hi per row) when `overwrite`, else +=;
// touches only the first nr columns. A whole panel inline; a partial one (n not a multiple of 8: the
// last panel only) through addPartialTile.
// @ts-ignore: decorator
@inline function addTile(c: usize, ldc: i32, rows: i32, lo0: v128, hi0: v128, lo1: v128, hi1: v128,
  lo2: v128, hi2: v128, lo3: v128, hi3: v128, va: v128, nr: i32, overwrite: bool): void {
  if (nr != NR) {
    addPartialTile(c, ldc, rows, lo0, hi0, lo1, hi1, lo2, hi2, lo3, hi3, f32x4.extract_lane(va, 0), nr, overwrite);
    return;
  }
  const ldcb = <usize>ldc << 2;
  addRow(c, lo0, hi0, va, overwrite);
  if (rows > 1) addRow(c + ldcb, lo1, hi1, va, overwrite);
  if (rows > 2) addRow(c + 2 * ldcb, lo2, hi2, va, overwrite);
  if (rows > 3) addRow(c + 3 * ldcb, lo3, hi3, va, overwrite);
}

// c[0..8] = α·(lo ‖ hi) when `overwrite`, else c[0..8] += α·(lo ‖ hi).
// @ts-ignore: decorator
@inline function addRow(c: usize, lo: v128, hi: v128, va: v128, overwrite: bool): void {
  if (overwrite) {
    v128.store(c, f32x4.mul(va, lo));
    v128.store(c, f32x4.mul(va, hi), 16);
  } else {
    v128.store(c, f32x4.add(v128.load(c), f32x4.mul(va, lo)));
    v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(va, hi)), 16);
  }
}

// addTile for a partial panel. A function of its own, not inlined into the dozen tiles: each copy
// made the GEMM functions slower to compile with V8's optimising tier, and the first epoch runs
// baseline code until that compile is done.
function addPartialTile(c: usize, ldc: i32, rows: i32, lo0: v128, hi0: v128, lo1: v128, hi1: v128,
  lo2: v128, hi2: v128, lo3: v128, hi3: v128, alpha: f32, nr: i32, overwrite: bool): void {
  const ldcb = <usize>ldc << 2;
  addPartialRow(c, lo0, hi0, alpha, nr, overwrite);
  if (rows > 1) addPartialRow(c + ldcb, lo1, hi1, alpha, nr, overwrite);
  if (rows > 2) addPartialRow(c + 2 * ldcb, lo2, hi2, alpha, nr, overwrite);
  if (rows > 3) addPartialRow(c + 3 * ldcb, lo3, hi3, alpha, nr, overwrite);
}

// One row of a partial panel: the first four columns still go as one vector, the rest one lane at a
// time, each rotated into lane 0 (a lane picked by index was a chain of selects).
// @ts-ignore: decorator
@inline function addPartialRow(c: usize, lo: v128, hi: v128, alpha: f32, nr: i32, overwrite: bool): void {
  let j = 0;
  let v = lo;
  if (nr >= 4) {
    const va = f32x4.splat(alpha);
    v128.store(c, overwrite ? f32x4.mul(va, lo) : f32x4.add(v128.load(c), f32x4.mul(va, lo)));
    j = 4;
    v = hi;
  }
  for (; j < nr; j++) {
    const q = c + (<usize>j << 2);
    store<f32>(q, (overwrite ? 0 : load<f32>(q)) + alpha * f32x4.extract_lane(v, 0));
    v = v128.shuffle<f32>(v, v, 1, 2, 3, 0);
  }
}
