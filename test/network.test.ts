// The Network API: learning, determinism, backend agreement, stopping rules, and errors for people.

import { describe, expect, it } from 'vitest';
import { BACKENDS, type BackendName } from '../src/backends/backend.js';
import { fromRows, matrix, oneHot, sliceRows, type Matrix } from '../src/index.js';
import { Network, TrainingDivergedError } from '../src/index.js';
import { Random } from '../src/random.js';
import { firstMismatch } from './helpers/backends.js';
import { mnist } from './helpers/mnist.js';
import { classScores } from './helpers/scores.js';

const XOR_X = fromRows([[0, 0], [0, 1], [1, 0], [1, 1]]);
const XOR_Y = fromRows([[0], [1], [1], [0]]);

function xorNet(backend: BackendName, seed = 3) {
  return Network.create({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1 }], seed, backend });
}

describe('learning', () => {
  it.each(BACKENDS)('%s learns XOR from a fixed seed', async (backend) => {
    const net = await xorNet(backend);
    const before = net.evaluate(XOR_X, XOR_Y);
    const history = await net.train(XOR_X, XOR_Y, { learningRate: 2, batchSize: 4, epochs: 2000 });
    const after = net.evaluate(XOR_X, XOR_Y);
    expect(history.stopReason).toBe('epochs');
    expect(history.epochs).toHaveLength(2000);
    expect(after.loss).toBeLessThan(0.01);
    expect(after.loss).toBeLessThan(before.loss / 10);
    expect(Array.from(net.predict(XOR_X).data, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    expect(history.score).toBeCloseTo(after.cost, 6);
  });

  it('learns a three-class problem with softmax + cross-entropy', async () => {
    const rng = new Random(5);
    const n = 300;
    const labels = Array.from({ length: n }, () => rng.int(3));
    // three Gaussian blobs in the plane
    const x = matrix(n, 2, labels.flatMap((c) => [Math.cos(2 * c) * 2 + 0.4 * rng.normal(), Math.sin(2 * c) * 2 + 0.4 * rng.normal()]));
    const y = oneHot(labels, 3);
    const net = await Network.create({ inputs: 2, layers: [{ units: 8, activation: 'relu' }, { units: 3 }], loss: 'cross-entropy' });
    expect(net.activations).toEqual(['relu', 'softmax']);
    await net.train(x, y, { learningRate: 0.5, batchSize: 16, epochs: 30 });
    const { accuracy } = classScores(net.evaluate(x, y));
    expect(accuracy).toBeGreaterThan(0.95);
    const p = net.predict(sliceRows(x, 0, 5));
    for (let i = 0; i < 5; i++) expect(p.data.subarray(3 * i, 3 * i + 3).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    const all = net.predict(x).data;
    const argmax = (i: number) => [0, 1, 2].reduce((b, j) => (all[3 * i + j] > all[3 * i + b] ? j : b), 0);
    expect(Array.from(net.classify(x))).toEqual(labels.map((_, i) => argmax(i)));
  });
});

describe('determinism and agreement', () => {
  it.each(BACKENDS)('%s: the same seed gives bit-identical weights; another seed does not', async (backend) => {
    const run = async (seed: number) => {
      const net = await xorNet(backend, seed);
      await net.train(XOR_X, XOR_Y, { learningRate: 1, batchSize: 1, epochs: 50 });
      return net.parameters().flatMap((l) => [...l.weights.data, ...l.biases]);
    };
    const [a, b, c] = [await run(9), await run(9), await run(10)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('WASM, scalar WASM and JS agree on a trained network', async () => {
    const train = await mnist('train', { limit: 2000 });
    const test = await mnist('test', { limit: 500 });
    const options = { inputs: 784, layers: [{ units: 30 }, { units: 10 }], seed: 4 } as const;
    const nets = await Promise.all(BACKENDS.map((backend) => Network.create({ ...options, backend })));
    // a few hundred identical steps: float32 rounding differs by order of summation only
    for (const net of nets) await net.train(train.x, train.y, { learningRate: 3, batchSize: 10, epochs: 1 });
    const [ref, ...rest] = nets.map((net) => net.predict(test.x).data);
    for (const out of rest) expect(firstMismatch(out, ref, 1e-3)).toBeNull();
    // the same weights give the same outputs to 1e-5 on every backend
    const weights = nets[0].parameters();
    for (const net of nets) net.setParameters(weights);
    const [r0, ...others] = nets.map((net) => net.predict(test.x).data);
    for (const out of others) expect(firstMismatch(out, r0, 1e-5)).toBeNull();
  });
});

describe('never failing the way the seed did', () => {
  it.each(BACKENDS)('%s: inputs of ±1e4 give finite outputs and a finite cross-entropy', async (backend) => {
    const x = fromRows([[1e4, -1e4], [-1e4, 1e4], [1e4, 1e4]]);
    for (const loss of ['mse', 'cross-entropy'] as const) {
      const net = await Network.create({ inputs: 2, layers: [{ units: 3 }, { units: 2 }], loss, init: 'normal', backend });
      const out = net.predict(x);
      expect(out.data.every(Number.isFinite)).toBe(true);
      const e = net.evaluate(x, oneHot([0, 1, 0], 2));
      expect(Number.isFinite(e.loss)).toBe(true);
      const history = await net.train(x, oneHot([0, 1, 0], 2), { learningRate: 0.1, epochs: 3 });
      expect(history.epochs.every((r) => Number.isFinite(r.loss))).toBe(true);
    }
  });

  it("reports the seed's collapse (raw pixels, uniform init) with its causes, and not on a healthy network", async () => {
    const raw = await mnist('train', { raw: true, limit: 1000 });
    const seedNet = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], init: 'uniform', loss: 'mse' });
    const seedRun = await seedNet.train(raw.x, raw.y, { learningRate: 3, batchSize: 10, epochs: 1 });
    expect(seedRun.warnings).toHaveLength(1);
    const [warning] = seedRun.warnings;
    expect(warning.code).toBe('collapsed-outputs');
    expect(warning.message).toMatch(/unscaled inputs: values reach 255/);
    expect(warning.message).toMatch(/saturation: 100\.0% of hidden layer 1's sigmoid outputs/);
    expect(warning.message).toMatch(/'uniform' init/);
    // it is visible after the first epoch already, not only at the end
    expect(seedRun.epochs[0].warnings).toEqual(seedRun.warnings);
    // and the outputs really are one vector
    const out = seedNet.predict(sliceRows(raw.x, 0, 50));
    for (let i = 1; i < 50; i++) expect(Array.from(out.data.subarray(i * 10, i * 10 + 10))).toEqual(Array.from(out.data.subarray(0, 10)));

    const scaled = await mnist('train', { limit: 1000 });
    const healthy = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }] });
    const healthyRun = await healthy.train(scaled.x, scaled.y, { learningRate: 3, batchSize: 10, epochs: 1 });
    expect(healthyRun.warnings).toEqual([]);
    expect(healthyRun.epochs[0].warnings).toEqual([]);
    expect(healthy.diagnose(scaled.x)).toEqual([]);
    expect(seedNet.diagnose(raw.x)).toHaveLength(1);
  });

  it('says once, before the first step, that every target is the same, and calls the one output it gives no collapse', async () => {
    // the seed's collapsing set-up, trained on one class: one output vector is then the right answer
    const raw = await mnist('train', { raw: true, limit: 1000 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], init: 'uniform', loss: 'mse' });
    const told: string[] = [];
    const run = await net.train(raw.x, oneHot(new Array(1000).fill(3), 10), {
      learningRate: 3, batchSize: 10, epochs: 3, onWarning: (d) => told.push(d.code),
      onEpoch: (r) => { if (r.epoch === 1) told.push('epoch 1'); },
    });
    expect(told).toEqual(['constant-targets', 'epoch 1']);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0].message).toMatch(/^every one of the 1000 training rows has the same target \(class 3\): the network can only learn to give it/);
    expect(run.epochs.flatMap((e) => e.warnings ?? [])).toEqual([]);
    // a regression's constant target too, named without a class; one differing row ends it
    const x = matrix(40, 2, Float32Array.from({ length: 80 }, (_, i) => (i % 7) / 7));
    const y = matrix(40, 1, new Float32Array(40).fill(2.5));
    const reg = await Network.create({ inputs: 2, layers: [{ units: 3 }, { units: 1, activation: 'linear' }], loss: 'mse' });
    expect((await reg.train(x, y, { epochs: 2, onWarning: () => undefined })).warnings.map((d) => d.message))
      .toEqual([expect.stringMatching(/^every one of the 40 training rows has the same target: /)]);
    y.data[17] = 3;
    expect((await reg.train(x, y, { epochs: 2 })).warnings).toEqual([]);
  });

  it('does not call one output for inputs that are all the same a collapse (however many rows)', async () => {
    const raw = await mnist('train', { raw: true, limit: 300 });
    const seedNet = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], init: 'uniform', loss: 'mse' });
    const one = sliceRows(raw.x, 7, 8);
    const same = { ...raw.x, rows: 300, data: new Uint8Array(300 * 784).map((_, i) => one.data[i % 784]) };
    expect(seedNet.diagnose(same)).toEqual([]);
    // one pixel of one late row differing is enough to tell them apart (diagnose samples 256 rows)
    same.data[250 * 784 + 400] ^= 1;
    expect(seedNet.diagnose(same)).toHaveLength(1);
  });
});

