// Training on several threads over one shared memory equals training on one, to float32 rounding.

import { describe, expect, it } from 'vitest';
import { Network } from '../src/index.js';
import { mnist } from './helpers/mnist.js';

const flat = (net: Network) => Float32Array.from(net.parameters().flatMap((l) => [...l.weights.data, ...l.biases]));

describe('threads', () => {
  it.each([2, 3])('%s threads give the weights of one thread to 1e-5 (SGD, dropout, odd batch split)', async (threads) => {
    const train = await mnist('train', { limit: 1000 });
    const spec = { inputs: 784, layers: [{ units: 48, activation: 'relu' as const, dropout: 0.3 }, { units: 10 }], loss: 'cross-entropy' as const, seed: 6 };
    const options = { learningRate: 0.1, batchSize: 101, epochs: 2 };
    const one = await Network.create(spec);
    const many = await Network.create({ ...spec, threads });
    expect(many.threads).toBe(threads);
    const h1 = await one.train(train.x, train.y, options);
    const h2 = await many.train(train.x, train.y, options);
    const a = flat(one), b = flat(many);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst, `largest weight difference ${worst}`).toBeLessThan(1e-5);
    expect(h2.epochs[1].loss).toBeCloseTo(h1.epochs[1].loss, 5);
    // and the threaded run is deterministic for its thread count
    const again = await Network.create({ ...spec, threads });
    await again.train(train.x, train.y, options);
    expect(Buffer.from(flat(again).buffer).equals(Buffer.from(b.buffer))).toBe(true);
    for (const net of [one, many, again]) net.dispose();
  });

  // Each thread reduces and updates its own part of the parameters; a clipNorm that never bites
  // takes the serial path (reduce everything, then one update on the main thread) over the same
  // gradient parts, so the two must agree bit for bit.
  it.each([
    [2, 'adam'], [3, 'adamw'], [2, 'momentum'],
  ] as const)('%s threads updating by parts equal the serial update bit for bit (%s)', async (threads, optimizer) => {
    const train = await mnist('train', { limit: 600 });
    const spec = { inputs: 784, layers: [{ units: 37, activation: 'relu' as const }, { units: 10 }], loss: 'cross-entropy' as const, seed: 8, threads };
    const options = { optimizer, learningRate: 0.003, weightDecay: 1e-3, batchSize: 64, epochs: 2 };
    const parts = await Network.create(spec), serial = await Network.create(spec);
    const hp = await parts.train(train.x, train.y, options);
    const hs = await serial.train(train.x, train.y, { ...options, clipNorm: 1e30 });
    expect(hp.epochs[1].loss).toBeLessThan(hp.epochs[0].loss);
    expect(Buffer.from(flat(parts).buffer).equals(Buffer.from(flat(serial).buffer))).toBe(true);
    expect(hp.epochs.map((e) => e.loss)).toEqual(hs.epochs.map((e) => e.loss));
    for (const net of [parts, serial]) net.dispose();
  });

  it('refuses threads on a backend without the threads build', async () => {
    await expect(Network.create({ inputs: 2, layers: [{ units: 1 }], threads: 2, backend: 'js' })).rejects.toThrow(/threads run on the 'wasm' backend/);
    await expect(Network.create({ inputs: 2, layers: [{ units: 1 }], threads: 0 })).rejects.toThrow(/threads must be a whole number from 1 to 64, got 0/);
  });
});
