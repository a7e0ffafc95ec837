// Scores of predictions against targets: a regression's RMSE, MAE and R², and a classifier's
// confusion matrix. Multi-target scores are the mean over targets, as scikit-learn's defaults are.

import type { Matrix } from './matrix.js';

/** How far a regression's predictions are from the targets, in the targets' own units. */
export interface RegressionMetrics {
  /** Root mean squared error, in the targets' units (the mean over targets of each one's RMSE). */
  readonly rmse: number;
  /** Mean absolute error, in the targets' units. */
  readonly mae: number;
  /**
   * Coefficient of determination, 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (the mean over targets): 1 is perfect,
   * 0 is no better than predicting the mean.
   */
  readonly r2: number;
}

/** RMSE, MAE and R² of predictions against targets (both rows × targets). */
export function regressionMetrics(predicted: Matrix, targets: Matrix): RegressionMetrics {
  const { rows, cols } = targets;
  if (predicted.rows !== rows || predicted.cols !== cols) {
    throw new Error(`ffnn: predictions are ${predicted.rows}×${predicted.cols} but targets ${rows}×${cols}`);
  }
  let rmse = 0, mae = 0, r2 = 0;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += targets.data[i * cols + j];
    mean /= rows;
    let squared = 0, absolute = 0, spread = 0;
    for (let i = 0; i < rows; i++) {
      const y = targets.data[i * cols + j];
      const e = predicted.data[i * cols + j] - y;
      squared += e * e;
      absolute += Math.abs(e);
      spread += (y - mean) * (y - mean);
    }
    rmse += Math.sqrt(squared / rows);
    mae += absolute / rows;
    // a constant target: R² is 1 when it is met exactly, else 0 (scikit-learn's convention)
    r2 += spread > 0 ? 1 - squared / spread : squared === 0 ? 1 : 0;
  }
  return { rmse: rmse / cols, mae: mae / cols, r2: r2 / cols };
}

/** counts[t][p]: rows of true class t predicted as p. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) counts[truth[i]][predicted[i]]++;
  return counts;
}
