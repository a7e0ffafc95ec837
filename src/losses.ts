// The loss table: how each loss turns the output layer's result into a cost and a gradient.

import type { Kernels } from './backends/backend.js';
import type { ActivationName } from './activations.js';

/** The cost a network is trained to lower. */
export type LossName = 'mse' | 'cross-entropy' | 'binary-cross-entropy';

export interface Loss {
  /**
   * The output activation this loss fuses with, if any. A fused loss receives the output layer's
   * pre-activation (logits), applies the activation itself (in place), and returns the gradient with
   * respect to the logits, which is what makes softmax + cross-entropy stable.
   */
  readonly fuses: ActivationName | null;
  /**
   * The cost summed over a rows×cols block. A fused loss turns the logits in out into outputs here,
   * written to p (default: over out, in place).
   */
  cost(k: Kernels, rows: number, cols: number, out: number, y: number, p?: number): number;
  /** grad = scale · ∂cost/∂(out, or logits when fused); returns the unscaled gradient's squared norm. */
  grad(k: Kernels, rows: number, cols: number, out: number, y: number, scale: number, grad: number): number;
}

export const LOSSES: Readonly<Record<LossName, Loss>> = {
  // The seed's cost: Σ (ŷ − y)², gradient 2(ŷ − y); training steps use the batch mean.
  mse: {
    fuses: null,
    cost: (k, r, c, out, y) => k.sumSquaresLoss(r, c, out, y),
    grad: (k, r, c, out, y, scale, g) => k.sumSquaresGrad(r, c, out, y, scale, g),
  },
  'cross-entropy': {
    fuses: 'softmax',
    cost: (k, r, c, out, y, p = out) => k.softmaxCrossEntropy(r, c, out, y, p),
    grad: (k, r, c, out, y, scale, g) => k.softmaxCrossEntropyGrad(r, c, out, y, scale, g),
  },
  // Independent yes/no outputs: sigmoid fused with binary cross-entropy. Its gradient with respect
  // to the logits is p − y, the same expression as softmax + cross-entropy, so it shares that kernel.
  'binary-cross-entropy': {
    fuses: 'sigmoid',
    cost: (k, r, c, out, y, p = out) => k.sigmoidCrossEntropy(r, c, out, y, p),
    grad: (k, r, c, out, y, scale, g) => k.softmaxCrossEntropyGrad(r, c, out, y, scale, g),
  },
};

export function lossNamed(name: string): Loss {
  if (!Object.hasOwn(LOSSES, name)) {
    throw new Error(`ffnn: unknown loss '${name}'; expected one of ${Object.keys(LOSSES).join(', ')}`);
  }
  return LOSSES[name as LossName];
}
