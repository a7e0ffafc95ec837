// The training loop: epochs of shuffled mini-batches, gathered inside the heap, and the stopping
// rules (maximum epochs, maximum time, the seed's gradient-norm tolerance, divergence).

import { constantTargets, type Diagnostic } from './diagnostics.js';
import { checkHeapRoom } from './backends/backend.js';
import { ThreadFailure } from './threads.js';
import { isByteMatrix, isHalfMatrix, type Inputs, type Matrix } from './matrix.js';
import type { Engine } from './engine/engine.js';
import type { Workspace } from './engine/workspace.js';
import type { Evaluation } from './spec.js';
import type { Region } from './resident.js';
import { stepIsFinite } from './step.js';
import { DEFAULT_SETTINGS, type OptimizerName, type OptimizerSettings } from './optimizers.js';
import { learningRateAt, type Schedule } from './schedules.js';
import { checkOptions, TRAIN_OPTIONS } from './options-schema.js';
import { classesOf, heldOut } from './data/split.js';
import { Random } from './random.js';
import { findLearningRate } from './lr-finder.js';


/** train()'s options: the notebook's knobs (rate, batch, epochs, time, tolerance), optimizers, schedules, validation and callbacks. */
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
  readonly validation?: { readonly x: Inputs; readonly y: Matrix };
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

/** Where an epoch is, for progress bars (see TrainOptions.onProgress). */
export interface Progress {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean cost per example over the epoch's batches so far. */
  readonly loss: number;
  /** Share of the epoch's examples so far classified correctly as they were trained on (not for a regression). */
  readonly accuracy?: number;
}

/** One epoch of training: its loss, accuracy, gradient norm, time and validation score. */
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
  /**
   * Problems visible after this epoch (e.g. collapsed outputs; in the first epoch also those found
   * early, after its first few hundred steps), so they show while training goes on.
   */
  readonly warnings?: Diagnostic[];
}

/** Why training stopped: all epochs run, the time limit, the seed's tolerance, early stopping, or a cancel. */
export type StopReason = 'epochs' | 'time' | 'tolerance' | 'early-stopping' | 'cancelled';

/** What train() resolves with: every epoch's report, why it stopped, the time, the seed's score and the warnings. */
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

/** What went wrong in a run that diverged, and what to try. */
export interface Divergence {
  /** Why training stopped, in words (the loss, or the weights' norm, and where it went). */
  readonly reason: string;
  /** The rate the run used. */
  readonly learningRate: number;
  /** A rate to try instead: the range test's suggestion (see findLearningRate), when it could run. */
  readonly suggestion?: number;
}

/**
 * Thrown when training diverges: the cost becomes NaN or infinite, the loss climbs far above where it
 * started (or above what a constant prediction costs), or the weights' norm jumps by an order of
 * magnitude. The network keeps its last good weights (checked every few steps).
 */
export class TrainingDivergedError extends Error {
  /** Made by train() where the run diverged: the epoch and batch, the epochs before, and what went wrong. */
  constructor(readonly epoch: number, readonly batch: number, readonly history: EpochReport[], readonly divergence: Divergence) {
    super(
      `ffnn: training diverged at epoch ${epoch}, batch ${batch}: ${divergence.reason}. ` +
        `The learning rate ${divergence.learningRate} is too high` +
        (divergence.suggestion !== undefined ? `: try ${divergence.suggestion.toPrecision(2)} (the range test's suggestion; ffnn lr-find)` : '; try a tenth of it (ffnn lr-find finds one)') +
        '. The network keeps its last good weights.',
    );
    this.name = 'TrainingDivergedError';
  }
}

/** Thrown (with collapse: 'stop') when the outputs collapse to one vector for every input. */
export class TrainingCollapsedError extends Error {
  /** Made by train() where the outputs collapsed: the epoch and batch, the epochs before, and the findings. */
  constructor(readonly epoch: number, readonly batch: number, readonly history: EpochReport[], readonly diagnostics: Diagnostic[]) {
    super(`ffnn: training stopped at epoch ${epoch}, batch ${batch}: ${diagnostics.map((d) => d.message).join(' ')}`);
    this.name = 'TrainingCollapsedError';
  }
}

