// The kernel interface every backend implements, and the heap it runs over.
//
// Offsets are byte offsets into the backend's heap; sizes are element counts. Every kernel writes its
// outputs in place and allocates nothing; the host validates shapes before it calls one.

/**
 * 'wasm': relaxed SIMD where the engine accepts it, else SIMD; 'wasm-simd': plain SIMD even where
 * relaxed SIMD exists (the same bits on every engine with SIMD); 'wasm-relaxed': relaxed SIMD or an
 * error; 'wasm-scalar': no SIMD; 'js': the pure-TypeScript reference.
 */
export type BackendName = 'wasm' | 'wasm-simd' | 'wasm-relaxed' | 'wasm-scalar' | 'js';
/** The backends every engine runs (wasm-relaxed needs the engine's relaxed SIMD). */
export const BACKENDS: readonly BackendName[] = ['wasm', 'wasm-simd', 'wasm-scalar', 'js'];
export const ALL_BACKENDS: readonly BackendName[] = ['wasm', 'wasm-simd', 'wasm-relaxed', 'wasm-scalar', 'js'];

export interface Kernels {
  /**
   * C = α·op(A)·op(B) + β·C; op(A) m×k, op(B) k×n, C m×n. With trans, A is stored k×m / B n×k.
   * lda (default 0: k, or m with transA) is the stored A's row length when op(A) is a block of a
   * wider matrix. Each row of C depends only on its row of op(A): splitting m changes no bit.
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: number, b: number, beta: number, c: number, scratch: number, lda?: number): void;
  /** c[i, j] += bias[j] (m×n, accumulates). */
  addBias(m: number, n: number, bias: number, c: number): void;
  /** out[j] = Σ_i a[i, j] (m×n, overwrites). */
  colSums(m: number, n: number, a: number, out: number): void;
  sigmoid(count: number, x: number, y: number): void;
  sigmoidBackward(count: number, y: number, dy: number, dx: number): void;
  tanh(count: number, x: number, y: number): void;
  tanhBackward(count: number, y: number, dy: number, dx: number): void;
  relu(count: number, x: number, y: number): void;
  reluBackward(count: number, y: number, dy: number, dx: number): void;
  leakyRelu(count: number, slope: number, x: number, y: number): void;
  leakyReluBackward(count: number, slope: number, y: number, dy: number, dx: number): void;
  softmax(m: number, n: number, x: number, y: number): void;
  softmaxBackward(m: number, n: number, y: number, dy: number, dx: number): void;
  /** Σ (ŷ − y)² over m×n. */
  sumSquaresLoss(m: number, n: number, yhat: number, y: number): number;
  /** grad = scale·2(ŷ − y); returns Σ (2(ŷ − y))². */
  sumSquaresGrad(m: number, n: number, yhat: number, y: number, scale: number, grad: number): number;
  /** p = softmax(z) row-wise (p may alias z); returns −Σ y·log p, computed from the logits. */
  softmaxCrossEntropy(m: number, n: number, z: number, y: number, p: number): number;
  /** grad = scale·(p − y); returns Σ (p − y)². */
  softmaxCrossEntropyGrad(m: number, n: number, p: number, y: number, scale: number, grad: number): number;
  /** w −= lr·g over count elements. */
  sgdUpdate(count: number, lr: number, g: number, w: number): void;
  /** v = μv + g; w −= lr·v (Nesterov: w −= lr·(g + μv)). */
  momentumUpdate(count: number, lr: number, mu: number, nesterov: number, g: number, v: number, w: number): void;
  /** Adam with decoupled decay: c1 = 1 − β1^t, c2 = 1 − β2^t. */
  adamUpdate(count: number, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number, decay: number,
    g: number, m: number, v: number, w: number): void;
  /** y += α·x. */
  axpy(count: number, alpha: number, x: number, y: number): void;
  /** Σ x² (f64). */
  sumOfSquares(count: number, x: number): number;
  /** x *= α. */
  scale(count: number, alpha: number, x: number): void;
  /** Inverted dropout: mask = 0 (probability rate) or 1/(1 − rate) from hash(seed, i); y = x·mask. */
  dropoutForward(count: number, rate: number, seed: number, x: number, mask: number, y: number): void;
  /** y = a·b element-wise. */
  multiply(count: number, a: number, b: number, y: number): void;
  /** p = sigmoid(z) (p may alias z); returns the binary cross-entropy from the logits. */
  sigmoidCrossEntropy(m: number, n: number, z: number, y: number, p: number): number;
  /** dst[r, :] = src[idx[r], :] for r < rows; idx holds i32 row numbers. */
  gatherRows(rows: number, cols: number, src: number, idx: number, dst: number): void;
  /** The same for rows of rowBytes bytes (src and dst byte offsets, any width). */
  gatherRowBytes(rows: number, rowBytes: number, src: number, idx: number, dst: number): void;
  /**
   * dst[r, j] = f32(src[idx[r]·cols + j])·mul[j] + add[j] for r < rows: rows of bytes (src is a byte
   * region, rows cols bytes apart) widened to float32 and scaled; a multiply then an add, unfused.
   */
  gatherBytes(rows: number, cols: number, src: number, idx: number, mul: number, add: number, dst: number): void;
  /**
   * The same for rows of IEEE half floats (src's rows cols halves, 2·cols bytes, apart): each half
   * read as the float32 it is exactly, then scaled as gatherBytes scales a byte.
   */
  gatherHalves(rows: number, cols: number, src: number, idx: number, mul: number, add: number, dst: number): void;
  /**
   * out = the n i32 row numbers at from (0: 0, 1, …, n − 1), then, with state ≠ 0, shuffled as
   * Random.shuffle shuffles them from the four xoshiro128** words at state, which it advances.
   */
  shuffleRows(n: number, from: number, out: number, state: number): void;
  /** Index of the first NaN/±Infinity among count floats, or −1. */
  firstNonFinite(count: number, x: number): number;
  /** Rows whose argmax(ŷ) equals argmax(y) (one column: both ≥ 0.5 or both < 0.5). */
  countCorrect(m: number, n: number, yhat: number, y: number): number;
  /** x[i, j] = (x[i, j] − shift[j])·scale[j] over m×n, in place. */
  scaleColumns(m: number, n: number, shift: number, scale: number, x: number): void;
  /**
   * Per column j of m×n x (m ≥ 1): out[j] its least value, out[n + j] its greatest; with d = x − shift[j],
   * Σd = out[2n + j] + out[3n + j] and Σd² = out[4n + j] + out[5n + j] (float64 sums, each stored as
   * its float32 rounding and the rest).
   */
  columnMoments(m: number, n: number, x: number, shift: number, out: number): void;
}

