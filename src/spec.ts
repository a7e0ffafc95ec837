// The shapes the public API shares between modules: a network's options, a layer, an evaluation.
// Types only, importing nothing that imports them back, so every module may use them.

import type { ActivationName } from './activations.js';
import type { BackendName } from './backends/backend.js';
import type { DataSchema } from './data/schema.js';
import type { InitName } from './init.js';
import type { LossName } from './losses.js';
import type { Matrix } from './matrix.js';
import type { RegressionMetrics } from './metrics.js';
import type { InputScaling } from './scaling.js';

/** One layer of a network: its units, activation, and dropout. */
export interface LayerSpec {
  /** Perceptrons in this layer. */
  readonly units: number;
  /** Default 'sigmoid' (the seed's); the output layer defaults to 'softmax' with cross-entropy. */
  readonly activation?: ActivationName;
  /** Negative-side slope of 'leaky-relu' (default 0.01). */
  readonly slope?: number;
  /** Share of this layer's outputs dropped during training (inverted dropout; default 0, hidden layers only). */
  readonly dropout?: number;
}

/** What Network.create builds: the inputs, the layers, the loss, and how it runs. */
export interface NetworkOptions {
  /** Features per example (columns of x). */
  readonly inputs: number;
  /** Hidden layers, then the output layer. */
  readonly layers: readonly LayerSpec[];
  /**
   * 'mse' (the seed's sum of squares, default), 'cross-entropy' (with a softmax output) or
   * 'binary-cross-entropy' (with a sigmoid output, for independent yes/no outputs).
   */
  readonly loss?: LossName;
  /** Weight initialisation; by default chosen per layer from its activation (Glorot or He). */
  readonly init?: InitName;
  /** Seed of the generator behind initialisation and shuffling (default 1). */
  readonly seed?: number;
  /**
   * 'wasm' (default: relaxed SIMD where the engine accepts it, else SIMD), 'wasm-simd' (plain SIMD
   * everywhere: the same bits on every engine), 'wasm-relaxed', 'wasm-scalar' or 'js' (the
   * pure-TypeScript reference).
   */
  readonly backend?: BackendName;
  /** Applied to every input row before the first layer (see fitScaling); saved with the model. */
  readonly scaling?: InputScaling;
  /**
   * For regression: targets are standardised inside, y′ = (y − shift)·scale, and predictions restored
   * (see fitScaling(y, 'zscore')); saved with the model.
   */
  readonly targetScaling?: InputScaling;
  /**
   * What the training data's columns were (a Dataset's schema): saved with the model, so files can
   * be read the same way later, and classes named.
   */
  readonly schema?: DataSchema;
  /**
   * Threads for training steps and forward passes (default 1): each step or chunk big enough to pay
   * (about a million multiply-adds in its forward pass) is shared by this many threads over one WebAssembly memory
   * (a threads build with the same arithmetic as the backend's one-thread build: relaxed SIMD where
   * 'wasm' picks it). The weights and the history are those of one thread, bit for bit (see
   * threads.ts). The 'wasm', 'wasm-simd' and 'wasm-relaxed' backends run threads. Threads need SharedArrayBuffer
   * and Atomics.wait: Node, or a worker of a crossOriginIsolated page (trainInWorker); elsewhere the
   * network uses one thread (`net.threads` says how many it has).
   */
  readonly threads?: number;
}

/** A network's options as built: every default filled in (init 'default': chosen per layer). */
export type BuiltOptions = Readonly<Required<Omit<NetworkOptions, 'init' | 'scaling' | 'threads' | 'targetScaling' | 'schema'>>> & { readonly init: InitName | 'default' };

/** How load, fromJSON and fromOnnx build the network they read. */
export interface LoadOptions {
  /** The backend to run it on (default 'wasm'): a model runs on any. */
  readonly backend?: BackendName;
  /** Threads for its training steps (see NetworkOptions.threads). */
  readonly threads?: number;
  /** What errors call the model (default: the path, or 'model' / 'ONNX model'). */
  readonly source?: string;
}

/**
 * evaluate()'s answer: loss is the mean per-example cost, cost the sum (the seed's score), in the
 * units training sees (standardised targets for a regression); then, by the network's task, the
 * share of rows classified correctly, or the regression's errors in the targets' own units.
 */
export type Evaluation = ClassEvaluation | RegressionEvaluation;

/** evaluate()'s answer for a classifier: loss, total cost, rows, and the share classified correctly. */
export interface ClassEvaluation {
  readonly task: 'classification';
  readonly loss: number;
  readonly cost: number;
  readonly rows: number;
  readonly accuracy: number;
  readonly correct: number;
}

/** evaluate()'s answer for a regression: loss and total cost as training sees them, and RMSE, MAE and R² in the targets' units. */
export interface RegressionEvaluation extends RegressionMetrics {
  readonly task: 'regression';
  readonly loss: number;
  readonly cost: number;
  readonly rows: number;
}

/** One layer's weights and biases, as parameters() gives them and setParameters() takes them. */
export interface LayerParameters {
  /** inputs × units */
  readonly weights: Matrix;
  /** units */
  readonly biases: Float32Array;
}
