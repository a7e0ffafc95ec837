// A classifier's scores out of evaluate()'s answer, failing loudly if the network was a regression.

import type { ClassEvaluation, Evaluation } from '../../src/network.js';

export function classScores(e: Evaluation): ClassEvaluation {
  if (e.task !== 'classification') throw new Error(`expected a classifier's evaluation, got a ${e.task}'s`);
  return e;
}
