// Learning-rate schedules, evaluated at every step from the (fractional) epoch count, so a resumed
// run continues exactly where it stopped.

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

export function checkSchedule(s: Schedule): void {
  const fail = (why: string): never => {
    throw new Error(`ffnn: train: schedule ${JSON.stringify(s)}: ${why}`);
  };
  switch (s?.type) {
    case 'constant':
      return;
    case 'step':
      if (!(s.every > 0)) fail('every must be a number of epochs > 0');
      if (!(s.factor > 0)) fail('factor must be > 0');
      return;
    case 'exponential':
      if (!(s.gamma > 0)) fail('gamma must be > 0');
      return;
    case 'cosine':
      if (!(s.epochs > 0)) fail('epochs must be > 0');
      if (s.min !== undefined && !(s.min >= 0)) fail('min must be ≥ 0');
      return;
    default:
      fail("type must be 'constant', 'step', 'exponential' or 'cosine'");
  }
}
