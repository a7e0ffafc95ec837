// The page's Web Workers, one literal URL each: bundlers (Vite, webpack) find and bundle a worker
// only by a literal `new Worker(new URL('…', import.meta.url))`. Used by worker.browser.ts; each
// worker's own bundle gets a twin that names only the workers it may start (worker-spawn.<name>.ts),
// since a worker bundle that names itself is a cycle bundlers refuse.

import type { WorkerName } from './worker.js';

export function spawnWorker(name: WorkerName): Worker {
  return name === 'thread-worker'
    ? new Worker(new URL('./ffnn-thread-worker.js', import.meta.url), { type: 'module', name: 'ffnn thread-worker' })
    : new Worker(new URL('./ffnn-train-worker.js', import.meta.url), { type: 'module', name: 'ffnn train-worker' });
}
