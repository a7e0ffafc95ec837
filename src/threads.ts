// Data-parallel training steps on worker threads over one shared WebAssembly memory.
//
// Each worker instantiates the threads build over the network's shared memory and holds a replica
// network that reads the same parameters but owns its gradient block, scratch and workspace. A step
// splits the batch into contiguous parts: the main thread computes the first, each worker one more;
// the workers' gradients are then added to the main block in worker order, so results are
// deterministic for a given thread count. Workers wait on Atomics, not on messages: a step costs
// microseconds of coordination.
//
// The update is parallel too: the parameter block is cut into one contiguous part per thread, and
// each thread adds the workers' gradients into its part (in worker order, so every element gets
// exactly the sums of a serial reduction) and runs the optimizer over it. Element-wise kernels make
// the result independent of where the cuts fall.

import { startWorker, type WorkerHandle } from './platform/worker.js';
import type { Kernels } from './backends/backend.js';
import type { DropoutDraw, StepResult, Workspace } from './network.js';
import { OPTIMIZERS, optimizerStep, type Blocks, type OptimizerName, type OptimizerSettings } from './optimizers.js';

/** Where a worker's own regions sit in the shared heap (byte offsets). */
export interface WorkerRegions {
  readonly grads: number;
  readonly scratch: number;
}

// Control block layout (Uint32 slots): 0 go (sequence, or STOP), 1 done, 2 op (GRADIENTS or UPDATE),
// 3 rows, 4 first row, 5 total rows, 6 x, 7 y, 8 d0, 9 d1, 10 first parameter, 11 parameter count,
// 12 contributing workers, then per layer: outs, masks, drops, dropout seed. After the slots, f64s:
// three results (cost, gradSq, correct), then the update's arguments (UPDATE_ARGS).
export const CONTROL = {
  go: 0, done: 1, op: 2, rows: 3, firstRow: 4, totalRows: 5, x: 6, y: 7, d0: 8, d1: 9,
  first: 10, count: 11, contributors: 12, layers: 13,
} as const;
export const OP = { gradients: 0, update: 1 } as const;
export const STOP = 0x7fffffff;
/** f64 argument slots of an update: the optimizer (index in OPTIMIZERS), its rate and step, its settings. */
const UPDATE_ARGS = { optimizer: 0, lr: 1, t: 2, momentum: 3, beta1: 4, beta2: 5, epsilon: 6, weightDecay: 7, length: 8 } as const;

/** An update's arguments as they cross the control block (written by the pool, read by a worker). */
export interface UpdateArgs {
  optimizer: OptimizerName;
  settings: OptimizerSettings;
  lr: number;
  t: number;
}

function writeUpdateArgs(to: Float64Array, u: UpdateArgs): void {
  to[UPDATE_ARGS.optimizer] = OPTIMIZERS.indexOf(u.optimizer);
  to[UPDATE_ARGS.lr] = u.lr;
  to[UPDATE_ARGS.t] = u.t;
  to[UPDATE_ARGS.momentum] = u.settings.momentum;
  to[UPDATE_ARGS.beta1] = u.settings.beta1;
  to[UPDATE_ARGS.beta2] = u.settings.beta2;
  to[UPDATE_ARGS.epsilon] = u.settings.epsilon;
  to[UPDATE_ARGS.weightDecay] = u.settings.weightDecay;
}

export function readUpdateArgs(from: Float64Array): UpdateArgs {
  return {
    optimizer: OPTIMIZERS[from[UPDATE_ARGS.optimizer]],
    settings: {
      momentum: from[UPDATE_ARGS.momentum], beta1: from[UPDATE_ARGS.beta1], beta2: from[UPDATE_ARGS.beta2],
      epsilon: from[UPDATE_ARGS.epsilon], weightDecay: from[UPDATE_ARGS.weightDecay],
    },
    lr: from[UPDATE_ARGS.lr],
    t: from[UPDATE_ARGS.t],
  };
}

/** The control block's views: slots as i32 (for Atomics) and u32 (offsets), three f64 results, the update's f64 arguments. */
export function controlViews(control: SharedArrayBuffer, layers: number): { ctrl: Int32Array; slots: Uint32Array; results: Float64Array; args: Float64Array } {
  const n = CONTROL.layers + 4 * layers;
  const at = Math.ceil((4 * n) / 8) * 8;
  return {
    ctrl: new Int32Array(control, 0, n),
    slots: new Uint32Array(control, 0, n),
    results: new Float64Array(control, at, 3),
    args: new Float64Array(control, at + 8 * 3, UPDATE_ARGS.length),
  };
}

function controlBytes(layers: number): number {
  return Math.ceil((4 * (CONTROL.layers + 4 * layers)) / 8) * 8 + 8 * (3 + UPDATE_ARGS.length);
}

/**
 * How long a thread spins on the control block before it sleeps in Atomics.wait. Waking a sleeping
 * thread took 0.5–1 ms here (a VM: the wake-up crosses to another virtual CPU), as much as the whole
 * optimizer step; the gap between two training steps is shorter than this, so during training
 * neither side ever sleeps, and an idle pool sleeps after 2 ms.
 */
const SPIN_MS = 2;

