// Saved models: exact round trips on every backend, and clear refusals of damaged files.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../src/backends/backend.js';
import { fitScaling, Network } from '../../src/index.js';
import { mnist } from '../helpers/mnist.js';
import { classScores } from '../helpers/scores.js';

const dir = mkdtempSync(join(tmpdir(), 'ffnn-model-'));

async function trainedNetwork() {
  const train = await mnist('train', { raw: true, limit: 1000 });
  const net = await Network.create({
    inputs: 784, layers: [{ units: 16, activation: 'leaky-relu', slope: 0.05 }, { units: 10 }], loss: 'cross-entropy',
    scaling: fitScaling(train.x, 'divide', 255), seed: 2,
  });
  await net.train(train.x, train.y, { learningRate: 0.1, batchSize: 20, epochs: 2 });
  return { net, train };
}

describe('saved models', () => {
  it.each(BACKENDS)('round-trip to bit-identical predictions, loaded on %s', async (backend) => {
    const { net, train } = await trainedNetwork();
    const path = join(dir, `model-${backend}.json`);
    await net.save(path);
    const back = await Network.load(path, { backend });
    expect(back.backend).toBe(backend);
    expect(back.activations).toEqual(['leaky-relu', 'softmax']);
    expect(back.scaling?.method).toBe('divide');
    // parameters are bit-identical; predictions too when the backend is the same
    expect(back.parameters()).toEqual(net.parameters());
    const a = net.predict(train.x).data, b = back.predict(train.x).data;
    if (backend === 'wasm') expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    else for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    // raw pixels go in: the saved scaling is applied by the loaded network
    expect(classScores(back.evaluate(train.x, train.y)).accuracy).toBeGreaterThan(0.7);
  });

  it('refuses truncated, corrupt and future-version files', async () => {
    const { net } = await trainedNetwork();
    const good = JSON.stringify(net.toJSON());
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    await expect(Network.load(write('truncated.json', good.slice(0, good.length / 2))))
      .rejects.toThrow(/truncated\.json: not a usable ffnn model: it is not valid JSON \(truncated or corrupt\?\)/);
    const model = JSON.parse(good);
    const flipped = structuredClone(model);
    const p: string = flipped.parameters.float32le;
    flipped.parameters.float32le = p.slice(0, 100) + (p[100] === 'A' ? 'B' : 'A') + p.slice(101);
    await expect(Network.load(write('corrupt.json', JSON.stringify(flipped)))).rejects.toThrow(/corrupt\.json: .*do not match their checksum/);
    const short = structuredClone(model);
    short.parameters.float32le = p.slice(0, 400);
    await expect(Network.load(write('short.json', JSON.stringify(short)))).rejects.toThrow(/holds 300 bytes where \d+ floats need \d+ \(truncated\?\)/);
    await expect(Network.load(write('future.json', JSON.stringify({ ...model, version: 99 })))).rejects.toThrow(/format version 99 by a newer ffnn; this ffnn reads versions up to 2: upgrade ffnn/);
    await expect(Network.load(write('other.json', JSON.stringify({ hello: 1 })))).rejects.toThrow(/its "format" is undefined, not "ffnn-model"/);
    await expect(Network.load(join(dir, 'missing.json'))).rejects.toThrow(/cannot read model file .*missing\.json/);
    expect(readFileSync(join(dir, 'truncated.json'), 'utf8').length).toBeGreaterThan(10);
  });

  it('names the field of a damaged or hand-edited model file', async () => {
    const { net } = await trainedNetwork();
    const good = net.toJSON();
    const edit = (change: (m: any) => void) => {
      const m = structuredClone(good) as any;
      change(m);
      return m;
    };
    const cases: [(m: any) => void, RegExp][] = [
      [(m) => (m.network.layers[0].units = null), /^ffnn: m\.json: network\.layers\[0\]\.units must be a whole number ≥ 1, got null$/],
      [(m) => (m.network.layers[0].units = 2.5), /network\.layers\[0\]\.units must be a whole number ≥ 1, got 2\.5/],
      [(m) => (m.network.layers[1] = null), /network\.layers\[1\] must be an object, got null/],
      [(m) => (m.network.layers[0].activation = 'swish'), /network\.layers\[0\]\.activation must be one of 'sigmoid', 'tanh', 'relu'/],
      [(m) => (m.training = 7), /m\.json: training must be an object, got 7/],
      [(m) => (m.training.optimizer = 'adamax'), /training\.optimizer must be one of 'sgd'/],
      [(m) => (m.network.learning_rate = 3), /unknown field network\.learning_rate \(known: inputs, layers, loss, init, seed\)/],
      [(m) => (m.schema = { columns: [], header: true }), /schema: columns must list at least one column/],
    ];
    for (const [change, message] of cases) {
      await expect(Network.fromJSON(edit(change), { source: 'm.json' })).rejects.toThrow(message);
    }
    const field = await Network.fromJSON(edit((m) => (m.network.layers[0].units = null)), { source: 'm.json' }).catch((e: { field?: string }) => e);
    expect(field).toMatchObject({ field: 'network.layers[0].units' });
  });
});
