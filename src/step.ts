// What one training step reports, shared by the network, its threads, the trainer and the range test.

/** @internal The cost summed over a step's rows, its output gradient's squared norm, and its correct rows. */
export interface StepResult {
  cost: number;
  gradSq: number;
  correct: number;
}

/** @internal Whether a step's cost and output gradient are finite (else training has diverged). */
export function stepIsFinite(r: StepResult): boolean {
  return Number.isFinite(r.cost) && Number.isFinite(r.gradSq);
}