/** Steps between checks of the weights (their norm; a good copy kept for divergence). */
const CHECK_STEPS = 16;
/** When the first check for collapsed outputs comes, in steps (or at the first epoch's end). */
const COLLAPSE_STEP = 200;

/**
 * Watches a run for divergence beyond NaN: the smoothed loss far above where it started or above a
 * constant prediction's cost, or the weights' norm an order of magnitude above the last check's.
 */
class Watch {
  private startLoss = NaN;
  private smoothed = 0;
  private steps = 0;
  readonly startNorm: number;
  norm: number;

  constructor(private readonly net: Engine, private readonly constantCost: number) {
    this.startNorm = this.norm = net.parameterNorm();
    net.backupParameters();
  }

  /** After a step of mean per-example cost `loss`: why the run diverged, or null. */
  step(loss: number): string | null {
    this.steps++;
    if (Number.isNaN(this.startLoss)) this.startLoss = loss;
    this.smoothed = 0.9 * this.smoothed + 0.1 * loss;
    const smoothed = this.smoothed / (1 - 0.9 ** this.steps);
    const ceiling = 4 * Math.max(this.startLoss, this.constantCost, 1e-6);
    if (this.steps >= 20 && smoothed > ceiling) {
      return `the loss rose to ${smoothed.toPrecision(4)} from ${this.startLoss.toPrecision(3)} at the start (a constant prediction costs ${this.constantCost.toPrecision(3)})`;
    }
    if (this.steps % CHECK_STEPS === 0) {
      const norm = this.net.parameterNorm();
      if (!(norm <= 10 * Math.max(this.norm, 1))) {
        return `the weights' norm jumped from ${this.norm.toPrecision(3)} to ${norm.toPrecision(3)} in ${CHECK_STEPS} steps`;
      }
      this.norm = norm;
      this.net.backupParameters();
    }
    return null;
  }

  get stepsTaken(): number {
    return this.steps;
  }
}

/** What train() needs to know of the targets before the first step. */
interface TargetSummary {
  /** the least and greatest target */
  readonly lo: number;
  readonly hi: number;
  /** What a constant prediction costs per example (the Watch's yardstick for divergence). */
  readonly constantCost: number;
  /** Whether any column of the targets holds two values (else every row has the same target). */
  readonly vary: boolean;
  /** With one-hot targets all of one class: 'class k', for a message; else ''. */
  readonly first: string;
}

/**
 * The kept targets' range and what a constant prediction costs per example on them, as training sees
 * them (a regression's standardised, so its spread is scaled as the standardisation scales it).
 */
function summariseTargets(net: Engine, ys: Region): TargetSummary {
  const { lo, hi, mean, variance } = net.targetMoments(ys);
  const loss = net.options.loss;
  let cost = 0;
  for (let j = 0; j < ys.cols; j++) {
    const p = mean[j];
    if (loss === 'mse') cost += variance[j];
    // cross-entropy: the entropy of the class shares; binary: of each output's
    else if (p > 0 && p < 1) cost += loss === 'cross-entropy' ? -p * Math.log(p) : -p * Math.log(p) - (1 - p) * Math.log(1 - p);
  }
  const vary = lo.some((l, j) => l !== hi[j]);
  // (for constant targets each column's least value is the target: a one-hot row names its class)
  const oneHot = lo.every((v) => v === 0 || v === 1) && lo.indexOf(1) === lo.lastIndexOf(1) && lo.includes(1);
  const first = net.task === 'classification' && oneHot ? `class ${lo.indexOf(1)}` : '';
  return { lo: Math.min(...lo), hi: Math.max(...hi), constantCost: cost, vary, first };
}

