// The saved-model format: versioned JSON holding the architecture, the input (and target) scaling,
// the data schema and the parameters as little-endian float32 in base64 (exact on a round trip),
// with a checksum. Declared once as a valibot schema, which checks every field by type and range.

import * as v from 'valibot';
import type { LayerSpec } from '../spec.js';
import { ACTIVATIONS, type ActivationName } from '../activations.js';
import { INITS, type InitName } from '../init.js';
import { LOSSES, type LossName } from '../losses.js';
import { SCALING_METHODS, type InputScaling } from '../scaling.js';
import { OPTIMIZERS, type OptimizerName } from '../optimizers.js';
import { checkSchema } from '../data/schema-check.js';
import type { DataSchema } from '../data/schema.js';
import { check, finite, oneOf, ValidationError, whole } from '../validate.js';

export const MODEL_FORMAT = 'ffnn-model';
/** 2 added the data schema and a regression's target scaling; version 1 files still load. */
export const MODEL_VERSION = 2;

const base64 = v.string('must be a base64 string');
const SCALING = v.strictObject({ method: oneOf(SCALING_METHODS), shift: base64, scale: base64 });
const LAYER = v.strictObject({
  units: whole(1),
  activation: oneOf(Object.keys(ACTIVATIONS) as ActivationName[]),
  slope: v.optional(finite(0)),
  dropout: v.optional(v.pipe(v.number('must be a share in [0, 1)'), v.minValue(0, 'must be a share in [0, 1)'), v.ltValue(1, 'must be a share in [0, 1)'))),
});

/** The model file as declared: its check and its type come from here. */
const MODEL_FILE = v.strictObject({
  format: v.literal(MODEL_FORMAT, `must be "${MODEL_FORMAT}"`),
  version: whole(1, MODEL_VERSION),
  network: v.strictObject({
    inputs: whole(1),
    layers: v.pipe(v.array(LAYER, 'must be a list of layers'), v.minLength(1, 'must list at least the output layer')),
    loss: oneOf(Object.keys(LOSSES) as LossName[]),
    init: oneOf([...INITS, 'default'] as const),
    seed: finite(),
  }),
  scaling: v.nullable(SCALING),
  targetScaling: v.optional(SCALING),
  schema: v.optional(v.unknown()),
  parameters: v.strictObject({ count: whole(0), float32le: base64, fnv1a: whole(0, 0xffffffff) }),
  training: v.optional(v.strictObject({
    optimizer: v.nullable(oneOf(OPTIMIZERS)),
    steps: whole(0),
    epochs: whole(0),
    rng: v.pipe(v.array(v.nullable(finite()), 'must be a list of 5 numbers'), v.length(5, 'must hold 5 numbers')),
    state: base64,
  })),
});

/** A saved model as JSON: the architecture, scalings, data schema, parameters and training state. */
export type ModelFile = v.InferOutput<typeof MODEL_FILE> & { readonly schema?: DataSchema };

export interface DecodedModel {
  readonly inputs: number;
  readonly layers: LayerSpec[];
  readonly loss: LossName;
  readonly init: InitName | undefined;
  readonly seed: number;
  readonly scaling: InputScaling | undefined;
  readonly targetScaling: InputScaling | undefined;
  readonly schema: DataSchema | undefined;
  readonly parameters: Float32Array;
  readonly training?: { optimizer: OptimizerName | null; steps: number; epochs: number; rng: number[]; state: Float32Array };
}

export interface TrainingState {
  readonly optimizer: OptimizerName | null;
  readonly steps: number;
  readonly epochs: number;
  readonly rng: readonly number[];
  readonly state: Float32Array;
}

export interface ModelParts {
  readonly network: ModelFile['network'];
  readonly scaling: InputScaling | undefined;
  readonly targetScaling: InputScaling | undefined;
  readonly schema: DataSchema | undefined;
  readonly parameters: Float32Array;
  readonly training?: TrainingState;
}

function scalingText(s: InputScaling) {
  return { method: s.method, shift: toBase64(float32ToBytes(s.shift)), scale: toBase64(float32ToBytes(s.scale)) };
}

export function encodeModel(m: ModelParts): ModelFile {
  const bytes = float32ToBytes(m.parameters);
  const t = m.training;
  return {
    ...(t ? {
      training: {
        optimizer: t.optimizer, steps: t.steps, epochs: t.epochs,
        rng: t.rng.map((n) => (Number.isNaN(n) ? null : n)), state: toBase64(float32ToBytes(t.state)),
      },
    } : {}),
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    network: m.network,
    scaling: m.scaling ? scalingText(m.scaling) : null,
    ...(m.targetScaling ? { targetScaling: scalingText(m.targetScaling) } : {}),
    ...(m.schema ? { schema: m.schema } : {}),
    parameters: { count: m.parameters.length, float32le: toBase64(bytes), fnv1a: fnv1a(bytes) },
  };
}

