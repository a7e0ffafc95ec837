// The learning-rate range test (Smith, 2017): a few hundred steps on a copy of the network with the
// rate growing exponentially, the loss smoothed, and a suggested rate: a quarter of the rate where the
// smoothed loss was lowest, on the descent before the loss turns up. (On MNIST, two epochs from the
// suggestion came within a point of the best of a hand-picked grid, for sigmoid SGD at batch 10 and
// relu Adam at batch 32; a tenth and a third did worse for one or the other: bench/RESULTS.md.)

import type { Inputs, Matrix } from './matrix.js';
import type { Engine } from './engine/engine.js';
import type { LayerParameters } from './spec.js';
import { DEFAULT_SETTINGS, type OptimizerName } from './optimizers.js';
import { Random } from './random.js';
import { stepIsFinite } from './step.js';

/** The learning-rate range test's options: the rates swept, the steps, the batch and the optimizer. */
export interface LearningRateOptions {
  /** The optimizer the rate is for (default 'sgd'). */
  readonly optimizer?: OptimizerName;
  /** Examples per step (default 32). */
  readonly batchSize?: number;
  /** Steps of the test (default 300; fewer when the loss blows up first). */
  readonly steps?: number;
  /** The rates tried, from `min` to `max` (defaults 1e-6 and 10). */
  readonly min?: number;
  readonly max?: number;
  /** Seed of the batches' order (default: the network's). */
  readonly seed?: number;
}

/** The range test's result: each rate tried with its smoothed loss, the lowest point, and the suggested rate. */
export interface LearningRateCurve {
  /** The rate to train with. */
  readonly suggestion: number;
  /** The rate of each step, and the smoothed loss after it. */
  readonly rates: readonly number[];
  readonly losses: readonly number[];
  /** Where the smoothed loss was lowest. */
  readonly lowest: { readonly rate: number; readonly loss: number };
}

const SMOOTHING = 0.9;

/**
 * @internal
 * Runs the range test on a copy of `net` (which is left as it was) over rows of x and y. The copy
 * steps through rates from min to max, one batch each, and stops early once the smoothed loss is four
 * times its lowest (or not finite).
 */
export async function findLearningRate(net: Engine, x: Inputs, y: Matrix, options: LearningRateOptions = {},
  startFrom?: readonly LayerParameters[]): Promise<LearningRateCurve> {
  const steps = options.steps ?? 300;
  const min = options.min ?? 1e-6, max = options.max ?? 10;
  if (!(Number.isInteger(steps) && steps >= 10)) throw new Error(`ffnn: findLearningRate: steps must be a whole number ≥ 10, got ${steps}`);
  if (!(min > 0 && max > min && Number.isFinite(max))) throw new Error(`ffnn: findLearningRate: needs 0 < min < max, got min ${min}, max ${max}`);
  net.checkPair(x, y, 'findLearningRate');
  const copy = await net.copy();
  try {
    if (startFrom) copy.setParameters(startFrom);
    const batch = Math.min(options.batchSize ?? 32, x.rows);
    const optimizer = options.optimizer ?? 'sgd';
    const xs = copy.placeInputs(x, [], 'findLearningRate: x');
    const ys = copy.placeTargets(y, [xs], 'findLearningRate: y');
    const ws = copy.openWorkspace(batch);
    const heap = copy.live.heap;
    const n = x.rows;
    const order = heap.alloc(n);
    const rngState = heap.alloc(4);
    const rng = options.seed === undefined ? copy.rng : new Random(options.seed);
    const rates: number[] = [], losses: number[] = [];
    let average = 0, lowest = { rate: min, loss: Infinity };
    let position = n;
    for (let step = 0; step < steps; step++) {
      if (position + batch > n) {
        copy.writeOrder(order, n, 0, rng, rngState);
        position = 0;
      }
      copy.gatherInto(ws, xs, batch, order + position * 4, ws.x);
      copy.gatherInto(ws, ys, batch, order + position * 4, ws.y);
      position += batch;
      const rate = min * (max / min) ** (step / (steps - 1));
      const result = copy.trainStep(ws, batch, ws.x, ws.y, optimizer, DEFAULT_SETTINGS, rate, 0);
      if (!stepIsFinite(result)) break;
      average = SMOOTHING * average + (1 - SMOOTHING) * (result.cost / batch);
      const smoothed = average / (1 - SMOOTHING ** (step + 1));
      rates.push(rate);
      losses.push(smoothed);
      if (smoothed < lowest.loss) lowest = { rate, loss: smoothed };
      if (step > 10 && smoothed > 4 * lowest.loss) break;
      if (step % 50 === 49) await null;
    }
    if (rates.length < 2) throw new Error('ffnn: findLearningRate: the loss was not finite from the first steps: check the data (scaled inputs?)');
    if (lowest.rate === rates[0]) {
      throw new Error(`ffnn: findLearningRate: the loss only rose, from the smallest rate tried (${min}) on: start lower (min), or check the data and the network`);
    }
    return { suggestion: lowest.rate / 4, rates, losses, lowest };
  } finally {
    copy.dispose();
  }
}
