// Training steps shared by a team of threads over one shared WebAssembly memory.
//
// Each worker instantiates the threads build over the network's shared memory and holds a replica
// network over the same parameters, gradients and optimizer state, with its own GEMM scratch. In a
// step every thread (the main one is thread 0) runs Engine.teamStep: the forward pass, cost and
// every layer's ∂z for its own contiguous rows of the batch (its share follows its recent speed),
// announcing each layer's ∂z when done; then the rows of each weight gradient, top layer first, are
// claimed block by block by whichever thread is free, each block one GEMM over the whole batch,
// updated (when training) as soon as no thread reads those weights any more. A thread waits only
// for what its next block needs, so one that is ahead works on while the others finish their rows.
//
// So no thread keeps a gradient of its own and nothing is reduced; and since a GEMM's rows do not
// depend on how its rows are split (see Kernels.gemm), a team's step is the one-thread step bit for
// bit, whatever the thread count and split. Threads wait on Atomics, not on messages: a hand-over
// costs microseconds.

import { startWorker, type WorkerHandle } from './platform/worker.js';
import type { DropoutDraw, Workspace } from './engine/workspace.js';
import type { StepResult } from './step.js';
import { OPTIMIZERS, type Blocks, type OptimizerName, type OptimizerSettings } from './optimizers.js';

// A worker's control block (Uint32 slots): 0 go (sequence, or STOP), 1 done, 2 op (STEP or STEP_UPDATE),
// 3 rows, 4 x, 5 y, 6 and 7 the ∂z buffers d0 and d1, then per layer (PER_LAYER slots): outs, masks,
// drops, ∂z, dropout seed. After the slots, the update's f64 arguments (UPDATE_ARGS).
export const CONTROL = { go: 0, done: 1, op: 2, rows: 3, x: 4, y: 5, d0: 6, d1: 7, layers: 8 } as const;
const PER_LAYER = 5;
/**
 * What the workers are asked: a training step's gradients only (left in the gradient block), or
 * gradients and the update; or a forward pass of their rows (fused: the output layer's logits left
 * for a fused loss).
 */
export const OP = { step: 0, stepAndUpdate: 1, forward: 2, forwardFused: 3 } as const;
export const STOP = 0x7fffffff;
/** f64 argument slots of an update: the optimizer (index in OPTIMIZERS), its rate and step, its settings. */
const UPDATE_ARGS = { optimizer: 0, lr: 1, t: 2, momentum: 3, beta1: 4, beta2: 5, epsilon: 6, weightDecay: 7, length: 8 } as const;

