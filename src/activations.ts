// The activation table: forward, backward (in terms of the output) and default initialisation for
// each activation, consulted by one generic code path in the network.

import type { Kernels } from './backends/backend.js';
import type { InitName } from './init.js';

/** A layer's activation function. */
export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'softmax' | 'linear';

export interface Activation {
  /** y = f(x) over a rows×cols block. The network always calls it in place (y = x). */
  forward(k: Kernels, rows: number, cols: number, slope: number, x: number, y: number): void;
  /** dx = dy ⊙ f′, from the output y. The network always calls it in place (dx = dy). */
  backward(k: Kernels, rows: number, cols: number, slope: number, y: number, dy: number, dx: number): void;
  /** Glorot for the squashing functions, He for the rectifiers. */
  readonly defaultInit: InitName;
  /** Output range, for telling a saturated unit: a unit pinned at one of these is saturated. */
  readonly saturatesAt: readonly number[];
}

export const ACTIVATIONS: Readonly<Record<ActivationName, Activation>> = {
  sigmoid: {
    forward: (k, r, c, _s, x, y) => k.sigmoid(r * c, x, y),
    backward: (k, r, c, _s, y, dy, dx) => k.sigmoidBackward(r * c, y, dy, dx),
    defaultInit: 'xavier',
    saturatesAt: [0, 1],
  },
  tanh: {
    forward: (k, r, c, _s, x, y) => k.tanh(r * c, x, y),
    backward: (k, r, c, _s, y, dy, dx) => k.tanhBackward(r * c, y, dy, dx),
    defaultInit: 'xavier',
    saturatesAt: [-1, 1],
  },
  relu: {
    forward: (k, r, c, _s, x, y) => k.relu(r * c, x, y),
    backward: (k, r, c, _s, y, dy, dx) => k.reluBackward(r * c, y, dy, dx),
    defaultInit: 'he',
    saturatesAt: [0],
  },
  'leaky-relu': {
    forward: (k, r, c, s, x, y) => k.leakyRelu(r * c, s, x, y),
    backward: (k, r, c, s, y, dy, dx) => k.leakyReluBackward(r * c, s, y, dy, dx),
    defaultInit: 'he',
    saturatesAt: [],
  },
  softmax: {
    forward: (k, r, c, _s, x, y) => k.softmax(r, c, x, y),
    backward: (k, r, c, _s, y, dy, dx) => k.softmaxBackward(r, c, y, dy, dx),
    defaultInit: 'xavier',
    saturatesAt: [],
  },
  linear: {
    // the network runs every activation in place (y = x, dx = dy), so identity has nothing to do
    forward: () => {},
    backward: () => {},
    defaultInit: 'xavier',
    saturatesAt: [],
  },
};

export function activationNamed(name: string, where: string): Activation {
  if (!Object.hasOwn(ACTIVATIONS, name)) {
    throw new Error(`ffnn: ${where}: unknown activation '${name}'; expected one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  }
  return ACTIVATIONS[name as ActivationName];
}
