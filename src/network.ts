// Network: what users call. Building, training, predicting, scoring, saving and loading; the
// arithmetic, the heap and the threads are its engine's (engine/engine.ts), which the trainer drives.

import type { ActivationName } from './activations.js';
import type { Backend, BackendName } from './backends/backend.js';
import type { Diagnostic } from './diagnostics.js';
import { Engine } from './engine/engine.js';
import type { DataSchema } from './data/schema.js';
import { decodeModel, parseModelText, type ModelFile } from './io/model.js';
import { readText, writeText } from './io/files.js';
import { findLearningRate, type LearningRateCurve, type LearningRateOptions } from './lr-finder.js';
import { matrix, type Inputs, type Matrix } from './matrix.js';
import { checkOptions, FIT_OPTIONS } from './options-schema.js';
import { recipeFor, type FitData, type FitOptions } from './recipe.js';
import type { InputScaling } from './scaling.js';
import type { BuiltOptions, Evaluation, LayerParameters, LayerSpec, LoadOptions, NetworkOptions } from './spec.js';
import { train as runTraining, type TrainOptions, type TrainingHistory } from './trainer.js';

export type { ClassEvaluation, Evaluation, LayerParameters, LayerSpec, LoadOptions, NetworkOptions, RegressionEvaluation } from './spec.js';

/**
 * A feed-forward network: build it (create, fit, load, fromJSON, fromOnnx), train it, predict and
 * score with it, save it. Its arithmetic runs in WebAssembly (or the TypeScript reference).
 */
export class Network {
  /** @internal The heap, kernels and threads behind this network (see engine/engine.ts). */
  readonly engine: Engine;

  private constructor(engine: Engine) {
    this.engine = engine;
  }

  /** Builds a network on a fresh heap of the chosen backend. */
  static async create(options: NetworkOptions): Promise<Network> {
    return new Network(await Engine.create(options));
  }

  /** @internal A network over a backend the caller made (tests use the float64 JS backend). */
  static createOn(backend: Backend, options: NetworkOptions): Network {
    return new Network(Engine.createOn(backend, options));
  }

  /**
   * A trained network from data alone: the defaults of recipe.ts (standardised inputs, one relu layer
   * sized from the data, softmax + cross-entropy or linear + squared error, Adam, early stopping on a
   * validation share with the best weights kept), each overridable by `options`. A Dataset's schema
   * goes with the network, so it can read raw files and name classes.
   */
  static async fit(data: FitData, options: FitOptions = {}): Promise<{ network: Network; history: TrainingHistory }> {
    checkOptions(FIT_OPTIONS, options, 'Network.fit');
    const recipe = recipeFor(data, options);
    const network = await Network.create(recipe.network);
    return { network, history: await network.train(data.x, data.y, recipe.train) };
  }

  /** Features per example (columns of x). */
  get inputs(): number {
    return this.engine.inputs;
  }

  /** Outputs per example (columns of y). */
  get outputs(): number {
    return this.engine.outputs;
  }

  /** The backend it runs on ('wasm', 'wasm-simd', 'wasm-relaxed', 'wasm-scalar' or 'js'). */
  get backend(): BackendName {
    return this.engine.backend;
  }

  /** What runs this network's kernels: 'simd', 'relaxed' or 'scalar' WebAssembly, or 'js'. */
  get build(): Backend['build'] {
    return this.engine.build;
  }

  /** Each layer as built: units, activation (after defaults), and slope or dropout where set. */
  get layers(): LayerSpec[] {
    return this.engine.layers;
  }

  /** The activation each layer uses, after defaults. */
  get activations(): ActivationName[] {
    return this.engine.activations;
  }

  /**
   * 'regression' when the network predicts numbers (target standardisation, a schema with targets,
   * or an output that is neither softmax nor sigmoid), else 'classification'.
   */
  get task(): 'classification' | 'regression' {
    return this.engine.task;
  }

  /** The class names, when the network learned from a labelled Dataset (else undefined). */
  get classNames(): readonly string[] | undefined {
    return this.engine.classNames;
  }

  /** The options it was built with, after defaults. */
  get options(): BuiltOptions {
    return this.engine.options;
  }

  /** Weights and biases, all layers together. */
  get parameterCount(): number {
    return this.engine.parameterCount;
  }

  /** Threads that share each training step (1: the main thread alone). */
  get threads(): number {
    return this.engine.threads;
  }

  /** The input scaling, if any: shift and scale per feature, applied inside. */
  get scaling(): InputScaling | undefined {
    return this.engine.scaling;
  }

  /** A regression's target standardisation, if any (see NetworkOptions.targetScaling). */
  get targetScaling(): InputScaling | undefined {
    return this.engine.targetScaling;
  }

  /** What the training data's columns were, if the network was trained from a Dataset (see NetworkOptions.schema). */
  get schema(): DataSchema | undefined {
    return this.engine.schema;
  }

  /**
   * Mini-batch stochastic gradient descent on x (rows × inputs) against y (rows × outputs). x, y and
   * the validation set are copied into the network's memory once and kept for later calls with the
   * same arrays (evaluate, predict, train again) until release() or dispose(); a sample of their
   * values is checked at each call, but after changing an array in place, release() it to be sure.
   */
  train(x: Inputs, y: Matrix, options: TrainOptions = {}): Promise<TrainingHistory> {
    return runTraining(this.engine, x, y, options, { save: (path) => this.save(path) });
  }

