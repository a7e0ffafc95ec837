// Starting a module worker and talking to it, on Node (worker_threads). Its browser twin,
// worker.browser.ts, does the same with Web Workers; the browser bundle swaps one for the other.
//
// A worker receives its start data once (workerData here, the first message in a browser), then
// messages both ways.

import { Worker, parentPort, workerData } from 'node:worker_threads';

/** The workers ffnn starts: the training threads and the off-main-thread trainer. */
export type WorkerName = 'thread-worker' | 'train-worker';

export interface WorkerHandle {
  post(message: unknown, transfer?: Transferable[]): void;
  onMessage(listener: (message: unknown) => void): void;
  onError(listener: (error: Error) => void): void;
  /** Lets the process exit while the worker is idle (Node only; nothing in a browser). */
  unref(): void;
  terminate(): void;
}

/** Starts a worker with its start data; `transfer` moves those buffers to it instead of copying them. */
export function startWorker(name: WorkerName, start: unknown, transfer: Transferable[] = []): WorkerHandle {
  // running from the TypeScript sources (the test runner), the compiled worker in dist/ is used
  const url = new URL(import.meta.url.endsWith('.ts') ? `../../dist/${name}.js` : `../${name}.js`, import.meta.url);
  const worker = new Worker(url, { workerData: start, transferList: transfer as never });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer as never),
    onMessage: (listener) => worker.on('message', listener),
    onError: (listener) => worker.on('error', listener),
    unref: () => worker.unref(),
    terminate: () => void worker.terminate(),
  };
}

/** Inside a worker: what startWorker() was given. */
export function workerStart(): Promise<unknown> {
  return Promise.resolve(workerData);
}

/** Inside a worker: messages to the thread that started it. */
export function postToParent(message: unknown, transfer?: Transferable[]): void {
  parentPort!.postMessage(message, transfer as never);
}

/** Inside a worker: messages after the start data. */
export function onParentMessage(listener: (message: unknown) => void): void {
  parentPort!.on('message', listener);
}
