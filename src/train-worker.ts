// The worker behind trainInWorker(): rebuilds the network from its model file, trains it with
// progress messages, stops after the current batch when told to cancel, and sends the model back.

import { Network } from './network.js';
import { onParentMessage, postToParent, workerStart } from './platform/worker.js';
import { TrainingDivergedError } from './trainer.js';
import type { TrainJob, TrainMessage } from './worker-training.js';

const send = (message: TrainMessage) => postToParent(message);
const job = (await workerStart()) as TrainJob;
const cancelled = new AbortController();
onParentMessage((message) => {
  if ((message as { type?: string }).type === 'cancel') cancelled.abort();
});

try {
  const net = await Network.fromJSON(job.model, { backend: job.backend, threads: job.threads, source: 'the model to train' });
  const history = await net.train(job.x, job.y, {
    ...job.options,
    signal: cancelled.signal,
    onProgress: (progress) => send({ type: 'progress', progress }),
    onEpoch: (report) => send({ type: 'epoch', report }),
    onWarning: (warning) => send({ type: 'warning', warning }),
  });
  send({ type: 'done', model: net.toJSON(), history });
  net.dispose();
} catch (error) {
  const e = error as Error;
  send({
    type: 'error',
    message: e.message,
    diverged: e instanceof TrainingDivergedError ? { epoch: e.epoch, batch: e.batch, history: e.history, divergence: e.divergence } : undefined,
  });
}
