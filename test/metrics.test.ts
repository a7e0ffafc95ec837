// Regression scores against values worked out by hand, and the confusion matrix.

import { describe, expect, it } from 'vitest';
import { matrix } from '../src/matrix.js';
import { confusionMatrix, regressionMetrics } from '../src/metrics.js';

describe('regression metrics', () => {
  it('RMSE, MAE and R² of one target, by hand', () => {
    // y = 1, 2, 3, 4 (mean 2.5, Σ(y − ȳ)² = 5); ŷ = 1.5, 2, 2, 5: errors 0.5, 0, −1, 1
    // Σe² = 0.25 + 0 + 1 + 1 = 2.25 → RMSE √(2.25 / 4) = 0.75; MAE 2.5 / 4 = 0.625; R² = 1 − 2.25 / 5 = 0.55
    const m = regressionMetrics(matrix(4, 1, [1.5, 2, 2, 5]), matrix(4, 1, [1, 2, 3, 4]));
    expect(m.rmse).toBeCloseTo(0.75, 12);
    expect(m.mae).toBeCloseTo(0.625, 12);
    expect(m.r2).toBeCloseTo(0.55, 12);
  });

  it('two targets: the mean of each target\'s score, as scikit-learn averages them', () => {
    // target a: y 0, 2 ŷ 1, 2 → e 1, 0: RMSE √0.5, MAE 0.5, R² 1 − 1/2 = 0.5
    // target b: y 10, 20 ŷ 10, 20 → perfect: RMSE 0, MAE 0, R² 1
    const m = regressionMetrics(matrix(2, 2, [1, 10, 2, 20]), matrix(2, 2, [0, 10, 2, 20]));
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.5) / 2, 12);
    expect(m.mae).toBeCloseTo(0.25, 12);
    expect(m.r2).toBeCloseTo(0.75, 12);
  });

  it('a constant target: R² is 1 when met exactly and 0 otherwise; shapes must agree', () => {
    expect(regressionMetrics(matrix(2, 1, [3, 3]), matrix(2, 1, [3, 3])).r2).toBe(1);
    expect(regressionMetrics(matrix(2, 1, [3, 4]), matrix(2, 1, [3, 3])).r2).toBe(0);
    expect(() => regressionMetrics(matrix(2, 1), matrix(3, 1))).toThrow(/predictions are 2×1 but targets 3×1/);
  });
});

describe('confusion matrix', () => {
  it('counts true class by predicted class', () => {
    expect(confusionMatrix([0, 1, 1, 2], [0, 2, 1, 2], 3)).toEqual([[1, 0, 0], [0, 1, 1], [0, 0, 1]]);
  });
});
