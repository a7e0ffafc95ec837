// The peer: TensorFlow.js with its WASM backend (SIMD; one thread in Node), trained the way its users
// train (tf.layers, model.fit) on the same MNIST data, batch sizes and optimizers. Run as its own
// process by run.ts, which reads the JSON line it prints.
//
//   node dist-bench/peer-tfjs.js ROWS_W1 ROWS_W2 ROWS_W3

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { loadMnist } from '../dist/data/mnist.js';
import { WORKLOADS } from './workloads.js';

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const rowsFor = process.argv.slice(2).map(Number);
  const train = await loadMnist('train');
  const test = await loadMnist('test');
  const results: Record<string, { rows: number; seconds: number; epochSeconds: number; inferencePerSecond?: number }> = {};
  for (const [i, w] of WORKLOADS.entries()) {
    const rows = rowsFor[i] ?? 60000;
    const x = tf.tensor2d(train.x.data.subarray(0, rows * 784), [rows, 784]);
    const y = tf.tensor2d(train.y.data.subarray(0, rows * 10), [rows, 10]);
    const layers = [
      ...w.hidden.map((units, j) => tfl.layers.dense({ units, activation: w.activation, ...(j === 0 ? { inputShape: [784] } : {}) })),
      tfl.layers.dense({ units: 10, activation: w.loss === 'mse' ? 'sigmoid' : 'softmax' }),
    ];
    const model = tfl.sequential({ layers });
    model.compile({
      optimizer: w.optimizer === 'sgd' ? tf.train.sgd(w.learningRate) : tf.train.adam(w.learningRate),
      loss: w.loss === 'mse' ? 'meanSquaredError' : 'categoricalCrossentropy',
    });
    // a short warm-up so kernel compilation is not billed to the epoch
    await model.fit(tf.slice(x, 0, w.batchSize * 5), tf.slice(y, 0, w.batchSize * 5), { batchSize: w.batchSize, epochs: 1, verbose: 0 });
    const t0 = performance.now();
    await model.fit(x, y, { batchSize: w.batchSize, epochs: 1, shuffle: true, verbose: 0 });
    const seconds = (performance.now() - t0) / 1000;
    const entry: (typeof results)[string] = { rows, seconds, epochSeconds: (seconds * 60000) / rows };
    if (w.name === 'w3') {
      const tx = tf.tensor2d(test.x.data, [10000, 784]);
      (model.predict(tf.slice(tx, 0, 1000)) as tf.Tensor).dataSync(); // warm-up
      const t1 = performance.now();
      (model.predict(tx, { batchSize: 1000 }) as tf.Tensor).dataSync();
      entry.inferencePerSecond = 10000 / ((performance.now() - t1) / 1000);
      tx.dispose();
    }
    results[w.name] = entry;
    process.stderr.write(`tfjs-wasm ${w.name}: ${entry.epochSeconds.toFixed(2)} s/epoch (${rows} rows in ${seconds.toFixed(2)} s)\n`);
    x.dispose();
    y.dispose();
    model.dispose();
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