/** An update's arguments as they cross the control block (written by the pool, read by a worker). */
export interface UpdateArgs {
  optimizer: OptimizerName;
  settings: OptimizerSettings;
  lr: number;
  /** this optimizer's step count, from 1 (Adam's bias correction) */
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

/** The control block's views: slots as i32 (for Atomics) and u32 (offsets), the update's f64 arguments. */
export function controlViews(control: SharedArrayBuffer, layers: number): { ctrl: Int32Array; slots: Uint32Array; args: Float64Array } {
  const n = CONTROL.layers + PER_LAYER * layers;
  return {
    ctrl: new Int32Array(control, 0, n),
    slots: new Uint32Array(control, 0, n),
    args: new Float64Array(control, slotBytes(layers), UPDATE_ARGS.length),
  };
}

function slotBytes(layers: number): number {
  return Math.ceil((4 * (CONTROL.layers + PER_LAYER * layers)) / 8) * 8;
}

/** The batch-wide workspace a worker reads from its control block (x and y are the step's rows). */
export function workspaceFrom(slots: Uint32Array, layers: number): Workspace {
  const at = (l: number, i: number) => slots[CONTROL.layers + PER_LAYER * l + i];
  return {
    rows: slots[CONTROL.rows], x: slots[CONTROL.x], y: slots[CONTROL.y], d0: slots[CONTROL.d0], d1: slots[CONTROL.d1],
    index: 0, identity: 0, xBytes: 0, mul: 0, add: 0, // the main thread brings every step's rows in
    outs: Array.from({ length: layers }, (_, l) => at(l, 0)),
    masks: Array.from({ length: layers }, (_, l) => at(l, 1)),
    drops: Array.from({ length: layers }, (_, l) => at(l, 2)),
    dz: Array.from({ length: layers }, (_, l) => at(l, 3)),
  };
}

export function dropoutFrom(slots: Uint32Array, layers: number): DropoutDraw {
  return { seeds: Array.from({ length: layers }, (_, l) => slots[CONTROL.layers + PER_LAYER * l + 4]), firstRow: 0 };
}

/**
 * How long a thread spins on a shared slot before it sleeps in Atomics.wait. Waking a sleeping
 * thread took 0.5–1 ms here (a VM: the wake-up crosses to another virtual CPU), as much as the whole
 * optimizer step; the gap between two training steps is shorter than this, so during training
 * neither side ever sleeps, and an idle pool sleeps after 2 ms.
 */
const SPIN_MS = 2;

/**
 * How long a wait for another thread may last before that thread counts as gone: far longer than any
 * step takes, so only a thread that died (without a word) is declared so.
 */
const GONE_MS = 60_000;

/** A training thread failed or stopped answering: the step cannot finish. */
export class ThreadFailure extends Error {}

/**
 * Waits until ctrl[index] is no longer `value`, and returns what it became. `failed` tells whether
 * some thread has given up (checked whenever the wait wakes); a wait past `giveUpAfter` (GONE_MS) throws too.
 */
export function waitForChange(ctrl: Int32Array, index: number, value: number, failed?: () => string | null, giveUpAfter = GONE_MS): number {
  const start = performance.now();
  const until = start + SPIN_MS;
  for (;;) {
    const now = Atomics.load(ctrl, index);
    if (now !== value) return now;
    const reason = failed?.();
    if (reason) throw new ThreadFailure(reason);
    const time = performance.now();
    if (time - start > giveUpAfter) throw new ThreadFailure(`a training thread stopped answering (no word for ${giveUpAfter / 1000} s)`);
    if (time > until) Atomics.wait(ctrl, index, value, 1000);
  }
}

// The team block, shared by every thread (Int32 slots): per layer, a block counter and how many
// threads have announced that layer's ∂z; then each thread's first row and row count; after them,
// f64s per thread: its partial result (cost, gradSq, correct) and the milliseconds its rows took.
const PER_THREAD = 4;

/**
 * What the threads of one step share: per layer a block counter and a count of the threads whose
 * ∂z of it is done, the rows each thread runs, and each thread's partial result and time.
 */
export class Team {
  private readonly i32: Int32Array;
  private readonly announced: number;
  private readonly shares: number;
  private readonly partials: Float64Array;

  /** the slot a failing thread sets (its number + 1), so nobody waits for it */
  private readonly broken: number;

  constructor(readonly sab: SharedArrayBuffer, readonly size: number, layers: number) {
    this.announced = layers;
    this.shares = 2 * layers;
    this.broken = this.shares + 2 * size;
    this.i32 = new Int32Array(sab, 0, this.broken + 1);
    this.partials = new Float64Array(sab, Team.partialsAt(size, layers), PER_THREAD * size);
  }

  /** Where the f64 partials start: after the Int32 slots, aligned to 8 bytes. */
  private static partialsAt(size: number, layers: number): number {
    return Math.ceil((4 * (2 * layers + 2 * size + 1)) / 8) * 8;
  }

  /** Thread `thread` cannot finish its part: every waiter wakes and gives up. */
  fail(thread: number): void {
    Atomics.store(this.i32, this.broken, thread + 1);
    for (let i = 0; i < this.broken; i++) Atomics.notify(this.i32, i);
  }

  /** Why the step cannot finish, or null. */
  failure(): string | null {
    const t = Atomics.load(this.i32, this.broken);
    return t === 0 ? null : `training thread ${t - 1} failed`;
  }

  static create(size: number, layers: number): Team {
    return new Team(new SharedArrayBuffer(Team.partialsAt(size, layers) + 8 * PER_THREAD * size), size, layers);
  }

  /** Rows [first, first + count) of the batch are thread `thread`'s to run forward and back. */
  share(thread: number): { first: number; count: number } {
    return { first: this.i32[this.shares + 2 * thread], count: this.i32[this.shares + 2 * thread + 1] };
  }

