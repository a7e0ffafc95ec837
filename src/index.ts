// ffnn's public API: everything a user may import, and nothing else.

export { Network } from './network.js';
export type { NetworkOptions, LayerSpec, Evaluation, LayerParameters } from './network.js';
export { TrainingDivergedError } from './trainer.js';
export { trainInWorker } from './worker-training.js';
export type { WorkerTrainOptions, WorkerTraining, PlainTrainOptions } from './worker-training.js';
export type { TrainOptions, TrainingHistory, EpochReport, Progress, StopReason } from './trainer.js';
export type { Diagnostic } from './diagnostics.js';
export { matrix, fromRows, oneHot, argmaxRows, sliceRows } from './matrix.js';
export type { Matrix } from './matrix.js';
export type { ActivationName } from './activations.js';
export type { LossName } from './losses.js';
export type { InitName } from './init.js';
export type { BackendName } from './backends/backend.js';
export { fitScaling } from './scaling.js';
export type { InputScaling, ScalingMethod } from './scaling.js';
export { loadCsv } from './data/csv.js';
export type { CsvOptions, CsvSource, Dataset } from './data/csv.js';
export { readIdx, parseIdx } from './data/idx.js';
export type { IdxArray } from './data/idx.js';
export { loadMnist } from './data/mnist.js';
export type { LabelledSet, MnistOptions } from './data/mnist.js';
export type { ModelFile } from './io/model.js';
