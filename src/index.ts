// ffnn's public API: everything a user may import, and nothing else.

export { Network } from './network.js';
export type { NetworkOptions, LayerSpec, Evaluation, LayerParameters } from './network.js';
export { TrainingDivergedError } from './trainer.js';
export type { TrainOptions, TrainingHistory, EpochReport, Progress, StopReason } from './trainer.js';
export type { Diagnostic } from './diagnostics.js';
export { matrix, fromRows, oneHot, argmaxRows, sliceRows } from './matrix.js';
export type { Matrix } from './matrix.js';
export type { ActivationName } from './activations.js';
export type { LossName } from './losses.js';
export type { InitName } from './init.js';
export type { BackendName } from './backends/backend.js';
