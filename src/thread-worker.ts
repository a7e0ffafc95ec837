// A training thread: a replica network over the shared heap, computing the gradients of its part of
// each batch when the control block says go (see threads.ts).

import { sharedBackend } from './backends/wasm.js';
import { Network, type NetworkOptions, type Workspace } from './network.js';
import { CONTROL, STOP, controlViews, type WorkerRegions } from './threads.js';
import { postToParent, workerStart } from './platform/worker.js';

interface Start {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  network: { options: NetworkOptions; params: number };
  regions: WorkerRegions;
  control: SharedArrayBuffer;
}

const start = (await workerStart()) as Start;
const backend = await sharedBackend(start.module, start.memory);
const net = Network.replicaOn(backend, start.network.options, { params: start.network.params, ...start.regions });
const layers = start.network.options.layers.length;
const { ctrl, slots, results } = controlViews(start.control, layers);
postToParent('ready');

let seen = 0;
for (;;) {
  Atomics.wait(ctrl, CONTROL.go, seen);
  seen = Atomics.load(ctrl, CONTROL.go);
  if (seen === STOP) break;
  const at = (l: number, i: number) => slots[CONTROL.layers + 4 * l + i];
  const ws: Workspace = {
    rows: slots[CONTROL.rows], x: 0, y: 0, d0: slots[CONTROL.d0], d1: slots[CONTROL.d1],
    outs: Array.from({ length: layers }, (_, l) => at(l, 0)),
    masks: Array.from({ length: layers }, (_, l) => at(l, 1)),
    drops: Array.from({ length: layers }, (_, l) => at(l, 2)),
  };
  const r = net.computeGradients(ws, slots[CONTROL.rows], slots[CONTROL.x], slots[CONTROL.y], {
    totalRows: slots[CONTROL.totalRows],
    dropout: { seeds: Array.from({ length: layers }, (_, l) => at(l, 3)), firstRow: slots[CONTROL.firstRow] },
  });
  results[0] = r.cost;
  results[1] = r.gradSq;
  results[2] = r.correct;
  Atomics.store(ctrl, CONTROL.done, seen);
  Atomics.notify(ctrl, CONTROL.done);
}
