// The two leaks users of other JS network libraries report most: memory that grows with every
// network made, and training that slows down on the second call.

import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { Network, sliceRows } from '../src/index.js';
import { mnist } from './helpers/mnist.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settle(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage().rss;
}

describe('memory', () => {
  it('creating, training and dropping 200 networks keeps the process memory flat', async () => {
    const train = await mnist('train', { limit: 256 });
    const oneNetwork = async (i: number) => {
      const net = await Network.create({ inputs: 784, layers: [{ units: 64 }, { units: 10 }], seed: i });
      await net.train(train.x, train.y, { learningRate: 1, batchSize: 32, epochs: 1 });
      net.predict(train.x);
      if (i % 2 === 0) net.dispose(); // half freed explicitly, half left to the garbage collector
    };
    for (let i = 0; i < 20; i++) await oneNetwork(i); // warm-up: compiled code, module cache, pools
    const start = await settle();
    for (let i = 20; i < 200; i++) await oneNetwork(i);
    const end = await settle();
    // each network's heap is over 1 MiB: keeping all 180 would add well over 180 MiB
    const grewMiB = (end - start) / 2 ** 20;
    expect(grewMiB, `rss grew by ${grewMiB.toFixed(1)} MiB`).toBeLessThan(40);
  });

  it('a second train() call reuses the heap and runs as fast as the first', async () => {
    const train = await mnist('train');
    const x = sliceRows(train.x, 0, 6000), y = sliceRows(train.y, 0, 6000);
    const net = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }] });
    const memory = () => (net.engine.live.heap.floats().buffer as ArrayBuffer).byteLength;
    const seconds: number[] = [];
    const sizes: number[] = [];
    for (let run = 0; run < 4; run++) {
      const h = await net.train(x, y, { learningRate: 3, batchSize: 10, epochs: 1 });
      seconds.push(h.seconds);
      sizes.push(memory());
    }
    // the structural cause of a slowdown is a heap that keeps growing: it must not
    expect(new Set(sizes).size).toBe(1);
    // and the time: later runs are no slower than the first (generous bound: machines are noisy)
    const later = Math.min(...seconds.slice(1));
    expect(later, `seconds per run: ${seconds.join(', ')}`).toBeLessThan(1.5 * seconds[0] + 0.05);
  });
});