/** Checks a parsed model file field by field; `source` names it in errors. */
export function decodeModel(file: unknown, source: string): DecodedModel {
  const fail = (why: string, field: string): never => {
    throw new ValidationError(`ffnn: ${source}: ${why}`, field);
  };
  const o = file as { format?: unknown; version?: unknown } | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) fail('the file does not hold a JSON object (not an ffnn model)', '');
  if (o!.format !== MODEL_FORMAT) fail(`its "format" is ${JSON.stringify(o!.format)}, not "${MODEL_FORMAT}" (not an ffnn model)`, 'format');
  if (typeof o!.version === 'number' && o!.version > MODEL_VERSION) {
    fail(`it was written in format version ${o!.version} by a newer ffnn; this ffnn reads versions up to ${MODEL_VERSION}: upgrade ffnn`, 'version');
  }
  const m = check(MODEL_FILE, file, `ffnn: ${source}`);
  const net = m.network;
  const p = m.parameters;
  const bytes = fromBase64(p.float32le, () => fail('parameters.float32le is not valid base64 (corrupt?)', 'parameters.float32le'));
  if (bytes.length !== p.count * 4) fail(`parameters.float32le holds ${bytes.length} bytes where ${p.count} floats need ${p.count * 4} (truncated?)`, 'parameters.float32le');
  if (fnv1a(bytes) !== p.fnv1a) fail('the parameters do not match their checksum (the file is corrupt)', 'parameters.fnv1a');
  const expected = net.layers.reduce((acc, l, i) => acc + (i === 0 ? net.inputs : net.layers[i - 1].units) * l.units + l.units, 0);
  if (expected !== p.count) fail(`the layers need ${expected} parameters but parameters.count is ${p.count}`, 'parameters.count');
  const parameters = bytesToFloat32(bytes);
  const bad = parameters.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) fail(`parameter ${bad} is ${parameters[bad]}; every parameter must be finite`, 'parameters.float32le');
  const scalingOf = (s: v.InferOutput<typeof SCALING> | null | undefined, field: string, width: number): InputScaling | undefined => {
    if (!s) return undefined;
    const vec = (text: string, name: string) => {
      const values = bytesToFloat32(fromBase64(text, () => fail(`${field}.${name} is not valid base64`, `${field}.${name}`)));
      if (values.length !== width) fail(`${field}.${name} holds ${values.length} values where ${width} were expected`, `${field}.${name}`);
      const at = values.findIndex((x) => !Number.isFinite(x));
      if (at >= 0) fail(`${field}.${name}[${at}] is ${values[at]}; every value must be finite`, `${field}.${name}`);
      return values;
    };
    return { method: s.method, shift: vec(s.shift, 'shift'), scale: vec(s.scale, 'scale') };
  };
  const outputs = net.layers[net.layers.length - 1].units;
  let training: DecodedModel['training'];
  if (m.training) {
    const t = m.training;
    const state = bytesToFloat32(fromBase64(t.state, () => fail('training.state is not valid base64', 'training.state')));
    if (state.length !== 2 * p.count) fail(`training.state holds ${state.length} floats where ${2 * p.count} were expected`, 'training.state');
    if (t.rng.slice(0, 4).some((n) => n === null || !Number.isInteger(n))) fail('training.rng must start with four whole numbers', 'training.rng');
    training = { optimizer: t.optimizer, steps: t.steps, epochs: t.epochs, rng: t.rng.map((n) => (n === null ? NaN : n)), state };
  }
  const schema = m.schema === undefined ? undefined : checkSchema(m.schema, `ffnn: ${source}: schema`);
  return {
    training,
    inputs: net.inputs,
    layers: net.layers.map((l) => ({
      units: l.units, activation: l.activation,
      ...(l.slope !== undefined ? { slope: l.slope } : {}),
      ...(l.dropout !== undefined ? { dropout: l.dropout } : {}),
    })),
    loss: net.loss,
    init: net.init === 'default' ? undefined : net.init,
    seed: net.seed,
    scaling: scalingOf(m.scaling, 'scaling', net.inputs),
    targetScaling: scalingOf(m.targetScaling, 'targetScaling', outputs),
    schema,
    parameters,
  };
}

/** Parses model JSON text, naming the line and column of a syntax error (a truncated file). */
export function parseModelText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`ffnn: ${source}: not a usable ffnn model: it is not valid JSON (truncated or corrupt?): ${(error as Error).message}`);
  }
}

function float32ToBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return out;
}

function bytesToFloat32(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

// 32-bit FNV-1a: enough to tell a damaged file from a good one, and the same in every engine.
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

// base64 through btoa/atob, which browsers and Node both have, so the format reads anywhere; Node's
// Buffer where there is one (Node 20's btoa takes ~60 ms for a small network's 100 KB).
const NodeBuffer = (globalThis as { Buffer?: { from(b: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string } } }).Buffer;

function toBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  const CHUNK = 0x8000; // String.fromCharCode takes its bytes as arguments: bounded chunks
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

function fromBase64(text: string, onBad: () => never): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) onBad();
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
