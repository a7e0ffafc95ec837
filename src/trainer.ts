// The training loop: epochs of shuffled mini-batches, gathered inside the heap, and the stopping
// rules (maximum epochs, maximum time, the seed's gradient-norm tolerance, divergence).

import type { Diagnostic } from './diagnostics.js';
import type { Matrix } from './matrix.js';
import type { Evaluation, Network, Workspace } from './network.js';

export interface TrainOptions {
  /** Step size r in w ← w − r·∇C (default 0.1; the seed used 3 with sum-of-squares). */
  readonly learningRate?: number;
  /** Examples per gradient step (default 32; the last batch of an epoch may be smaller). */
  readonly batchSize?: number;
  /** Maximum number of epochs (default 10). */
  readonly epochs?: number;
  /** Maximum seconds of training (default: no limit); checked after every batch. */
  readonly maxTime?: number;
  /**
   * The seed's convergence rule: stop once the epoch's gradient norm √(Σ over batches ‖∂C/∂ŷ‖²)
   * is at most this (default 0: off).
   */
  readonly tolerance?: number;
  /** Examples scored after every epoch (e.g. the test set). */
  readonly validation?: { readonly x: Matrix; readonly y: Matrix };
  /** Reshuffle the examples every epoch (default true). */
  readonly shuffle?: boolean;
  /** Called after every epoch. */
  readonly onEpoch?: (report: EpochReport) => void;
  /** Called at most every 100 ms during an epoch, for progress bars. */
  readonly onProgress?: (progress: Progress) => void;
}

export interface Progress {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean cost per example over the epoch's batches so far. */
  readonly loss: number;
}

export interface EpochReport {
  readonly epoch: number;
  /** Mean cost per example over the epoch's batches (as the weights moved). */
  readonly loss: number;
  /** Share of the epoch's examples classified correctly as they were trained on. */
  readonly accuracy: number;
  /** √(Σ over batches ‖∂C/∂ŷ‖²): the quantity the seed's tolerance is compared with. */
  readonly gradientNorm: number;
  readonly batches: number;
  readonly examples: number;
  /** Seconds this epoch took (training only, validation excluded). */
  readonly seconds: number;
  /** Seconds since train() began. */
  readonly elapsed: number;
  readonly validation?: Evaluation;
  /** After the first epoch only: problems already visible (e.g. collapsed outputs), so they show early. */
  readonly warnings?: Diagnostic[];
}

export type StopReason = 'epochs' | 'time' | 'tolerance';

export interface TrainingHistory {
  readonly epochs: EpochReport[];
  readonly stopReason: StopReason;
  /** Why training stopped, in words. */
  readonly stopMessage: string;
  readonly seconds: number;
  /** The seed's score: the total cost over the training set after training. */
  readonly score: number;
  /** Problems found after training, e.g. outputs collapsed to one vector, with their likely cause. */
  readonly warnings: Diagnostic[];
}

/** Thrown when the cost becomes NaN or infinite; the network keeps the epoch's starting weights. */
export class TrainingDivergedError extends Error {
  constructor(readonly epoch: number, readonly batch: number, readonly history: EpochReport[]) {
    super(
      `ffnn: training diverged at epoch ${epoch}, batch ${batch}: the cost became NaN or infinite. ` +
        'The weights from the start of that epoch were kept; try a smaller learning rate.',
    );
    this.name = 'TrainingDivergedError';
  }
}

const DIAGNOSE_ROWS = 256;
const YIELD_MS = 100;

