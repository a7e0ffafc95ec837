// The kernels' optimised code, compiled while a data set loads.
//
// A WebAssembly module starts in its baseline tier: the engine compiles a function's optimised code
// (in the background) only once the function has run for a while, and until then a training step
// runs 2–3× slower. A fresh process so spent its first ~500 steps, ~20 ms for MNIST's 784-30-10, on
// the baseline. A loader that is about to wait on a file starts this instead: the kernels every
// training step runs, on small shapes over a throwaway memory, while the read is under way and the
// main thread would be idle. The optimised code is the module's, so the network created next
// starts with it.

import { compileBuild, threadsBuildFor } from '../backends/wasm-module.js';
import { sharedBackend } from '../backends/wasm.js';
import type { Kernels } from '../backends/backend.js';

/** Rounds of the kernels: about what the engine runs a function before it compiles its optimised code. */
const ROUNDS = 400;
/** Milliseconds of work between turns of the event loop, so the loader's own callbacks are not held up. */
const SLICE_MS = 4;

let started: Promise<void> | null = null;

/**
 * Starts (once per process) running the kernels of the build the next network in the arena will
 * run (engine/arena.ts); resolves when done. Failures are dropped: this only saves time.
 */
export function warmKernels(): Promise<void> {
  started ??= run().catch(() => undefined);
  return started;
}

async function run(): Promise<void> {
  const build = await threadsBuildFor('wasm');
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true });
  const { kernels, heap } = await sharedBackend(await compileBuild(build), memory, 'wasm', build);
  const at = (heap.base + 15) & ~15;
  let round = 0;
  while (round < ROUNDS) {
    const until = performance.now() + SLICE_MS;
    while (round < ROUNDS && performance.now() < until) {
      step(kernels, at);
      round++;
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

/**
 * One training step's kernels on a batch of 16 rows of 128 inputs, 32 hidden units and 10 outputs
 * (the GEMM's packed path forward, its short-k path for the weight gradients, its plain path
 * backward), over whatever the throwaway memory holds. 1 MiB: the regions below fit.
 */
function step(k: Kernels, base: number): void {
  const rows = 16, inputs = 128, hidden = 32, outputs = 10;
  const x = base, bytes = x + 4 * rows * inputs, index = bytes + rows * inputs, w1 = index + 4 * rows;
  const w2 = w1 + 4 * inputs * hidden, h = w2 + 4 * hidden * outputs, o = h + 4 * rows * hidden;
  const g1 = o + 4 * rows * outputs, g2 = g1 + 4 * inputs * hidden, d = g2 + 4 * hidden * outputs;
  const scratch = d + 4 * rows * hidden;
  // (the row numbers at index are the memory's zeros: row 0 each time)
  k.gatherRowBytes(rows, inputs, bytes, index, bytes);
  k.gatherBytes(rows, inputs, bytes, index, w2, w2, x);
  k.gemm(false, false, rows, hidden, inputs, 1, x, w1, 0, h, scratch);
  k.addBias(rows, hidden, w2, h);
  k.sigmoid(rows * hidden, h, h);
  k.gemm(false, false, rows, outputs, hidden, 1, h, w2, 0, o, scratch);
  k.sumSquaresGrad(rows, outputs, o, o, 1, o);
  k.gemm(true, false, hidden, outputs, rows, 1, h, o, 0, g2, scratch);
  k.gemm(false, true, rows, hidden, outputs, 1, o, w2, 0, d, scratch);
  k.sigmoidBackward(rows * hidden, h, d, d);
  k.gemm(true, false, inputs, hidden, rows, 1, x, d, 0, g1, scratch);
  k.colSums(rows, hidden, d, g2);
  k.sgdUpdate(inputs * hidden, 0.01, g1, w1);
}