const DIAGNOSE_ROWS = 256;
const YIELD_MS = 100;
/** With a signal to heed, the loop yields this often, so a cancel takes effect within a batch or so. */
const YIELD_MS_CANCELLABLE = 10;

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
function checkTargetRange(net: Engine, { lo, hi }: TargetSummary): void {
  if (net.targetScaling) return; // targets are standardised inside
  const activation = net.activations[net.activations.length - 1];
  const range = OUTPUT_RANGE[activation];
  if (!range) return;
  if (lo >= range[0] && hi <= range[1]) return;
  const bad = lo < range[0] ? lo : hi;
  throw new Error(
    `ffnn: train: the targets reach ${bad}, but a '${activation}' output layer gives values in [${range[0]}, ${range[1] === Infinity ? '∞' : range[1]}] only. ` +
      "For numbers to predict use a 'linear' output layer with standardised targets (Network.fit does, or targetScaling: fitScaling(y, 'zscore')); " +
      'for classes, one-hot targets of 0 and 1',
  );
}

/**
 * The rows held out for validation and those trained on, by index (per class, for a classifier): the
 * data goes into the heap once, whole, and each part is read from there through its indexes.
 */
function splitValidation(net: Engine, x: Inputs, y: Matrix, share: number): { kept: Int32Array; held: Int32Array } {
  const n = x.rows;
  if (Math.max(1, Math.round(n * share)) >= n) throw new Error(`ffnn: train: validationSplit ${share} of ${n} rows leaves nothing to train on`);
  const classes = net.task === 'classification' ? classesOf({ x, y }) : null;
  // from the network's seed, not its generator's state: a run resumed from a checkpoint holds out the
  // same rows as the run it continues
  const { held, kept } = heldOut(n, share, classes, new Random(net.options.seed ^ 0x5bd1e995));
  // each set in the data's own order: training shuffles it anyway, and the split is what the seed decides
  return { kept: kept.sort(), held: held.sort() };
}

/** A macrotask turn (timers, I/O, messages run), cheaper than setTimeout's clamped delay. */
const tick = typeof setImmediate === 'function'
  ? () => new Promise<void>((resolve) => setImmediate(resolve))
  : () => new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });

/** What one epoch's batches came to. */
interface EpochSums {
  cost: number; gradSq: number; correct: number; seen: number;
  /** batches taken (the diverging one not counted) */
  batch: number;
  lr: number;
  earlyFound?: Diagnostic[];
  stop?: 'time' | 'cancelled';
  diverged?: string;
}

/** What the batch loop reads, set up once per run. */
interface BatchLoop {
  readonly net: Engine; readonly ws: Workspace; readonly xs: Region; readonly ys: Region; readonly order: number;
  /** With threads: a second pair of batch buffers, where the next batch is gathered during a step. */
  readonly spare: Batch | null;
  readonly n: number; readonly batchSize: number; readonly batches: number; readonly o: Settled; readonly watch: Watch;
  readonly options: TrainOptions; readonly classifying: boolean; readonly seconds: () => number; readonly yieldEvery: number;
  lastYield: number;
  readonly diagnose: (epoch: number, batch: number, lr: number) => Diagnostic[];
}

/** Where a batch's inputs and targets sit in the heap, as the network reads them. */
interface Batch {
  readonly x: number;
  readonly y: number;
}

/**
 * One epoch's batches: gather, step, watch, yield now and then. The hot loop of every run lives in
 * this small function rather than inside train(), so the engine optimises it within the first few
 * hundred steps (inside train() the first epoch waited on a 40–60 ms compile of the whole run).
 */
