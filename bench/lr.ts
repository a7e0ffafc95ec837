// The learning-rate range test against hand-picked rates: for the seed's network (784-30-10
// sigmoid, sum of squares, SGD, batch 10) and a relu/Adam network (784-128-10, batch 32), two epochs
// on 20 000 MNIST images from the range test's suggestion and from each rate of a hand-picked grid,
// test accuracy on the 10 000 test images, two seeds. Writes the lr section of bench/RESULTS.md.
//   npm run bench:lr

import { cpus } from 'node:os';
import { loadMnist, Network, type NetworkOptions, type TrainOptions } from '../dist/index.js';
import { writeSection } from './sections.js';

const train = await loadMnist('train', { limit: 20_000 });
const test = await loadMnist('test');
const CASES: [string, (seed: number) => NetworkOptions, TrainOptions, number[]][] = [
  ['784-30-10 sigmoid, sum of squares, SGD, batch 10', (seed) => ({ inputs: 784, layers: [{ units: 30 }, { units: 10 }], loss: 'mse', seed }), { batchSize: 10, epochs: 2 }, [0.3, 1, 3]],
  ['784-128-10 relu, cross-entropy, Adam, batch 32', (seed) => ({ inputs: 784, layers: [{ units: 128, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy', seed }), { batchSize: 32, epochs: 2, optimizer: 'adam' }, [3e-4, 1e-3, 3e-3]],
];

async function accuracy(spec: NetworkOptions, options: TrainOptions, learningRate: number): Promise<number> {
  const net = await Network.create(spec);
  await net.train(train.x, train.y, { ...options, learningRate, onWarning: () => {} });
  const e = net.evaluate(test.x, test.y);
  net.dispose();
  return e.task === 'classification' ? e.accuracy : NaN;
}

const lines = ['## The learning-rate range test against hand-picked rates', '',
  `Produced by \`npm run bench:lr\` on ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model.trim()}, Node ${process.version}. Two epochs on 20 000 MNIST`,
  'images from each rate, test accuracy on the 10 000 test images; the suggestion is a quarter of the rate where the range',
  "test's smoothed loss was lowest (300 steps from 1e-6 to 10).", '',
  '| network | seed | suggested rate | its accuracy | hand-picked grid: accuracy |', '|---|---|---|---|---|'];
for (const [name, spec, options, grid] of CASES) {
  for (const seed of [3, 4]) {
    const curve = await (await Network.create(spec(seed))).findLearningRate(train.x, train.y, { batchSize: options.batchSize, optimizer: options.optimizer });
    const suggested = await accuracy(spec(seed), options, curve.suggestion);
    const hand: string[] = [];
    for (const lr of grid) hand.push(`${lr}: ${(100 * await accuracy(spec(seed), options, lr)).toFixed(2)} %`);
    console.log(`${name}, seed ${seed}: suggested ${curve.suggestion.toPrecision(2)} → ${(100 * suggested).toFixed(2)} %; ${hand.join(', ')}`);
    lines.push(`| ${name} | ${seed} | ${curve.suggestion.toPrecision(2)} | **${(100 * suggested).toFixed(2)} %** | ${hand.join('; ')} |`);
  }
}
writeSection('lr', lines.join('\n'));
console.log('wrote the lr section of bench/RESULTS.md');
