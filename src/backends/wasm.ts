// The WebAssembly backend: each network gets its own instance (and so its own memory) of the SIMD
// or scalar build, loaded through @assemblyscript/loader.

import { instantiateSync } from '@assemblyscript/loader';
import { Heap, type Backend, type BackendName, type Kernels } from './backend.js';
import { buildFor, compileBuild, type WasmBuild } from './wasm-module.js';
import { ARENA_FIRST, offsetIn } from '../engine/arena.js';

const PAGE = 65536;

/** The module's exports as the host uses them: pointers and sizes only, never managed objects. */
interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  GEMM_SCRATCH_BYTES: WebAssembly.Global | number;
  gemm(transA: number, transB: number, m: number, n: number, k: number,
    alpha: number, a: number, b: number, beta: number, c: number, scratch: number, lda: number): void;
  [name: string]: unknown;
}

class WasmHeap extends Heap {
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);
  private u8 = new Uint8Array(0);

  constructor(private readonly memory: WebAssembly.Memory, base: number) {
    super(base);
  }

  // A grown memory detaches every old view: compare buffers and remake both views together.
  floats(): Float32Array {
    if (this.f32.buffer !== this.memory.buffer) this.remakeViews();
    return this.f32;
  }

  ints(): Int32Array {
    if (this.i32.buffer !== this.memory.buffer) this.remakeViews();
    return this.i32;
  }

  bytes(): Uint8Array {
    if (this.u8.buffer !== this.memory.buffer) this.remakeViews();
    return this.u8;
  }

  override offsetOf(data: ArrayBufferView): number {
    return offsetIn(this.memory, data);
  }

  private remakeViews(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.u8 = new Uint8Array(this.memory.buffer);
  }

  protected capacity(): number {
    return this.memory.buffer.byteLength;
  }

  protected grow(minBytes: number): void {
    const have = this.memory.buffer.byteLength;
    // at least double, so a run of small allocations costs few grows
    const want = Math.max(minBytes, Math.min(2 * have, 0xffff_0000));
    this.memory.grow(Math.ceil((want - have) / PAGE));
  }
}

export async function createWasmBackend(name: Exclude<BackendName, 'js'>): Promise<Backend> {
  return instantiateBuild(name, await buildFor(name));
}

/** @internal One build under a backend name (tests pin 'simd' where 'wasm' would pick relaxed). */
export async function instantiateBuild(name: Exclude<BackendName, 'js'>, build: WasmBuild): Promise<Backend> {
  return backendOver(name, build, await compileBuild(build), undefined, 0);
}

/**
 * @internal A threads build over a shared memory: the main thread and every worker instantiate the
 * same module over the same `WebAssembly.Memory`, so they see one heap. The heap starts at `base`
 * (or the module's own heap base, if higher): below it, an arena's loaded data sets.
 */
export function sharedBackend(module: WebAssembly.Module, memory: WebAssembly.Memory,
  name: Exclude<BackendName, 'js'> = 'wasm', build: 'threads' | 'threads-relaxed' = 'threads', base = 0): Promise<Backend> {
  return backendOver(name, build, module, memory, base);
}

async function backendOver(name: Exclude<BackendName, 'js'>, build: WasmBuild, module: WebAssembly.Module,
  memory: WebAssembly.Memory | undefined, base: number): Promise<Backend> {
  // (the loader's async instantiate asks whether its source is a fetch Response, which on Node loads
  // the whole fetch implementation, ~50 ms, for a module that is compiled already: the sync one does
  // not, and browsers allow it for compiled modules of this size)
  const { exports } = instantiateSync<Record<string, unknown>>(module, memory ? { env: { memory } } : {});
  const ex = { ...(exports as object), memory: memory ?? (exports as unknown as KernelExports).memory } as unknown as KernelExports;
  if (base > 0 && ex.heapBase() > ARENA_FIRST) {
    throw new Error(`ffnn: internal: the kernels' static data (${ex.heapBase()} bytes) reaches into the loaded data at ${ARENA_FIRST}`);
  }
  const heap = new WasmHeap(ex.memory, Math.max(ex.heapBase(), base));
  const scratch = ex.GEMM_SCRATCH_BYTES;
  const gemmScratchBytes = typeof scratch === 'number' ? scratch : Number(scratch.value);
  // The loader wraps each export in a rest-args function that records the argument count; these
  // kernels take no optional arguments, so the host calls the raw export (`.original`) directly.
  const raw = <T>(f: unknown) => ((f as { original?: unknown }).original ?? f) as T;
  const fn = <T>(key: keyof Kernels) => raw<T>(ex[key]);
  const gemm = raw<KernelExports['gemm']>(ex.gemm);
  const kernels: Kernels = {
    // booleans cross the boundary as i32
    gemm: (transA, transB, m, n, k, alpha, a, b, beta, c, scratchAt, lda = 0) =>
      gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, b, beta, c, scratchAt, lda),
    addBias: fn('addBias'),
    colSums: fn('colSums'),
    sigmoid: fn('sigmoid'),
    sigmoidBackward: fn('sigmoidBackward'),
    tanh: fn('tanh'),
    tanhBackward: fn('tanhBackward'),
    relu: fn('relu'),
    reluBackward: fn('reluBackward'),
    leakyRelu: fn('leakyRelu'),
    leakyReluBackward: fn('leakyReluBackward'),
    softmax: fn('softmax'),
    softmaxBackward: fn('softmaxBackward'),
    sumSquaresLoss: fn('sumSquaresLoss'),
    sumSquaresGrad: fn('sumSquaresGrad'),
    softmaxCrossEntropy: fn('softmaxCrossEntropy'),
    softmaxCrossEntropyGrad: fn('softmaxCrossEntropyGrad'),
    sgdUpdate: fn('sgdUpdate'),
    gatherRows: fn('gatherRows'),
    gatherRowBytes: fn('gatherRowBytes'),
    gatherBytes: fn('gatherBytes'),
    gatherHalves: fn('gatherHalves'),
    shuffleRows: fn('shuffleRows'),
    firstNonFinite: fn('firstNonFinite'),
    countCorrect: fn('countCorrect'),
    scaleColumns: fn('scaleColumns'),
    columnMoments: fn('columnMoments'),
    momentumUpdate: fn('momentumUpdate'),
    adamUpdate: fn('adamUpdate'),
    axpy: fn('axpy'),
    sumOfSquares: fn('sumOfSquares'),
    scale: fn('scale'),
    dropoutForward: fn('dropoutForward'),
    multiply: fn('multiply'),
    sigmoidCrossEntropy: fn('sigmoidCrossEntropy'),
  };
  return { name, build: build === 'threads' ? 'simd' : build === 'threads-relaxed' ? 'relaxed' : build, heap, kernels, gemmScratchBytes };
}
