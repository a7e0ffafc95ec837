// Browser twin of worker.ts: module Web Workers that sit beside the bundle (ffnn-<name>.js).

import type { WorkerHandle, WorkerName } from './worker.js';
import { spawnWorker } from './worker-spawn.js';

export type { WorkerHandle, WorkerName } from './worker.js';

export function startWorker(name: WorkerName, start: unknown, transfer: Transferable[] = []): WorkerHandle {
  const worker = spawnWorker(name);
  worker.postMessage(start, transfer);
  return {
    post: (message, transfer) => worker.postMessage(message, transfer ?? []),
    onMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data)),
    onError: (listener) => worker.addEventListener('error', (event) => {
      event.preventDefault();
      listener(new Error(event.message || `ffnn: the ${name} failed to load (is ffnn-${name}.js served beside the bundle?)`));
    }),
    unref: () => {},
    terminate: () => worker.terminate(),
  };
}

// Inside a worker the global scope posts without a target origin; this is the part of it used here.
interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

// One listener from the start: the first message is the start data, the rest go to onParentMessage.
let resolveStart: (data: unknown) => void = () => {};
const startData = new Promise<unknown>((resolve) => (resolveStart = resolve));
const listeners: ((message: unknown) => void)[] = [];
let started = false;
if (typeof document === 'undefined' && typeof scope.addEventListener === 'function') {
  scope.addEventListener('message', (event) => {
    if (!started) {
      started = true;
      resolveStart(event.data);
    } else {
      for (const listener of listeners) listener(event.data);
    }
  });
}

export function workerStart(): Promise<unknown> {
  return startData;
}

export function postToParent(message: unknown, transfer?: Transferable[]): void {
  scope.postMessage(message, transfer ?? []);
}

export function onParentMessage(listener: (message: unknown) => void): void {
  listeners.push(listener);
}
