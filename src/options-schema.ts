// The options of Network.create, train and fit, declared once with valibot: every field checked by
// type and range, an unknown key refused with the nearest known name (`learning_rate` → "did you
// mean learningRate?"), since JavaScript callers would otherwise see a misspelt option ignored.

import * as v from 'valibot';
import { ACTIVATIONS, type ActivationName } from './activations.js';
import { ALL_BACKENDS } from './backends/backend.js';
import { INITS } from './init.js';
import { LOSSES, type LossName } from './losses.js';
import type { Inputs, Matrix } from './matrix.js';
import { OPTIMIZERS } from './optimizers.js';
import { SCALING_METHODS } from './scaling.js';
import { check, finite, oneOf, whole } from './validate.js';

const share = (open: boolean) => {
  const want = open ? 'must be a share in (0, 1)' : 'must be a share in [0, 1)';
  return v.pipe(v.number(want), v.finite(want), open ? v.gtValue(0, want) : v.minValue(0, want), v.ltValue(1, want));
};
const positive = v.pipe(v.number('must be a finite number > 0'), v.finite('must be a finite number > 0'), v.gtValue(0, 'must be a finite number > 0'));
const fn = v.custom<(...args: never[]) => unknown>((f) => typeof f === 'function', 'must be a function');
const matrix = v.custom<Matrix>((m) => {
  const o = m as Partial<Matrix> | null;
  return !!o && typeof o === 'object' && o.data instanceof Float32Array && Number.isInteger(o.rows) && Number.isInteger(o.cols);
}, 'must be a Matrix { rows, cols, data: Float32Array } (see matrix())');
const inputs = v.custom<Inputs>((m) => {
  const o = m as Partial<Inputs & { scale: number }> | null;
  return !!o && typeof o === 'object' && Number.isInteger(o.rows) && Number.isInteger(o.cols) &&
    (o.data instanceof Float32Array || (o.data instanceof Uint16Array && (o as { scale?: unknown }).scale instanceof Float32Array && (o as { offset?: unknown }).offset instanceof Float32Array) ||
      (o.data instanceof Uint8Array && typeof o.scale === 'number' && Number.isFinite(o.scale)));
}, 'must be a Matrix { rows, cols, data: Float32Array }, a ByteMatrix { rows, cols, data: Uint8Array, scale } or a HalfMatrix { rows, cols, data: Uint16Array, scale, offset } (see toHalfFloats())');
const scaling = v.custom<unknown>((s) => {
  const o = s as { method?: unknown; shift?: unknown; scale?: unknown } | null;
  return !!o && typeof o === 'object' && (SCALING_METHODS as readonly unknown[]).includes(o.method) && o.shift instanceof Float32Array && o.scale instanceof Float32Array;
}, 'must be a scaling { method, shift: Float32Array, scale: Float32Array } (see fitScaling())');

const LAYER = v.strictObject({
  units: whole(1),
  activation: v.optional(oneOf(Object.keys(ACTIVATIONS) as ActivationName[])),
  slope: v.optional(finite(0)),
  dropout: v.optional(share(false)),
});

export const NETWORK_OPTIONS = v.strictObject({
  inputs: whole(1),
  layers: v.pipe(v.array(LAYER, 'must list the layers, e.g. [{ units: 30 }, { units: 10 }]'), v.minLength(1, 'must list at least the output layer, e.g. [{ units: 10 }]')),
  loss: v.optional(oneOf(Object.keys(LOSSES) as LossName[])),
  init: v.optional(oneOf(INITS)),
  seed: v.optional(finite()),
  backend: v.optional(oneOf(ALL_BACKENDS)),
  scaling: v.optional(scaling),
  targetScaling: v.optional(scaling),
  schema: v.optional(v.looseObject({ columns: v.array(v.unknown()) }, 'must be a data schema (a Dataset\'s schema)')),
  threads: v.optional(whole(1, 64)),
});

const SCHEDULE = v.variant('type', [
  v.strictObject({ type: v.literal('constant') }),
  v.strictObject({ type: v.literal('step'), every: positive, factor: positive }),
  v.strictObject({ type: v.literal('exponential'), gamma: positive }),
  v.strictObject({ type: v.literal('cosine'), epochs: positive, min: v.optional(finite(0)) }),
], "must be { type: 'constant' }, 'step', 'exponential' or 'cosine'");

const TRAIN_ENTRIES = {
  learningRate: v.optional(positive),
  optimizer: v.optional(oneOf(OPTIMIZERS)),
  momentum: v.optional(share(false)),
  beta1: v.optional(share(false)),
  beta2: v.optional(share(false)),
  epsilon: v.optional(positive),
  weightDecay: v.optional(finite(0)),
  clipNorm: v.optional(finite(0)),
  schedule: v.optional(SCHEDULE),
  warmup: v.optional(finite(0)),
  validationSplit: v.optional(share(true)),
  earlyStopping: v.optional(v.strictObject({
    patience: whole(1),
    monitor: v.optional(oneOf(['loss', 'accuracy'] as const)),
    minDelta: v.optional(finite(0)),
    restoreBest: v.optional(v.boolean('must be true or false')),
  })),
  batchSize: v.optional(whole(1)),
  epochs: v.optional(whole(1)),
  maxTime: v.optional(positive),
  tolerance: v.optional(finite(0)),
  // a data set with more fields (labels, a schema) is fine: only x and y are read
  validation: v.optional(v.object({ x: inputs, y: matrix })),
  shuffle: v.optional(v.boolean('must be true or false')),
  onEpoch: v.optional(fn),
  onProgress: v.optional(fn),
  onWarning: v.optional(fn),
  collapse: v.optional(oneOf(['stop', 'warn'] as const)),
  checkpoint: v.optional(v.strictObject({ path: v.string('must be a file path'), every: v.optional(whole(1)) })),
  signal: v.optional(v.custom<AbortSignal>((s) => typeof AbortSignal !== 'undefined' && s instanceof AbortSignal, 'must be an AbortSignal')),
};

export const TRAIN_OPTIONS = v.strictObject(TRAIN_ENTRIES);

const { earlyStopping: _earlyStopping, ...FIT_TRAIN_ENTRIES } = TRAIN_ENTRIES;

export const FIT_OPTIONS = v.strictObject({
  ...FIT_TRAIN_ENTRIES,
  preset: v.optional(oneOf(['default', 'seed'] as const)),
  hidden: v.optional(v.array(whole(1), 'must list hidden layer sizes, e.g. [64]')),
  activation: v.optional(oneOf(Object.keys(ACTIVATIONS) as ActivationName[])),
  loss: v.optional(oneOf(Object.keys(LOSSES) as LossName[])),
  init: v.optional(oneOf(INITS)),
  dropout: v.optional(share(false)),
  scale: v.optional(v.union([oneOf(['zscore', 'minmax', 'none'] as const), v.pipe(v.number(), v.finite(), v.check((n) => n !== 0))], "must be 'zscore', 'minmax', 'none' or a non-zero divisor")),
  patience: v.optional(whole(0)),
  monitor: v.optional(oneOf(['loss', 'accuracy'] as const)),
  seed: v.optional(finite()),
  backend: v.optional(oneOf(ALL_BACKENDS)),
  threads: v.optional(whole(1, 64)),
});

/** Checks options against a declared schema; `where` names the call (`ffnn: train`). */
export function checkOptions<S extends v.GenericSchema<unknown, unknown>>(schema: S, options: unknown, where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw new Error(`ffnn: ${where}: options must be an object, got ${String(options)}`);
  check(schema, options, `ffnn: ${where}`, 'option');
}