describe('stopping rules', () => {
  it('stops on the tolerance (the seed’s gradient-norm rule)', async () => {
    const net = await xorNet('wasm');
    const h = await net.train(XOR_X, XOR_Y, { learningRate: 2, batchSize: 4, epochs: 5000, tolerance: 0.05 });
    expect(h.stopReason).toBe('tolerance');
    const last = h.epochs[h.epochs.length - 1];
    expect(last.gradientNorm).toBeLessThanOrEqual(0.05);
    expect(h.epochs[h.epochs.length - 2].gradientNorm).toBeGreaterThan(0.05);
    expect(h.epochs.length).toBeLessThan(5000);
    expect(h.stopMessage).toMatch(/Converged/);
  });

  it('stops on the maximum time, even inside an epoch', async () => {
    const train = await mnist('train', { limit: 5000 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], backend: 'js' });
    const h = await net.train(train.x, train.y, { learningRate: 3, batchSize: 1, epochs: 100, maxTime: 0.2 });
    expect(h.stopReason).toBe('time');
    expect(h.seconds).toBeLessThan(2);
    expect(h.stopMessage).toMatch(/Maximum runtime encountered/);
  });

  it('stops after the maximum epochs and reports every epoch', async () => {
    const net = await xorNet('wasm');
    const seen: number[] = [];
    const h = await net.train(XOR_X, XOR_Y, { epochs: 7, batchSize: 3, onEpoch: (e) => seen.push(e.epoch) });
    expect(h.stopReason).toBe('epochs');
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(h.epochs.map((e) => [e.batches, e.examples])).toEqual(Array(7).fill([2, 4]));
  });

  it('stops a diverging run with an error naming epoch and batch, keeping finite weights', async () => {
    const rng = new Random(1);
    const x = matrix(64, 3, Array.from({ length: 192 }, () => rng.normal()));
    const y = matrix(64, 1, Array.from({ length: 64 }, (_, i) => 10 * x.data[3 * i] - 5 * x.data[3 * i + 2]));
    const net = await Network.create({ inputs: 3, layers: [{ units: 16, activation: 'relu' }, { units: 1, activation: 'linear' }] });
    const err = await net.train(x, y, { learningRate: 1e4, batchSize: 8, epochs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/diverged at epoch \d+, batch \d+: .*The learning rate 10000 is too high: try [\d.e+-]+ \(the range test's suggestion; ffnn lr-find\)\. The network keeps its last good weights\./);
    const { divergence } = err as TrainingDivergedError;
    expect(divergence.learningRate).toBe(1e4);
    expect(divergence.suggestion).toBeGreaterThan(0);
    expect(divergence.suggestion).toBeLessThan(1);
    expect(net.parameters().every((l) => l.weights.data.every(Number.isFinite) && l.biases.every(Number.isFinite))).toBe(true);
    // nothing is lost: the kept network still predicts, and trains on with a sensible rate
    expect(net.predict(x).data.every(Number.isFinite)).toBe(true);
    const again = await net.train(x, y, { optimizer: 'adam', learningRate: 0.01, batchSize: 8, epochs: 2 });
    expect(again.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
  });
});

describe('errors name what is wrong', () => {
  it('rejects shapes that do not match the network', async () => {
    const net = await Network.create({ inputs: 3, layers: [{ units: 2 }] });
    const x = matrix(4, 3), y = matrix(4, 2);
    expect(() => net.predict(matrix(4, 5))).toThrow(/predict: x has 5 columns but the network expects 3 \(shape 4×5\)/);
    await expect(net.train(x, matrix(4, 3))).rejects.toThrow(/train: y has 3 columns but the network expects 2/);
    await expect(net.train(x, matrix(5, 2))).rejects.toThrow(/x has 4 rows but y has 5/);
    expect(() => net.evaluate({ rows: 2, cols: 3, data: new Float32Array(5) }, y)).toThrow(/claims 2×3 but holds 5 values/);
    await expect(net.train(x, y, { learningRate: -1 })).rejects.toThrow(/learningRate must be a finite number > 0, got -1/);
    await expect(net.train(x, y, { batchSize: 2.5 })).rejects.toThrow(/batchSize must be a whole number ≥ 1, got 2.5/);
  });

  it.each(BACKENDS)('%s: NaN or Infinity in the data is refused with its row and column', async (backend) => {
    const net = await Network.create({ inputs: 3, layers: [{ units: 2 }], backend });
    const x = matrix(300, 3);
    x.data[260 * 3 + 2] = NaN;
    expect(() => net.predict(x)).toThrow(/predict: x: row 260, column 2 is NaN/);
    const y = matrix(300, 2);
    y.data[7 * 2 + 1] = Infinity;
    await expect(net.train(matrix(300, 3), y)).rejects.toThrow(/train: y: row 7, column 1 is Infinity/);
  });

  it('refuses non-finite or misshapen parameters and changes nothing then', async () => {
    const net = await Network.create({ inputs: 3, layers: [{ units: 4 }, { units: 2 }], seed: 1 });
    const before = net.parameters();
    const bad = net.parameters();
    bad[0].weights.data.fill(0.5);
    bad[1].weights.data[1 * 2 + 1] = NaN;
    expect(() => net.setParameters(bad)).toThrow(/setParameters: layer 2 weight \(1, 1\) is NaN; every value must be a finite number/);
    bad[1].weights.data[1 * 2 + 1] = 0;
    bad[1].biases[1] = -Infinity;
    expect(() => net.setParameters(bad)).toThrow(/setParameters: layer 2 bias 1 is -Infinity/);
    expect(() => net.setParameters([bad[0], { weights: matrix(4, 3), biases: new Float32Array(2) }])).toThrow(/layer 2 needs 4×2 weights and 2 biases, got 4×3 and 2/);
    // layer 1 was valid each time, but a refused call writes nothing
    expect(net.parameters()).toEqual(before);
  });

  it('rejects bad network options', async () => {
    await expect(Network.create({ inputs: 0, layers: [{ units: 1 }] })).rejects.toThrow(/inputs must be a whole number ≥ 1, got 0/);
    await expect(Network.create({ inputs: 2, layers: [] })).rejects.toThrow(/layers must list at least the output layer/);
    await expect(Network.create({ inputs: 2, layers: [{ units: 3, activation: 'swish' as never }] })).rejects.toThrow(/layers\[0\]\.activation must be one of 'sigmoid', 'tanh', 'relu', 'leaky-relu', 'softmax', 'linear', got "swish"/);
    await expect(Network.create({ inputs: 2, layers: [{ units: 3, activation: 'sigmoid' }], loss: 'cross-entropy' }))
      .rejects.toThrow(/needs a 'softmax' output layer, but the last layer uses 'sigmoid'/);
    await expect(Network.create({ inputs: 2, layers: [{ units: 1 }], backend: 'gpu' as never })).rejects.toThrow(/backend must be one of 'wasm', 'wasm-simd', 'wasm-relaxed', 'wasm-scalar', 'js', got "gpu"/);
    await expect(Network.create({ inputs: 2, layers: [{ units: 2, unit: 3 } as never, { units: 1 }] })).rejects.toThrow(/^ffnn: Network\.create: unknown option layers\[0\]\.unit; did you mean units\?$/);
    const net = await Network.create({ inputs: 2, layers: [{ units: 1 }] });
    net.dispose();
    expect(() => net.predict(matrix(1, 2))).toThrow(/disposed/);
  });

  it('refuses a second train() while one is running, and evaluate() between epochs changes nothing', async () => {
    const train = await mnist('train', { limit: 500 });
    const run = async (evaluateBetweenEpochs: boolean) => {
      const net = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], seed: 8 });
      const scores: number[] = [];
      const first = net.train(train.x, train.y, {
        learningRate: 3, batchSize: 10, epochs: 3,
        onEpoch: () => { if (evaluateBetweenEpochs) scores.push(classScores(net.evaluate(sliceRows(train.x, 0, 300), sliceRows(train.y, 0, 300))).accuracy); },
      });
      await expect(net.train(train.x, train.y)).rejects.toThrow(/already training/);
      await first;
      return { scores, weights: net.parameters().flatMap((l) => [...l.weights.data, ...l.biases]) };
    };
    const quiet = await run(false);
    const busy = await run(true);
    expect(busy.scores).toHaveLength(3);
    expect(busy.scores[2]).toBeGreaterThan(0.5);
    // evaluating on the training workspace between epochs leaves training bit-for-bit unchanged
    expect(busy.weights).toEqual(quiet.weights);
  });
});

export type { Matrix };
