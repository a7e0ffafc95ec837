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
      for (let i = 0; i < n; i++) weights[i] = rng.uniform();
      for (let j = 0; j < units; j++) biases[j] = rng.uniform();
      return;
    case 'normal':
      for (let i = 0; i < n; i++) weights[i] = rng.normal();
      for (let j = 0; j < units; j++) biases[j] = rng.normal();
      return;
    case 'xavier':
    case 'he': {
      const sd = Math.sqrt(init === 'he' ? 2 / inputs : 2 / (inputs + units));
      for (let i = 0; i < n; i++) weights[i] = sd * rng.normal();
      biases.fill(0);
      return;
    }
  }
}
