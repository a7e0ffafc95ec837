// One fresh process's training run for the whole-run bench: MNIST as the loader gives it (bytes),
// through the public API, five epochs of one workload. Prints each epoch's seconds as the history
// reports them and as a user's clock sees them (epoch 1 from the train() call: the data's placing
// and every first-time cost included), and the process's peak resident memory.
//   node dist-bench/epoch-child.js WORKLOAD one-call|per-epoch

import { Network, loadMnist } from '../dist/index.js';
import { peakResident } from './peak.js';
import { WORKLOADS } from './workloads.js';

const [name, mode] = process.argv.slice(2);
const w = WORKLOADS.find((v) => v.name === name);
if (!w) throw new Error(`no workload ${name}`);
const train = await loadMnist('train');
const net = await Network.create({
  inputs: 784, seed: 1, loss: w.loss,
  layers: [...w.hidden.map((units) => ({ units, activation: w.activation })), { units: 10 }],
});
const options = { learningRate: w.learningRate, batchSize: w.batchSize, optimizer: w.optimizer };
const walls: number[] = [];
const history: number[] = [];
if (mode === 'per-epoch') {
  // train() called once per epoch, as a loop that reports or checkpoints between epochs would
  for (let e = 0; e < 5; e++) {
    const t = performance.now();
    const h = await net.train(train.x, train.y, { ...options, epochs: 1 });
    walls.push((performance.now() - t) / 1000);
    history.push(h.epochs[0].seconds);
  }
} else {
  let last = performance.now();
  const h = await net.train(train.x, train.y, {
    ...options, epochs: 5,
    onEpoch: () => {
      const now = performance.now();
      walls.push((now - last) / 1000);
      last = now;
    },
  });
  history.push(...h.epochs.map((e) => e.seconds));
}
process.stdout.write(JSON.stringify({ walls, history, peak: peakResident() }) + '\n');
