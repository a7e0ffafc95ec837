// Network.fit: a script's one call from a data set to a trained model, for classes and for a
// regression, on tabular data with categories, dates and missing cells; what the model learned of
// the columns travels with it through save and load, and into ONNX.

import * as ort from 'onnxruntime-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitScaling, loadCsv, matrix, Network, oneHot, splitRows } from '../src/index.js';
import { Random } from '../src/random.js';
import { recipeFor, threadsFor } from '../src/recipe.js';
import { cores } from '../src/platform/cores.js';
import { classScores } from './helpers/scores.js';
import { weatherCsv } from './helpers/tabular.js';

const dir = mkdtempSync(join(tmpdir(), 'ffnn-fit-'));
const weather = weatherCsv(1200, 11);

describe('Network.fit', () => {
  it('classes named by strings: well above chance, names kept through save and load, raw files read alike', async () => {
    const data = await loadCsv({ text: weather }, { label: 'rain', ignore: ['station', 'rainfall'] });
    const { train, test } = splitRows(data, { test: 0.25, seed: 3 });
    const { network, history } = await Network.fit(train, { seed: 5 });
    expect(network.task).toBe('classification');
    expect(network.classNames).toEqual(['no', 'yes']);
    expect(history.stopReason).toBe('early-stopping');
    const scores = classScores(network.evaluate(test.x, test.y));
    expect(scores.accuracy).toBeGreaterThan(0.85);
    const path = join(dir, 'rain.json');
    await network.save(path);
    const back = await Network.load(path);
    expect(back.classNames).toEqual(['no', 'yes']);
    expect(back.schema).toEqual(network.schema);
    // a later file with the columns in another order and no label: read as training read its file
    const lines = weather.trim().split('\n').map((l) => l.split(','));
    const reordered = lines.map((c) => [c[4], c[3], c[2], c[1], c[0]].join(',')).join('\n');
    const later = await loadCsv({ text: reordered }, { schema: back.schema });
    const direct = await loadCsv({ text: weather }, { schema: back.schema });
    expect(later.x).toEqual(direct.x);
    expect(Array.from(back.classify(later.x))).toEqual(Array.from(network.classify(direct.x)));
  });

  it('a regression: standardised targets inside, predictions and scores in the targets\' units, never an accuracy', async () => {
    const data = await loadCsv({ text: weather }, { targets: ['rainfall'], ignore: ['station', 'rain'] });
    const { train, test } = splitRows(data, { test: 0.25, seed: 3 });
    const { network } = await Network.fit(train, { seed: 5 });
    expect(network.task).toBe('regression');
    expect(network.activations.at(-1)).toBe('linear');
    const scores = network.evaluate(test.x, test.y);
    if (scores.task !== 'regression') throw new Error('expected a regression');
    expect(scores.r2).toBeGreaterThan(0.8);
    expect('accuracy' in scores).toBe(false);
    const predicted = network.predict(test.x);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(predicted.data) - mean(test.y.data))).toBeLessThan(0.5); // rainfall in mm, not standardised
    expect(() => network.classify(test.x)).toThrow(/this network is a regression/);
    // onnxruntime gives predict's numbers: the target scaling is in the graph
    const session = await ort.InferenceSession.create(await network.toOnnx());
    const out = (await session.run({ input: new ort.Tensor('float32', test.x.data, [test.x.rows, test.x.cols]) })).output.data as Float32Array;
    out.forEach((v, i) => expect(Math.abs(v - predicted.data[i])).toBeLessThan(1e-4 * (1 + Math.abs(predicted.data[i]))));
    const imported = await Network.fromOnnx(await network.toOnnx());
    expect(Array.from(imported.predict(test.x).data)).toEqual(Array.from(predicted.data));
  });

  it('plain x and y: one-hot targets are classes, other targets a regression', async () => {
    const rng = new Random(4);
    const n = 400;
    const x = matrix(n, 2, Array.from({ length: 2 * n }, () => rng.normal()));
    const labels = Array.from({ length: n }, (_, i) => (x.data[2 * i] + x.data[2 * i + 1] > 0 ? 1 : 0));
    const classes = await Network.fit({ x, y: oneHot(labels, 2) }, { seed: 1 });
    expect(classes.network.task).toBe('classification');
    expect(classScores(classes.network.evaluate(x, oneHot(labels, 2))).accuracy).toBeGreaterThan(0.95);
    const y = matrix(n, 1, Array.from({ length: n }, (_, i) => 3 * x.data[2 * i] - x.data[2 * i + 1] + 10));
    const numbers = await Network.fit({ x, y }, { seed: 1 });
    expect(numbers.network.task).toBe('regression');
    const r = numbers.network.evaluate(x, y);
    expect(r.task === 'regression' && r.r2).toBeGreaterThan(0.98);
  });

  it('one sigmoid output thresholds at 0.5 in classify, as evaluate counts', async () => {
    const rng = new Random(8);
    const n = 300;
    const x = matrix(n, 2, Array.from({ length: 2 * n }, () => rng.normal()));
    const y = matrix(n, 1, Array.from({ length: n }, (_, i) => (x.data[2 * i] > 0 ? 1 : 0)));
    const net = await Network.create({ inputs: 2, layers: [{ units: 8, activation: 'relu' }, { units: 1 }], loss: 'binary-cross-entropy' });
    await net.train(x, y, { optimizer: 'adam', learningRate: 0.02, epochs: 40 });
    const predicted = net.classify(x);
    const agree = predicted.filter((c, i) => c === y.data[i]).length;
    expect(agree / n).toBeGreaterThan(0.9);
    expect(classScores(net.evaluate(x, y)).correct).toBe(agree);
  });

  it('targets a bounded output cannot reach are refused, with what to do', async () => {
    const net = await Network.create({ inputs: 1, layers: [{ units: 4 }, { units: 1 }] });
    const x = matrix(3, 1, [0, 1, 2]);
    await expect(net.train(x, matrix(3, 1, [0.5, 1.5, 3]), { epochs: 1 }))
      .rejects.toThrow(/targets reach 3, but a 'sigmoid' output layer gives values in \[0, 1\] only\. For numbers to predict use a 'linear' output layer/);
    await expect(net.train(x, matrix(3, 1, [0.5, -0.25, 1]), { epochs: 1 })).rejects.toThrow(/targets reach -0\.25, but a 'sigmoid' output layer/);
    const scaled = await Network.create({ inputs: 1, layers: [{ units: 4 }, { units: 1, activation: 'linear' }], targetScaling: fitScaling(matrix(3, 1, [0.5, 1.5, 3]), 'zscore') });
    await expect(scaled.train(x, matrix(3, 1, [0.5, 1.5, 3]), { epochs: 1 })).resolves.toBeDefined();
  });
});

describe('threads in the defaults', () => {
  it('every core (at most four) where a step has 16 million multiply-adds forward, else one', () => {
    expect(threadsFor([784, 30, 10], 128)).toBe(1);          // 3 million: the main thread alone
    expect(threadsFor([784, 256, 10], 128)).toBe(Math.min(4, cores()));
    expect(threadsFor([13, 32, 3], 32)).toBe(1);
  });

  it('Network.fit on a large step asks for them, and gets one thread where threads cannot run', () => {
    const x = { rows: 60_000, cols: 784, data: new Uint8Array(0), scale: 1 };
    const r = recipeFor({ x, y: matrix(60_000, 10) } as never, {});
    expect(r.network.threads).toBe(Math.min(4, cores()));
    expect(recipeFor({ x, y: matrix(60_000, 10) } as never, { threads: 1 }).network.threads).toBe(1);
  });
});