function checkOptions(o: TrainOptions): Required<Pick<TrainOptions, 'learningRate' | 'batchSize' | 'epochs' | 'maxTime' | 'tolerance' | 'shuffle'>> {
  const r = {
    learningRate: o.learningRate ?? 0.1,
    batchSize: o.batchSize ?? 32,
    epochs: o.epochs ?? 10,
    maxTime: o.maxTime ?? Infinity,
    tolerance: o.tolerance ?? 0,
    shuffle: o.shuffle ?? true,
  };
  const fail = (name: string, want: string, got: unknown) => {
    throw new Error(`ffnn: train: ${name} must be ${want}, got ${String(got)}`);
  };
  if (!(Number.isFinite(r.learningRate) && r.learningRate > 0)) fail('learningRate', 'a finite number > 0', r.learningRate);
  if (!(Number.isInteger(r.batchSize) && r.batchSize >= 1)) fail('batchSize', 'a whole number ≥ 1', r.batchSize);
  if (!(Number.isInteger(r.epochs) && r.epochs >= 1)) fail('epochs', 'a whole number ≥ 1', r.epochs);
  if (!(r.maxTime > 0)) fail('maxTime', 'a number of seconds > 0', r.maxTime);
  if (!(Number.isFinite(r.tolerance) && r.tolerance >= 0)) fail('tolerance', 'a finite number ≥ 0', r.tolerance);
  return r;
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function train(net: Network, x: Matrix, y: Matrix, options: TrainOptions): Promise<TrainingHistory> {
  const o = checkOptions(options);
  net.checkPair(x, y, 'train');
  if (options.validation) net.checkPair(options.validation.x, options.validation.y, 'train: validation');
  const n = x.rows;
  const batchSize = Math.min(o.batchSize, n);
  const ws = net.openWorkspace(Math.max(batchSize, DIAGNOSE_ROWS));
  net.beginTraining(ws);
  try {
    // The training set is copied into the heap once; batches are gathered from it by index.
    const heap = net.live.heap;
    const k = net.live.kernels;
    const xs = heap.alloc(n * net.inputs);
    const ys = heap.alloc(n * net.outputs);
    const order = heap.alloc(n);
    net.loadInputs(x, 0, n, xs, 'train: x');
    net.loadRows(y, 0, n, ys, 'train: y');
    const ints = heap.ints();
    for (let i = 0; i < n; i++) ints[(order >> 2) + i] = i;

    const start = performance.now();
    const seconds = () => (performance.now() - start) / 1000;
    const batches = Math.ceil(n / batchSize);
    const epochs: EpochReport[] = [];
    let stopReason: StopReason = 'epochs';
    let lastYield = performance.now();

    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const epochStart = performance.now();
      net.backupParameters();
      if (o.shuffle) net.rng.shuffle(heap.ints(), order >> 2, n);
      let cost = 0, gradSq = 0, correct = 0, seen = 0, batch = 0;
      for (; batch < batches; batch++) {
        const first = batch * batchSize;
        const rows = Math.min(batchSize, n - first);
        k.gatherRows(rows, net.inputs, xs, order + first * 4, ws.x);
        k.gatherRows(rows, net.outputs, ys, order + first * 4, ws.y);
        const step = net.computeGradients(ws, rows, ws.x, ws.y);
        if (!Number.isFinite(step.cost) || !Number.isFinite(step.gradSq)) {
          net.restoreParameters();
          throw new TrainingDivergedError(epoch, batch + 1, epochs);
        }
        net.sgdStep(o.learningRate);
        cost += step.cost;
        gradSq += step.gradSq;
        correct += step.correct;
        seen += rows;
        if (seconds() > o.maxTime) {
          stopReason = 'time';
          batch++;
          break;
        }
        if (performance.now() - lastYield > YIELD_MS) {
          options.onProgress?.({ epoch, batch: batch + 1, batches, loss: cost / seen });
          await tick(); // let timers, I/O and progress output run during long epochs
          lastYield = performance.now();
        }
      }
      const report: EpochReport = {
        epoch,
        loss: cost / seen,
        accuracy: correct / seen,
        gradientNorm: Math.sqrt(gradSq),
        batches: batch,
        examples: seen,
        seconds: (performance.now() - epochStart) / 1000,
        elapsed: seconds(),
        validation: options.validation ? net.evaluate(options.validation.x, options.validation.y) : undefined,
        warnings: epoch === 1 ? net.diagnoseRows(ws, Math.min(ws.rows, n), xs) : undefined,
      };
      epochs.push(report);
      options.onEpoch?.(report);
      await null; // every epoch ends asynchronously, however short, so callers can interleave
      if (stopReason === 'time') break;
      if (report.gradientNorm <= o.tolerance) {
        stopReason = 'tolerance';
        break;
      }
      if (epoch < o.epochs && seconds() > o.maxTime) {
        stopReason = 'time';
        break;
      }
    }

    // The seed's score: the cost over the whole training set with the final weights.
    let score = 0;
    for (let first = 0; first < n; first += ws.rows) {
      const rows = Math.min(ws.rows, n - first);
      score += net.evaluateRows(ws, rows, xs + first * net.inputs * 4, ys + first * net.outputs * 4).cost;
    }
    const last = epochs[epochs.length - 1];
    return {
      epochs,
      stopReason,
      stopMessage: stopMessage(stopReason, o, last),
      seconds: seconds(),
      score,
      warnings: net.diagnoseRows(ws, Math.min(ws.rows, n), xs),
    };
  } finally {
    net.endTraining();
  }
}

function stopMessage(reason: StopReason, o: { epochs: number; maxTime: number; tolerance: number }, last: EpochReport): string {
  switch (reason) {
    case 'epochs':
      return `Maximum epoch encountered: ran all ${o.epochs} epochs.`;
    case 'time':
      return `Maximum runtime encountered: stopped after ${last.elapsed.toFixed(1)} s (limit ${o.maxTime} s), in epoch ${last.epoch}.`;
    case 'tolerance':
      return `Converged: gradient norm ${last.gradientNorm.toExponential(3)} ≤ tolerance ${o.tolerance} after epoch ${last.epoch}.`;
  }
}
