// Training that cannot fail silently: divergence beyond NaN stops naming the learning rate, collapse
// stops early, the range test suggests a rate, warnings reach the caller, cancelling takes effect
// within a batch, saving is all or nothing, and a checkpointed run resumes to the same weights.

import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Network, TrainingCollapsedError, TrainingDivergedError, type NetworkOptions, type TrainOptions } from '../src/index.js';
import { classScores } from './helpers/scores.js';
import { mnist } from './helpers/mnist.js';

const dir = mkdtempSync(join(tmpdir(), 'ffnn-robust-'));
const bits = (net: Network) => Buffer.from(Float32Array.from(net.parameters().flatMap((l) => [...l.weights.data, ...l.biases])).buffer).toString('base64');
const quiet: TrainOptions = { onWarning: () => {} };

describe('divergence and collapse', () => {
  it.each([
    ['sigmoid, sum of squares', { inputs: 784, layers: [{ units: 30 }, { units: 10 }], loss: 'mse' }],
    ['relu, cross-entropy', { inputs: 784, layers: [{ units: 30, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy' }],
  ] as [string, NetworkOptions][])('learning rate 1e4 (%s) stops within the first epoch, naming the rate and one to try', async (_what, spec) => {
    const train = await mnist('train', { limit: 3000 });
    const net = await Network.create(spec);
    const error = await net.train(train.x, train.y, { ...quiet, learningRate: 1e4, batchSize: 10, epochs: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const e = error as TrainingDivergedError;
    expect(e.epoch).toBe(1);
    expect(e.batch).toBeLessThan(300);
    expect(e.message).toMatch(/The learning rate 10000 is too high: try [\d.e+-]+ \(the range test's suggestion; ffnn lr-find\)/);
    expect(e.divergence.suggestion).toBeLessThan(100);
    // its last good weights: finite, and they still classify better than chance
    expect(net.parameters().every((l) => l.weights.data.every(Number.isFinite))).toBe(true);
    expect(classScores(net.evaluate(train.x, train.y)).accuracy).toBeGreaterThan(0);
  });

  it("the seed's fragile network (784-100-10 sigmoid, sum of squares, rate 3, batch 10) trains or stops in its first epoch naming the rate", async () => {
    const train = await mnist('train', { limit: 10_000 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 100 }, { units: 10 }], loss: 'mse', seed: 1 });
    const outcome = await net.train(train.x, train.y, { ...quiet, learningRate: 3, batchSize: 10, epochs: 1, collapse: 'stop' }).catch((e: unknown) => e);
    if (outcome instanceof TrainingCollapsedError) {
      expect(outcome.epoch).toBe(1);
      expect(outcome.message).toMatch(/outputs have collapsed.*the learning rate \(3\)/);
    } else {
      const test = await mnist('test');
      expect(classScores(net.evaluate(test.x, test.y)).accuracy).toBeGreaterThan(0.85);
    }
  });

  it('warnings reach onWarning while training, once each', async () => {
    const raw = await mnist('train', { raw: true, limit: 1000 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], init: 'uniform', loss: 'mse' });
    const told: string[] = [];
    const history = await net.train(raw.x, raw.y, { learningRate: 3, batchSize: 10, epochs: 2, onWarning: (w) => told.push(w.message) });
    expect(told.length).toBeGreaterThanOrEqual(1);
    expect(new Set(told).size).toBe(told.length);
    expect(told[0]).toMatch(/outputs have collapsed.*unscaled inputs: values reach 255/);
    expect(history.warnings.every((w) => told.includes(w.message))).toBe(true);
    await expect(net.train(raw.x, raw.y, { learningRate: 3, batchSize: 10, epochs: 1, collapse: 'stop', onWarning: () => {} })).rejects.toBeInstanceOf(TrainingCollapsedError);
  });
});

describe('resource faults', () => {
  it('a network past what WebAssembly can address is refused before anything is allocated, with the bytes', async () => {
    const before = process.memoryUsage().rss;
    await expect(Network.create({ inputs: 100_000, layers: [{ units: 20_000 }, { units: 10 }] }))
      .rejects.toThrow(/^ffnn: Network\.create: a network of 2,000,220,010 parameters needs 37\.26 GiB of memory, more than the 4\.00 GiB a WebAssembly memory can address; use fewer or smaller layers$/);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
  });
});

describe('the learning-rate range test', () => {
  it('suggests a rate for the seed network and for relu/Adam, leaving the network as it was', async () => {
    const train = await mnist('train', { limit: 5000 });
    const seedNet = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], loss: 'mse' });
    const before = bits(seedNet);
    const seedCurve = await seedNet.findLearningRate(train.x, train.y, { batchSize: 10 });
    expect(bits(seedNet)).toBe(before);
    expect(seedCurve.suggestion).toBeGreaterThan(0.1);
    expect(seedCurve.suggestion).toBeLessThan(5);
    expect(seedCurve.rates.length).toBe(seedCurve.losses.length);
    const adamNet = await Network.create({ inputs: 784, layers: [{ units: 64, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy' });
    const adamCurve = await adamNet.findLearningRate(train.x, train.y, { batchSize: 32, optimizer: 'adam' });
    expect(adamCurve.suggestion).toBeGreaterThan(1e-4);
    expect(adamCurve.suggestion).toBeLessThan(0.05);
    // the suggestion trains: a first epoch well above chance
    await adamNet.train(train.x, train.y, { ...quiet, optimizer: 'adam', learningRate: adamCurve.suggestion, epochs: 1 });
    expect(classScores(adamNet.evaluate(train.x, train.y)).accuracy).toBeGreaterThan(0.85);
  });
});

describe('cancelling, saving and resuming', () => {
  it('a cancel takes effect within the epoch, not after it', async () => {
    const train = await mnist('train', { limit: 20_000 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 64, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy' });
    const cancel = new AbortController();
    setImmediate(() => cancel.abort()); // as soon as the loop lets other work run
    const history = await net.train(train.x, train.y, { ...quiet, batchSize: 10, epochs: 3, signal: cancel.signal });
    expect(history.stopReason).toBe('cancelled');
    expect(history.epochs).toHaveLength(1);
    expect(history.epochs[0].batches).toBeLessThan(2000);
  });

  it('a process killed while it saves leaves the previous model whole', async () => {
    const path = join(dir, 'model.json');
    const child = fileURLToPath(new URL('./helpers/save-loop.mjs', import.meta.url));
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let round = 0; round < 12; round++) {
      const p = fork(child, [path], { stdio: 'ignore' });
      for (let waited = 0; !existsSync(path) && waited < 20_000; waited += 20) await pause(20);
      await pause(7 + 23 * round); // somewhere within one of the next saves
      p.kill('SIGKILL');
      await new Promise((resolve) => p.once('exit', resolve));
      if (existsSync(path)) {
        const net = await Network.load(path);
        expect(net.inputs).toBe(784);
      }
    }
    expect(existsSync(path)).toBe(true);
  });

  it('a run killed after a checkpoint and resumed ends with the weights of a run never stopped', async () => {
    const train = await mnist('train', { limit: 2000 });
    const spec: NetworkOptions = { inputs: 784, layers: [{ units: 32, activation: 'relu', dropout: 0.1 }, { units: 10 }], loss: 'cross-entropy', seed: 7, backend: 'wasm-simd' };
    const options = { optimizer: 'adam', learningRate: 0.003, batchSize: 32, validationSplit: 0.1, schedule: { type: 'cosine', epochs: 4 } } as const;
    const whole = await Network.create(spec);
    await whole.train(train.x, train.y, { ...quiet, ...options, epochs: 4 });

    // a child process trains the same run with a checkpoint after each epoch and is killed in its third
    const checkpoint = join(dir, 'checkpoint.json');
    const child = fork(fileURLToPath(new URL('./helpers/checkpoint-run.mjs', import.meta.url)), [checkpoint, JSON.stringify(spec), JSON.stringify({ ...options, epochs: 4 })], { stdio: 'ignore' });
    await new Promise<void>((resolve) => child.on('message', (m: { epoch?: number }) => {
      if (m.epoch === 2) {
        child.kill('SIGKILL');
        resolve();
      }
    }));
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8'));
    expect(saved.training.epochs).toBe(2);
    const resumed = await Network.load(checkpoint, { backend: 'wasm-simd' });
    await resumed.train(train.x, train.y, { ...quiet, ...options, epochs: 2 });
    expect(bits(resumed)).toBe(bits(whole));
  });
});
