// worker-spawn.ts in a training thread's bundle: a thread runs its part of each step and starts no workers.

import type { WorkerName } from './worker.js';

export function spawnWorker(name: WorkerName): Worker {
  throw new Error(`ffnn: a training thread does not start a ${name}`);
}