  /** Before a step, while no other thread runs: the rows per thread (in thread order), nothing claimed or announced. */
  reset(counts: readonly number[]): void {
    if (this.failure()) throw new ThreadFailure(this.failure()!);
    this.i32.fill(0, 0, this.shares);
    let first = 0;
    counts.forEach((count, t) => {
      this.i32[this.shares + 2 * t] = first;
      this.i32[this.shares + 2 * t + 1] = count;
      first += count;
    });
  }

  /** This thread's ∂z of `layer` is done (and, for the top layer, its partial result published). */
  announce(layer: number): void {
    Atomics.add(this.i32, this.announced + layer, 1);
    Atomics.notify(this.i32, this.announced + layer);
  }

  /** Whether every thread has announced `layer`. */
  allAnnounced(layer: number): boolean {
    return Atomics.load(this.i32, this.announced + layer) === this.size;
  }

  /** Returns once every thread has announced `layer`. */
  awaitAll(layer: number): void {
    const at = this.announced + layer;
    for (let now = Atomics.load(this.i32, at); now !== this.size; now = Atomics.load(this.i32, at)) waitForChange(this.i32, at, now, () => this.failure());
  }

  /** The next unclaimed block of a layer's gradient (counting past the last one once all are taken). */
  claim(layer: number): number {
    return Atomics.add(this.i32, layer, 1);
  }

  publish(thread: number, r: StepResult): void {
    this.partials[PER_THREAD * thread] = r.cost;
    this.partials[PER_THREAD * thread + 1] = r.gradSq;
    this.partials[PER_THREAD * thread + 2] = r.correct;
  }

  /** How long a thread's own rows took (milliseconds: the forward pass and every ∂z). */
  publishTime(thread: number, ms: number): void {
    this.partials[PER_THREAD * thread + 3] = ms;
  }

  timeOf(thread: number): number {
    return this.partials[PER_THREAD * thread + 3];
  }

  /** The step's result: every thread's part added in thread order (read once the top layer is announced by all). */
  total(): StepResult {
    const r = { cost: 0, gradSq: 0, correct: 0 };
    for (let t = 0; t < this.size; t++) {
      r.cost += this.partials[PER_THREAD * t];
      r.gradSq += this.partials[PER_THREAD * t + 1];
      r.correct += this.partials[PER_THREAD * t + 2];
    }
    return r;
  }
}

/**
 * Rows per thread for a batch: in proportion to each thread's recent speed on its own rows, in
 * multiples of four (the GEMM's tile height), each thread at least four. Weights do not depend on
 * the split (see the top of this file), so it can follow whichever core is slower at the moment.
 */
export function splitRows(rows: number, speeds: readonly number[]): number[] {
  const n = speeds.length;
  if (rows < 4 * n) {
    const per = Math.ceil(rows / n);
    return speeds.map((_, t) => Math.max(0, Math.min(per, rows - per * t)));
  }
  const total = speeds.reduce((a, b) => a + b, 0);
  const counts = speeds.map((v) => Math.max(4, Math.round((rows * v) / total / 4) * 4));
  // the rounding's excess or shortfall goes to (or comes from) the fastest thread
  const fastest = speeds.indexOf(Math.max(...speeds));
  counts[fastest] += rows - counts.reduce((a, b) => a + b, 0);
  if (counts[fastest] < 4) return splitRows(rows, speeds.map(() => 1));
  return counts;
}

/** What a worker is started with: the main network's options, blocks and heap layout, its own scratch. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  network: { options: unknown; blocks: Blocks; scratch: number };
  /** this worker's thread number (1, 2, …) and the team's size */
  thread: number;
  size: number;
  team: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

interface Thread {
  readonly worker: WorkerHandle;
  readonly ctrl: Int32Array;
  readonly slots: Uint32Array;
  readonly args: Float64Array;
}

export class ThreadPool {
  private seq = 0;
  /** Each thread's rows per millisecond on its own rows, smoothed over recent steps (0: not yet known). */
  private readonly speeds: number[];

  private constructor(private readonly threads: Thread[], readonly team: Team, private readonly layers: number) {
    this.speeds = new Array<number>(team.size).fill(0);
  }

