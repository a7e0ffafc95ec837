// Threads with relaxed SIMD: where 'wasm' picks the fused multiply-add build for one thread, its
// threads run the relaxed threads build, so a threaded run still equals one thread bit for bit.

import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { Network } from '../src/index.js';
import { mnist } from './helpers/mnist.js';
import { countShared } from './helpers/threads.js';

// Node 20 keeps relaxed SIMD behind a flag; switched on before any module is compiled in this test
// process (as the ffnn command does for its own process).
setFlagsFromString('--experimental-wasm-relaxed-simd');

const flat = (net: Network) => Buffer.from(Float32Array.from(net.parameters().flatMap((l) => [...l.weights.data, ...l.biases])).buffer);

describe('threads on relaxed SIMD', () => {
  it.each([['sgd', 'mse'], ['adam', 'cross-entropy']] as const)(
    "'wasm' on 2 threads runs the relaxed build and gives one thread's weights bit for bit (%s, %s); 'wasm-simd' keeps plain SIMD",
    async (optimizer, loss) => {
      // ten full batches an epoch, each big enough to be shared
      const train = await mnist('train', { limit: 640 });
      const spec = { inputs: 784, layers: [{ units: 48, activation: 'relu' as const }, { units: 10 }], loss, seed: 3 };
      const options = { optimizer, learningRate: optimizer === 'sgd' ? 0.1 : 0.003, batchSize: 64, epochs: 2 };
      const nets = {
        one: await Network.create(spec),
        two: await Network.create({ ...spec, threads: 2 }),
        plainOne: await Network.create({ ...spec, backend: 'wasm-simd' }),
        plainTwo: await Network.create({ ...spec, backend: 'wasm-simd', threads: 2 }),
      };
      expect([nets.one.build, nets.two.build, nets.plainOne.build, nets.plainTwo.build]).toEqual(['relaxed', 'relaxed', 'simd', 'simd']);
      expect(nets.two.threads).toBe(2);
      const shared = [countShared(nets.two), countShared(nets.plainTwo)];
      for (const net of Object.values(nets)) await net.train(train.x, train.y, options);
      expect(shared.map((s) => s.count)).toEqual([20, 20]);
      expect(flat(nets.two).equals(flat(nets.one))).toBe(true);
      expect(flat(nets.plainTwo).equals(flat(nets.plainOne))).toBe(true);
      // fused multiply-adds round once where a multiply and an add round twice: the builds differ
      expect(flat(nets.one).equals(flat(nets.plainOne))).toBe(false);
      for (const net of Object.values(nets)) net.dispose();
    },
  );
});
