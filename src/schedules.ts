// Learning-rate schedules, evaluated at every step from the (fractional) epoch count, so a resumed
// run continues exactly where it stopped.

/** How the learning rate changes with the epochs (constant, step, exponential or cosine). */
export type Schedule =
  | { readonly type: 'constant' }
  /** lr·factor^⌊epoch / every⌋ */
  | { readonly type: 'step'; readonly every: number; readonly factor: number }
  /** lr·gamma^epoch */
  | { readonly type: 'exponential'; readonly gamma: number }
  /** from lr down to min (default 0) along half a cosine over `epochs` epochs */
  | { readonly type: 'cosine'; readonly epochs: number; readonly min?: number };

/**
 * The rate at `epoch` (epochs completed, fractional within an epoch). A linear warm-up over the
 * first `warmup` epochs multiplies any schedule.
 */
export function learningRateAt(base: number, schedule: Schedule, warmup: number, epoch: number): number {
  let lr: number;
  switch (schedule.type) {
    case 'constant':
      lr = base;
      break;
    case 'step':
      lr = base * schedule.factor ** Math.floor(epoch / schedule.every);
      break;
    case 'exponential':
      lr = base * schedule.gamma ** epoch;
      break;
    case 'cosine': {
      const min = schedule.min ?? 0;
      lr = min + ((base - min) * (1 + Math.cos(Math.PI * Math.min(epoch / schedule.epochs, 1)))) / 2;
      break;
    }
  }
  return warmup > 0 && epoch < warmup ? (lr * (epoch + 1e-9)) / warmup : lr;
}
