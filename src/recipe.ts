// The defaults: a network and a training run chosen from the data alone, shared by Network.fit and
// `ffnn train`. Judged on data sets the project never saw, not tuned to any one of them: standardised
// inputs, one relu hidden layer sized from the data, softmax with cross-entropy (linear with squared
// error and standardised targets for a regression), Adam, and early stopping on a validation share with
// the best weights kept. The 'seed' preset is the notebook's recipe instead.

import type { ActivationName } from './activations.js';
import type { BackendName } from './backends/backend.js';
import type { Dataset } from './data/columns.js';
import { classesOf } from './data/split.js';
import type { InitName } from './init.js';
import type { LossName } from './losses.js';
import type { Inputs, Matrix } from './matrix.js';
import type { LayerSpec, NetworkOptions } from './spec.js';
import type { OptimizerName } from './optimizers.js';
import { fitScaling, type InputScaling } from './scaling.js';
import { cores } from './platform/cores.js';
import type { TrainOptions } from './trainer.js';

/** What Network.fit learns from: a Dataset (loadCsv's), or x with y (one-hot y means classes). */
export type FitData = Dataset | { readonly x: Inputs; readonly y: Matrix; readonly labels?: Int32Array };

/** Network.fit's options: the recipe's choices (preset, layers, loss, scaling, early stopping) and every training option. */
export interface FitOptions extends Omit<TrainOptions, 'earlyStopping'> {
  /**
   * 'default' (the data's own recipe, described above) or 'seed': the notebook's network, one
   * sigmoid layer of 30, sum of squares, SGD at learning rate 3, batch 10, 30 epochs.
   */
  readonly preset?: 'default' | 'seed';
  /** Hidden layer sizes (default: one layer sized from the data). */
  readonly hidden?: readonly number[];
  /** Hidden activation (default relu; sigmoid for the seed preset). */
  readonly activation?: ActivationName;
  readonly loss?: LossName;
  readonly init?: InitName;
  /** Dropout share after each hidden layer (default 0). */
  readonly dropout?: number;
  /**
   * Input scaling fitted on the training rows: 'zscore' (default), 'minmax', 'none', or a divisor
   * (255 for pixels).
   */
  readonly scale?: 'zscore' | 'minmax' | 'none' | number;
  /** Epochs without a better validation loss before stopping (default 10, fewer for large sets; 0 turns early stopping off). */
  readonly patience?: number;
  /** What early stopping watches: the validation 'loss' (default) or 'accuracy'. */
  readonly monitor?: 'loss' | 'accuracy';
  readonly seed?: number;
  readonly backend?: BackendName;
  /** Threads per step (default: every core, at most four, where steps are large: see threadsFor; the same weights either way). */
  readonly threads?: number;
}

export interface Recipe {
  readonly network: NetworkOptions;
  readonly train: TrainOptions;
}

/** Whether the data is classes (a label column, or one-hot targets) rather than numbers to predict. */
export function isClassification(data: FitData): boolean {
  if ('schema' in data && data.schema) return data.schema.columns.some((c) => c.kind === 'label');
  return classesOf(data) !== null;
}

/**
 * Hidden units from the data's width: twice the inputs and outputs, to a power of two, from 32 to
 * 256. A wide input (image pixels) is capped, where more units cost time more than they gain.
 */
export function hiddenUnits(inputs: number, outputs: number): number {
  const want = 2 * (inputs + outputs);
  return Math.min(256, Math.max(32, 2 ** Math.round(Math.log2(want))));
}

/** Forward multiply-adds of a step from which the defaults share it among the cores. */
const THREADS_MIN_MACS = 1 << 24;

/**
 * Threads for steps of `batch` rows through layers of `sizes` (inputs, hidden…, outputs): every core,
 * at most four, where a step is large enough for threads to pay clearly (16 million multiply-adds in
 * its forward pass; 784-256-10 at batch 128 has 26 million), else one. A team's step gives the
 * one-thread weights bit for bit, so this changes the speed only.
 */
export function threadsFor(sizes: readonly number[], batch: number): number {
  let macs = 0;
  for (let i = 1; i < sizes.length; i++) macs += sizes[i - 1] * sizes[i];
  return batch * macs >= THREADS_MIN_MACS ? Math.max(1, Math.min(4, cores())) : 1;
}

