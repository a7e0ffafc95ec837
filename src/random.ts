// The seeded generator all of ffnn's randomness flows from: xoshiro128**, seeded through splitmix32.
// Same seed, same sequence, on every engine (only 32-bit integer arithmetic is used).

export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | undefined;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`ffnn: the seed must be a finite number, got ${seed}`);
    let x = Math.trunc(seed) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The generator's whole state, to save with a model and resume from. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spare ?? NaN];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 5 || state.slice(0, 4).some((v) => !Number.isInteger(v))) {
      throw new Error('ffnn: a random generator state is four 32-bit integers and a spare normal');
    }
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v | 0);
    this.spare = state[4] === null || Number.isNaN(state[4]) ? undefined : state[4];
  }

  /** @internal The four state words into ints[at..at + 4), for a kernel that draws from them (shuffleRows). */
  saveWords(ints: Int32Array, at: number): void {
    ints[at] = this.s0;
    ints[at + 1] = this.s1;
    ints[at + 2] = this.s2;
    ints[at + 3] = this.s3;
  }

  /** @internal The state words back from ints[at..at + 4), as such a kernel left them. */
  loadWords(ints: Int32Array, at: number): void {
    this.s0 = ints[at];
    this.s1 = ints[at + 1];
    this.s2 = ints[at + 2];
    this.s3 = ints[at + 3];
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer on [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal, by the Box–Muller transform (the second value of each pair is kept). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = 1 - this.uniform(); // (0, 1]: log(u) is finite
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * out[0..n) = scale × the next n normal() draws: the same values, and the same state after, as n
   * calls. One loop with the generator's words in locals: a fresh process ran the calls in the
   * interpreter, ~10 ms for a 784-30-10 network's weights and ~40 ms for 784-512-512-10's.
   */
  fillNormal(out: Float32Array, n: number, scale: number): void {
    let i = 0;
    if (n > 0 && this.spare !== undefined) {
      out[i++] = scale * this.normal();
    }
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    for (; i + 1 < n; i += 2) {
      // two uniform draws, as nextUint32() twice
      const a = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      let t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      const b = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      const u = 1 - a / 4294967296;
      const v = b / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      out[i] = scale * (r * Math.cos(2 * Math.PI * v));
      out[i + 1] = scale * (r * Math.sin(2 * Math.PI * v));
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
    if (i < n) out[i] = scale * this.normal();
  }

  /** out[0..n) = the next n uniform() draws. */
  fillUniform(out: Float32Array, n: number): void {
    for (let i = 0; i < n; i++) out[i] = this.uniform();
  }

  /** Fisher–Yates shuffle of the first n entries of an array, in place. */
  shuffle(values: Int32Array, offset: number, n: number): void {
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = values[offset + i];
      values[offset + i] = values[offset + j];
      values[offset + j] = t;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