  /** Starts one worker per scratch region (threads 1, 2, …); resolves once each has built its replica. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, network: { options: unknown; blocks: Blocks },
    scratch: readonly number[], layers: number): Promise<ThreadPool> {
    const team = Team.create(scratch.length + 1, layers);
    const threads = await Promise.all(scratch.map(async (at, w) => {
      const sab = new SharedArrayBuffer(slotBytes(layers) + 8 * UPDATE_ARGS.length);
      const { ctrl, slots, args } = controlViews(sab, layers);
      const start: WorkerStart = { module, memory, network: { ...network, scratch: at }, thread: w + 1, size: team.size, team: team.sab, control: sab };
      const worker = startWorker('thread-worker', start);
      await new Promise<void>((resolve, reject) => {
        worker.onMessage(() => resolve());
        worker.onError(reject);
      });
      // an idle pool never keeps the process alive: unref'd after the listeners, since adding a
      // message listener refs the worker's port again (a network never disposed held its process open)
      worker.unref();
      return { worker, ctrl, slots, args };
    }));
    return new ThreadPool(threads, team, layers);
  }

  get size(): number {
    return this.threads.length + 1;
  }

  /**
   * One step over `rows` rows of x/y, in the batch-wide workspace `ws`: every worker is told to go, `mine` runs
   * the main thread's part (thread 0), and once all are done the summed result is returned. With
   * `update`, the parameters are updated too (unless the cost or gradient is not finite).
   */
  step(ws: Workspace, rows: number, x: number, y: number, dropout: DropoutDraw, update: UpdateArgs | null, mine: () => void): StepResult {
    const counts = this.run(update ? OP.stepAndUpdate : OP.step, ws, rows, x, y, dropout, update, mine);
    // a moving average over about five steps: the cores' speeds drift over seconds
    counts.forEach((count, t) => {
      const ms = this.team.timeOf(t);
      if (count < 4 || !(ms > 0)) return;
      this.speeds[t] = this.speeds[t] === 0 ? count / ms : 0.8 * this.speeds[t] + 0.2 * (count / ms);
    });
    return this.team.total();
  }

  /** The forward pass of `rows` rows of x into ws.outs, each thread its share of the rows (`mine`: thread 0's). */
  forward(ws: Workspace, rows: number, x: number, fused: boolean, mine: () => void): void {
    this.run(fused ? OP.forwardFused : OP.forward, ws, rows, x, 0, { seeds: [], firstRow: 0 }, null, mine);
  }

  /** Shares out the rows, sends every worker `op`, runs `mine`, waits for all; returns the rows per thread. */
  private run(op: number, ws: Workspace, rows: number, x: number, y: number, dropout: DropoutDraw,
    update: UpdateArgs | null, mine: () => void): number[] {
    const seq = ++this.seq;
    const counts = splitRows(rows, this.speeds.includes(0) ? this.speeds.map(() => 1) : this.speeds);
    this.team.reset(counts);
    for (const t of this.threads) {
      const s = t.slots;
      s[CONTROL.op] = op;
      s[CONTROL.rows] = rows;
      s[CONTROL.x] = x;
      s[CONTROL.y] = y;
      s[CONTROL.d0] = ws.d0;
      s[CONTROL.d1] = ws.d1;
      for (let l = 0; l < this.layers; l++) {
        const at = CONTROL.layers + PER_LAYER * l;
        s[at] = ws.outs[l];
        s[at + 1] = ws.masks[l];
        s[at + 2] = ws.drops[l];
        s[at + 3] = ws.dz[l] ?? 0;
        s[at + 4] = dropout.seeds[l] ?? 0;
      }
      if (update) writeUpdateArgs(t.args, update);
      Atomics.store(t.ctrl, CONTROL.go, seq);
      Atomics.notify(t.ctrl, CONTROL.go);
    }
    mine();
    for (const t of this.threads) {
      let done = Atomics.load(t.ctrl, CONTROL.done);
      while (done !== seq) done = waitForChange(t.ctrl, CONTROL.done, done, () => this.team.failure());
    }
    return counts;
  }

  dispose(): void {
    for (const t of this.threads) {
      Atomics.store(t.ctrl, CONTROL.go, STOP);
      Atomics.notify(t.ctrl, CONTROL.go);
      t.worker.terminate();
    }
  }
}
