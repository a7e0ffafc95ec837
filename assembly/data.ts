// Moving rows and checking values inside the heap.

// dst[r, :] = src[idx[r], :] for r < rows: gathers a shuffled mini-batch without leaving the heap.
// idx holds i32 row numbers; each row is cols f32.
export function gatherRows(rows: i32, cols: i32, src: usize, idx: usize, dst: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const from = <usize>load<i32>(idx + (<usize>r << 2));
    memory.copy(dst + <usize>r * rowBytes, src + from * rowBytes, rowBytes);
  }
}

// The same for rows of rowBytes bytes each (any width): a batch's rows of half floats, gathered
// into a block that gatherHalves then widens in cache. Widening rows straight from a large data set
// took 3× as long: each row's cache misses waited on the arithmetic of the row before, where a copy
// asks for many rows at once (500 000 rows of 40 halves: 24 ms an epoch staged, 74 ms direct).
export function gatherRowBytes(rows: i32, rowBytes: i32, src: usize, idx: usize, dst: usize): void {
  const width = <usize>rowBytes;
  for (let r = 0; r < rows; r++) {
    const from = <usize>load<i32>(idx + (<usize>r << 2));
    memory.copy(dst + <usize>r * width, src + from * width, width);
  }
}

// out[i] = from[i] (from ≠ 0) or i, for i < n, then, with state ≠ 0, shuffled by Fisher–Yates with
// the xoshiro128** generator whose four words sit at state (advanced in place): the permutation the
// host's Random.shuffle draws from the same state. An epoch's order, one call instead of a cold JS
// loop over every row (~6 ms for 60 000 rows in a fresh process).
export function shuffleRows(n: i32, from: usize, out: usize, state: usize): void {
  if (from != 0) memory.copy(out, from, <usize>n << 2);
  else for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), i);
  if (state == 0) return;
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  for (let i = n - 1; i > 0; i--) {
    const draw = rotl<u32>(s1 * 5, 7) * 9;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    // floor(uniform · (i + 1)) in float64, as the host computes it
    const j = <i32>Math.floor(<f64>draw / 4294967296.0 * <f64>(i + 1));
    const a = out + (<usize>i << 2), b = out + (<usize>j << 2);
    const v = load<i32>(a);
    store<i32>(a, load<i32>(b));
    store<i32>(b, v);
  }
  store<u32>(state, s0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
}

// Index of the first NaN or ±Infinity among count floats, or −1 when all are finite.
export function firstNonFinite(count: i32, x: usize): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // x − x is 0 for every finite x and NaN for NaN and ±Infinity: skip clean blocks of 4 at once
    for (; i + 4 <= count; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      const d = f32x4.sub(v, v);
      if (!v128.all_true<i32>(f32x4.eq(d, d))) break;
    }
  }
  for (; i < count; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (!isFinite(v)) return i;
  }
  return -1;
}

// Rows whose predicted class equals the target's: argmax(ŷ) = argmax(y), first maximum winning;
// with one column, (ŷ ≥ 0.5) = (y ≥ 0.5).
export function countCorrect(m: i32, n: i32, yhat: usize, y: usize): i32 {
  let correct = 0;
  for (let i = 0; i < m; i++) {
    const o = <usize>(i * n) << 2;
    if (n == 1) {
      if ((load<f32>(yhat + o) >= 0.5) == (load<f32>(y + o) >= 0.5)) correct++;
      continue;
    }
    let bp = 0, bt = 0;
    for (let j = 1; j < n; j++) {
      const q = o + (<usize>j << 2);
      if (load<f32>(yhat + q) > load<f32>(yhat + o + (<usize>bp << 2))) bp = j;
      if (load<f32>(y + q) > load<f32>(y + o + (<usize>bt << 2))) bt = j;
    }
    if (bp == bt) correct++;
  }
  return correct;
}

// Per column j of an m×n block (m ≥ 1): out[j] its least value, out[n + j] its greatest, and the
// sums of d = x − shift[j] and of d², each summed in f64 and stored as two f32, the sum rounded and
// what the rounding left: Σd = out[2n + j] + out[3n + j], Σd² = out[4n + j] + out[5n + j]. Called
// per chunk of a data set read from the host (training's targets, before the first step); the host
// adds the chunks' sums in f64. With shift a value of the column (its first), the variance
// Σd²/m − (Σd/m)² does not cancel away for a column far from zero.
export function columnMoments(m: i32, n: i32, x: usize, shift: usize, out: usize): void {
  const stride = <usize>n << 2;
  for (let j = 0; j < n; j++) {
    const col = <usize>j << 2;
    const k = <f64>load<f32>(shift + col);
    let at = x + col;
    let lo = load<f32>(at), hi = lo;
    let s1: f64 = 0, s2: f64 = 0;
    for (let i = 0; i < m; i++, at += stride) {
      const v = load<f32>(at);
      lo = min(lo, v);
      hi = max(hi, v);
      const d = <f64>v - k;
      s1 += d;
      s2 += d * d;
    }
    store<f32>(out + col, lo);
    store<f32>(out + (<usize>(n + j) << 2), hi);
    const r1 = <f32>s1, r2 = <f32>s2;
    store<f32>(out + (<usize>(2 * n + j) << 2), r1);
    store<f32>(out + (<usize>(3 * n + j) << 2), <f32>(s1 - <f64>r1));
    store<f32>(out + (<usize>(4 * n + j) << 2), r2);
    store<f32>(out + (<usize>(5 * n + j) << 2), <f32>(s2 - <f64>r2));
  }
}

