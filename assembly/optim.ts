// Parameter updates. All parameters sit in one contiguous block with their gradients in a block of
// the same layout, so one call updates the whole network.

// w −= lr · g over count elements.
export function sgdUpdate(count: i32, lr: f32, g: usize, w: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      v128.store(w + o, f32x4.sub(v128.load(w + o), f32x4.mul(vlr, v128.load(g + o))));
    }
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(w + o, load<f32>(w + o) - lr * load<f32>(g + o));
  }
}
