// Training off the calling thread: trainInWorker() copies the network and the data to a worker
// (train-worker.ts), which trains and streams progress back; cancelling asks it to stop after the
// current batch. A Web Worker in browsers, a worker thread on Node: the page or process stays free.

import type { BackendName } from './backends/backend.js';
import type { ModelFile } from './io/model.js';
import type { Inputs, Matrix } from './matrix.js';
import { Network } from './network.js';
import { startWorker } from './platform/worker.js';
import type { Diagnostic } from './diagnostics.js';
import { TrainingDivergedError, type Divergence, type EpochReport, type Progress, type TrainOptions, type TrainingHistory } from './trainer.js';

/** train()'s options, less the functions and signal, which cannot cross to a worker. */
export type PlainTrainOptions = Omit<TrainOptions, 'onEpoch' | 'onProgress' | 'onWarning' | 'signal'>;

export interface WorkerTrainOptions extends PlainTrainOptions {
  /** Progress within an epoch, at most every 100 ms. */
  readonly onProgress?: (progress: Progress) => void;
  /** After every epoch. */
  readonly onEpoch?: (report: EpochReport) => void;
  /** Each problem found while training (default console.warn), as in train(). */
  readonly onWarning?: (warning: Diagnostic) => void;
  /** Abort to stop after the current batch; the promise then resolves with the network as trained so far. */
  readonly signal?: AbortSignal;
  /** Backend in the worker (default: the network's own). */
  readonly backend?: BackendName;
  /** Training threads in the worker (default 1; more need SharedArrayBuffer, i.e. crossOriginIsolated pages). */
  readonly threads?: number;
}

/** What trainInWorker resolves with: the trained copy of the network and the history. */
export interface WorkerTraining {
  /** A new network holding the trained weights (the one passed in is left as it was). */
  readonly network: Network;
  readonly history: TrainingHistory;
}

/** @internal What the trainer worker receives. */
export interface TrainJob {
  readonly model: ModelFile;
  readonly backend: BackendName;
  readonly threads: number;
  readonly x: Inputs;
  readonly y: Matrix;
  readonly options: PlainTrainOptions;
}

/** @internal What it sends back. */
export type TrainMessage =
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'epoch'; readonly report: EpochReport }
  | { readonly type: 'warning'; readonly warning: Diagnostic }
  | { readonly type: 'done'; readonly model: ModelFile; readonly history: TrainingHistory }
  | { readonly type: 'error'; readonly message: string; readonly diverged?: { epoch: number; batch: number; history: EpochReport[]; divergence: Divergence } };

/**
 * Trains a copy of `net` on x, y in a worker and resolves with the trained copy and the history.
 * Progress and epoch reports arrive through the callbacks while the caller's thread stays free.
 */
export function trainInWorker(net: Network, x: Inputs, y: Matrix, options: WorkerTrainOptions = {}): Promise<WorkerTraining> {
  const { onProgress, onEpoch, onWarning, signal, backend, threads, ...plain } = options;
  // Tight copies, moved rather than cloned: cloning a view (e.g. sliceRows of a large set) would copy
  // its whole underlying buffer on the caller's thread, and the caller keeps its own arrays.
  const transfer: ArrayBuffer[] = [];
  const pack = <M extends Inputs>(m: M): M => {
    // an explicit copy: a Node Buffer's slice() would share the memory whose buffer is then moved
    const data = m.data instanceof Uint8Array ? new Uint8Array(m.data) : m.data instanceof Uint16Array ? new Uint16Array(m.data) : new Float32Array(m.data);
    transfer.push(data.buffer);
    return { ...m, data } as M;
  };
  const validation = plain.validation && { x: pack(plain.validation.x), y: pack(plain.validation.y) };
  const job: TrainJob = {
    model: net.toJSON(), backend: backend ?? net.backend, threads: threads ?? 1,
    x: pack(x), y: pack(y), options: { ...plain, validation },
  };
  const worker = startWorker('train-worker', job, transfer);
  return new Promise<WorkerTraining>((resolve, reject) => {
    let settled = false;
    const cancel = () => worker.post({ type: 'cancel' });
    const finish = () => {
      settled = true;
      signal?.removeEventListener('abort', cancel);
      worker.terminate();
    };
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel);
    worker.onError((error) => {
      if (settled) return;
      finish();
      reject(error);
    });
    worker.onMessage((data) => {
      const message = data as TrainMessage;
      try {
        if (message.type === 'progress') onProgress?.(message.progress);
        else if (message.type === 'epoch') onEpoch?.(message.report);
        else if (message.type === 'warning') (onWarning ?? ((w: Diagnostic) => console.warn(`ffnn: warning: ${w.message}`)))(message.warning);
        else if (message.type === 'error') {
          finish();
          const d = message.diverged;
          reject(d ? new TrainingDivergedError(d.epoch, d.batch, d.history, d.divergence) : new Error(message.message));
        } else {
          finish();
          Network.fromJSON(message.model, { backend: net.backend, source: 'the trained model' })
            .then((network) => resolve({ network, history: message.history }), reject);
        }
      } catch (error) {
        // a throwing callback stops the training, as it would in train()
        finish();
        reject(error as Error);
      }
    });
  });
}
