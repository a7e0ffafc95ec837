// A golden run: a few training steps of small networks, from fixed starting weights, against
// PyTorch's (float32) on the same data, losses and optimizers. The fixture is written by
// test/fixtures/golden-torch.py with Debian's python3-torch and committed, so the suite needs no
// PyTorch. Whatever the two do differently in the order of their float32 operations, they must
// agree to rounding after every step of the run.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Network, matrix, type ActivationName, type BackendName, type LossName, type OptimizerName } from '../src/index.js';

interface GoldenCase {
  name: string;
  sizes: number[];
  hidden: ActivationName;
  output: ActivationName;
  loss: LossName;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  settings: { weightDecay?: number };
  x: number[];
  y: number[];
  initial: { weights: number[]; biases: number[] }[];
  losses: number[];
  final: { weights: number[]; biases: number[] }[];
}

const golden = JSON.parse(readFileSync(new URL('./fixtures/golden-torch.json', import.meta.url), 'utf8')) as { torch: string; cases: GoldenCase[] };

/** ffnn's training run of a case: its final parameters and its mean loss over the steps. */
async function ffnnRun(c: GoldenCase, backend: BackendName) {
  const { sizes } = c;
  const net = await Network.create({
    inputs: sizes[0], backend, loss: c.loss,
    layers: sizes.slice(1).map((units, i) => ({ units, activation: i === sizes.length - 2 ? c.output : c.hidden })),
  });
  net.setParameters(c.initial.map((p, i) => ({ weights: matrix(sizes[i], sizes[i + 1], p.weights), biases: Float32Array.from(p.biases) })));
  const rows = c.x.length / sizes[0];
  const history = await net.train(matrix(rows, sizes[0], c.x), matrix(rows, sizes[sizes.length - 1], c.y), {
    optimizer: c.optimizer, learningRate: c.learningRate, batchSize: c.batchSize, epochs: 1, shuffle: false,
    ...(c.settings.weightDecay !== undefined ? { weightDecay: c.settings.weightDecay } : {}),
  });
  const params = net.parameters();
  net.dispose();
  return { params, loss: history.epochs[0].loss };
}

/** The largest difference between two arrays, relative to max(1, |expected|). */
function worst(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < expected.length; i++) w = Math.max(w, Math.abs(got[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  return w;
}

describe(`a golden run against PyTorch ${golden.torch}`, () => {
  for (const c of golden.cases) {
    it.each(['js', 'wasm-simd', 'wasm'] as BackendName[])(`${c.name}: ${c.losses.length} steps on %s end at PyTorch's weights`, async (backend) => {
      const { params, loss } = await ffnnRun(c, backend);
      const mean = c.losses.reduce((a, b) => a + b, 0) / c.losses.length;
      expect(Math.abs(loss - mean) / mean).toBeLessThan(1e-5);
      params.forEach((p, l) => {
        // float32 rounding, not a method: a wrong rule (a bias correction, a factor of 2) moves them by 1e-3 or more
        expect(worst(p.weights.data, c.final[l].weights)).toBeLessThan(2e-5);
        expect(worst(p.biases, c.final[l].biases)).toBeLessThan(2e-5);
      });
      // and training moved them: a run that left the weights alone would fail above, not pass by luck
      expect(worst(c.initial[0].weights, c.final[0].weights)).toBeGreaterThan(1e-3);
    });
  }
});
