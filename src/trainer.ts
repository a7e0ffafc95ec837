// The training loop: epochs of shuffled mini-batches, gathered inside the heap, and the stopping
// rules (maximum epochs, maximum time, the seed's gradient-norm tolerance, divergence).

import type { Diagnostic } from './diagnostics.js';
import type { Matrix } from './matrix.js';
import type { Evaluation, Network, StepResult } from './network.js';
import { DEFAULT_SETTINGS, type OptimizerName, type OptimizerSettings } from './optimizers.js';
import { learningRateAt, type Schedule } from './schedules.js';
import { checkOptions, TRAIN_OPTIONS } from './options-schema.js';
import { classesOf, heldOut, takeRows } from './data/split.js';

/** @internal Whether a step's cost and output gradient are finite (else training has diverged). */
export function stepIsFinite(r: StepResult): boolean {
  return Number.isFinite(r.cost) && Number.isFinite(r.gradSq);
}

export interface TrainOptions {
  /** Step size r in w ← w − r·∇C (default 0.1; the seed used 3 with sum-of-squares). */
  readonly learningRate?: number;
  /** 'sgd' (default, the seed's), 'momentum', 'nesterov', 'adam' or 'adamw'. */
  readonly optimizer?: OptimizerName;
  /** μ for momentum and Nesterov (default 0.9). */
  readonly momentum?: number;
  /** Adam's β1, β2 and ε (defaults 0.9, 0.999, 1e-8). */
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /** L2 weight decay (decoupled for adamw), default 0. */
  readonly weightDecay?: number;
  /** Scale each step's whole gradient down to this norm when it is longer (default 0: off). */
  readonly clipNorm?: number;
  /** How the learning rate changes with the epochs (default constant). */
  readonly schedule?: Schedule;
  /** Epochs of linear warm-up from 0 to the learning rate (default 0). */
  readonly warmup?: number;
  /** Hold out this share of the training rows (seeded shuffle) as the validation set. */
  readonly validationSplit?: number;
  /**
   * Stop when the validation loss (or accuracy) has not improved for `patience` epochs, and by
   * default restore the best epoch's weights. Needs `validation` or `validationSplit`.
   */
  readonly earlyStopping?: { readonly patience: number; readonly monitor?: 'loss' | 'accuracy'; readonly minDelta?: number; readonly restoreBest?: boolean };
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
  /**
   * Called with each problem found while training (collapsed outputs, saturated or dead layers,
   * unscaled inputs); default console.warn. The same problems are also in the history.
   */
  readonly onWarning?: (warning: Diagnostic) => void;
  /**
   * When the outputs collapse to one vector for every input (checked early in the first epoch and
   * after every epoch): 'stop' (default; TrainingCollapsedError, the network keeps the weights it
   * had) or 'warn' (go on, with the warning).
   */
  readonly collapse?: 'stop' | 'warn';
  /** Saves resumable state (weights, optimizer state, generator) to `path` every `every` epochs (default 1). */
  readonly checkpoint?: { readonly path: string; readonly every?: number };
  /** Called at most every 100 ms during an epoch, for progress bars. */
  readonly onProgress?: (progress: Progress) => void;
  /**
   * Stops training after the current batch when aborted (stop reason 'cancelled'); the network
   * keeps the weights it has reached. Checked after every batch.
   */
  readonly signal?: AbortSignal;
}

export interface Progress {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean cost per example over the epoch's batches so far. */
  readonly loss: number;
  /** Share of the epoch's examples so far classified correctly as they were trained on (not for a regression). */
  readonly accuracy?: number;
}

