// The saved-model format: versioned JSON holding the architecture, the input scaling and the
// parameters as little-endian float32 in base64 (exact on a round trip), with a checksum.

import type { LayerSpec } from '../network.js';
import type { ActivationName } from '../activations.js';
import type { InitName } from '../init.js';
import type { LossName } from '../losses.js';
import type { InputScaling, ScalingMethod } from '../scaling.js';
import type { OptimizerName } from '../optimizers.js';

export const MODEL_FORMAT = 'ffnn-model';
export const MODEL_VERSION = 1;

export interface ModelFile {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly network: {
    readonly inputs: number;
    readonly layers: readonly { units: number; activation: ActivationName; slope?: number; dropout?: number }[];
    readonly loss: LossName;
    readonly init: InitName | 'default';
    readonly seed: number;
  };
  readonly scaling: { readonly method: ScalingMethod; readonly shift: string; readonly scale: string } | null;
  /** Layer after layer: weights (inputs × units, row-major), then biases. */
  readonly parameters: { readonly count: number; readonly float32le: string; readonly fnv1a: number };
  /** Where training stood, so it can resume exactly: optimizer state, step and epoch counts, generator. */
  readonly training?: {
    readonly optimizer: OptimizerName | null;
    readonly steps: number;
    readonly epochs: number;
    /** xoshiro128** words and the spare normal (null when none) */
    readonly rng: readonly (number | null)[];
    /** the two optimizer-state blocks, one after the other, as float32le base64 */
    readonly state: string;
  };
}

export interface DecodedModel {
  readonly inputs: number;
  readonly layers: LayerSpec[];
  readonly loss: LossName;
  readonly init: InitName | undefined;
  readonly seed: number;
  readonly scaling: InputScaling | undefined;
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

export function encodeModel(network: ModelFile['network'], scaling: InputScaling | undefined, parameters: Float32Array,
  training?: TrainingState): ModelFile {
  const bytes = float32ToBytes(parameters);
  return {
    ...(training ? {
      training: {
        optimizer: training.optimizer, steps: training.steps, epochs: training.epochs,
        rng: training.rng.map((v) => (Number.isNaN(v) ? null : v)), state: toBase64(float32ToBytes(training.state)),
      },
    } : {}),
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    network,
    scaling: scaling
      ? { method: scaling.method, shift: toBase64(float32ToBytes(scaling.shift)), scale: toBase64(float32ToBytes(scaling.scale)) }
      : null,
    parameters: { count: parameters.length, float32le: toBase64(bytes), fnv1a: fnv1a(bytes) },
  };
}

/** Checks a parsed model file field by field; `source` names it in errors. */
export function decodeModel(file: unknown, source: string): DecodedModel {
  const fail = (why: string): never => {
    throw new Error(`ffnn: ${source} is not a usable ffnn model: ${why}`);
  };
  const m = file as Partial<ModelFile> | null;
  if (!m || typeof m !== 'object') fail('the file does not hold a JSON object');
  if (m!.format !== MODEL_FORMAT) fail(`its "format" is ${JSON.stringify(m!.format)}, not "${MODEL_FORMAT}"`);
  if (typeof m!.version !== 'number') fail('it has no "version"');
  if (m!.version! > MODEL_VERSION) {
    fail(`it was written in format version ${m!.version} by a newer ffnn; this ffnn reads version ${MODEL_VERSION} — upgrade ffnn`);
  }
  if (m!.version !== MODEL_VERSION) fail(`format version ${m!.version} is unknown`);
  const net = m!.network;
  if (!net || !Array.isArray(net.layers) || typeof net.inputs !== 'number') fail('"network" lacks inputs or layers');
  const p = m!.parameters;
  if (!p || typeof p.float32le !== 'string' || typeof p.count !== 'number') fail('"parameters" is missing');
  const bytes = fromBase64(p!.float32le, () => fail('"parameters" is not valid base64 (corrupt?)'));
  if (bytes.length !== p!.count * 4) fail(`"parameters" holds ${bytes.length} bytes where ${p!.count} floats need ${p!.count * 4} (truncated?)`);
  if (fnv1a(bytes) !== p!.fnv1a) fail('the parameters do not match their checksum (the file is corrupt)');
  const expected = net!.layers.reduce((acc, l, i) => {
    const inputs = i === 0 ? net!.inputs : net!.layers[i - 1].units;
    return acc + inputs * l.units + l.units;
  }, 0);
  if (expected !== p!.count) fail(`the layers need ${expected} parameters but the file holds ${p!.count}`);
  let scaling: InputScaling | undefined;
  if (m!.scaling) {
    const s = m!.scaling;
    const vec = (text: string, name: string) => bytesToFloat32(fromBase64(text, () => fail(`scaling ${name} is not valid base64`)));
    scaling = { method: s.method, shift: vec(s.shift, 'shift'), scale: vec(s.scale, 'scale') };
  }
  let training: DecodedModel['training'];
  if (m!.training) {
    const t = m!.training;
    const state = bytesToFloat32(fromBase64(t.state, () => fail('"training.state" is not valid base64')));
    if (state.length !== 2 * p!.count) fail(`"training.state" holds ${state.length} floats where ${2 * p!.count} were expected`);
    if (!Array.isArray(t.rng) || t.rng.length !== 5) fail('"training.rng" must hold 5 numbers');
    training = { optimizer: t.optimizer, steps: t.steps, epochs: t.epochs, rng: t.rng.map((v) => (v === null ? NaN : v)), state };
  }
  return {
    training,
    inputs: net!.inputs,
    layers: net!.layers.map((l) => ({
      units: l.units, activation: l.activation,
      ...(l.slope !== undefined ? { slope: l.slope } : {}),
      ...(l.dropout !== undefined ? { dropout: l.dropout } : {}),
    })),
    loss: net!.loss,
    init: net!.init === 'default' ? undefined : net!.init,
    seed: net!.seed,
    scaling,
    parameters: bytesToFloat32(bytes),
  };
}

/** Parses model JSON text, naming the line and column of a syntax error (a truncated file). */
export function parseModelText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`ffnn: ${source} is not a usable ffnn model: it is not valid JSON (truncated or corrupt?): ${(error as Error).message}`);
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

// base64 through btoa/atob, which browsers and Node both have, so the format reads anywhere.
function toBase64(bytes: Uint8Array): string {
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
