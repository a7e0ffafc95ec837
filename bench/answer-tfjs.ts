// TensorFlow.js (WebAssembly backend, SIMD, one thread) as a peer in the whole-run bench: one job
// from process start to a scored model, the way its users write it. Prints the test accuracy.
//   node dist-bench/answer-tfjs.js seed TRAIN.csv TEST.csv EPOCHS   the seed's network from the CSV files
//   node dist-bench/answer-tfjs.js start HIDDEN BATCH EPOCHS         npm start's recipe on MNIST

import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { loadMnist, toFloats } from '../dist/index.js';

/** A CSV of a label and 784 pixels, read as a script would: split lines, split cells, Number. */
function readCsv(path: string): { x: Float32Array; labels: Int32Array } {
  const lines = readFileSync(path, 'utf8').split('\n').slice(1).filter((l) => l !== '');
  const x = new Float32Array(lines.length * 784), labels = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(',');
    labels[i] = Number(cells[0]);
    for (let j = 0; j < 784; j++) x[i * 784 + j] = Number(cells[j + 1]) / 255;
  });
  return { x, labels };
}

function accuracy(model: tfl.Sequential, x: Float32Array, labels: Int32Array): number {
  const out = model.predict(tf.tensor2d(x, [labels.length, 784]), { batchSize: 1000 }) as tf.Tensor;
  const predicted = tf.argMax(out, 1).dataSync();
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const [job, ...args] = process.argv.slice(2);
  const oneHot = (labels: Int32Array) => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32');
  if (job === 'seed') {
    const [trainPath, testPath, epochs] = args;
    const train = readCsv(trainPath), test = readCsv(testPath);
    const model = tfl.sequential({ layers: [
      tfl.layers.dense({ units: 30, activation: 'sigmoid', inputShape: [784] }),
      tfl.layers.dense({ units: 10, activation: 'sigmoid' }),
    ] });
    model.compile({ optimizer: tf.train.sgd(3), loss: 'meanSquaredError' });
    await model.fit(tf.tensor2d(train.x, [train.labels.length, 784]), oneHot(train.labels), { batchSize: 10, epochs: Number(epochs), shuffle: true, verbose: 0 });
    console.log(JSON.stringify({ accuracy: accuracy(model, test.x, test.labels) }));
    return;
  }
  const [hidden, batch, epochs] = args.map(Number);
  const [train, test] = [await loadMnist('train', { raw: true }), await loadMnist('test', { raw: true })];
  // z-scores per pixel from the training set, as npm start's recipe standardises
  const x = toFloats(train.x).data, tx = toFloats(test.x).data;
  const mean = new Float32Array(784), sd = new Float32Array(784);
  for (let i = 0; i < x.length; i++) mean[i % 784] += x[i] / train.x.rows;
  for (let i = 0; i < x.length; i++) sd[i % 784] += (x[i] - mean[i % 784]) ** 2 / train.x.rows;
  for (let j = 0; j < 784; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  for (const a of [x, tx]) for (let i = 0; i < a.length; i++) a[i] = (a[i] - mean[i % 784]) / sd[i % 784];
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ units: hidden, activation: 'relu', inputShape: [784] }),
    tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  await model.fit(tf.tensor2d(x, [train.x.rows, 784]), oneHot(train.labels), { batchSize: batch, epochs, shuffle: true, verbose: 0 });
  console.log(JSON.stringify({ accuracy: accuracy(model, tx, test.labels) }));
}

await main();