/** Examples per step: 32 for small sets, more for large ones, where bigger steps train as well and faster. */
export function batchSizeFor(rows: number): number {
  return rows < 5_000 ? 32 : rows < 50_000 ? 64 : 128;
}

/** The network and training options the data and the options call for. */
export function recipeFor(data: FitData, options: FitOptions = {}): Recipe {
  const classes = isClassification(data);
  const inputs = data.x.cols;
  const outputs = data.y.cols;
  if (outputs < 1) throw new Error('ffnn: fit: the data has no targets (y has no columns): load it with a label or target column');
  const schema = 'schema' in data ? data.schema : undefined;
  const { preset = 'default', hidden, activation, loss, init, dropout = 0, scale, patience, monitor, seed, backend, threads, ...train } = options;

  if (preset === 'seed') {
    const sizes = hidden ?? [30];
    return {
      network: {
        inputs,
        layers: [...sizes.map((units) => layer(units, activation ?? 'sigmoid', dropout)), { units: outputs, activation: classes ? 'sigmoid' : 'linear' }],
        loss: loss ?? 'mse', init, seed, backend, threads, schema,
        scaling: scalingFor(data.x, scale ?? 'minmax'),
      },
      train: { learningRate: 3, batchSize: 10, epochs: 30, ...train },
    };
  }
  if (preset !== 'default') throw new Error(`ffnn: fit: preset must be 'default' or 'seed', got ${String(preset)}`);

  const sizes = hidden ?? [hiddenUnits(inputs, outputs)];
  const lossName = loss ?? (classes ? 'cross-entropy' : 'mse');
  const output: ActivationName = lossName === 'cross-entropy' ? 'softmax' : lossName === 'binary-cross-entropy' ? 'sigmoid' : classes ? 'sigmoid' : 'linear';
  const batchSize = train.batchSize ?? batchSizeFor(data.x.rows);
  const wait = patience ?? patienceFor(data.x.rows, batchSize);
  const validating = train.validation !== undefined || wait > 0;
  return {
    network: {
      inputs,
      layers: [...sizes.map((units) => layer(units, activation ?? 'relu', dropout)), { units: outputs, activation: output }],
      loss: lossName, init, seed, backend, schema,
      threads: threads ?? threadsFor([inputs, ...sizes, outputs], batchSize),
      scaling: scalingFor(data.x, scale ?? 'zscore'),
      ...(classes ? {} : { targetScaling: fitScaling(data.y, 'zscore') }),
    },
    train: {
      optimizer: 'adam' as OptimizerName,
      learningRate: 0.001,
      batchSize,
      epochs: 200,
      ...(validating && train.validation === undefined && train.validationSplit === undefined ? { validationSplit: validationShare(data.x.rows) } : {}),
      ...(wait > 0 ? { earlyStopping: { patience: wait, restoreBest: true, ...(monitor ? { monitor } : {}) } } : {}),
      ...train,
    },
  };
}

/**
 * Epochs without a better validation loss before stopping: 10 (scikit-learn's n_iter_no_change), but
 * no more than about 2 000 steps' worth, and at least 5: an epoch of a large set is many steps.
 */
export function patienceFor(rows: number, batchSize: number): number {
  const steps = Math.ceil((rows * 0.9) / batchSize);
  return Math.max(5, Math.min(10, Math.ceil(2000 / steps)));
}

/** A tenth of the rows for validation, more for small sets so the check is not a handful of rows. */
function validationShare(rows: number): number {
  return rows < 500 ? 0.2 : rows < 5_000 ? 0.15 : 0.1;
}

function layer(units: number, activation: ActivationName, dropout: number): LayerSpec {
  return { units, activation, ...(dropout > 0 ? { dropout } : {}) };
}

function scalingFor(x: Inputs, how: 'zscore' | 'minmax' | 'none' | number): InputScaling | undefined {
  if (how === 'none') return undefined;
  if (typeof how === 'number') return fitScaling(x, 'divide', how);
  return fitScaling(x, how);
}
