// worker-spawn.ts in the trainInWorker worker's bundle: it starts training threads, never itself.

import type { WorkerName } from './worker.js';

export function spawnWorker(name: WorkerName): Worker {
  if (name !== 'thread-worker') throw new Error(`ffnn: the training worker does not start a ${name}`);
  return new Worker(new URL('./ffnn-thread-worker.js', import.meta.url), { type: 'module', name: 'ffnn thread-worker' });
}
