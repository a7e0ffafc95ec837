// Detects the seed notebook's silent failure: a network whose outputs are the same vector for every
// input, and names the likely cause (unscaled inputs, saturated units, all-positive initial weights);
// and training targets that are all the same, for which that is the right answer.

import { ACTIVATIONS, type ActivationName } from './activations.js';
import type { InitName } from './init.js';
import type { Matrix } from './matrix.js';

/**
 * A problem found with a network's outputs (collapsed, saturated or dead layers, unscaled inputs) and
 * its likely cause, or with what it is trained on (every target the same).
 */
export interface Diagnostic {
  readonly code: 'collapsed-outputs' | 'constant-targets';
  readonly message: string;
}

export interface CollapseEvidence {
  /** A sample of the inputs, rows × inputs (read only when the outputs have collapsed). */
  readonly inputs: Matrix;
  /** Each layer's outputs for that sample, rows × units, output layer last. */
  readonly layerOutputs: readonly Matrix[];
  readonly activations: readonly ActivationName[];
  readonly init: InitName;
  /** While training: the learning rate, and how the weights' norm moved since training began. */
  readonly training?: {
    readonly learningRate: number; readonly startNorm: number; readonly norm: number; readonly steps: number;
    /** false when every training target is the same: one output for every input is then right */
    readonly targetsVary?: boolean;
  };
}

/** Training targets that are all the same: nothing to learn but that target. */
export function constantTargets(rows: number, target: string): Diagnostic {
  return {
    code: 'constant-targets',
    message: `every one of the ${rows} training rows has the same target${target ? ` (${target})` : ''}: the network can only learn to give it for every input. ` +
      'Check the label or target column, and any filter applied to the rows',
  };
}

/** Whether every row of m is the same (row-major, stopping at the first difference). */
function rowsAllSame(m: Matrix): boolean {
  const d = m.data, cols = m.cols;
  for (let i = cols; i < m.rows * cols; i++) if (d[i] !== d[i % cols]) return false;
  return true;
}

/** Largest per-column range (max − min over rows) of a matrix. */
function columnSpread(m: Matrix): number {
  let spread = 0;
  for (let j = 0; j < m.cols; j++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < m.rows; i++) {
      const v = m.data[i * m.cols + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    spread = Math.max(spread, hi - lo);
  }
  return spread;
}

function maxAbs(m: Matrix): number {
  // (an indexed loop: this runs once in a training's first epoch, in code not yet optimised, where
  // an iterator allocated ~260 bytes a value, 0.65 MB for a 256 × 10 sample)
  const d = m.data;
  let best = 0;
  for (let i = 0; i < d.length; i++) {
    const a = Math.abs(d[i]);
    if (a > best || a !== a) best = a; // (NaN stays, as Math.max keeps it)
  }
  return best;
}

// Relative to the outputs' own scale, so large regression targets do not hide a collapse.
const COLLAPSE_SPREAD = 1e-4;
const SATURATION_MARGIN = 1e-4;

export function diagnoseCollapse(e: CollapseEvidence): Diagnostic | null {
  const outputs = e.layerOutputs[e.layerOutputs.length - 1];
  // the outputs first: they are small, and differ in every healthy run (this runs while training)
  const spread = columnSpread(outputs);
  if (spread > COLLAPSE_SPREAD * (1 + maxAbs(outputs))) return null;
  const inputs = e.inputs;
  if (inputs.rows < 2 || rowsAllSame(inputs)) return null; // identical inputs: nothing to tell apart
  if (e.training?.targetsVary === false) return null; // identical targets: one output is the answer (told once as constant-targets)

  const causes: string[] = [];
  const inputScale = maxAbs(inputs);
  if (inputScale > 10) {
    causes.push(
      `unscaled inputs: values reach ${inputScale}; scale them to about [0, 1] or standardise them ` +
        '(MNIST pixels: divide by 255)',
    );
  }
  e.layerOutputs.slice(0, -1).forEach((out, l) => {
    const limits = ACTIVATIONS[e.activations[l]].saturatesAt;
    if (limits.length === 0) return;
    let pinned = 0;
    for (const v of out.data) if (limits.some((s) => Math.abs(v - s) <= SATURATION_MARGIN)) pinned++;
    const share = pinned / out.data.length;
    if (share >= 0.5) {
      causes.push(
        `saturation: ${(100 * share).toFixed(1)}% of hidden layer ${l + 1}'s ${e.activations[l]} outputs ` +
          `sit at ${limits.join(' or ')}, where the gradient vanishes`,
      );
    }
  });
  const t = e.training;
  if (t && (t.norm > 3 * t.startNorm || causes.some((c) => c.startsWith('saturation')))) {
    causes.push(
      `the learning rate (${t.learningRate}) may be too high: the weights' norm went from ${t.startNorm.toPrecision(3)} to ${t.norm.toPrecision(3)} ` +
        `in ${t.steps} steps; try a smaller rate (ffnn lr-find, or net.findLearningRate)`,
    );
  }
  if (e.init === 'uniform') {
    causes.push(
      "all-positive initial weights ('uniform' init, as in the seed) push every unit the same way; " +
        "use 'xavier' for sigmoid/tanh or 'he' for relu",
    );
  }
  if (causes.length === 0 && t) {
    causes.push(`the learning rate (${t.learningRate}) is the likeliest: no other cause shows; try a smaller rate (ffnn lr-find, or net.findLearningRate)`);
  }
  if (causes.length === 0) causes.push('no single cause found; try a smaller learning rate or scaled inputs');
  return {
    code: 'collapsed-outputs',
    message:
      `outputs have collapsed: ${inputs.rows} different inputs all give the same output vector ` +
      `(largest spread of any output ${spread.toExponential(2)}). Likely causes: ${causes.join('; ')}.`,
  };
}
