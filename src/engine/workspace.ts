// A workspace: the heap regions one call works in (a batch's inputs, targets, every layer's outputs
// and gradients), and the dropout draw of a step. Types only, shared by the engine and the threads.

/** @internal Buffers for up to `rows` examples at a time. */
export interface Workspace {
  readonly rows: number;
  /** rows × inputs */
  readonly x: number;
  /** rows × outputs */
  readonly y: number;
  /** each layer's output, rows × units */
  readonly outs: readonly number[];
  /** for layers with dropout: the mask and the dropped output the next layer reads (else 0) */
  readonly masks: readonly number[];
  readonly drops: readonly number[];
  /** rows i32 row numbers, set as a call needs them (see rowNumbers) */
  readonly index: number;
  /** rows i32 row numbers 0, 1, …, rows − 1, for gathering rows already in order (ws.xBytes) */
  readonly identity: number;
  /** rows × inputs bytes, and a multiplier and an addend per input: a chunk of a byte matrix on its way in */
  readonly xBytes: number;
  readonly mul: number;
  readonly add: number;
  /** two rows × widest-layer ∂z buffers, used in turn by backward */
  readonly d0: number;
  readonly d1: number;
  /** with threads, each layer's ∂z, rows × units (a team keeps them all until the step's end) */
  readonly dz: readonly number[];
}

/** @internal The dropout masks of one training step: a seed per layer, and where this part of the batch starts. */
export interface DropoutDraw {
  readonly seeds: readonly number[];
  readonly firstRow: number;
}
