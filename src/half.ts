// IEEE 754 half floats (binary16) as 16-bit patterns: a float data set kept at half float32's memory
// (see HalfMatrix). The kernels widen them (assembly/data.ts, gatherHalves); these are the host's side.

/** The number a half's bits stand for (every half is exactly a float32, and a float64). */
export function halfValue(h: number): number {
  const e = (h >> 10) & 31, m = h & 1023, sign = h & 0x8000 ? -1 : 1;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1024 + m) * 2 ** (e - 25);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The half nearest to v (ties to the even half, as IEEE rounds), from v rounded to float32 first;
 * beyond the largest half (65504, and what rounds past it) the result is ±Infinity, and NaN stays NaN.
 */
export function toHalf(v: number): number {
  f32[0] = v;
  return halfOfFloatBits(u32[0]);
}

/** toHalf of the float32 whose bits are x. */
export function halfOfFloatBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 127 + 15;
  let m = x & 0x7fffff;
  if (e === 128 + 15) return sign | 0x7c00 | (m !== 0 ? 0x200 : 0); // Infinity, NaN
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // a subnormal half (or zero): the significand, its leading 1 restored, shifted down to units of 2^-24
    if (e < -10) return sign;
    m |= 0x800000;
    const shift = 14 - e;
    const kept = m >>> shift, rest = m - kept * 2 ** shift, mid = 2 ** (shift - 1);
    return sign | (kept + (rest > mid || (rest === mid && (kept & 1) === 1) ? 1 : 0));
  }
  const kept = (e << 10) | (m >>> 13), rest = m & 0x1fff;
  // a carry out of the mantissa steps the exponent, to Infinity past the largest half
  return sign | (kept + (rest > 0x1000 || (rest === 0x1000 && (kept & 1) === 1) ? 1 : 0));
}

