// Weight initialisation schemes, each drawing from the network's seeded generator.

import type { Random } from './random.js';

/** How a layer's weights start. */
export type InitName = 'uniform' | 'normal' | 'xavier' | 'he';
export const INITS: readonly InitName[] = ['uniform', 'normal', 'xavier', 'he'];

/**
 * Fills an inputs×units weight matrix and its units biases.
 * - uniform: the seed notebook's U[0, 1) for weights and biases (all positive: saturates wide layers);
 * - normal: N(0, 1) for weights and biases (Nielsen's);
 * - xavier: N(0, 2/(inputs + units)) weights, zero biases (Glorot; for sigmoid, tanh, softmax);
 * - he: N(0, 2/inputs) weights, zero biases (for relu and leaky relu).
 */
export function initLayer(init: InitName, rng: Random, inputs: number, units: number,
  weights: Float32Array, biases: Float32Array): void {
  const n = inputs * units;
  switch (init) {
    case 'uniform':
      rng.fillUniform(weights, n);
      rng.fillUniform(biases, units);
      return;
    case 'normal':
      rng.fillNormal(weights, n, 1);
      rng.fillNormal(biases, units, 1);
      return;
    case 'xavier':
    case 'he': {
      const sd = Math.sqrt(init === 'he' ? 2 / inputs : 2 / (inputs + units));
      rng.fillNormal(weights, n, sd);
      biases.fill(0);
      return;
    }
  }
}