/** Waits until ctrl[index] is no longer `value`, and returns what it became. */
export function waitForChange(ctrl: Int32Array, index: number, value: number): number {
  const until = performance.now() + SPIN_MS;
  for (;;) {
    const now = Atomics.load(ctrl, index);
    if (now !== value) return now;
    if (performance.now() > until) Atomics.wait(ctrl, index, value);
  }
}

/**
 * One thread's share of a parallel update: parameters [first, first + count) of the blocks get the
 * listed gradient regions added (in order), then one optimizer step.
 */
export function updatePart(k: Kernels, b: Blocks, first: number, count: number, sources: readonly number[], u: UpdateArgs): void {
  const o = first * 4;
  for (const g of sources) k.axpy(count, 1, g + o, b.grads + o);
  optimizerStep(k, u.optimizer, u.settings,
    { count, params: b.params + o, grads: b.grads + o, state0: b.state0 + o, state1: b.state1 + o }, u.lr, u.t);
}

interface Thread {
  readonly worker: WorkerHandle;
  readonly ctrl: Int32Array;
  readonly slots: Uint32Array;
  readonly results: Float64Array;
  readonly args: Float64Array;
  readonly regions: WorkerRegions;
}

export class ThreadPool {
  private seq = 0;
  /** How many workers (a prefix) computed a part of the last step whose gradients are not yet reduced. */
  private pending = 0;

  private constructor(private readonly threads: Thread[], private readonly layers: number) {}

  /** Starts `regions.length` workers; resolves once each has built its replica. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, network: unknown,
    regions: readonly WorkerRegions[], layers: number): Promise<ThreadPool> {
    const threads = await Promise.all(regions.map(async (r) => {
      const sab = new SharedArrayBuffer(controlBytes(layers));
      const { ctrl, slots, results, args } = controlViews(sab, layers);
      const worker = startWorker('thread-worker', { module, memory, network, regions: r, control: sab });
      worker.unref(); // an idle pool never keeps the process alive
      await new Promise<void>((resolve, reject) => {
        worker.onMessage(() => resolve());
        worker.onError(reject);
      });
      return { worker, ctrl, slots, results, args, regions: r };
    }));
    return new ThreadPool(threads, layers);
  }

  get size(): number {
    return this.threads.length + 1;
  }

  /**
   * One step over `rows` rows of x/y: parts to the workers, the first part to `mine`, then the
   * workers' gradients added into `gradBase` in order — or, with `reduce` false, left where they are
   * for the next update() to add part by part.
   */
  step(k: Kernels, rows: number, x: number, y: number, inputs: number, outputs: number,
    workspaces: readonly Workspace[], dropout: DropoutDraw, count: number, gradBase: number,
    mine: (rows: number) => StepResult, reduce = true): StepResult {
    const per = Math.ceil(rows / this.size);
    const seq = ++this.seq;
    const busy: Thread[] = [];
    this.threads.forEach((t, w) => {
      const first = per * (w + 1);
      const part = Math.min(per, rows - first);
      if (part <= 0) return;
      const ws = workspaces[w];
      const s = t.slots;
      s[CONTROL.op] = OP.gradients;
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
      this.waitFor(t, seq);
      result.cost += t.results[0];
      result.gradSq += t.results[1];
      result.correct += t.results[2];
      if (reduce) k.axpy(count, 1, t.regions.grads, gradBase);
    }
    this.pending = reduce ? 0 : busy.length;
    return result;
  }

  /**
   * The optimizer step after a step() that left its gradients unreduced: each thread reduces and
   * updates its own part of the parameter block (see updatePart), the main thread the first.
   */
  update(k: Kernels, blocks: Blocks, u: UpdateArgs): void {
    // parts of whole vectors (4 floats), so the cuts never split a SIMD lane group
    const per = Math.ceil(blocks.count / this.size / 4) * 4;
    const sources = this.threads.slice(0, this.pending).map((th) => th.regions.grads);
    const seq = ++this.seq;
    const busy: Thread[] = [];
    this.threads.forEach((th, w) => {
      const first = per * (w + 1);
      const count = Math.min(per, blocks.count - first);
      if (count <= 0) return;
      th.slots[CONTROL.op] = OP.update;
      th.slots[CONTROL.first] = first;
      th.slots[CONTROL.count] = count;
      th.slots[CONTROL.contributors] = this.pending;
      writeUpdateArgs(th.args, u);
      Atomics.store(th.ctrl, CONTROL.go, seq);
      Atomics.notify(th.ctrl, CONTROL.go);
      busy.push(th);
    });
    updatePart(k, blocks, 0, Math.min(per, blocks.count), sources, u);
    for (const th of busy) this.waitFor(th, seq);
    this.pending = 0;
  }

  private waitFor(t: Thread, seq: number): void {
    let done = Atomics.load(t.ctrl, CONTROL.done);
    while (done !== seq) done = waitForChange(t.ctrl, CONTROL.done, done);
  }

  dispose(): void {
    for (const t of this.threads) {
      Atomics.store(t.ctrl, CONTROL.go, STOP);
      Atomics.notify(t.ctrl, CONTROL.go);
      t.worker.terminate();
    }
  }
}
