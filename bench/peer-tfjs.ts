// The peer: TensorFlow.js with its WASM backend (SIMD; one thread in Node), trained the way its users
// train (tf.layers, model.fit) on the same MNIST data, batch sizes and optimizers.
//
// A child process of run.ts (forked, so its global backend and memory stay apart from ours) that
// takes one command at a time over IPC, so run.ts can alternate it with ffnn run by run: this
// machine's speed drifts by up to 2× within a minute, and only alternating runs compare like with like.
//
//   { cmd: 'setup', workload }          build and compile the model, warm up; replies { ok }
//   { cmd: 'train', first, rows }       model.fit over rows [first, first + rows); replies { seconds }
//   { cmd: 'infer' }                    predict the 10 000 test images; replies { seconds }

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { loadMnist } from '../dist/data/mnist.js';
import { toFloats } from '../dist/index.js';
import { WORKLOADS } from './workloads.js';

export type PeerCommand =
  | { cmd: 'setup'; workload: string }
  | { cmd: 'train'; first: number; rows: number }
  | { cmd: 'infer' };
export type PeerReply = { ok: true; seconds?: number } | { ok: false; error: string };

async function main(): Promise<void> {
  if (!process.send) throw new Error('peer-tfjs runs as a child of bench/run.ts (forked with IPC)');
  await tf.setBackend('wasm');
  await tf.ready();
  const train = await loadMnist('train');
  const test = await loadMnist('test');
  const x = tf.tensor2d(toFloats(train.x).data, [train.x.rows, 784]);
  const y = tf.tensor2d(train.y.data, [train.y.rows, 10]);
  const tx = tf.tensor2d(toFloats(test.x).data, [test.x.rows, 784]);
  let model: tfl.Sequential | null = null;
  let batchSize = 0;

  const run = async (c: PeerCommand): Promise<number | undefined> => {
    if (c.cmd === 'setup') {
      const w = WORKLOADS.find((v) => v.name === c.workload);
      if (!w) throw new Error(`no workload ${c.workload}`);
      model?.dispose();
      model = tfl.sequential({
        layers: [
          ...w.hidden.map((units, j) => tfl.layers.dense({ units, activation: w.activation, ...(j === 0 ? { inputShape: [784] } : {}) })),
          tfl.layers.dense({ units: 10, activation: w.loss === 'mse' ? 'sigmoid' : 'softmax' }),
        ],
      });
      model.compile({
        optimizer: w.optimizer === 'sgd' ? tf.train.sgd(w.learningRate) : tf.train.adam(w.learningRate),
        loss: w.loss === 'mse' ? 'meanSquaredError' : 'categoricalCrossentropy',
      });
      batchSize = w.batchSize;
      // a warm-up (at least 1000 images) so kernel compilation is not billed to the first timed run
      const warm = Math.max(batchSize * 5, 1000);
      const [wx, wy] = [tf.slice(x, 0, warm), tf.slice(y, 0, warm)];
      await model.fit(wx, wy, { batchSize, epochs: 1, verbose: 0 });
      wx.dispose();
      wy.dispose();
      return undefined;
    }
    if (!model) throw new Error('setup first');
    if (c.cmd === 'train') {
      const xs = tf.slice(x, c.first, c.rows), ys = tf.slice(y, c.first, c.rows);
      const t0 = performance.now();
      await model.fit(xs, ys, { batchSize, epochs: 1, shuffle: true, verbose: 0 });
      const seconds = (performance.now() - t0) / 1000;
      xs.dispose();
      ys.dispose();
      return seconds;
    }
    const warm = model.predict(tf.slice(tx, 0, 1000)) as tf.Tensor; // warm-up
    warm.dataSync();
    warm.dispose();
    const t0 = performance.now();
    const p = model.predict(tx, { batchSize: 1000 }) as tf.Tensor;
    p.dataSync();
    const seconds = (performance.now() - t0) / 1000;
    p.dispose();
    return seconds;
  };

  process.on('message', (c: PeerCommand) => {
    run(c).then(
      (seconds) => process.send!({ ok: true, seconds } satisfies PeerReply),
      (error: unknown) => process.send!({ ok: false, error: String((error as Error)?.stack ?? error) } satisfies PeerReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ok: true } satisfies PeerReply); // ready
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
