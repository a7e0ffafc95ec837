// Training beyond plain SGD: optimizers, schedules, clipping, dropout, validation split, early
// stopping, and resuming a saved run exactly.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Network, type TrainOptions } from '../src/index.js';
import { learningRateAt } from '../src/schedules.js';
import { mnist } from './helpers/mnist.js';
import { classScores } from './helpers/scores.js';

const dir = mkdtempSync(join(tmpdir(), 'ffnn-train-'));
const weightsOf = (net: Network) => net.parameters().flatMap((l) => [...l.weights.data, ...l.biases]);
/** The parameters as bytes: bit-for-bit comparison that fails fast and prints little. */
const bitsOf = (net: Network) => Buffer.from(Float32Array.from(weightsOf(net)).buffer).toString('base64');

describe('optimizers', () => {
  it.each(['sgd', 'momentum', 'nesterov', 'adam', 'adamw'] as const)('%s learns a 2000-image MNIST subset', async (optimizer) => {
    const train = await mnist('train', { limit: 2000 });
    const test = await mnist('test', { limit: 1000 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 32, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy' });
    const lr = optimizer.startsWith('adam') ? 0.002 : optimizer === 'sgd' ? 0.1 : 0.02;
    const h = await net.train(train.x, train.y, { optimizer, learningRate: lr, batchSize: 32, epochs: 5, weightDecay: optimizer === 'adamw' ? 0.01 : 0 });
    expect(h.epochs[4].loss).toBeLessThan(h.epochs[0].loss);
    expect(classScores(net.evaluate(test.x, test.y)).accuracy).toBeGreaterThan(0.82);
  });

  it('clipping bounds every step: a huge learning rate with clipNorm stays finite', async () => {
    const train = await mnist('train', { limit: 500 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 16, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy' });
    const h = await net.train(train.x, train.y, { learningRate: 5, clipNorm: 0.01, batchSize: 50, epochs: 2 });
    expect(h.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
  });

  // Plain SGD updates the weights inside backprop; a clipNorm that never bites takes the separate
  // optimizer step instead, so the two paths must give the same weights.
  it.each(['wasm', 'wasm-scalar', 'js'] as const)('plain SGD folded into backprop equals the separate step (%s)', async (backend) => {
    const train = await mnist('train', { limit: 300 });
    const make = () => Network.create({
      inputs: 784, backend, seed: 5, loss: 'mse',
      layers: [{ units: 17, activation: 'sigmoid', dropout: 0.2 }, { units: 5, activation: 'tanh' }, { units: 10, activation: 'sigmoid' }],
    });
    const [fused, separate] = [await make(), await make()];
    const options: TrainOptions = { learningRate: 3, batchSize: 10, epochs: 2, schedule: { type: 'cosine', epochs: 2 } };
    const hf = await fused.train(train.x, train.y, options);
    const hs = await separate.train(train.x, train.y, { ...options, clipNorm: 1e30 });
    expect(hf.epochs[1].loss).toBeLessThan(hf.epochs[0].loss);
    if (backend === 'js') {
      // the JS GEMM adds each row's share into C as it goes: equal up to float32 rounding
      const a = weightsOf(fused), b = weightsOf(separate);
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5 * (1 + Math.abs(b[i]))));
    } else {
      expect(bitsOf(fused)).toBe(bitsOf(separate));
      expect(hf.epochs.map((e) => e.loss)).toEqual(hs.epochs.map((e) => e.loss));
    }
  });
});

describe('schedules', () => {
  it('step, exponential, cosine and warm-up give the documented rates', () => {
    expect(learningRateAt(1, { type: 'constant' }, 0, 7.5)).toBe(1);
    expect(learningRateAt(1, { type: 'step', every: 2, factor: 0.5 }, 0, 5.9)).toBe(0.25);
    expect(learningRateAt(2, { type: 'exponential', gamma: 0.5 }, 0, 3)).toBe(0.25);
    expect(learningRateAt(1, { type: 'cosine', epochs: 10 }, 0, 5)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(1, { type: 'cosine', epochs: 10, min: 0.1 }, 0, 10)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(1, { type: 'constant' }, 2, 0.5)).toBeCloseTo(0.25, 6);
    expect(learningRateAt(1, { type: 'constant' }, 2, 2)).toBe(1);
  });

  it('rejects a malformed schedule', async () => {
    const net = await Network.create({ inputs: 2, layers: [{ units: 1 }] });
    const x = { rows: 1, cols: 2, data: new Float32Array(2) }, y = { rows: 1, cols: 1, data: new Float32Array(1) };
    await expect(net.train(x, y, { schedule: { type: 'step', every: 0, factor: 0.5 } })).rejects.toThrow(/schedule\.every must be a finite number > 0, got 0/);
    await expect(net.train(x, y, { optimizer: 'rmsprop' as never })).rejects.toThrow(/optimizer must be one of 'sgd', 'momentum', 'nesterov', 'adam', 'adamw', got "rmsprop"/);
    // a misspelt option is an error with the nearest name, not a setting JavaScript quietly ignores
    await expect(net.train(x, y, { learning_rate: 0.1 } as never)).rejects.toThrow(/^ffnn: train: unknown option learning_rate; did you mean learningRate\?$/);
    await expect(Network.fit({ x, y }, { epoch: 3 } as never)).rejects.toThrow(/^ffnn: Network\.fit: unknown option epoch; did you mean epochs\?$/);
    const error = await net.train(x, y, { batchSize: 0 }).catch((e: { field?: string }) => e);
    expect(error).toMatchObject({ field: 'batchSize' });
  });
});

describe('dropout', () => {
  it('is on in training, off at inference, and reproducible from the seed', async () => {
    const train = await mnist('train', { limit: 1000 });
    const make = () => Network.create({ inputs: 784, layers: [{ units: 64, activation: 'relu', dropout: 0.5 }, { units: 10 }], loss: 'cross-entropy', seed: 3 });
    const [a, b] = [await make(), await make()];
    const options: TrainOptions = { optimizer: 'adam', learningRate: 0.002, batchSize: 50, epochs: 2 };
    await a.train(train.x, train.y, options);
    await b.train(train.x, train.y, options);
    expect(bitsOf(a) === bitsOf(b)).toBe(true);
    // inference is deterministic: no units dropped when predicting
    expect(Array.from(a.predict(train.x).data)).toEqual(Array.from(a.predict(train.x).data));
    // and training with dropout differs from training without
    const plain = await Network.create({ inputs: 784, layers: [{ units: 64, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy', seed: 3 });
    await plain.train(train.x, train.y, options);
    expect(bitsOf(plain) === bitsOf(a)).toBe(false);
  });

  it('refuses dropout on the output layer and rates outside [0, 1)', async () => {
    await expect(Network.create({ inputs: 2, layers: [{ units: 2, dropout: 0.5 }] })).rejects.toThrow(/dropout applies to hidden layers/);
    await expect(Network.create({ inputs: 2, layers: [{ units: 2, dropout: 1 }, { units: 1 }] })).rejects.toThrow(/dropout must be a share in \[0, 1\), got 1/);
  });
});

describe('validation split and early stopping', () => {
  it('holds out a seeded share, stops when validation stops improving, and restores the best weights', async () => {
    const train = await mnist('train', { limit: 1500 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 64, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy' });
    // a large learning rate on a small set overfits fast, so validation loss turns up early
    const h = await net.train(train.x, train.y, {
      optimizer: 'adam', learningRate: 0.005, batchSize: 16, epochs: 60, validationSplit: 0.2, earlyStopping: { patience: 3 },
    });
    expect(h.stopReason).toBe('early-stopping');
    expect(h.stopMessage).toMatch(/validation did not improve after epoch \d+; stopped after epoch \d+/);
    expect(h.epochs.length).toBeLessThan(60);
    // a fifth of each class is held out (rounded per class), so every class is in both sets
    const held = h.epochs[0].validation!.rows;
    expect(Math.abs(held - 300)).toBeLessThanOrEqual(5);
    expect(h.epochs[0].examples).toBe(1500 - held);
    const losses = h.epochs.map((e) => e.validation!.loss);
    const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
    expect(h.bestEpoch).toBe(bestEpoch);
    expect(h.epochs.length).toBe(bestEpoch + 3);
    // the network holds the best epoch's weights: scoring again on the held-out rows gives its loss
    // (the split is reproduced from the same seed by a fresh network)
    const twin = await Network.create({ inputs: 784, layers: [{ units: 64, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy' });
    const h2 = await twin.train(train.x, train.y, { optimizer: 'adam', learningRate: 0.005, batchSize: 16, epochs: bestEpoch, validationSplit: 0.2 });
    expect(bitsOf(twin) === bitsOf(net)).toBe(true);
    expect(h2.epochs[bestEpoch - 1].validation!.loss).toBe(losses[bestEpoch - 1]);
  });

  it('needs validation data', async () => {
    const net = await Network.create({ inputs: 2, layers: [{ units: 1 }] });
    const x = { rows: 2, cols: 2, data: new Float32Array(4) }, y = { rows: 2, cols: 1, data: new Float32Array(2) };
    await expect(net.train(x, y, { earlyStopping: { patience: 2 } })).rejects.toThrow(/earlyStopping needs validation data/);
  });
});

describe('resuming', () => {
  it.each(['momentum', 'adam'] as const)('%s: a run saved after 2 epochs and resumed for 2 more equals 4 uninterrupted epochs, bit for bit', async (optimizer) => {
    const train = await mnist('train', { limit: 1000 });
    const spec = { inputs: 784, layers: [{ units: 32, activation: 'relu' as const, dropout: 0.2 }, { units: 10 }], loss: 'cross-entropy' as const, seed: 5 };
    const options = (epochs: number): TrainOptions => ({
      optimizer, learningRate: optimizer === 'adam' ? 0.002 : 0.02, batchSize: 32, epochs,
      schedule: { type: 'cosine', epochs: 4 }, warmup: 1, weightDecay: 1e-4, clipNorm: 5,
    });
    const straight = await Network.create(spec);
    await straight.train(train.x, train.y, options(4));

    const first = await Network.create(spec);
    await first.train(train.x, train.y, options(2));
    const path = join(dir, `resume-${optimizer}.json`);
    await first.save(path);
    const resumed = await Network.load(path);
    await resumed.train(train.x, train.y, options(2));
    expect(resumed.toJSON().network.layers.map((l) => l.dropout ?? 0)).toEqual([0.2, 0]);
    expect(bitsOf(resumed) === bitsOf(straight)).toBe(true);
  });
});
