// Property-based tests of everything that reads outside input (fast-check, 1 000 cases each): damaged
// model files, ONNX and IDX bytes, and options. Each case either gives something valid (finite
// numbers, consistent shapes) or an Error whose message starts with "ffnn:" and says what is wrong:
// never a TypeError from inside, a trap, a hang, or a half-built network.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrix, Network, parseIdx, type ModelFile } from '../src/index.js';

const RUNS = { numRuns: 1000, seed: 20261204 };
const probe = matrix(2, 6, [0.1, -2, 3, 0.5, 1, 0, 1, 1, -1, 0, 2, 0.25]);

/** An error that is ours: an Error (not a TypeError or RangeError from inside) naming what is wrong. */
function expectOurs(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name === 'TypeError' || (error as Error).name === 'RangeError', (error as Error).stack).toBe(false);
  expect((error as Error).message).toMatch(/^ffnn: \S/);
}

/** A JSON value to plant somewhere: the wrong type, a wrong number, or nothing. */
const junk = fc.oneof(
  fc.constant(null), fc.constant(undefined), fc.integer({ min: -5, max: 10_000 }), fc.double(), fc.string({ maxLength: 8 }),
  fc.boolean(), fc.constant([]), fc.constant({}), fc.constantFrom('relu', 'softmax', 'adam', 'zscore', 'label', 'AAAA', 'NaN'),
);

/** Paths into a model file's JSON: every key and index, found by walking it. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [at];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...at, k]))];
}

function planted(model: unknown, path: (string | number)[], value: unknown, remove: boolean): unknown {
  const copy = structuredClone(model) as Record<string | number, unknown>;
  if (path.length === 0) return value;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

describe('fuzzing the loaders', () => {
  it('model files with a field replaced or removed: a valid network or an error naming the field', async () => {
    const net = await Network.create({
      inputs: 6, layers: [{ units: 5, activation: 'relu', dropout: 0.1 }, { units: 3, activation: 'softmax' }], loss: 'cross-entropy',
      scaling: { method: 'zscore', shift: new Float32Array(6), scale: new Float32Array(6).fill(1) },
    });
    const model: ModelFile = net.toJSON();
    const all = paths(model);
    let refused = 0;
    await fc.assert(fc.asyncProperty(fc.nat(all.length - 1), junk, fc.boolean(), async (at, value, remove) => {
      const damaged = planted(model, all[at], value, remove);
      try {
        const loaded = await Network.fromJSON(damaged, { source: 'm.json' });
        expect(loaded.predict(probe).data.every(Number.isFinite)).toBe(true);
        loaded.dispose();
      } catch (error) {
        expectOurs(error);
        refused++;
      }
    }), RUNS);
    expect(refused).toBeGreaterThan(500);
  });

  it('ONNX bytes flipped, cut or grown: a valid network or an error', async () => {
    const net = await Network.create({ inputs: 6, layers: [{ units: 5, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }], loss: 'mse' });
    const bytes = await net.toOnnx();
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat(bytes.length), { nil: undefined }),
      async (flips, cut) => {
        const damaged = Uint8Array.from(bytes);
        for (const [at, value] of flips) damaged[at] = value;
        try {
          const loaded = await Network.fromOnnx(cut === undefined ? damaged : damaged.subarray(0, cut), { source: 'm.onnx' });
          if (loaded.inputs === 6) expect(loaded.predict(probe).data.every(Number.isFinite)).toBe(true);
          loaded.dispose();
        } catch (error) {
          expectOurs(error);
        }
      },
    ), RUNS);
  });

  it('IDX bytes: whatever the header says, consistent data or an error', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 64 }),
      fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x42),
      fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 4 }),
      (payload, type, dims) => {
        const header = [0, 0, type, dims.length];
        for (const d of dims) header.push(0, 0, 0, d);
        const bytes = Uint8Array.from([...header, ...payload]);
        try {
          const idx = parseIdx(bytes, 'x.idx');
          expect(idx.data.length).toBe(idx.dims.reduce((a, b) => a * b, 1));
        } catch (error) {
          expectOurs(error);
        }
      },
    ), RUNS);
  });

  it('options of create and train: valid, or an error naming the option', async () => {
    const keys = ['inputs', 'layers', 'loss', 'init', 'seed', 'backend', 'threads', 'learningRate', 'batchSize', 'epochs', 'optimizer', 'momentum', 'schedule', 'earlyStopping', 'validationSplit', 'dropout', 'units', 'learning_rate'];
    const net = await Network.create({ inputs: 6, layers: [{ units: 4 }, { units: 2 }] });
    const y = matrix(2, 2, [1, 0, 0, 1]);
    await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), junk, { maxKeys: 3 }), fc.boolean(), async (extra, create) => {
      try {
        if (create) {
          const made = await Network.create({ inputs: 6, layers: [{ units: 3 }, { units: 2 }], ...extra } as never);
          made.dispose();
        } else {
          await net.train(probe, y, { epochs: 1, onWarning: () => {}, ...extra } as never);
          expect(net.predict(probe).data.every(Number.isFinite)).toBe(true);
        }
      } catch (error) {
        expectOurs(error);
      }
    }), RUNS);
  });
});
