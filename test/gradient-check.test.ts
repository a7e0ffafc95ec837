// Finite-difference gradient checks of backpropagation for every activation × loss pair, run in
// float64 on the JS backend so the check is not drowned by float32 rounding.

import { describe, expect, it } from 'vitest';
import type { ActivationName } from '../src/activations.js';
import { createJsBackend } from '../src/backends/js.js';
import type { LossName } from '../src/losses.js';
import { matrix, oneHot } from '../src/matrix.js';
import { Network } from '../src/network.js';
import { Random } from '../src/random.js';

const ACTIVATIONS: ActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'softmax', 'linear'];
const PAIRS: [ActivationName, ActivationName, LossName][] = [
  ...ACTIVATIONS.map((a): [ActivationName, ActivationName, LossName] => [a, a, 'mse']),
  ...ACTIVATIONS.map((a): [ActivationName, ActivationName, LossName] => [a, 'softmax', 'cross-entropy']),
  ...ACTIVATIONS.map((a): [ActivationName, ActivationName, LossName] => [a, 'sigmoid', 'binary-cross-entropy']),
];

describe('backpropagation matches central finite differences (float64)', () => {
  it.each([...PAIRS.map((p) => [...p, 0] as const), ['relu', 'softmax', 'cross-entropy', 0.3] as const, ['sigmoid', 'sigmoid', 'mse', 0.5] as const])('hidden %s, output %s, loss %s, dropout %s', (hidden, output, loss, dropout) => {
    const rng = new Random(7);
    const rows = 6, inputs = 4, outputs = 3;
    const net = Network.createOn(createJsBackend(64), {
      inputs,
      layers: [{ units: 5, activation: hidden, slope: 0.1, dropout }, { units: 4, activation: hidden, slope: 0.1, dropout }, { units: outputs, activation: output }],
      loss,
      init: 'normal',
      seed: 11,
    });
    const x = matrix(rows, inputs, Array.from({ length: rows * inputs }, () => rng.normal()));
    const y = loss === 'cross-entropy'
      ? oneHot(Array.from({ length: rows }, () => rng.int(outputs)), outputs)
      : loss === 'binary-cross-entropy'
        ? matrix(rows, outputs, Array.from({ length: rows * outputs }, () => rng.int(2)))
        : matrix(rows, outputs, Array.from({ length: rows * outputs }, () => rng.uniform()));

    const ws = net.engine.openWorkspace(rows);
    net.engine.loadRows(x, 0, rows, ws.x, 'x');
    net.engine.loadRows(y, 0, rows, ws.y, 'y');
    // with dropout, every evaluation replays the same masks: the generator is rewound each time
    const state = net.engine.rng.getState();
    const meanCost = () => {
      net.engine.rng.setState(state);
      return net.engine.trainingCost(ws, rows, ws.x, ws.y) / rows;
    };
    net.engine.rng.setState(state);
    net.engine.computeGradients(ws, rows, ws.x, ws.y);
    const analytic = Float64Array.from(net.engine.gradientView());
    const params = net.engine.parameterView();

    const h = 1e-6;
    let largest = 0;
    for (let i = 0; i < params.length; i++) {
      const keep = params[i];
      params[i] = keep + h;
      const up = meanCost();
      params[i] = keep - h;
      const down = meanCost();
      params[i] = keep;
      const numeric = (up - down) / (2 * h);
      largest = Math.max(largest, Math.abs(numeric));
      const err = Math.abs(numeric - analytic[i]);
      expect(err, `parameter ${i}: numeric ${numeric} vs backprop ${analytic[i]}`).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(numeric));
    }
    expect(largest, 'the check must see non-trivial gradients').toBeGreaterThan(1e-3);
  });
});
