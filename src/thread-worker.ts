// A training thread: a replica network over the shared heap, computing the gradients of its part of
// each batch, or reducing and updating its part of the parameters, when the control block says go
// (see threads.ts).

import { sharedBackend } from './backends/wasm.js';
import { Network, type NetworkOptions, type Workspace } from './network.js';
import { CONTROL, OP, STOP, controlViews, readUpdateArgs, updatePart, waitForChange, type WorkerRegions } from './threads.js';
import type { Blocks } from './optimizers.js';
import { postToParent, workerStart } from './platform/worker.js';

interface Start {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** the main network's options and blocks, and every worker's gradient region in worker order */
  network: { options: NetworkOptions; params: number; blocks: Blocks; sources: number[] };
  regions: WorkerRegions;
  control: SharedArrayBuffer;
}

const start = (await workerStart()) as Start;
const backend = await sharedBackend(start.module, start.memory);
const net = Network.replicaOn(backend, start.network.options, { params: start.network.params, ...start.regions });
const layers = start.network.options.layers.length;
const { ctrl, slots, results, args } = controlViews(start.control, layers);
postToParent('ready');

let seen = 0;
for (;;) {
  seen = waitForChange(ctrl, CONTROL.go, seen);
  if (seen === STOP) break;
  if (slots[CONTROL.op] === OP.update) {
    updatePart(backend.kernels, start.network.blocks, slots[CONTROL.first], slots[CONTROL.count],
      start.network.sources.slice(0, slots[CONTROL.contributors]), readUpdateArgs(args));
    Atomics.store(ctrl, CONTROL.done, seen);
    Atomics.notify(ctrl, CONTROL.done);
    continue;
  }
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