  /**
   * The learning-rate range test on a copy of this network (left as it is): a few hundred steps with
   * the rate growing from 1e-6 to 10, the smoothed loss of each, and the suggested rate.
   */
  findLearningRate(x: Inputs, y: Matrix, options: LearningRateOptions = {}): Promise<LearningRateCurve> {
    return findLearningRate(this.engine, x, y, options);
  }

  /** Outputs for each row of x (rows × inputs) → rows × outputs (a regression's in its targets' units). */
  predict(x: Inputs): Matrix {
    return this.engine.predict(x);
  }

  /**
   * The class of each row: the argmax of the outputs, or, for a network with one output, 1 where it
   * is at least 0.5 and 0 elsewhere (as evaluate counts). A regression has no classes.
   */
  classify(x: Inputs): Int32Array {
    return this.engine.classify(x);
  }

  /**
   * Mean cost, total cost and accuracy over x (rows × inputs) against targets y (rows × outputs).
   * Data kept from train() (its training or validation set) is read from the network's memory.
   */
  evaluate(x: Inputs, y: Matrix): Evaluation {
    return this.engine.evaluate(x, y);
  }

  /** Checks whether the outputs have collapsed to one vector over (a sample of) x, and why. */
  diagnose(x: Inputs): Diagnostic[] {
    return this.engine.diagnose(x);
  }

  /** A copy of every layer's weights (inputs × units) and biases. */
  parameters(): LayerParameters[] {
    return this.engine.parameters();
  }

  /**
   * Replaces every layer's weights and biases; shapes must match parameters() and every value must be
   * finite. Everything is checked before anything is written, so a refused call changes nothing.
   */
  setParameters(layers: readonly LayerParameters[]): void {
    this.engine.setParameters(layers);
  }

  /** Frees the heap copies of data sets kept since train() (of `data`'s array only, when given). */
  release(data?: Inputs): void {
    this.engine.release(data);
  }

  /** The saved-model form: architecture, scalings, data schema and exact parameters (see io/model.ts). */
  toJSON(): ModelFile {
    return this.engine.toModelFile();
  }

  /** Rebuilds a network from toJSON()'s output, on any backend; `source` names it in errors. */
  static async fromJSON(model: unknown, options: LoadOptions = {}): Promise<Network> {
    const m = decodeModel(model, options.source ?? 'model');
    const net = await Network.create({
      inputs: m.inputs, layers: m.layers, loss: m.loss, init: m.init, seed: m.seed, scaling: m.scaling,
      targetScaling: m.targetScaling, schema: m.schema, backend: options.backend, threads: options.threads,
    });
    net.engine.restore(m);
    return net;
  }

  /**
   * The network as an ONNX model (opset 17): input 'input' (batch × inputs), output 'output', the
   * input scaling as Sub/Mul nodes, each layer a Gemm and its activation. Dropout is left out, as
   * at inference. The ONNX encoder (protobuf) loads on first use, so bundles that never export
   * or import ONNX do not download it.
   */
  async toOnnx(): Promise<Uint8Array> {
    const { encodeOnnx } = await import('./io/onnx.js');
    return encodeOnnx({ scaling: this.scaling, targetScaling: this.targetScaling, layers: this.engine.layerTensors() }, 'ffnn');
  }

  /**
   * A network from an ONNX MLP (Gemm or MatMul + Add layers with Relu, Sigmoid, Tanh, LeakyRelu,
   * Softmax, Identity, Flatten). The loss is cross-entropy when the output is a softmax, else mse.
   */
  static async fromOnnx(bytes: Uint8Array, options: LoadOptions = {}): Promise<Network> {
    const { decodeOnnx } = await import('./io/onnx.js');
    const m = decodeOnnx(bytes, options.source ?? 'ONNX model');
    const outputActivation = m.layers[m.layers.length - 1].activation;
    const net = await Network.create({
      inputs: m.inputs, layers: m.layers, loss: outputActivation === 'softmax' ? 'cross-entropy' : 'mse',
      scaling: m.net.scaling, targetScaling: m.net.targetScaling, backend: options.backend, threads: options.threads,
    });
    net.setParameters(m.net.layers.map((l) => ({ weights: matrix(l.inputs, l.units, l.weights), biases: l.biases })));
    return net;
  }

  /** Writes the model as JSON to a file. */
  async save(path: string): Promise<void> {
    await writeText(path, JSON.stringify(this.toJSON()) + '\n');
  }

  /** Reads a model file written by save() (or `ffnn train --out`). */
  static async load(path: string, options: LoadOptions = {}): Promise<Network> {
    let text: string;
    try {
      text = await readText(path);
    } catch (error) {
      throw new Error(`ffnn: cannot read model file ${path}: ${(error as Error).message}`);
    }
    return Network.fromJSON(parseModelText(text, path), { source: path, ...options });
  }

  /** Frees the network's heap now rather than at garbage collection; the network is unusable after. */
  dispose(): void {
    this.engine.dispose();
  }
}
