// trainInWorker: training a copy on a worker thread (a Web Worker in browsers), with progress,
// cancellation and errors coming back; and train()'s AbortSignal that cancellation rests on.

import { describe, expect, it } from 'vitest';
import { Network, TrainingDivergedError, toFloats, toHalfFloats, trainInWorker, type EpochReport, type Progress } from '../src/index.js';
import { mnist } from './helpers/mnist.js';
import { matrix } from '../src/matrix.js';
import { Random } from '../src/random.js';
import { classScores } from './helpers/scores.js';

const bitsOf = (net: Network) =>
  Buffer.from(Float32Array.from(net.parameters().flatMap((l) => [...l.weights.data, ...l.biases])).buffer).toString('base64');

const spec = { inputs: 784, layers: [{ units: 24, activation: 'relu' as const }, { units: 10 }], loss: 'cross-entropy' as const, seed: 5 };

describe('trainInWorker', () => {
  it('trains exactly what train() trains, reports progress with accuracy, and leaves the original alone', async () => {
    const train = await mnist('train', { limit: 3000 });
    const test = await mnist('test', { limit: 500 });
    const options = { optimizer: 'adam' as const, learningRate: 0.003, batchSize: 50, epochs: 3, validation: { x: test.x, y: test.y } };
    const original = await Network.create(spec);
    const before = bitsOf(original);
    const epochs: EpochReport[] = [];
    const progress: Progress[] = [];
    const { network, history } = await trainInWorker(original, train.x, train.y, {
      ...options, onEpoch: (e) => epochs.push(e), onProgress: (p) => progress.push(p),
    });
    const here = await Network.create(spec);
    const local = await here.train(train.x, train.y, options);

    expect(bitsOf(original)).toBe(before);
    expect(bitsOf(network)).toBe(bitsOf(here));
    expect(history.epochs.map((e) => e.loss)).toEqual(local.epochs.map((e) => e.loss));
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(classScores(epochs[2].validation!).accuracy).toBe(classScores(local.epochs[2].validation!).accuracy);
    expect(classScores(network.evaluate(test.x, test.y)).accuracy).toBeGreaterThan(0.85);
    for (const p of progress) {
      expect(p.batch).toBeLessThanOrEqual(p.batches);
      expect(p.accuracy).toBeGreaterThanOrEqual(0);
      expect(p.accuracy).toBeLessThanOrEqual(1);
    }
    // the trained copy resumes like the in-process one: optimizer state came back with it
    await network.train(train.x, train.y, { ...options, epochs: 1 });
    await here.train(train.x, train.y, { ...options, epochs: 1 });
    expect(bitsOf(network)).toBe(bitsOf(here));
  });

  it('takes half floats (a HalfMatrix arrives with its scale and offset) and trains what train() trains on them', async () => {
    const train = await mnist('train', { limit: 1000 });
    const half = toHalfFloats(toFloats(train.x));
    const options = { learningRate: 0.05, batchSize: 50, epochs: 2 };
    const { network } = await trainInWorker(await Network.create(spec), half, train.y, options);
    const here = await Network.create(spec);
    await here.train(half, train.y, options);
    expect(bitsOf(network)).toBe(bitsOf(here));
  });

  it('stops after the current batch when cancelled, keeping the weights reached', async () => {
    const train = await mnist('train', { limit: 20_000 });
    // an epoch takes seconds here, far longer than the cancel message takes to arrive
    const net = await Network.create({ ...spec, layers: [{ units: 512, activation: 'relu' }, { units: 10 }] });
    const cancel = new AbortController();
    const { network, history } = await trainInWorker(net, train.x, train.y, {
      learningRate: 0.1, batchSize: 10, epochs: 50, signal: cancel.signal,
      onProgress: (p) => { if (p.epoch === 1) cancel.abort(); },
    });
    expect(history.stopReason).toBe('cancelled');
    expect(history.epochs).toHaveLength(1);
    expect(history.epochs[0].batches).toBeLessThan(2000);
    expect(history.stopMessage).toMatch(/^Cancelled in epoch 1/);
    expect(bitsOf(network)).not.toBe(bitsOf(net));
  });

  it('rejects with the worker\'s error: bad options, and divergence as a TrainingDivergedError', async () => {
    const train = await mnist('train', { limit: 200 });
    const net = await Network.create(spec);
    await expect(trainInWorker(net, train.x, train.y, { learningRate: -1 })).rejects.toThrow(/learningRate/);
    const rng = new Random(1);
    const x = matrix(64, 3, Array.from({ length: 192 }, () => rng.normal()));
    const y = matrix(64, 1, Array.from({ length: 64 }, (_, i) => 10 * x.data[3 * i] - 5 * x.data[3 * i + 2]));
    const linear = await Network.create({ inputs: 3, layers: [{ units: 16, activation: 'relu' }, { units: 1, activation: 'linear' }] });
    const diverged = trainInWorker(linear, x, y, { learningRate: 1e4, batchSize: 8, epochs: 50 });
    await expect(diverged).rejects.toBeInstanceOf(TrainingDivergedError);
    await expect(diverged).rejects.toMatchObject({ epoch: 1 });
  });
});

describe('train() with an AbortSignal', () => {
  it('an already aborted signal stops after one batch, with the epoch not counted', async () => {
    const train = await mnist('train', { limit: 500 });
    const net = await Network.create(spec);
    const h = await net.train(train.x, train.y, { epochs: 5, batchSize: 50, signal: AbortSignal.abort() });
    expect(h.stopReason).toBe('cancelled');
    expect(h.epochs).toHaveLength(1);
    expect(h.epochs[0].batches).toBe(1);
    expect(net.toJSON().training?.epochs ?? 0).toBe(0);
  });
});