export interface EpochReport {
  readonly epoch: number;
  /** Mean cost per example over the epoch's batches (as the weights moved). */
  readonly loss: number;
  /** Share of the epoch's examples classified correctly as they were trained on (not for a regression). */
  readonly accuracy?: number;
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

export type StopReason = 'epochs' | 'time' | 'tolerance' | 'early-stopping' | 'cancelled';

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
  /** With early stopping: the epoch whose weights the network holds (restoreBest) or that scored best. */
  readonly bestEpoch?: number;
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

interface Settled {
  learningRate: number; batchSize: number; epochs: number; maxTime: number; tolerance: number; shuffle: boolean;
  optimizer: OptimizerName; settings: OptimizerSettings; clipNorm: number; schedule: Schedule; warmup: number;
}

function settle(o: TrainOptions): Settled {
  checkOptions(TRAIN_OPTIONS, o, 'train');
  const r: Settled = {
    learningRate: o.learningRate ?? 0.1,
    batchSize: o.batchSize ?? 32,
    epochs: o.epochs ?? 10,
    maxTime: o.maxTime ?? Infinity,
    tolerance: o.tolerance ?? 0,
    shuffle: o.shuffle ?? true,
    optimizer: o.optimizer ?? 'sgd',
    settings: {
      momentum: o.momentum ?? DEFAULT_SETTINGS.momentum,
      beta1: o.beta1 ?? DEFAULT_SETTINGS.beta1,
      beta2: o.beta2 ?? DEFAULT_SETTINGS.beta2,
      epsilon: o.epsilon ?? DEFAULT_SETTINGS.epsilon,
      weightDecay: o.weightDecay ?? DEFAULT_SETTINGS.weightDecay,
    },
    clipNorm: o.clipNorm ?? 0,
    schedule: o.schedule ?? { type: 'constant' },
    warmup: o.warmup ?? 0,
  };
  // every field was checked by TRAIN_OPTIONS: what is left are the rules between fields
  if (o.validationSplit !== undefined && o.validation) throw new Error('ffnn: train: give validation or validationSplit, not both');
  if (o.earlyStopping && !o.validation && o.validationSplit === undefined) {
    throw new Error('ffnn: train: earlyStopping needs validation data (validation or validationSplit)');
  }
  return r;
}

/** What each bounded output activation can give: a target beyond it can never be reached. */
const OUTPUT_RANGE: Partial<Record<string, [number, number]>> = { sigmoid: [0, 1], softmax: [0, 1], tanh: [-1, 1], relu: [0, Infinity] };

/**
 * Refuses targets the output layer cannot produce (a sigmoid output for prices up to 3, say), which
 * would otherwise train quietly to a flat, useless model.
 */
function checkTargetRange(net: Network, y: Matrix): void {
  if (net.targetScaling) return; // targets are standardised inside
  const activation = net.activations[net.activations.length - 1];
  const range = OUTPUT_RANGE[activation];
  if (!range) return;
  let lo = Infinity, hi = -Infinity;
  for (const v of y.data) {
    if (!Number.isFinite(v)) continue; // refused later, with its row and column
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= range[0] && hi <= range[1]) return;
  const bad = lo < range[0] ? lo : hi;
  throw new Error(
    `ffnn: train: the targets reach ${bad}, but a '${activation}' output layer gives values in [${range[0]}, ${range[1] === Infinity ? '∞' : range[1]}] only. ` +
      "For numbers to predict use a 'linear' output layer with standardised targets (Network.fit does, or targetScaling: fitScaling(y, 'zscore')); " +
      'for classes, one-hot targets of 0 and 1',
  );
}

/** Splits off a seeded random share of the rows as validation data (per class, for a classifier). */
function splitValidation(net: Network, x: Matrix, y: Matrix, share: number) {
  const n = x.rows;
  if (Math.max(1, Math.round(n * share)) >= n) throw new Error(`ffnn: train: validationSplit ${share} of ${n} rows leaves nothing to train on`);
  const classes = net.task === 'classification' ? classesOf({ x, y }) : null;
  const { held, kept } = heldOut(n, share, classes, net.rng);
  // each set in the data's own order: training shuffles it anyway, and the split is what the seed decides
  const train = takeRows({ x, y }, kept.sort());
  return { x: train.x, y: train.y, validation: takeRows({ x, y }, held.sort()) };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function train(net: Network, xAll: Matrix, yAll: Matrix, options: TrainOptions): Promise<TrainingHistory> {
  const o = settle(options);
  net.checkPair(xAll, yAll, 'train');
  checkTargetRange(net, yAll);
  if (options.validation) net.checkPair(options.validation.x, options.validation.y, 'train: validation');
  const split = options.validationSplit !== undefined ? splitValidation(net, xAll, yAll, options.validationSplit) : null;
  const x = split ? split.x : xAll;
  const y = split ? split.y : yAll;
  const validation = split ? split.validation : options.validation;
  const early = options.earlyStopping;
  const classifying = net.task === 'classification';
  if (early?.monitor === 'accuracy' && !classifying) {
    throw new Error("ffnn: train: earlyStopping.monitor 'accuracy' needs a classifier; this network is a regression (monitor 'loss')");
  }
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
    net.loadTargets(y, 0, n, ys, 'train: y');
    const best = early ? heap.alloc(net.parameterCount) : 0;
    let bestEpoch: number | undefined;
    let bestScore = Infinity;

    const start = performance.now();
    const seconds = () => (performance.now() - start) / 1000;
    const batches = Math.ceil(n / batchSize);
    const epochs: EpochReport[] = [];
    let stopReason: StopReason = 'epochs';
    let lastYield = performance.now();

    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const epochStart = performance.now();
      net.backupParameters();
      // each epoch shuffles 0..n−1 afresh, so the order depends only on the generator's state
      const ints = heap.ints();
      for (let i = 0; i < n; i++) ints[(order >> 2) + i] = i;
      if (o.shuffle) net.rng.shuffle(ints, order >> 2, n);
      let cost = 0, gradSq = 0, correct = 0, seen = 0, batch = 0;
      for (; batch < batches; batch++) {
        const first = batch * batchSize;
        const rows = Math.min(batchSize, n - first);
        k.gatherRows(rows, net.inputs, xs, order + first * 4, ws.x);
        k.gatherRows(rows, net.outputs, ys, order + first * 4, ws.y);
        const at = net.progress.epochs + batch / batches;
        const lr = learningRateAt(o.learningRate, o.schedule, o.warmup, at);
        const step = net.trainStep(ws, rows, ws.x, ws.y, o.optimizer, o.settings, lr, o.clipNorm);
        if (!stepIsFinite(step)) {
          // back to the epoch's starting weights; the optimizer's moments may hold NaN, so they restart
          net.restoreParameters();
          net.progress = { ...net.progress, optimizer: null };
          throw new TrainingDivergedError(epoch, batch + 1, epochs);
        }
        cost += step.cost;
        gradSq += step.gradSq;
        correct += step.correct;
        seen += rows;
        if (seconds() > o.maxTime || options.signal?.aborted) {
          stopReason = options.signal?.aborted ? 'cancelled' : 'time';
          batch++;
          break;
        }
        if (performance.now() - lastYield > YIELD_MS) {
          options.onProgress?.({ epoch, batch: batch + 1, batches, loss: cost / seen, ...(classifying ? { accuracy: correct / seen } : {}) });
          await tick(); // let timers, I/O and progress output run during long epochs
          lastYield = performance.now();
        }
      }
      const report: EpochReport = {
        epoch,
        loss: cost / seen,
        ...(classifying ? { accuracy: correct / seen } : {}),
        gradientNorm: Math.sqrt(gradSq),
        batches: batch,
        examples: seen,
        seconds: (performance.now() - epochStart) / 1000,
        elapsed: seconds(),
        validation: validation ? net.evaluate(validation.x, validation.y) : undefined,
        warnings: epoch === 1 ? net.diagnoseRows(ws, Math.min(ws.rows, n), xs) : undefined,
      };
      // an epoch cut short by time or cancellation does not count as a completed one
      if (stopReason !== 'time' && stopReason !== 'cancelled') net.progress.epochs++;
      epochs.push(report);
      options.onEpoch?.(report);
      await null; // every epoch ends asynchronously, however short, so callers can interleave
      if (stopReason === 'time' || stopReason === 'cancelled') break;
      if (early && report.validation) {
        const v = report.validation;
        const score = early.monitor === 'accuracy' && v.task === 'classification' ? -v.accuracy : v.loss;
        if (score < bestScore - (early.minDelta ?? 0)) {
          bestScore = score;
          bestEpoch = epoch;
          net.copyParameters(best);
        } else if (epoch - bestEpoch! >= early.patience) {
          stopReason = 'early-stopping';
          break;
        }
      }
      if (report.gradientNorm <= o.tolerance) {
        stopReason = 'tolerance';
        break;
      }
      if (epoch < o.epochs && seconds() > o.maxTime) {
        stopReason = 'time';
        break;
      }
    }

    if (early && bestEpoch !== undefined && (early.restoreBest ?? true)) net.pasteParameters(best);

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
      stopMessage: stopMessage(stopReason, o, last, bestEpoch),
      seconds: seconds(),
      score,
      warnings: net.diagnoseRows(ws, Math.min(ws.rows, n), xs),
      bestEpoch,
    };
  } finally {
    net.endTraining();
  }
}

function stopMessage(reason: StopReason, o: { epochs: number; maxTime: number; tolerance: number }, last: EpochReport, bestEpoch?: number): string {
  switch (reason) {
    case 'early-stopping':
      return `Early stopping: validation did not improve after epoch ${bestEpoch}; stopped after epoch ${last.epoch}.`;
    case 'epochs':
      return `Maximum epoch encountered: ran all ${o.epochs} epochs.`;
    case 'time':
      return `Maximum runtime encountered: stopped after ${last.elapsed.toFixed(1)} s (limit ${o.maxTime} s), in epoch ${last.epoch}.`;
    case 'cancelled':
      return `Cancelled in epoch ${last.epoch} after ${last.elapsed.toFixed(1)} s; the network keeps the weights it reached.`;
    case 'tolerance':
      return `Converged: gradient norm ${last.gradientNorm.toExponential(3)} ≤ tolerance ${o.tolerance} after epoch ${last.epoch}.`;
  }
}
