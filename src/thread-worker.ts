// A training thread: a replica network over the shared heap that takes its part of each step
// (Engine.teamStep) or forward pass (Engine.teamForward) when its control block says go (see threads.ts).

import { sharedBackend } from './backends/wasm.js';
import { Engine } from './engine/engine.js';
import type { NetworkOptions } from './spec.js';
import { CONTROL, OP, STOP, Team, controlViews, dropoutFrom, readUpdateArgs, waitForChange, workspaceFrom, type WorkerStart } from './threads.js';
import { postToParent, workerStart } from './platform/worker.js';

const start = (await workerStart()) as WorkerStart;
const backend = await sharedBackend(start.module, start.memory);
const options = start.network.options as NetworkOptions;
const net = Engine.replicaOn(backend, options, { blocks: start.network.blocks, scratch: start.network.scratch });
const layers = options.layers.length;
const team = new Team(start.team, start.size, layers);
const { ctrl, slots, args } = controlViews(start.control, layers);
postToParent('ready');

let seen = 0;
for (;;) {
  seen = waitForChange(ctrl, CONTROL.go, seen, undefined, Infinity); // idle for as long as the network lives
  if (seen === STOP) break;
  const ws = workspaceFrom(slots, layers);
  const op = slots[CONTROL.op];
  try {
    if (op === OP.forward || op === OP.forwardFused) {
      net.teamForward(ws, ws.rows, ws.x, start.thread, team, op === OP.forwardFused);
    } else {
      net.teamStep(ws, ws.rows, ws.x, ws.y, start.thread, team, dropoutFrom(slots, layers),
        op === OP.stepAndUpdate ? readUpdateArgs(args) : null);
    }
  } catch (error) {
    // this thread cannot do its part: the others stop waiting for it, and it ends
    team.fail(start.thread);
    console.error(`ffnn: training thread ${start.thread} failed: ${(error as Error).message}`);
    break;
  }
  Atomics.store(ctrl, CONTROL.done, seen);
  Atomics.notify(ctrl, CONTROL.done);
}
