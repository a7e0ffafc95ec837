// How many threads this machine runs at once (Node). Its browser twin reads navigator.

import { availableParallelism } from 'node:os';

export function cores(): number {
  return availableParallelism();
}
