// Training on several threads over one shared memory equals training on one, bit for bit.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Network } from '../src/index.js';
import { splitRows } from '../src/threads.js';
import { DEFAULT_SETTINGS } from '../src/optimizers.js';
import { mnist } from './helpers/mnist.js';
import { countShared } from './helpers/threads.js';

const flat = (net: Network) => Float32Array.from(net.parameters().flatMap((l) => [...l.weights.data, ...l.biases]));

describe('threads', () => {
  // A team's step splits the batch's rows for the forward pass and ∂z, and the weight-gradient rows
  // for ∂W and the update; a GEMM's rows do not depend on how its rows are split, and the updates
  // are element-wise, so the weights must come out exactly as on one thread.
  it.each([
    [2, 'sgd', 101, 'mse'], [3, 'sgd', 101, 'binary-cross-entropy'], [2, 'adam', 64, 'cross-entropy'],
    [3, 'adamw', 50, 'cross-entropy'], [2, 'momentum', 64, 'mse'], [3, 'nesterov', 2, 'cross-entropy'],
  ] as const)('%s threads give the weights and history of one thread bit for bit (%s, batch %s, %s, dropout)', async (threads, optimizer, batchSize, loss) => {
    const train = await mnist('train', { limit: batchSize === 2 ? 40 : 1000 });
    // steps big enough to be shared (see TEAM_MIN_MACS): batch 2 needs a wide layer
    const spec = { inputs: 784, layers: [{ units: batchSize === 2 ? 700 : 48, activation: 'relu' as const, dropout: 0.3 }, { units: 21, activation: 'tanh' as const }, { units: 10 }], loss, seed: 6 };
    const options = { optimizer, learningRate: optimizer === 'sgd' ? 0.1 : 0.003, weightDecay: optimizer === 'sgd' ? 0 : 1e-3, batchSize, epochs: 2 };
    const one = await Network.create(spec);
    const many = await Network.create({ ...spec, threads });
    expect(many.threads).toBe(threads);
    const shared = countShared(many);
    const h1 = await one.train(train.x, train.y, options);
    const h2 = await many.train(train.x, train.y, options);
    expect(shared.count).toBe(2 * Math.ceil(train.x.rows / batchSize));
    expect(h2.epochs[1].loss).toBeLessThan(h2.epochs[0].loss);
    expect(Buffer.from(flat(many).buffer).equals(Buffer.from(flat(one).buffer))).toBe(true);
    expect(h2.epochs.map((e) => [e.loss, e.accuracy, e.gradientNorm])).toEqual(h1.epochs.map((e) => [e.loss, e.accuracy, e.gradientNorm]));
    for (const net of [one, many]) net.dispose();
  });

  // Clipping needs the whole gradient's norm before any update: the threads fill the gradient
  // block, and the main thread clips and updates.
  it.each([1e30, 0.05])('clipping at %s on 2 threads gives the weights of one thread bit for bit', async (clipNorm) => {
    const train = await mnist('train', { limit: 600 });
    const spec = { inputs: 784, layers: [{ units: 37, activation: 'relu' as const }, { units: 10 }], loss: 'cross-entropy' as const, seed: 8 };
    const options = { optimizer: 'adam' as const, learningRate: 0.003, batchSize: 64, epochs: 2, clipNorm };
    const one = await Network.create(spec), two = await Network.create({ ...spec, threads: 2 });
    const shared = countShared(two);
    await one.train(train.x, train.y, options);
    const h = await two.train(train.x, train.y, options);
    expect(shared.count).toBeGreaterThan(0);
    expect(h.epochs[1].loss).toBeLessThan(h.epochs[0].loss);
    expect(Buffer.from(flat(two).buffer).equals(Buffer.from(flat(one).buffer))).toBe(true);
    for (const net of [one, two]) net.dispose();
  });

  // The main thread gathers the next batch while the others work on a step; an evaluate() from a
  // progress callback (or the collapse check at step 200) reads through the same workspace between
  // steps, after which the next batch is gathered again.
  it('gathers ahead on 2 threads, and an evaluate() between steps changes nothing', async () => {
    const train = await mnist('train', { limit: 3000 });
    const probe = await mnist('test', { limit: 300 });
    const spec = { inputs: 784, layers: [{ units: 300, activation: 'relu' as const }, { units: 10 }], loss: 'cross-entropy' as const, seed: 4 };
    const runs = [];
    for (const threads of [1, 2]) {
      const net = await Network.create({ ...spec, threads });
      let evaluated = 0;
      const history = await net.train(train.x, train.y, {
        optimizer: 'adam', learningRate: 0.002, batchSize: 24, epochs: 2, validationSplit: 0.1,
        signal: new AbortController().signal, // progress every 10 ms
        onProgress: () => {
          net.evaluate(probe.x, probe.y);
          evaluated++;
        },
      });
      if (threads === 2) expect(evaluated).toBeGreaterThan(0);
      runs.push({ weights: Buffer.from(flat(net).buffer), losses: history.epochs.map((e) => [e.loss, e.validation?.loss]) });
      net.dispose();
    }
    expect(runs[1].weights.equals(runs[0].weights)).toBe(true);
    expect(runs[1].losses).toEqual(runs[0].losses);
  });

  it('splits a batch in proportion to the threads\' speeds, in whole tiles of four rows', () => {
    expect(splitRows(128, [1, 1])).toEqual([64, 64]);
    expect(splitRows(128, [6, 9])).toEqual([52, 76]);
    expect(splitRows(128, [1, 1, 1])).toEqual([40, 44, 44]); // the rounding's excess comes from the first of the fastest
    for (const [rows, speeds] of [[128, [1, 50]], [101, [3, 2, 7]], [64, [1, 1, 1, 1]], [10, [1, 2]], [13, [5, 1]], [2, [1, 1, 1]]] as const) {
      const counts = splitRows(rows, speeds);
      expect(counts.reduce((a, b) => a + b, 0), `${rows} rows over ${speeds}`).toBe(rows);
      expect(counts.every((c) => c >= 0)).toBe(true);
      // whole tiles for all but the fastest thread, which takes the remainder
      const fastest = (speeds as readonly number[]).indexOf(Math.max(...speeds));
      if (rows >= 4 * speeds.length) expect(counts.every((c, t) => c >= 4 && (t === fastest || c % 4 === 0)), `${counts}`).toBe(true);
    }
    // a thread three times as fast gets about three times the rows
    const [slow, fast] = splitRows(128, [1, 3]);
    expect(fast / slow).toBeGreaterThan(2.5);
  });

  it('predicts and evaluates on the threads, with one thread\'s outputs bit for bit', async () => {
    const test = await mnist('test', { limit: 700 });
    const spec = { inputs: 784, layers: [{ units: 300, activation: 'relu' as const }, { units: 10 }], loss: 'cross-entropy' as const, seed: 4 };
    const one = await Network.create(spec), two = await Network.create({ ...spec, threads: 3 });
    const shared = countShared(two, 'forward');
    const [p1, p2] = [one.predict(test.x), two.predict(test.x)];
    expect(shared.count).toBe(3); // 700 rows in chunks of 256
    expect(Buffer.from(p2.data.buffer).equals(Buffer.from(p1.data.buffer))).toBe(true);
    expect(two.evaluate(test.x, test.y)).toEqual(one.evaluate(test.x, test.y));
    expect(shared.count).toBe(6);
    for (const net of [one, two]) net.dispose();
  });

  it('takes small steps on the main thread alone, where sharing them costs more than it saves', async () => {
    const train = await mnist('train', { limit: 200 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], seed: 3, threads: 2 });
    const shared = countShared(net);
    await net.train(train.x, train.y, { learningRate: 3, batchSize: 10, epochs: 1 }); // 10 × 23 820 multiply-adds
    expect(shared.count).toBe(0);
    await net.train(train.x, train.y, { learningRate: 3, batchSize: 100, epochs: 1 }); // 2.4 M
    expect(shared.count).toBe(2);
    net.dispose();
  });

  it('a threaded network never disposed lets its process exit once the work is done', () => {
    // the pool's workers are unref'd; a message listener added after unref had kept them alive
    const script = `import { Network, matrix } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const net = await Network.create({ inputs: 784, layers: [{ units: 256 }, { units: 10 }], threads: 2 });
      await net.train(matrix(512, 784, new Float32Array(512 * 784).fill(0.5)), matrix(512, 10), { epochs: 1, batchSize: 128 });
      console.log('trained');`;
    // a file, not -e: the workers inherit the process's flags, and --input-type would refuse their files
    const dir = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'exit-check.mjs'), script);
    // the timeout catches the hang (it never exited before); the run itself takes about a second
    const out = execFileSync(process.execPath, [join(dir, 'exit-check.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(out.trim()).toBe('trained');
  });

  it('refuses threads on a backend without the threads build', async () => {
    await expect(Network.create({ inputs: 2, layers: [{ units: 1 }], threads: 2, backend: 'js' })).rejects.toThrow(/threads run on the SIMD builds \('wasm', 'wasm-simd', 'wasm-relaxed'\), not 'js'/);
    await expect(Network.create({ inputs: 2, layers: [{ units: 1 }], threads: 0 })).rejects.toThrow(/threads must be a whole number from 1 to 64, got 0/);
  });
});

describe('a training thread that fails', () => {
  it('ends the step with a clear error instead of a hang, and the network goes on with one thread', async () => {
    const net = await Network.create({ inputs: 784, layers: [{ units: 512, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy', threads: 2 });
    if (net.threads < 2) return; // no SharedArrayBuffer here: nothing to share
    const ws = net.engine.openWorkspace(64);
    // the batch's x ends past the memory for the second half of its rows: the worker's share traps
    const end = 4 * net.engine.live.heap.floats().length;
    const x = end - 4 * 32 * 784;
    const errors: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => errors.push(m);
    try {
      expect(() => net.engine.trainStep(ws, 64, x, ws.y, 'sgd', DEFAULT_SETTINGS, 0.1, 0)).toThrow(/training thread 1 failed/);
      // a forward pass finds the pool broken: it goes on with the main thread, and says so once
      const test = await mnist('test', { limit: 300 });
      expect(net.predict(test.x).data.every(Number.isFinite)).toBe(true);
    } finally {
      console.warn = warn;
    }
    expect(errors.some((m) => /training thread 1 failed; this network goes on with one thread/.test(m))).toBe(true);
  });
});