export type FloatArray = Float32Array | Float64Array;

/**
 * A linear memory carved by a bump allocator. Regions are 16-byte aligned and addressed in bytes;
 * floats and i32s are 4-byte slots. Views are re-made here, and only here, whenever the memory grows.
 */
/** What a 32-bit WebAssembly memory can address (4 GiB less a page): the most any heap may use. */
export const HEAP_LIMIT = 0xffff_0000;

/**
 * Refuses, before anything is allocated, work whose memory would pass HEAP_LIMIT. `what` is only
 * called to word the refusal: a count formatted with toLocaleString builds ICU's number formatter,
 * ~25 ms the first time in a process, which every Network.create paid when it was formatted ahead.
 */
export function checkHeapRoom(bytes: number, what: string | (() => string), fix: string): void {
  if (bytes <= HEAP_LIMIT) return;
  if (typeof what === 'function') what = what();
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  throw new Error(`ffnn: ${what} needs ${gib(bytes)} of memory, more than the ${gib(HEAP_LIMIT)} a WebAssembly memory can address; ${fix}`);
}

export abstract class Heap {
  private top: number;

  protected constructor(readonly base: number) {
    this.top = align16(base);
  }

  /** Reserves count 4-byte slots and returns the region's byte offset. May grow the memory. */
  alloc(count: number): number {
    const offset = this.top;
    const end = offset + align16(count * 4);
    checkHeapRoom(end, 'this network', 'use smaller layers, a smaller batch or fewer rows at a time');
    if (end > this.capacity()) this.grow(end);
    this.top = end;
    return offset;
  }

  /** The current top, to hand back to release() once the regions above it are no longer needed. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** Bytes handed out so far, base included. */
  get used(): number {
    return this.top;
  }

  /**
   * Where `data` lies in this heap's memory as a byte offset, or -1: a loaded set in the memory
   * a network took from the arena (engine/arena.ts) is read in place.
   */
  offsetOf(_data: ArrayBufferView): number {
    return -1;
  }

  abstract floats(): FloatArray;
  abstract ints(): Int32Array;
  /** The heap's bytes, for byte regions (data sets kept as u8). */
  abstract bytes(): Uint8Array;

  private halvesView: Uint16Array<ArrayBufferLike> = new Uint16Array(0);
  /** The heap's bytes as 16-bit halves (over the same memory as bytes()), for rows of half floats. */
  halves(): Uint16Array<ArrayBufferLike> {
    const b = this.bytes();
    if (this.halvesView.buffer !== b.buffer || this.halvesView.length !== b.length >> 1) {
      this.halvesView = new Uint16Array(b.buffer, b.byteOffset, b.length >> 1);
    }
    return this.halvesView;
  }
  protected abstract capacity(): number;
  protected abstract grow(minBytes: number): void;

  /**
   * Moves `slots` 4-byte slots from byte offset `from` to `to`, whatever they hold (floats, or a half-
   * float set's halves): the kept data sets above a freed one move down.
   */
  moveSlots(to: number, from: number, slots: number): void {
    this.floats().copyWithin(to >> 2, from >> 2, (from >> 2) + slots);
  }

  /** Reserves a region of `count` bytes (16-byte aligned, like every region). */
  allocBytes(count: number): number {
    return this.alloc(Math.ceil(count / 4));
  }

  /** Copies a host array into the heap at a byte offset. */
  write(offset: number, values: ArrayLike<number>): void {
    this.floats().set(values, offset >> 2);
  }

  /** A copy of count floats from the heap, as float32. */
  read(offset: number, count: number): Float32Array {
    // the constructor copies a typed array in bulk (from() goes value by value: 36 ms for 600 000)
    return new Float32Array(this.floats().subarray(offset >> 2, (offset >> 2) + count));
  }
}

export function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

export interface Backend {
  readonly name: BackendName;
  /** What runs the kernels: 'simd', 'relaxed' or 'scalar' WebAssembly, or 'js'. */
  readonly build: 'simd' | 'relaxed' | 'scalar' | 'js';
  readonly kernels: Kernels;
  readonly heap: Heap;
  /** Bytes of scratch the gemm kernel needs for packing (0 when it packs nothing). */
  readonly gemmScratchBytes: number;
}