// x[i, j] = (x[i, j] − shift[j]) · scale[j] over an m×n block, in place: a network's input scaling.
export function scaleColumns(m: i32, n: i32, shift: usize, scale: usize, x: usize): void {
  for (let i = 0; i < m; i++) {
    const row = x + (<usize>(i * n) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(row + o, f32x4.mul(f32x4.sub(v128.load(row + o), v128.load(shift + o)), v128.load(scale + o)));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(row + o, (load<f32>(row + o) - load<f32>(shift + o)) * load<f32>(scale + o));
    }
  }
}

// dst[r, j] = f32(src[idx[r]·cols + j])·mul[j] + add[j] for r < rows: a mini-batch of a data set
// kept as bytes (pixels, small whole numbers; the host copies a batch's rows in), widened and scaled
// as it is written, so float32 rows exist only for the batch at hand. mul and add fold the data's own scale
// and the network's input scaling (see resident.ts); a multiply then an add, never fused, so every
// build and the JS reference give the same bits.
export function gatherBytes(rows: i32, cols: i32, src: usize, idx: usize, mul: usize, add: usize, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const from = src + <usize>load<i32>(idx + (<usize>r << 2)) * <usize>cols;
    const to = dst + (<usize>(r * cols) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 16 <= cols; j += 16) {
        const b = v128.load(from + <usize>j);
        const lo = i16x8.extend_low_i8x16_u(b);
        const hi = i16x8.extend_high_i8x16_u(b);
        const o = <usize>j << 2;
        v128.store(to + o, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), v128.load(mul + o)), v128.load(add + o)));
        v128.store(to + o + 16, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), v128.load(mul + o + 16)), v128.load(add + o + 16)));
        v128.store(to + o + 32, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), v128.load(mul + o + 32)), v128.load(add + o + 32)));
        v128.store(to + o + 48, f32x4.add(f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), v128.load(mul + o + 48)), v128.load(add + o + 48)));
      }
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(to + o, <f32>load<u8>(from + <usize>j) * load<f32>(mul + o) + load<f32>(add + o));
    }
  }
}

// The same for a data set kept as IEEE half floats (float16, asked for by the user to halve a float
// data set's memory): dst[r, j] = f32(half src[idx[r]·cols + j])·mul[j] + add[j], src's rows cols
// halves (2·cols bytes) apart. Every half is exactly a float32, so only the scaling rounds, as for bytes.
export function gatherHalves(rows: i32, cols: i32, src: usize, idx: usize, mul: usize, add: usize, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const from = src + ((<usize>load<i32>(idx + (<usize>r << 2)) * <usize>cols) << 1);
    const to = dst + (<usize>(r * cols) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 8 <= cols; j += 8) {
        const h = v128.load(from + (<usize>j << 1));
        const o = <usize>j << 2;
        v128.store(to + o, f32x4.add(f32x4.mul(halvesToFloats(i32x4.extend_low_i16x8_u(h)), v128.load(mul + o)), v128.load(add + o)));
        v128.store(to + o + 16, f32x4.add(f32x4.mul(halvesToFloats(i32x4.extend_high_i16x8_u(h)), v128.load(mul + o + 16)), v128.load(add + o + 16)));
      }
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(to + o, halfToFloat(<u32>load<u16>(from + (<usize>j << 1))) * load<f32>(mul + o) + load<f32>(add + o));
    }
  }
}

// 2^112: moves a half's exponent, placed in float32's exponent bits, to float32's bias (127 − 15).
// @ts-ignore: decorator
@inline const HALF_REBIAS: u32 = 0x77800000;

// A half's bits (low 16) as the float32 it is: exponent and mantissa shifted into float32's places and
// multiplied by 2^112, which is exact for normal and subnormal halves alike; Infinity and NaN (exponent
// 31) keep float32's all-ones exponent; then the sign.
// @ts-ignore: decorator
@inline function halfToFloat(h: u32): f32 {
  const em = h & 0x7fff;
  let bits = reinterpret<u32>(reinterpret<f32>(em << 13) * reinterpret<f32>(HALF_REBIAS));
  if (em > 0x7bff) bits = (em << 13) | 0x7f800000;
  return reinterpret<f32>(bits | ((h & 0x8000) << 16));
}

// halfToFloat on four halves, one in the low 16 bits of each 32-bit lane.
// @ts-ignore: decorator
@inline function halvesToFloats(h: v128): v128 {
  const em = v128.and(h, i32x4.splat(0x7fff));
  const placed = i32x4.shl(em, 13);
  const finite = f32x4.mul(placed, f32x4.splat(reinterpret<f32>(HALF_REBIAS)));
  const special = i32x4.gt_s(em, i32x4.splat(0x7bff));
  const value = v128.bitselect(v128.or(placed, i32x4.splat(0x7f800000)), finite, special);
  return v128.or(value, i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16));
}
