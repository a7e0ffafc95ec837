// Every optimizer against one-step values worked out independently: the update rules written here in
// float64 (PyTorch's conventions: momentum v ← μv + g, Nesterov w ← w − lr(g + μv), Adam with bias
// correction, AdamW's decoupled decay, L2 decay added to the gradient, clipping to a global norm),
// applied to the gradient a twin network computes, over three steps so the state carries. The real
// step path runs (SGD folded into backprop included), on the JS and WASM backends.

import { describe, expect, it } from 'vitest';
import { Network, matrix, oneHot, type LayerParameters } from '../src/index.js';
import type { OptimizerName } from '../src/optimizers.js';
import { Random } from '../src/random.js';

const rng = new Random(11);
const x = matrix(6, 4, Array.from({ length: 24 }, () => rng.normal()));
const y = oneHot([0, 1, 2, 1, 0, 2], 3);
const spec = { inputs: 4, layers: [{ units: 5, activation: 'tanh' as const }, { units: 3 }], loss: 'cross-entropy' as const, seed: 3 };
const flat = (layers: readonly LayerParameters[]) => Float64Array.from(layers.flatMap((l) => [...l.weights.data, ...l.biases]));

function unflat(values: Float64Array, like: readonly LayerParameters[]): LayerParameters[] {
  let at = 0;
  return like.map((l) => {
    const n = l.weights.data.length;
    const weights = matrix(l.weights.rows, l.weights.cols, Float32Array.from(values.subarray(at, at + n)));
    const biases = Float32Array.from(values.subarray(at + n, at + n + l.biases.length));
    at += n + l.biases.length;
    return { weights, biases };
  });
}

/** The gradient of the batch mean cost at these parameters, from a twin network (no update). */
async function gradientAt(params: LayerParameters[], backend: 'js' | 'wasm-simd'): Promise<Float64Array> {
  const twin = await Network.create({ ...spec, backend });
  twin.setParameters(params);
  const ws = twin.engine.openWorkspace(x.rows);
  twin.engine.loadInputs(x, 0, x.rows, ws.x, 'x');
  twin.engine.loadTargets(y, 0, y.rows, ws.y, 'y');
  twin.engine.computeGradients(ws, x.rows, ws.x, ws.y);
  const g = Float64Array.from(twin.engine.gradientView());
  twin.dispose();
  return g;
}

interface Case { optimizer: OptimizerName; weightDecay?: number; clipNorm?: number; momentum?: number }
const CASES: Case[] = [
  { optimizer: 'sgd' }, { optimizer: 'sgd', weightDecay: 0.01 }, { optimizer: 'sgd', clipNorm: 0.05 },
  { optimizer: 'momentum', momentum: 0.9 }, { optimizer: 'nesterov', momentum: 0.8 },
  { optimizer: 'adam' }, { optimizer: 'adam', weightDecay: 0.01 }, { optimizer: 'adamw', weightDecay: 0.1 },
];

describe('optimizers against one-step values worked out independently', () => {
  for (const backend of ['js', 'wasm-simd'] as const) {
    it.each(CASES)(`${backend}: %o, three steps`, async (c) => {
      const lr = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8, mu = c.momentum ?? 0.9, decay = c.weightDecay ?? 0;
      const net = await Network.create({ ...spec, backend });
      const like = net.parameters();
      let w = flat(like);
      const m = new Float64Array(w.length), v = new Float64Array(w.length);
      const ws = net.engine.openWorkspace(x.rows);
      for (let t = 1; t <= 3; t++) {
        const g = await gradientAt(unflat(w, like), backend);
        if (decay && c.optimizer !== 'adamw') for (let i = 0; i < g.length; i++) g[i] += decay * w[i];
        if (c.clipNorm) {
          const norm = Math.sqrt(g.reduce((a, b) => a + b * b, 0));
          if (norm > c.clipNorm) for (let i = 0; i < g.length; i++) g[i] *= c.clipNorm / norm;
        }
        const next = new Float64Array(w.length);
        for (let i = 0; i < w.length; i++) {
          switch (c.optimizer) {
            case 'sgd':
              next[i] = w[i] - lr * g[i];
              break;
            case 'momentum':
            case 'nesterov':
              m[i] = mu * m[i] + g[i];
              next[i] = w[i] - lr * (c.optimizer === 'nesterov' ? g[i] + mu * m[i] : m[i]);
              break;
            case 'adam':
            case 'adamw':
              m[i] = b1 * m[i] + (1 - b1) * g[i];
              v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
              next[i] = w[i] - lr * ((m[i] / (1 - b1 ** t)) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps) + (c.optimizer === 'adamw' ? decay * w[i] : 0));
              break;
          }
        }
        net.engine.loadInputs(x, 0, x.rows, ws.x, 'x');
        net.engine.loadTargets(y, 0, y.rows, ws.y, 'y');
        net.engine.trainStep(ws, x.rows, ws.x, ws.y, c.optimizer, { momentum: mu, beta1: b1, beta2: b2, epsilon: eps, weightDecay: decay }, lr, c.clipNorm ?? 0);
        const got = flat(net.parameters());
        for (let i = 0; i < w.length; i++) {
          // float32 arithmetic against float64: each step moves a weight by up to lr·|update|
          expect(Math.abs(got[i] - next[i]), `step ${t}, parameter ${i}: ${got[i]} vs ${next[i]}`).toBeLessThan(2e-6 + 1e-5 * Math.abs(next[i]));
        }
        w = got;
      }
    });
  }
});