async function runBatches(loop: BatchLoop, epoch: number): Promise<EpochSums> {
  const { net, ws, xs, ys, order, n, batchSize, batches, o, watch, options } = loop;
  const sums: EpochSums = { cost: 0, gradSq: 0, correct: 0, seen: 0, batch: 0, lr: o.learningRate };
  const gather = (into: Batch, batch: number): void => {
    const first = batch * batchSize, rows = Math.min(batchSize, n - first);
    net.gatherInto(ws, xs, rows, order + first * 4, into.x);
    net.gatherInto(ws, ys, rows, order + first * 4, into.y);
  };
  // With threads, the main thread gathers batch b + 1 into the spare buffers while the others take
  // their part of step b (see Engine.teamStep); `ahead` says the current buffers already hold it.
  let current: Batch = { x: ws.x, y: ws.y };
  let spare = loop.spare;
  let ahead = false;
  const gatherNext = spare ? () => {
    if (sums.batch + 1 >= batches) return;
    gather(spare!, sums.batch + 1);
    ahead = true;
  } : undefined;
  for (; sums.batch < batches; sums.batch++) {
    const batch = sums.batch;
    const first = batch * batchSize;
    const rows = Math.min(batchSize, n - first);
    if (!ahead) gather(current, batch);
    ahead = false;
    const lr = sums.lr = learningRateAt(o.learningRate, o.schedule, o.warmup, net.progress.epochs + batch / batches);
    let step;
    try {
      step = net.trainStep(ws, rows, current.x, current.y, o.optimizer, o.settings, lr, o.clipNorm, gatherNext);
    } catch (error) {
      if (!(error instanceof ThreadFailure)) throw error;
      // the step was cut short: back to the last good weights, on one thread from now on
      net.restoreParameters();
      net.progress = { ...net.progress, optimizer: null };
      net.dropThreads(error.message);
      throw new Error(`ffnn: training stopped at epoch ${epoch}, batch ${batch + 1}: ${error.message}. The network keeps its last good weights and runs on one thread now; train again to go on`);
    }
    const diverged = stepIsFinite(step) ? watch.step(step.cost / rows) : 'the cost became NaN or infinite';
    if (diverged) {
      // back to the last good weights; the optimizer's moments may be wild, so they restart
      net.restoreParameters();
      net.progress = { ...net.progress, optimizer: null };
      sums.diverged = diverged;
      return sums;
    }
    sums.cost += step.cost;
    sums.gradSq += step.gradSq;
    sums.correct += step.correct;
    sums.seen += rows;
    if (ahead) [current, spare] = [spare!, current];
    if (watch.stepsTaken === COLLAPSE_STEP && batch + 1 < batches) {
      sums.earlyFound = loop.diagnose(epoch, batch + 1, lr);
      ahead = false; // the diagnosis gathered its sample into ws.x: gather the next batch again
    }
    if (loop.seconds() > o.maxTime || options.signal?.aborted) {
      sums.stop = options.signal?.aborted ? 'cancelled' : 'time';
      sums.batch++;
      return sums;
    }
    if (performance.now() - loop.lastYield > loop.yieldEvery) {
      options.onProgress?.({ epoch, batch: batch + 1, batches, loss: sums.cost / sums.seen, ...(loop.classifying ? { accuracy: sums.correct / sums.seen } : {}) });
      await tick(); // let timers, I/O, messages and progress output run during long epochs
      loop.lastYield = performance.now();
      ahead = false; // an evaluate() meanwhile reads through ws.x: gather the next batch again
      if (options.signal?.aborted) {
        sums.stop = 'cancelled';
        sums.batch++;
        return sums;
      }
    }
  }
  return sums;
}

/** @internal What training needs of the network beyond its engine: saving a checkpoint. */
export interface TrainingHost {
  save(path: string): Promise<void>;
}

