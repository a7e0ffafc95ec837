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

// Per column j of an m×n block (m ≥ 1): out[j] = its least value, out[n + j] its greatest, out[2n + j]
// its mean and out[3n + j] its variance (over m), summed in f64 and stored as f32. What training
// checks its targets against, before the first step (a column at a time: n is small there).
export function columnStats(m: i32, n: i32, x: usize, out: usize): void {
  const stride = <usize>n << 2;
  for (let j = 0; j < n; j++) {
    let at = x + (<usize>j << 2);
    let lo = load<f32>(at), hi = lo;
    let sum: f64 = 0;
    for (let i = 0; i < m; i++, at += stride) {
      const v = load<f32>(at);
      lo = min(lo, v);
      hi = max(hi, v);
      sum += <f64>v;
    }
    const mean = sum / <f64>m;
    let spread: f64 = 0;
    at = x + (<usize>j << 2);
    for (let i = 0; i < m; i++, at += stride) {
      const d = <f64>load<f32>(at) - mean;
      spread += d * d;
    }
    store<f32>(out + (<usize>j << 2), lo);
    store<f32>(out + (<usize>(n + j) << 2), hi);
    store<f32>(out + (<usize>(2 * n + j) << 2), <f32>mean);
    store<f32>(out + (<usize>(3 * n + j) << 2), <f32>(spread / <f64>m));
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
