// The optimizer table: how each optimizer turns the gradient block into a parameter update, over
// one contiguous block and its state (two blocks of the same layout, beside the weights).

import type { Kernels } from './backends/backend.js';

/** The update rule a training step applies. */
export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adamw';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw'];

export interface OptimizerSettings {
  /** μ of momentum and Nesterov (default 0.9). */
  readonly momentum: number;
  /** Adam's β1, β2, ε (defaults 0.9, 0.999, 1e-8). */
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /**
   * Weight decay: L2, added to the gradient as decay·w, for sgd, momentum, nesterov and adam;
   * decoupled (w −= lr·decay·w) for adamw. Applies to every parameter, biases included.
   */
  readonly weightDecay: number;
}

export const DEFAULT_SETTINGS: OptimizerSettings = { momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

export interface Blocks {
  readonly count: number;
  readonly params: number;
  readonly grads: number;
  /** velocity (momentum) or first moment (Adam) */
  readonly state0: number;
  /** second moment (Adam) */
  readonly state1: number;
}

/**
 * Whether an optimizer's update can be made by the weight-gradient GEMM itself (α = −rate, β = 1 onto
 * the weights): plain SGD without weight decay, whose update is −rate times the gradient and nothing else.
 */
export function fusesIntoGradient(name: OptimizerName, s: OptimizerSettings): boolean {
  return name === 'sgd' && s.weightDecay === 0;
}

/** One update. t counts this optimizer's steps from 1 (Adam's bias correction needs it). */
export function optimizerStep(k: Kernels, name: OptimizerName, s: OptimizerSettings, b: Blocks, lr: number, t: number): void {
  if (s.weightDecay !== 0 && name !== 'adamw') k.axpy(b.count, s.weightDecay, b.params, b.grads);
  switch (name) {
    case 'sgd':
      return k.sgdUpdate(b.count, lr, b.grads, b.params);
    case 'momentum':
    case 'nesterov':
      return k.momentumUpdate(b.count, lr, s.momentum, name === 'nesterov' ? 1 : 0, b.grads, b.state0, b.params);
    case 'adam':
    case 'adamw':
      return k.adamUpdate(b.count, lr, s.beta1, s.beta2, s.epsilon, 1 - s.beta1 ** t, 1 - s.beta2 ** t,
        name === 'adamw' ? s.weightDecay : 0, b.grads, b.state0, b.state1, b.params);
  }
}
