// Data-parallel training steps on worker threads over one shared WebAssembly memory.
//
// Each worker instantiates the threads build over the network's shared memory and holds a replica
// network that reads the same parameters but owns its gradient block, scratch and workspace. A step
// splits the batch into contiguous parts: the main thread computes the first, each worker one more;
// the workers' gradients are then added to the main block in worker order, so results are
// deterministic for a given thread count. Workers wait on Atomics, not on messages: a step costs
// microseconds of coordination.

import { startWorker, type WorkerHandle } from './platform/worker.js';
import type { Kernels } from './backends/backend.js';
import type { DropoutDraw, StepResult, Workspace } from './network.js';

/** Where a worker's own regions sit in the shared heap (byte offsets). */
export interface WorkerRegions {
  readonly grads: number;
  readonly scratch: number;
}

// Control block layout (Uint32 slots): 0 go (sequence, or STOP), 1 done, 2 rows, 3 first row,
// 4 total rows, 5 x, 6 y, 7 d0, 8 d1, then per layer: outs, masks, drops, dropout seed.
export const CONTROL = { go: 0, done: 1, rows: 2, firstRow: 3, totalRows: 4, x: 5, y: 6, d0: 7, d1: 8, layers: 9 } as const;
export const STOP = 0x7fffffff;

/** The control block's views: slots as i32 (for Atomics) and u32 (offsets), then three f64 results. */
export function controlViews(control: SharedArrayBuffer, layers: number): { ctrl: Int32Array; slots: Uint32Array; results: Float64Array } {
  const n = CONTROL.layers + 4 * layers;
  return {
    ctrl: new Int32Array(control, 0, n),
    slots: new Uint32Array(control, 0, n),
    results: new Float64Array(control, Math.ceil((4 * n) / 8) * 8, 3),
  };
}

function controlBytes(layers: number): number {
  return Math.ceil((4 * (CONTROL.layers + 4 * layers)) / 8) * 8 + 8 * 3;
}

interface Thread {
  readonly worker: WorkerHandle;
  readonly ctrl: Int32Array;
  readonly slots: Uint32Array;
  readonly results: Float64Array;
  readonly regions: WorkerRegions;
}

export class ThreadPool {
  private seq = 0;

  private constructor(private readonly threads: Thread[], private readonly layers: number) {}

  /** Starts `regions.length` workers; resolves once each has built its replica. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, network: unknown,
    regions: readonly WorkerRegions[], layers: number): Promise<ThreadPool> {
    const threads = await Promise.all(regions.map(async (r) => {
      const sab = new SharedArrayBuffer(controlBytes(layers));
      const { ctrl, slots, results } = controlViews(sab, layers);
      const worker = startWorker('thread-worker', { module, memory, network, regions: r, control: sab });
      worker.unref(); // an idle pool never keeps the process alive
      await new Promise<void>((resolve, reject) => {
        worker.onMessage(() => resolve());
        worker.onError(reject);
      });
      return { worker, ctrl, slots, results, regions: r };
    }));
    return new ThreadPool(threads, layers);
  }

  get size(): number {
    return this.threads.length + 1;
  }

  /**
   * One step over `rows` rows of x/y: parts to the workers, the first part to `mine`, then the
   * workers' gradients added into `gradBase` in order.
   */
  step(k: Kernels, rows: number, x: number, y: number, inputs: number, outputs: number,
    workspaces: readonly Workspace[], dropout: DropoutDraw, count: number, gradBase: number,
    mine: (rows: number) => StepResult): StepResult {
    const per = Math.ceil(rows / this.size);
    const seq = ++this.seq;
    const busy: Thread[] = [];
    this.threads.forEach((t, w) => {
      const first = per * (w + 1);
      const part = Math.min(per, rows - first);
      if (part <= 0) return;
      const ws = workspaces[w];
      const s = t.slots;
      s[CONTROL.rows] = part;
      s[CONTROL.firstRow] = first;
      s[CONTROL.totalRows] = rows;
      s[CONTROL.x] = x + first * inputs * 4;
      s[CONTROL.y] = y + first * outputs * 4;
      s[CONTROL.d0] = ws.d0;
      s[CONTROL.d1] = ws.d1;
      for (let l = 0; l < this.layers; l++) {
        s[CONTROL.layers + 4 * l] = ws.outs[l];
        s[CONTROL.layers + 4 * l + 1] = ws.masks[l];
        s[CONTROL.layers + 4 * l + 2] = ws.drops[l];
        s[CONTROL.layers + 4 * l + 3] = dropout.seeds[l];
      }
      Atomics.store(t.ctrl, CONTROL.go, seq);
      Atomics.notify(t.ctrl, CONTROL.go);
      busy.push(t);
    });
    const result = mine(Math.min(per, rows));
    for (const t of busy) {
      for (;;) {
        const done = Atomics.load(t.ctrl, CONTROL.done);
        if (done === seq) break;
        Atomics.wait(t.ctrl, CONTROL.done, done);
      }
      result.cost += t.results[0];
      result.gradSq += t.results[1];
      result.correct += t.results[2];
      k.axpy(count, 1, t.regions.grads, gradBase);
    }
    return result;
  }

  dispose(): void {
    for (const t of this.threads) {
      Atomics.store(t.ctrl, CONTROL.go, STOP);
      Atomics.notify(t.ctrl, CONTROL.go);
      t.worker.terminate();
    }
  }
}
