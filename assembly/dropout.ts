// Inverted dropout. The mask is a pure function of (seed, index): a 32-bit integer hash, so the JS
// twin draws the identical mask, a run is reproducible from its seed, and no generator state hides
// in the module. The host draws one seed per step from its seeded generator.

// lowbias32 (Chris Wellons' integer hash): well mixed, cheap, the same in every engine.
// @ts-ignore: decorator
@inline function hash32(x: u32): u32 {
  x ^= x >> 16;
  x *= 0x7feb352d;
  x ^= x >> 15;
  x *= 0x846ca68b;
  x ^= x >> 16;
  return x;
}

// mask[i] = 0 with probability rate, else 1/(1 − rate); y[i] = x[i]·mask[i]. (y may be x.)
// Unit i is dropped when hash(seed + i·φ) < rate·2³², φ the 32-bit golden ratio.
export function dropoutForward(count: i32, rate: f32, seed: u32, x: usize, mask: usize, y: usize): void {
  const threshold = <u32>(<f64>rate * 4294967296.0);
  const keep: f32 = 1 / (1 - rate);
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const m: f32 = hash32(seed + <u32>i * 0x9e3779b9) < threshold ? 0 : keep;
    store<f32>(mask + o, m);
    store<f32>(y + o, load<f32>(x + o) * m);
  }
}

// y[i] = a[i]·b[i] over count elements (y may alias either): dropout's backward pass, dy·mask.
export function multiply(count: i32, a: usize, b: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) * load<f32>(b + o));
  }
}