/** @internal Trains `net` (a Network's engine) on x and y: see Network.train. */
export async function train(net: Engine, xAll: Inputs, yAll: Matrix, options: TrainOptions, host: TrainingHost): Promise<TrainingHistory> {
  const o = settle(options);
  net.checkPair(xAll, yAll, 'train');
  if (options.validation) net.checkPair(options.validation.x, options.validation.y, 'train: validation');
  const split = options.validationSplit !== undefined ? splitValidation(net, xAll, yAll, options.validationSplit) : null;
  const x = xAll, y = yAll;
  const validation = options.validation;
  const early = options.earlyStopping;
  const classifying = net.task === 'classification';
  if (early?.monitor === 'accuracy' && !classifying) {
    throw new Error("ffnn: train: earlyStopping.monitor 'accuracy' needs a classifier; this network is a regression (monitor 'loss')");
  }
  const all = x.rows;
  /** the rows trained on (all of them, or those the split keeps) */
  const trainRows = split ? split.kept : null;
  const n = trainRows ? trainRows.length : all;
  const batchSize = Math.min(o.batchSize, n);
  const warn = options.onWarning ?? ((w: Diagnostic) => console.warn(`ffnn: warning: ${w.message}`));
  const told = new Set<string>();
  // float inputs (and half floats) sit in the network's memory beside the model, a workspace and the
  // run's row order (byte inputs and targets are read from the host's arrays, and inputs loaded into
  // the memory the network took are there already): refused before anything
  // is copied when that would pass what WebAssembly can address
  const inputBytes = isByteMatrix(x) || net.live.heap.offsetOf(x.data) >= 0 ? 0 : isHalfMatrix(x) ? 2 : 4;
  const rowsBytes = all * (inputBytes * net.inputs + 8);
  checkHeapRoom(net.live.heap.used + rowsBytes + 4 * net.parameterCount + 8 * Math.max(batchSize, DIAGNOSE_ROWS) * (net.inputs + net.outputs + 4 * Math.max(...net.options.layers.map((l) => l.units))),
    () => `train: ${n.toLocaleString('en')} rows of ${net.inputs} inputs${inputBytes === 4 ? ' as float32' : inputBytes === 2 ? ' as half floats' : ''} beside the model`, 'train on fewer rows at a time (sliceRows), or with a smaller batch');
  // Every data set of the run is placed (or found kept) first, then the workspace and the run's own
  // regions above them: the memory grows here, once, before the first batch.
  const xs = net.placeInputs(x, [], 'train: x');
  const ys = net.placeTargets(y, [xs], 'train: y');
  // the targets as checked: every value finite
  const targets = summariseTargets(net, ys);
  checkTargetRange(net, targets);
  // every target the same: said once, before the first step (the outputs will all be that target)
  const constant = !targets.vary && n > 1 ? [constantTargets(n, targets.first)] : [];
  for (const d of constant) {
    warn(d);
    told.add(d.message);
  }
  const vx = validation ? net.placeInputs(validation.x, [xs, ys], 'train: validation: x') : null;
  const vy = validation ? net.placeTargets(validation.y, [xs, ys, vx!], 'train: validation: y') : null;
  const ws = net.openWorkspace(Math.max(batchSize, DIAGNOSE_ROWS));
  net.beginTraining(ws);
  let failure: { epoch: number; batch: number; epochs: EpochReport[]; reason: string; lr: number } | null = null;
  // where the run started: the range test, should the run diverge, starts from here too
  const initial = net.parameters();
  try {
    // Batches are gathered from the kept training set by index.
    const heap = net.live.heap;
    const order = heap.alloc(n);
    const rngState = heap.alloc(4);
    // the rows a validation split keeps, where the kernel that orders each epoch reads them
    const kept = trainRows ? heap.alloc(n) : 0;
    if (trainRows) heap.ints().set(trainRows, kept >> 2);
    // with threads, the next batch is gathered into these while the others work on a step
    const spare = net.threads > 1 ? { x: heap.alloc(ws.rows * net.inputs), y: heap.alloc(ws.rows * net.outputs) } : null;
    // the rows held out, by index in the heap, for scoring after every epoch
    const held = split ? heap.alloc(split.held.length) : 0;
    if (split) heap.ints().set(split.held, held >> 2);
    const validate = (): Evaluation | undefined => split
      ? net.evaluateHeld(ws, xs, ys, held, split.held.length)
      : vx && vy ? net.evaluateHeld(ws, vx, vy, null, vx.rows) : undefined;
    const best = early ? heap.alloc(net.parameterCount) : 0;
    let bestEpoch: number | undefined;
    let bestScore = Infinity;
    const watch = new Watch(net, targets.constantCost);
    const sample = Math.min(ws.rows, all);
    /** The first `sample` training rows, in ws.x as the network reads them, for diagnoses. */
    const sampleRows = (): number => {
      net.gatherInto(ws, xs, sample, net.rowNumbers(ws, 0, sample), ws.x);
      return ws.x;
    };
    /** Problems with the outputs now (told once each through onWarning); with collapse: 'stop', the end of the run. */
    const diagnose = (epoch: number, batch: number, lr: number): Diagnostic[] => {
      const found = net.diagnoseRows(ws, sample, sampleRows(), { learningRate: lr, startNorm: watch.startNorm, norm: net.parameterNorm(), steps: watch.stepsTaken, targetsVary: targets.vary });
      for (const d of found) {
        if (!told.has(d.message)) warn(d);
        told.add(d.message);
      }
      if (found.length > 0 && options.collapse === 'stop') throw new TrainingCollapsedError(epoch, batch, epochs, found);
      return found;
    };

    const start = performance.now();
    const seconds = () => (performance.now() - start) / 1000;
    const batches = Math.ceil(n / batchSize);
    const epochs: EpochReport[] = [];
    let stopReason: StopReason = 'epochs';
    const lastYield = performance.now();
    const yieldEvery = options.signal ? YIELD_MS_CANCELLABLE : YIELD_MS;

    const loop: BatchLoop = {
      net, ws, xs, ys, order, spare, n, batchSize, batches, o, watch, options, classifying, seconds, yieldEvery, lastYield, diagnose,
    };
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const epochStart = performance.now();
      // each epoch shuffles 0..n−1 afresh, so the order depends only on the generator's state
      net.writeOrder(order, n, kept, o.shuffle ? net.rng : null, rngState);
      const sums = await runBatches(loop, epoch);
      const { cost, gradSq, correct, seen, batch, lr, earlyFound } = sums;
      if (sums.stop) stopReason = sums.stop;
      if (sums.diverged) failure = { epoch, batch: batch + 1, epochs, reason: sums.diverged, lr };
      if (failure) break;
      const found = diagnose(epoch, batch, lr);
      const report: EpochReport = {
        epoch,
        loss: cost / seen,
        ...(classifying ? { accuracy: correct / seen } : {}),
        gradientNorm: Math.sqrt(gradSq),
        batches: batch,
        examples: seen,
        seconds: (performance.now() - epochStart) / 1000,
        elapsed: seconds(),
        validation: validate(),
        warnings: found.length > 0 ? found : earlyFound ?? found,
      };
      // an epoch cut short by time or cancellation does not count as a completed one
      if (stopReason !== 'time' && stopReason !== 'cancelled') net.progress.epochs++;
      epochs.push(report);
      // the checkpoint first, so a report of epoch k means its state is on disk
      if (options.checkpoint && stopReason === 'epochs' && net.progress.epochs % (options.checkpoint.every ?? 1) === 0) {
        await host.save(options.checkpoint.path);
      }
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
    if (options.signal?.aborted && stopReason === 'epochs') stopReason = 'cancelled';

    if (!failure) {
      if (early && bestEpoch !== undefined && (early.restoreBest ?? true)) net.pasteParameters(best);

      // The seed's score: the cost over the whole training set with the final weights.
      net.writeOrder(order, n, kept, null, rngState);
      const score = net.evaluateHeld(ws, xs, ys, order, n).cost;
      const last = epochs[epochs.length - 1];
      const finalWarnings = [...constant, ...net.diagnoseRows(ws, sample, sampleRows(), { learningRate: o.learningRate, startNorm: watch.startNorm, norm: net.parameterNorm(), steps: watch.stepsTaken, targetsVary: targets.vary })];
      for (const d of finalWarnings) if (!told.has(d.message)) warn(d);
      return {
        epochs,
        stopReason,
        stopMessage: stopMessage(stopReason, o, last, bestEpoch),
        seconds: seconds(),
        score,
        warnings: finalWarnings,
        bestEpoch,
      };
    }
  } finally {
    net.endTraining();
  }
  // diverged: the range test on a copy of the restored network suggests a rate to try
  let suggestion: number | undefined;
  try {
    suggestion = (await findLearningRate(net, x, y, { optimizer: o.optimizer, batchSize, steps: 100 }, initial)).suggestion;
  } catch {
    suggestion = undefined;
  }
  const f = failure!;
  throw new TrainingDivergedError(f.epoch, f.batch, f.epochs, { reason: f.reason, learningRate: f.lr, ...(suggestion !== undefined ? { suggestion } : {}) });
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
