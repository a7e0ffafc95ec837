// A/B: this checkout against another built checkout of ffnn (another commit, say), training one
// network each on alternating chunks of MNIST in one process, and the median of the per-pair ratios.
// On a machine whose speed drifts within seconds this is what tells a 5 % change from noise.
//
//   npm run build && node dist-bench/ab.js ../other-checkout [w1|w2|w3] [pairs] [threads]
//
// The other checkout must have run `npm run build` (its dist/ and build/ are what is imported).

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadMnist } from '../dist/data/mnist.js';
import { Network, toFloats } from '../dist/index.js';
import { chunkStart, WORKLOADS } from './workloads.js';

async function main(): Promise<void> {
  const [other, name = 'w1', pairsArg = '9', threadsArg = '1'] = process.argv.slice(2);
  const w = WORKLOADS.find((v) => v.name === name);
  if (!other || !w) throw new Error('usage: node dist-bench/ab.js OTHER_CHECKOUT [w1|w2|w3] [pairs] [threads]');
  const theirs = (await import(pathToFileURL(resolve(other, 'dist/index.js')).href)) as { Network: typeof Network };
  const spec = {
    inputs: 784, seed: 1, loss: w.loss, threads: Number(threadsArg),
    layers: [...w.hidden.map((units) => ({ units, activation: w.activation })), { units: 10 }],
  };
  const nets = { this: await Network.create(spec), other: await theirs.Network.create(spec) };
  const bytes = await loadMnist('train');
  const train = { ...bytes, x: toFloats(bytes.x) };
  const rows = w.name === 'w3' ? 3840 : 6000;
  const run = async (net: Network, first: number) => {
    const x = { rows, cols: 784, data: train.x.data.subarray(first * 784, (first + rows) * 784) };
    const y = { rows, cols: 10, data: train.y.data.subarray(first * 10, (first + rows) * 10) };
    const h = await net.train(x, y, { learningRate: w.learningRate, batchSize: w.batchSize, epochs: 1, optimizer: w.optimizer });
    return (h.epochs[0].seconds * 60000) / rows;
  };
  await run(nets.this, 0);
  await run(nets.other, 0);
  const ratios: number[] = [];
  for (let r = 0; r < Number(pairsArg); r++) {
    const first = chunkStart(r, rows);
    const a = await run(nets.this, first), b = await run(nets.other, first);
    ratios.push(a / b);
    console.log(`${w.name} pair ${r + 1}: this ${a.toFixed(3)} s/epoch, other ${b.toFixed(3)}, ratio ${(a / b).toFixed(3)}`);
  }
  ratios.sort((p, q) => p - q);
  console.log(`${w.name}: this / other, median of ${ratios.length} pairs: ${ratios[ratios.length >> 1].toFixed(3)} ` +
    `(range ${ratios[0].toFixed(3)}–${ratios[ratios.length - 1].toFixed(3)})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
