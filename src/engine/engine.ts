// The engine behind Network: the layer list, where each tensor sits in the heap, and
// forward/backward/step over it, on one thread or a team of them.
//
// Layout (llm.c's ParameterTensors): every layer's weights (inputs×units, row-major) and biases
// (units) sit in one parameter block, gradients in a block of the same layout, so zeroing, updating
// and saving are single operations. Above the model's regions come the data sets kept between calls
// (resident.ts), then a workspace sized for the largest batch, carved afresh for each call and
// released after it.

import { activationNamed, type Activation, type ActivationName } from '../activations.js';
import { checkHeapRoom, type Backend, type BackendName, type FloatArray, type Kernels } from '../backends/backend.js';
import { createBackend } from '../backends/index.js';
import { sharedBackend } from '../backends/wasm.js';
import { takeArena } from './arena.js';
import { compileBuild, threadsBuildFor } from '../backends/wasm-module.js';
import { ThreadFailure, ThreadPool, type Team, type UpdateArgs } from '../threads.js';
import { diagnoseCollapse, type CollapseEvidence, type Diagnostic } from '../diagnostics.js';
import { initLayer, type InitName } from '../init.js';
import { lossNamed, type Loss, type LossName } from '../losses.js';
import { matrix, argmaxRows, isByteMatrix, isHalfMatrix, type HalfMatrix, type Inputs, type Matrix } from '../matrix.js';
import { halfValue } from '../half.js';
import { ResidentData, byteScalingOf, halvesOf, scalingSlots, type ColumnMoments, type Region } from '../resident.js';
import { Random } from '../random.js';
import { fusesIntoGradient, optimizerStep, type Blocks, type OptimizerName, type OptimizerSettings } from '../optimizers.js';
import { checkScaling, type InputScaling } from '../scaling.js';
import { regressionMetrics, type RegressionMetrics } from '../metrics.js';
import { checkOptions, NETWORK_OPTIONS } from '../options-schema.js';
import { inputNames, type DataSchema } from '../data/schema.js';
import { decodeModel, encodeModel, type ModelFile } from '../io/model.js';
import { stepIsFinite, type StepResult } from '../step.js';

import type { BuiltOptions, ClassEvaluation, Evaluation, LayerParameters, LayerSpec, NetworkOptions, RegressionEvaluation } from '../spec.js';
import type { DropoutDraw, Workspace } from './workspace.js';

/** A model file as decodeModel reads it. */
type DecodedModel = ReturnType<typeof decodeModel>;

/** A layer as the host sees it: sizes, activation, and byte offsets of its tensors. */
interface Layer {
  readonly inputs: number;
  readonly units: number;
  readonly activationName: ActivationName;
  readonly activation: Activation;
  readonly slope: number;
  readonly dropout: number;
  readonly init: InitName;
  readonly w: number;
  readonly b: number;
  readonly gw: number;
  readonly gb: number;
}

const NO_DROPOUT: DropoutDraw = { seeds: [], firstRow: 0 };

/** Rows per chunk when predicting or evaluating outside training. */
const CHUNK_ROWS = 256;
/**
 * Host rows (bytes, or targets' floats) of at least this many values are copied with one set() call;
 * shorter ones value by value (cheaper than a subarray).
 */
const SHORT_ROW = 48;
/** Values per chunk when checking targets (64 KB of heap, reused for every chunk). */
const CHECK_CHUNK_FLOATS = 16_384;

/**
 * Weight-gradient rows per block a team's thread claims: the GEMM's own row block (64: its B panels
 * are packed once per 64 rows anyway, so blocks cost no extra packing), about eight blocks for
 * narrower layers; a multiple of four, the GEMM's tile height.
 */
function gradientBlockRows(inputs: number): number {
  return Math.min(64, Math.max(4, Math.ceil(inputs / 32) * 4));
}

/**
 * The smallest step (multiply-adds of its forward pass) that threads share. Measured on two cores:
 * 784-30-10 and 784-100-10 sigmoid SGD at batch 10 (0.24 M and 0.79 M) took 1.12× and 1.00× the
 * one-thread time on two threads; 784-100-10 relu Adam at batch 32 (2.5 M) 0.77×; 784-512-512-10
 * at batch 128 (86 M) 0.53–0.58×.
 */
const TEAM_MIN_MACS = 1 << 20;

/**
 * @internal A network's engine: its layers and where each tensor sits in the heap, the forward and
 * backward passes and updates over them (on one thread or a team), the workspaces calls run in, and
 * the data sets kept between calls. Network (the API) holds one; the trainer drives it.
 */
export class Engine {
  private backendRef: Backend | null;
  private readonly layerList: Layer[];
  private readonly lossFn: Loss;
  private readonly paramBase: number;
  private readonly gradBase: number;
  /** Start-of-epoch copy of the parameters, restored when training diverges. */
  private readonly backupBase: number;
  /** Optimizer state: velocity or first moment, and second moment, in the parameters' layout. */
  private readonly state0: number;
  private readonly state1: number;
  /** The parameter, gradient and optimizer-state blocks, as the optimizers see them. */
  private readonly blocks: Blocks;
  private readonly hasDropout: boolean;
  /** @internal What the state blocks hold, and how far training has gone (saved with the model). */
  progress: { optimizer: OptimizerName | null; steps: number; epochs: number } = { optimizer: null, steps: 0, epochs: 0 };
  readonly parameterCount: number;
  /** multiply-adds of one example's forward pass */
  private readonly forwardMacs: number;
  private readonly scratch: number;
  private readonly modelMark: number;
  /** Data sets kept in the heap between calls, above the model (see resident.ts). */
  private readonly resident: ResidentData;
  /** writeByteScaling's vectors, by byte scale (the input scaling is fixed for a network's life). */
  private readonly byteScalings = new Map<number, { mul: Float32Array; add: Float32Array }>();
  private trainingWorkspace: Workspace | null = null;
  /** @internal the generator behind shuffling; initialisation drew from it first. */
  readonly rng: Random;
  readonly options: BuiltOptions;
  /** Threads that share each training step (1: the main thread alone). */
  readonly threads: number;
  private pool: ThreadPool | null = null;
  /** each worker thread's GEMM scratch */
  private readonly workerScratch: number[] = [];
  /** The input scaling, if any: shift and scale per feature, kept in the heap beside the weights. */
  readonly scaling: InputScaling | undefined;
  /** A regression's target standardisation, if any (see NetworkOptions.targetScaling). */
  readonly targetScaling: InputScaling | undefined;
  private readonly targetScalingAt: { shift: number; scale: number } | null;
  /** What the training data's columns were, if the network was trained from a Dataset (see NetworkOptions.schema). */
  readonly schema: DataSchema | undefined;
  private readonly scalingAt: { shift: number; scale: number } | null;

  private constructor(backend: Backend, options: NetworkOptions, replica?: { blocks: Blocks; scratch: number }) {
    const loss = options.loss ?? 'mse';
    this.lossFn = lossNamed(loss);
    const seed = options.seed ?? 1;
    this.rng = new Random(seed);
    this.backendRef = backend;
    this.options = {
      inputs: options.inputs,
      layers: options.layers.map((l) => ({ ...l })),
      loss,
      init: options.init ?? 'default',
      seed,
      backend: backend.name,
    };
    const heap = backend.heap;
    const specs = this.options.layers;
    let count = 0;
    const shapes = specs.map((spec, i) => {
      const inputs = i === 0 ? options.inputs : specs[i - 1].units;
      const last = i === specs.length - 1;
      const activationName = spec.activation ?? (last && this.lossFn.fuses ? this.lossFn.fuses : 'sigmoid');
      const at = count;
      count += inputs * spec.units + spec.units;
      return { inputs, units: spec.units, activationName, at };
    });
    this.parameterCount = count;
    this.forwardMacs = shapes.reduce((sum, l) => sum + l.inputs * l.units, 0);
    this.threads = options.threads ?? 1;
    // a replica (a training thread's view) works on the parent's blocks and allocates nothing
    this.paramBase = replica ? replica.blocks.params : heap.alloc(count);
    this.gradBase = replica ? replica.blocks.grads : heap.alloc(count);
    this.backupBase = replica ? 0 : heap.alloc(count);
    this.state0 = replica ? replica.blocks.state0 : heap.alloc(count);
    this.state1 = replica ? replica.blocks.state1 : heap.alloc(count);
    this.scratch = replica ? replica.scratch : heap.alloc(backend.gemmScratchBytes / 4);
    this.blocks = { count, params: this.paramBase, grads: this.gradBase, state0: this.state0, state1: this.state1 };
    if (!replica) {
      for (let t = 1; t < this.threads; t++) this.workerScratch.push(heap.alloc(backend.gemmScratchBytes / 4));
    }
    this.scaling = options.scaling ? copyScaling(options.scaling) : undefined;
    this.scalingAt = this.scaling && !replica ? placeScaling(heap, this.scaling) : null;
    this.targetScaling = options.targetScaling ? copyScaling(options.targetScaling) : undefined;
    this.targetScalingAt = this.targetScaling && !replica ? placeScaling(heap, this.targetScaling) : null;
    this.schema = options.schema;
    this.modelMark = heap.mark();
    this.resident = new ResidentData(heap, this.modelMark);
    this.layerList = shapes.map(({ inputs, units, activationName, at }, i) => {
      const activation = activationNamed(activationName, `layer ${i + 1}`);
      const w = at * 4;
      const b = w + inputs * units * 4;
      return {
        inputs, units, activationName, activation,
        slope: specs[i].slope ?? 0.01,
        dropout: specs[i].dropout ?? 0,
        init: options.init ?? activation.defaultInit,
        w: this.paramBase + w, b: this.paramBase + b, gw: this.gradBase + w, gb: this.gradBase + b,
      };
    });
    this.hasDropout = this.layerList.some((l) => l.dropout > 0);
    if (!replica) this.initialise();
  }

  /** Builds a network on a fresh heap of the chosen backend. */
  static async create(options: NetworkOptions): Promise<Engine> {
    validateOptions(options);
    // parameters, gradients, a good copy and two optimizer-state blocks, each count floats
    const count = options.layers.reduce((sum, l, i) => sum + ((i === 0 ? options.inputs : options.layers[i - 1].units) + 1) * l.units, 0);
    checkHeapRoom(20 * count + (1 << 20), () => `Network.create: a network of ${count.toLocaleString('en')} parameters`, 'use fewer or smaller layers');
    if (!threadsAllowed()) options = { ...options, threads: 1 };
    const backend = options.backend ?? 'wasm', threads = options.threads ?? 1;
    // (threads need a SIMD backend: validateOptions refused the others)
    if (backend === 'js' || backend === 'wasm-scalar') return new Engine(await createBackend(backend), options);
    // A loaded data set's memory becomes this network's (engine/arena.ts): its heap starts above the
    // data, and batches read the rows in place. That memory, and the one threads share, is imported
    // by the threads build, which one thread runs as well.
    const arena = takeArena();
    if (!arena && threads === 1) return new Engine(await createBackend(backend), options);
    const memory = arena?.memory ?? new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    const build = await threadsBuildFor(backend);
    const module = await compileBuild(build);
    const net = new Engine(await sharedBackend(module, memory, backend, build, arena?.top ?? 0), options);
    if (threads === 1) return net;
    net.pool = await ThreadPool.start(module, memory, { options: net.replicaOptions(), blocks: net.blocks },
      net.workerScratch, net.layerList.length);
    poolsToStop.register(net, net.pool);
    return net;
  }

  /** @internal A training thread's network: the parent's parameter, gradient and state blocks, its own scratch. */
  static replicaOn(backend: Backend, options: NetworkOptions, replica: { blocks: Blocks; scratch: number }): Engine {
    return new Engine(backend, { ...options, threads: 1 }, replica);
  }

  private replicaOptions(): NetworkOptions {
    const { scaling: _scaling, threads: _threads, ...rest } = { ...this.options, scaling: undefined, threads: undefined,
      init: this.options.init === 'default' ? undefined : this.options.init };
    return rest;
  }

  /** @internal A network over a backend the caller made (tests use the float64 JS backend). */
  static createOn(backend: Backend, options: NetworkOptions): Engine {
    validateOptions({ ...options, backend: backend.name });
    return new Engine(backend, options);
  }

  get inputs(): number {
    return this.options.inputs;
  }

  get outputs(): number {
    return this.layerList[this.layerList.length - 1].units;
  }

  get backend(): BackendName {
    return this.options.backend;
  }

  /** What runs this network's kernels: 'simd', 'relaxed' or 'scalar' WebAssembly, or 'js'. */
  get build(): Backend['build'] {
    return this.live.build;
  }

  /** Each layer as built: units, activation (after defaults), and slope or dropout where set. */
  get layers(): LayerSpec[] {
    return this.layerList.map((l, i) => ({
      units: l.units, activation: l.activationName,
      ...(this.options.layers[i].slope !== undefined ? { slope: l.slope } : {}),
      ...(l.dropout > 0 ? { dropout: l.dropout } : {}),
    }));
  }

  /** The activation each layer uses, after defaults. */
  get activations(): ActivationName[] {
    return this.layerList.map((l) => l.activationName);
  }

  /**
   * 'regression' when the network predicts numbers (target standardisation, a schema with targets,
   * or an output that is neither softmax nor sigmoid), else 'classification'.
   */
  get task(): 'classification' | 'regression' {
    if (this.targetScaling || this.schema?.columns.some((c) => c.kind === 'target')) return 'regression';
    if (this.schema?.classes) return 'classification';
    const out = this.layerList[this.layerList.length - 1].activationName;
    return out === 'softmax' || out === 'sigmoid' ? 'classification' : 'regression';
  }

  /** The class names, when the network learned from a labelled Dataset (else undefined). */
  get classNames(): readonly string[] | undefined {
    return this.schema?.classes;
  }

  /** @internal */
  get live(): Backend {
    if (!this.backendRef) throw new Error('ffnn: this network was disposed; create a new one');
    return this.backendRef;
  }

  private get k(): Kernels {
    return this.live.kernels;
  }

  private initialise(): void {
    const params = new Float32Array(this.parameterCount);
    let at = 0;
    for (const layer of this.layerList) {
      const n = layer.inputs * layer.units;
      initLayer(layer.init, this.rng, layer.inputs, layer.units,
        params.subarray(at, at + n), params.subarray(at + n, at + n + layer.units));
      at += n + layer.units;
    }
    this.live.heap.write(this.paramBase, params);
  }

  // ---- the algorithm: forward, backward, step ----------------------------------------------------

  /**
   * @internal Runs rows examples from x (rows × inputs) through every layer into ws.outs and returns
   * the output's offset. With fuseLoss, the output activation is left to a fused loss.
   */
  forward(ws: Workspace, rows: number, x: number, fuseLoss: boolean, dropout: DropoutDraw | null = null): number {
    const k = this.k;
    let input = x;
    for (let i = 0; i < this.layerList.length; i++) {
      const layer = this.layerList[i];
      const out = ws.outs[i];
      k.gemm(false, false, rows, layer.units, layer.inputs, 1, input, layer.w, 0, out, this.scratch);
      k.addBias(rows, layer.units, layer.b, out);
      const fusedHere = fuseLoss && i === this.layerList.length - 1 && this.lossFn.fuses !== null;
      if (!fusedHere) layer.activation.forward(k, rows, layer.units, layer.slope, out, out);
      input = out;
      if (dropout && layer.dropout > 0) {
        // the mask is hash(seed, index) over the whole batch: a part starting at row r shifts the
        // seed by r·units·φ, so split batches draw exactly the masks of the unsplit one
        const seed = (dropout.seeds[i] + Math.imul(dropout.firstRow * layer.units, 0x9e3779b9)) >>> 0;
        k.dropoutForward(rows * layer.units, layer.dropout, seed, out, ws.masks[i], ws.drops[i]);
        input = ws.drops[i];
      }
    }
    return ws.outs[this.layerList.length - 1];
  }

  /** @internal One dropout seed per layer for a training step, drawn from the network's generator. */
  drawDropout(): DropoutDraw {
    if (!this.hasDropout) return NO_DROPOUT;
    return { seeds: this.layerList.map((l) => (l.dropout > 0 ? this.rng.nextUint32() : 0)), firstRow: 0 };
  }



  /**
   * @internal Forward pass, cost and output gradient (scaled by 1/rows, so gradients are batch means),
   * then backpropagation into the gradient block; with `update` (and a finite cost and output
   * gradient), each layer is updated as its gradient is made (see backward). Returns the cost summed
   * over the rows, the unscaled output gradient's squared norm, and how many rows were classified
   * correctly.
   */
  computeGradients(ws: Workspace, rows: number, x: number, y: number, update: UpdateArgs | null = null, whileFree?: () => void): StepResult {
    const team = this.teamFor(rows);
    if (team) return this.teamGradients(team, ws, rows, x, y, update, whileFree);
    const out = this.forward(ws, rows, x, true, this.drawDropout());
    const result = this.outputGradient(rows, out, y, out, 1 / rows, ws.d0);
    this.backward(ws, rows, x, update && stepIsFinite(result) ? update : null);
    return result;
  }

  /**
   * The cost, correct count and ∂cost/∂z (scaled by `scale`, into d) of the output layer's rows in
   * out against y. A fused loss writes its outputs to p (p = out: in place, over the logits).
   */
  private outputGradient(rows: number, out: number, y: number, p: number, scale: number, d: number): StepResult {
    const k = this.k;
    const last = this.layerList[this.layerList.length - 1];
    const cost = this.lossFn.cost(k, rows, last.units, out, y, p);
    const correct = k.countCorrect(rows, last.units, p, y);
    const gradSq = this.lossFn.grad(k, rows, last.units, p, y, scale, d);
    if (this.lossFn.fuses === null) last.activation.backward(k, rows, last.units, last.slope, out, d, d);
    return { cost, gradSq, correct };
  }

  /** ∂z of layer l − 1 = f′(z) ⊙ ∂z·Wᵀ of layer l, for `rows` rows (outs and masks: those rows' buffers). */
  private dzBelow(l: number, rows: number, d: number, below: number, outs: readonly number[], masks: readonly number[]): void {
    const k = this.k;
    const layer = this.layerList[l], under = this.layerList[l - 1];
    k.gemm(false, true, rows, layer.inputs, layer.units, 1, d, layer.w, 0, below, this.scratch);
    if (under.dropout > 0) k.multiply(rows * under.units, below, masks[l - 1], below); // dropped units pass nothing back
    under.activation.backward(k, rows, under.units, under.slope, outs[l - 1], below, below);
  }

  /** A view of rows [first, first + count) of a batch-wide workspace's x, y and layer buffers. */
  private rowsOf(ws: Workspace, first: number, count: number, x: number, y: number): Workspace {
    const at = (base: number, width: number) => (base ? base + first * width * 4 : 0);
    const units = (l: number) => this.layerList[l].units;
    return {
      rows: count, x: at(x, this.inputs), y: at(y, this.outputs), d0: 0, d1: 0, index: 0, identity: 0, xBytes: 0, mul: 0, add: 0,
      outs: ws.outs.map((o, l) => at(o, units(l))),
      masks: ws.masks.map((o, l) => at(o, units(l))),
      drops: ws.drops.map((o, l) => at(o, units(l))),
      dz: ws.dz.map((o, l) => at(o, units(l))),
    };
  }

  /**
   * The pool, when a step of `rows` examples is worth sharing: at least TEAM_MIN_MACS multiply-adds
   * in the forward pass (see there); otherwise the main thread takes the step alone.
   */
  private teamFor(rows: number): ThreadPool | null {
    return this.pool && rows > 1 && rows * this.forwardMacs >= TEAM_MIN_MACS ? this.pool : null;
  }

  /** One step on the pool's threads (see threads.ts): the gradient block filled, and with `update` the parameters updated. */
  private teamGradients(pool: ThreadPool, ws: Workspace, rows: number, x: number, y: number, update: UpdateArgs | null,
    whileFree?: () => void): StepResult {
    const dropout = this.drawDropout();
    pool.step(ws, rows, x, y, dropout, update, () => this.teamStep(ws, rows, x, y, 0, pool.team, dropout, update, whileFree));
    // The threads' partial sums served their finiteness check. What the step reports is summed over
    // the whole batch, from the logits the threads left in place, exactly as one thread sums it:
    // partial sums would differ in their last bits with the split, which follows the cores' speeds.
    const out = ws.outs[this.layerList.length - 1];
    return this.outputGradient(rows, out, y, this.lossFn.fuses ? ws.d0 : out, 1 / rows, ws.d1);
  }

  /**
   * The forward pass of `rows` rows of x into ws.outs (see forward), shared by the pool's threads
   * when it is worth it (each runs its rows: the same bits as one thread).
   */
  private forwardRows(ws: Workspace, rows: number, x: number, fuseLoss: boolean): number {
    const team = this.teamFor(rows);
    if (!team) return this.forward(ws, rows, x, fuseLoss);
    try {
      team.forward(ws, rows, x, fuseLoss, () => this.teamForward(ws, rows, x, 0, team.team, fuseLoss));
    } catch (error) {
      if (!(error instanceof ThreadFailure)) throw error;
      // a forward pass changes no weights: the main thread does it alone, from now on
      this.dropThreads(error.message);
      return this.forward(ws, rows, x, fuseLoss);
    }
    return ws.outs[this.layerList.length - 1];
  }

  /**
   * @internal A training thread failed or stopped answering: the pool is stopped and the network goes
   * on with the main thread alone (the same arithmetic), saying so once.
   */
  dropThreads(reason: string): void {
    if (!this.pool) return;
    this.pool.dispose();
    poolsToStop.unregister(this);
    this.pool = null;
    console.warn(`ffnn: warning: ${reason}; this network goes on with one thread`);
  }

  /** @internal Thread `thread`'s share of a shared forward pass: its rows of x, through every layer. */
  teamForward(ws: Workspace, rows: number, x: number, thread: number, team: Team, fuseLoss: boolean): void {
    const { first, count } = team.share(thread);
    if (count <= 0) return;
    const own = this.rowsOf(ws, first, count, x, 0);
    this.forward(own, count, own.x, fuseLoss);
  }

  /**
   * @internal Thread `thread`'s share of a step taken by a team of threads over one heap (every
   * thread calls this with the same batch-wide workspace). First its own rows: the forward pass, the
   * cost and every layer's ∂z, top down, each layer's announced to the team when done. Then the
   * weight gradients, top layer first, in blocks of rows claimed by whichever thread is free, each
   * over the whole batch; so a thread that finishes its rows early starts on the gradients the
   * others' ∂z already allow, and no barrier holds it. A block (block 0: the bias, block b > 0:
   * weight rows [(b−1)·R, b·R)) needs its layer's ∂z from every thread; its update, when `update` is
   * given and the step's cost and gradient are finite, waits until no thread still reads the
   * weights (every thread has the ∂z below, the weights' last use), and is made as soon as it may.
   * `whileFree` runs between the two (the main thread gathers the next batch there: the others
   * take the weight-gradient blocks meanwhile, so nobody waits for the gathering).
   */
  teamStep(ws: Workspace, rows: number, x: number, y: number, thread: number, team: Team,
    dropout: DropoutDraw, update: UpdateArgs | null, whileFree?: () => void): void {
    const k = this.k;
    const layers = this.layerList;
    const top = layers.length - 1;
    const { first, count } = team.share(thread);
    const started = performance.now();
    const own = this.rowsOf(ws, first, count, x, y);
    let result: StepResult = { cost: 0, gradSq: 0, correct: 0 };
    if (count > 0) {
      const out = this.forward(own, count, own.x, true, { seeds: dropout.seeds, firstRow: first });
      // a fused loss writes its outputs to d0, so the logits stay for the step's report
      const p = this.lossFn.fuses ? ws.d0 + first * this.outputs * 4 : out;
      result = this.outputGradient(count, out, own.y, p, 1 / rows, own.dz[top]);
    }
    team.publish(thread, result);
    team.announce(top);
    for (let l = top; l > 0; l--) {
      if (count > 0) this.dzBelow(l, count, own.dz[l], own.dz[l - 1], own.outs, own.masks);
      team.announce(l - 1);
    }
    // how long this thread's own rows took sets its next share
    team.publishTime(thread, performance.now() - started);
    whileFree?.();

    team.awaitAll(top);
    const updating = update !== null && stepIsFinite(team.total());
    const apply = (at: number, n: number) => this.applyUpdate(update!, at, n);
    // a layer's weights may change once no thread reads them: the first layer's are read by no ∂z,
    // the others' last by the ∂z of the layer below
    const free = (l: number) => l === 0 || team.allAnnounced(l - 1);
    // weight blocks made before then: [offset, count, layer]
    let waiting: [number, number, number][] = [];
    const applyFreed = () => {
      const still: typeof waiting = [];
      for (const block of waiting) {
        if (free(block[2])) apply(block[0], block[1]);
        else still.push(block);
      }
      waiting = still;
    };
    for (let l = top; l >= 0; l--) {
      const layer = layers[l];
      const input = l === 0 ? x : layers[l - 1].dropout > 0 ? ws.drops[l - 1] : ws.outs[l - 1];
      const d = ws.dz[l];
      const blockRows = gradientBlockRows(layer.inputs);
      const blockCount = 1 + Math.ceil(layer.inputs / blockRows);
      team.awaitAll(l);
      for (let b = team.claim(l); b < blockCount; b = team.claim(l)) {
        if (b === 0) {
          // biases are read only by forward passes, all done (every ∂z of the top layer is)
          k.colSums(rows, layer.units, d, layer.gb);
          if (updating) apply(layer.b - this.paramBase, layer.units);
        } else {
          const i0 = (b - 1) * blockRows;
          const m = Math.min(blockRows, layer.inputs - i0);
          const at = layer.w - this.paramBase + i0 * layer.units * 4;
          k.gemm(true, false, m, layer.units, rows, 1, input + i0 * 4, d, 0, this.gradBase + at, this.scratch, layer.inputs);
          if (updating) waiting.push([at, m * layer.units, l]);
        }
        if (waiting.length > 0) applyFreed();
      }
    }
    for (const [at, n, l] of waiting) {
      team.awaitAll(l - 1);
      apply(at, n);
    }
  }

  /**
   * @internal ws.d0 holds ∂cost/∂z of the output layer; fills the gradient block, last layer first.
   * With `update`, each layer is updated as soon as its gradient is made (its ∂z below is computed
   * first, from the weights before the update): the same rule, element by element, as one update
   * of the whole block after. An optimizer that fuses into the gradient (plain SGD: see
   * fusesIntoGradient) is applied by the GEMM itself: α = −rate, β = 1 onto the weights, so the
   * weight gradient is neither written nor read back (at batch 10 that pass was a tenth of a step).
   */
  backward(ws: Workspace, rows: number, x: number, update: UpdateArgs | null = null): void {
    const k = this.k;
    let d = ws.d0;
    let other = ws.d1;
    for (let l = this.layerList.length - 1; l >= 0; l--) {
      const layer = this.layerList[l];
      const below = l === 0 ? null : this.layerList[l - 1];
      const input = l === 0 ? x : below!.dropout > 0 ? ws.drops[l - 1] : ws.outs[l - 1];
      // the inputs have no weighted input to pass a gradient to
      if (below) this.dzBelow(l, rows, d, other, ws.outs, ws.masks);
      // ∂W = inputᵀ·∂z, ∂b = column sums of ∂z
      k.colSums(rows, layer.units, d, layer.gb);
      if (update && fusesIntoGradient(update.optimizer, update.settings)) {
        k.gemm(true, false, layer.inputs, layer.units, rows, -update.lr, input, d, 1, layer.w, this.scratch);
        k.sgdUpdate(layer.units, update.lr, layer.gb, layer.b);
      } else {
        k.gemm(true, false, layer.inputs, layer.units, rows, 1, input, d, 0, layer.gw, this.scratch);
        // the layer's weights and biases are one run of the blocks: w, then b
        if (update) this.applyUpdate(update, layer.w - this.paramBase, layer.inputs * layer.units + layer.units);
      }
      [d, other] = [other, d];
    }
  }

  /**
   * @internal One training step on rows examples, one rule on one thread or a team: the gradients,
   * and each part of the parameters updated as soon as its gradient is made (see backward and
   * teamStep), unless the step's cost or output gradient is not finite (the caller restores the
   * weights then). Clipping scales the whole gradient by its norm, which only the finished gradient
   * gives: with clipNorm the update waits for it (see step). A step shared by threads runs
   * `whileFree` on the main thread once its own rows are done (see teamStep); a step on one thread
   * never calls it.
   */
  trainStep(ws: Workspace, rows: number, x: number, y: number,
    optimizer: OptimizerName, settings: OptimizerSettings, learningRate: number, clipNorm: number, whileFree?: () => void): StepResult {
    if (clipNorm > 0) {
      const r = this.computeGradients(ws, rows, x, y, null, whileFree);
      if (stepIsFinite(r)) this.step(optimizer, settings, learningRate, clipNorm);
      return r;
    }
    this.countStep(optimizer);
    return this.computeGradients(ws, rows, x, y, { optimizer, settings, lr: learningRate, t: this.progress.steps }, whileFree);
  }

  /** The optimizer's update of `count` parameters from the block's offset `at` (bytes). */
  private applyUpdate(u: UpdateArgs, at: number, count: number): void {
    const { params, grads, state0, state1 } = this.blocks;
    optimizerStep(this.k, u.optimizer, u.settings, { count, params: params + at, grads: grads + at, state0: state0 + at, state1: state1 + at }, u.lr, u.t);
  }

  /**
   * @internal One optimizer update over every parameter. Switching optimizer starts its state afresh.
   * With clipNorm, the gradient is first scaled down to that global norm if it is longer.
   */
  step(optimizer: OptimizerName, settings: OptimizerSettings, learningRate: number, clipNorm: number): void {
    const k = this.k;
    this.countStep(optimizer);
    if (clipNorm > 0) {
      const norm = Math.sqrt(k.sumOfSquares(this.parameterCount, this.gradBase));
      if (norm > clipNorm) k.scale(this.parameterCount, clipNorm / norm, this.gradBase);
    }
    optimizerStep(k, optimizer, settings, this.blocks, learningRate, this.progress.steps);
  }

  private countStep(optimizer: OptimizerName): void {
    if (this.progress.optimizer !== optimizer) {
      const f = this.live.heap.floats();
      f.fill(0, this.state0 >> 2, (this.state0 >> 2) + this.parameterCount);
      f.fill(0, this.state1 >> 2, (this.state1 >> 2) + this.parameterCount);
      this.progress = { ...this.progress, optimizer, steps: 0 };
    }
    this.progress.steps++;
  }

  /** @internal Copies of the parameter block, for keeping the best weights. */
  copyParameters(to: number): void {
    const f = this.live.heap.floats();
    f.copyWithin(to >> 2, this.paramBase >> 2, (this.paramBase >> 2) + this.parameterCount);
  }

  /** @internal */
  pasteParameters(from: number): void {
    const f = this.live.heap.floats();
    f.copyWithin(this.paramBase >> 2, from >> 2, (from >> 2) + this.parameterCount);
  }

  /** @internal The parameters' Euclidean norm. */
  parameterNorm(): number {
    return Math.sqrt(this.k.sumOfSquares(this.parameterCount, this.paramBase));
  }

  /** @internal The last good copy that divergence falls back to. */
  backupParameters(): void {
    this.copyParameters(this.backupBase);
  }

  /** @internal */
  restoreParameters(): void {
    this.pasteParameters(this.backupBase);
  }

  /** @internal Live views of the parameter and gradient blocks (invalid after the heap grows). */
  parameterView(): FloatArray {
    return this.live.heap.floats().subarray(this.paramBase >> 2, (this.paramBase >> 2) + this.parameterCount);
  }

  /** @internal */
  gradientView(): FloatArray {
    return this.live.heap.floats().subarray(this.gradBase >> 2, (this.gradBase >> 2) + this.parameterCount);
  }

  // ---- heap sessions -------------------------------------------------------------------------

  /**
   * @internal Releases everything above the model's regions and lays out a workspace for `rows`
   * examples. The heap grows here, if at all, never inside a step.
   */
  openWorkspace(rows: number): Workspace {
    const heap = this.live.heap;
    this.resident.sweep();
    heap.release(this.resident.top);
    const widest = Math.max(...this.layerList.map((l) => l.units));
    return {
      rows, x: heap.alloc(rows * this.inputs), y: heap.alloc(rows * this.outputs),
      index: heap.alloc(rows), identity: this.identityIndex(rows),
      xBytes: heap.allocBytes(2 * rows * this.inputs), mul: heap.alloc(this.inputs), add: heap.alloc(this.inputs),
      outs: this.layerList.map((l) => heap.alloc(rows * l.units)),
      masks: this.layerList.map((l) => (l.dropout > 0 ? heap.alloc(rows * l.units) : 0)),
      drops: this.layerList.map((l) => (l.dropout > 0 ? heap.alloc(rows * l.units) : 0)),
      d0: heap.alloc(rows * widest),
      d1: heap.alloc(rows * widest),
      dz: this.threads > 1 ? this.layerList.map((l) => heap.alloc(rows * l.units)) : [],
    };
  }

  /** rows i32 row numbers 0, 1, …, rows − 1, in a new heap block. */
  private identityIndex(rows: number): number {
    return this.writeRowNumbers(this.live.heap.alloc(rows), 0, rows);
  }

  /** @internal Marks a training run active (its workspace is shared by evaluate/predict meanwhile). */
  beginTraining(ws: Workspace): void {
    if (this.trainingWorkspace) throw new Error('ffnn: this network is already training; await the first train() call');
    this.trainingWorkspace = ws;
  }

  /** @internal */
  endTraining(): void {
    this.trainingWorkspace = null;
    this.live.heap.release(this.resident.top);
  }

  private withWorkspace<T>(run: (ws: Workspace) => T): T {
    if (this.trainingWorkspace) return run(this.trainingWorkspace);
    const ws = this.openWorkspace(CHUNK_ROWS);
    try {
      return run(ws);
    } finally {
      this.live.heap.release(this.resident.top);
    }
  }

  // ---- data kept in the heap -------------------------------------------------------------------

  /**
   * @internal x as this network reads it, kept from an earlier call or placed now: float matrices
   * are copied into the heap, checked for NaN and scaled once; byte matrices are not copied at all
   * (their rows are read from the host's array as they are gathered, widened and scaled by
   * gatherBytes), only their scaling vectors are placed; half floats are checked and copied in as
   * halves after their scaling vectors, and widened by gatherHalves as they are gathered (at batch 64
   * on 40 columns, reading rows from the host's array cost 0.40 s an epoch against 0.28 s for float32
   * rows in the heap: a JS copy per narrow row). Call with no workspace open; `keep` are regions the
   * call under way still needs.
   */
  placeInputs(x: Inputs, keep: readonly Region[], what: string): Region {
    const found = this.resident.find(x, 'inputs');
    // (float32 rows read in place are the program's own array: checked again at every call, as a
    // copy would have been when placed)
    if (found && found.rowsAt >= 0 && !found.bytes) this.checkRows(x as Matrix, 0, x.rows, found.rowsAt, what);
    if (found) return found;
    if (isHalfMatrix(x)) {
      checkHalves(x, 0, x.rows, what);
      return this.resident.place(x, 'inputs', scalingSlots(x.cols) + Math.ceil(x.rows * x.cols / 2), keep, (r) => {
        const { mul, add } = byteScalingOf(r);
        this.writeHalfScaling(x, mul, add);
        this.live.heap.halves().set(x.data, halvesOf(r) >> 1);
      });
    }
    if (!isByteMatrix(x) && this.resident.inPlace(x, 'inputs') >= 0) {
      // float32 rows in this network's own memory (the arena's): checked there, copied nowhere, and
      // scaled batch by batch as they are gathered
      return this.resident.place(x, 'inputs', 0, keep, (r) => this.checkRows(x, 0, x.rows, r.rowsAt, what));
    }
    if (!isByteMatrix(x)) return this.resident.place(x, 'inputs', x.rows * x.cols, keep, (r) => this.loadInputs(x, 0, x.rows, r.at, what));
    return this.resident.place(x, 'inputs', scalingSlots(x.cols), keep, (r) => {
      const { mul, add } = byteScalingOf(r);
      this.writeByteScaling(x.scale, mul, add);
    });
  }

  /**
   * @internal Targets y kept for training and evaluation: checked now unless kept already (every
   * value finite, each column's moments as training sees them). Their rows stay in the host's array
   * and are copied in as batches are gathered: placing them whole cost a fresh page of memory per
   * 4 KB, ~7 ms for MNIST's 600 000 targets before the first step, and bought nothing.
   */
  placeTargets(y: Matrix, keep: readonly Region[], what: string): Region {
    return this.resident.find(y, 'targets')
      ?? this.resident.place(y, 'targets', 0, keep, (r) => { r.moments = this.checkTargets(y, what); });
  }

  /**
   * y's columns as training sees them, through a chunk of the heap: each chunk loaded as evaluate
   * loads targets (checked finite, a regression's standardised) and summed by columnMoments about
   * the first row; the chunks' sums added in float64.
   */
  private checkTargets(y: Matrix, what: string): ColumnMoments {
    const heap = this.live.heap, n = y.cols;
    const lo = new Float64Array(n).fill(Infinity), hi = new Float64Array(n).fill(-Infinity);
    const s1 = new Float64Array(n), s2 = new Float64Array(n), mean = new Float64Array(n), variance = new Float64Array(n);
    if (y.rows === 0) return { lo, hi, mean, variance };
    const chunk = Math.min(y.rows, Math.max(1, Math.floor(CHECK_CHUNK_FLOATS / n)));
    const mark = heap.mark();
    try {
      const at = heap.alloc(chunk * n), shift = heap.alloc(n), out = heap.alloc(6 * n);
      this.loadTargets(y, 0, 1, shift, what);
      for (let start = 0; start < y.rows; start += chunk) {
        const rows = Math.min(chunk, y.rows - start);
        this.loadTargets(y, start, rows, at, what);
        this.k.columnMoments(rows, n, at, shift, out);
        const f = heap.floats(), o = out >> 2;
        for (let j = 0; j < n; j++) {
          lo[j] = Math.min(lo[j], f[o + j]);
          hi[j] = Math.max(hi[j], f[o + n + j]);
          s1[j] += f[o + 2 * n + j] + f[o + 3 * n + j];
          s2[j] += f[o + 4 * n + j] + f[o + 5 * n + j];
        }
      }
      const first = heap.floats(), sh = shift >> 2;
      for (let j = 0; j < n; j++) {
        const d = s1[j] / y.rows;
        mean[j] = first[sh + j] + d;
        variance[j] = Math.max(0, s2[j] / y.rows - d * d);
      }
      return { lo, hi, mean, variance };
    } finally {
      heap.release(mark);
    }
  }

  /** @internal Each column's least and greatest value, mean and variance over kept targets, as training sees them. */
  targetMoments(region: Region): ColumnMoments {
    if (!region.moments) throw new Error('ffnn: internal: a region without moments is not a kept set of targets');
    return region.moments;
  }

  /** Frees the heap copies of data sets kept since train() (of `data`'s array only, when given). */
  release(data?: Inputs): void {
    if (this.trainingWorkspace) throw new Error('ffnn: release: this network is training; release its data after train() resolves');
    this.resident.release(data?.data);
  }

  /**
   * Writes the multiplier and addend per input that turn a byte b into what the network reads:
   * (b·byteScale − shift)·scale = b·(byteScale·scale) − shift·scale, folded in float64 and rounded
   * once. Computed once per byte scale (a streamed byte matrix writes them for every chunk).
   */
  private writeByteScaling(byteScale: number, mulAt: number, addAt: number): void {
    let vectors = this.byteScalings.get(byteScale);
    if (!vectors) {
      vectors = this.foldScaling(() => byteScale, null);
      this.byteScalings.set(byteScale, vectors);
    }
    this.live.heap.write(mulAt, vectors.mul);
    this.live.heap.write(addAt, vectors.add);
  }

  /** The same for half floats, whose scale and offset are per column: h·scale + offset is what they stand for. */
  private writeHalfScaling(x: HalfMatrix, mulAt: number, addAt: number): void {
    const { mul, add } = this.foldScaling((j) => x.scale[j], x.offset);
    this.live.heap.write(mulAt, mul);
    this.live.heap.write(addAt, add);
  }

  /**
   * A data set's own scale (and offset) per input folded into the network's input scaling:
   * (v·scale + offset − shift)·netScale = v·(scale·netScale) + (offset − shift)·netScale, in float64
   * and rounded once; without input scaling, the set's own.
   */
  private foldScaling(scale: (j: number) => number, offset: Float32Array | null): { mul: Float32Array; add: Float32Array } {
    const n = this.inputs, s = this.scaling;
    const mul = new Float32Array(n), add = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      mul[j] = s ? scale(j) * s.scale[j] : scale(j);
      add[j] = !s ? (offset ? offset[j] : 0) : offset ? (offset[j] - s.shift[j]) * s.scale[j] : -s.shift[j] * s.scale[j];
    }
    return { mul, add };
  }

  /**
   * @internal Rows `indexAt` (`rows` i32 row numbers, rows ≤ ws.rows) of a kept data set into dst,
   * as the network reads them. Byte rows come from the host's array through ws.xBytes: a batch's
   * rows are copied there, then widened and scaled in the heap. Reading the host's array where it
   * is costs one small copy per row and spares placing the whole set in fresh memory (for MNIST,
   * 47 MB of page faults before the first batch) and a second copy of it in the process.
   */
  gatherInto(ws: Workspace, region: Region, rows: number, indexAt: number, dst: number): void {
    const k = this.k;
    if (region.halves) {
      // the batch's rows copied together first, then widened in cache (see gatherRowBytes)
      const { mul, add } = byteScalingOf(region);
      k.gatherRowBytes(rows, 2 * region.cols, halvesOf(region), indexAt, ws.xBytes);
      return k.gatherHalves(rows, region.cols, ws.xBytes, ws.identity, mul, add, dst);
    }
    if (region.rowsAt >= 0 && !region.bytes) {
      // float32 rows in this network's own memory, scaled as placing them would have scaled them
      k.gatherRows(rows, region.cols, region.rowsAt, indexAt, dst);
      if (this.scalingAt) k.scaleColumns(rows, region.cols, this.scalingAt.shift, this.scalingAt.scale, dst);
      return;
    }
    if (region.rowsAt >= 0) {
      // bytes in this network's own memory: the batch's rows copied together, then widened in cache
      const { mul, add } = byteScalingOf(region);
      k.gatherRowBytes(rows, region.cols, region.rowsAt, indexAt, ws.xBytes);
      return k.gatherBytes(rows, region.cols, ws.xBytes, ws.identity, mul, add, dst);
    }
    if (!region.source) return k.gatherRows(rows, region.cols, region.at, indexAt, dst);
    const source = region.source.deref();
    if (!source) throw new Error('ffnn: internal: a kept data set was collected while in use');
    const heap = this.live.heap, ints = heap.ints(), cols = region.cols;
    if (source instanceof Float32Array) {
      // targets, from the host's array: a few values a row, then standardised as they were checked
      copyHostRows(source, cols, ints, indexAt >> 2, rows, heap.floats(), dst >> 2);
      if (this.targetScalingAt) k.scaleColumns(rows, cols, this.targetScalingAt.shift, this.targetScalingAt.scale, dst);
      return;
    }
    copyHostRows(source, cols, ints, indexAt >> 2, rows, heap.bytes(), ws.xBytes);
    const { mul, add } = byteScalingOf(region);
    k.gatherBytes(rows, cols, ws.xBytes, ws.identity, mul, add, dst);
  }

  /**
   * @internal An epoch's order at `order`: the n row numbers at `from` (0 … n − 1 when from is 0),
   * shuffled by `rng` when given (the permutation rng.shuffle would draw, and rng advanced as it
   * would be). `state` is 4 free slots for the generator's words. One kernel call.
   */
  writeOrder(order: number, n: number, from: number, rng: Random | null, state: number): void {
    if (rng) rng.saveWords(this.live.heap.ints(), state >> 2);
    this.k.shuffleRows(n, from, order, rng ? state : 0);
    if (rng) rng.loadWords(this.live.heap.ints(), state >> 2);
  }

  /** @internal ws.index holding first, first + 1, …, first + rows − 1; returns its offset. */
  rowNumbers(ws: Workspace, first: number, rows: number): number {
    return this.writeRowNumbers(ws.index, first, rows);
  }

  /** first, first + 1, …, first + rows − 1 as i32 at `at`; returns at. */
  private writeRowNumbers(at: number, first: number, rows: number): number {
    const ints = this.live.heap.ints();
    for (let i = 0; i < rows; i++) ints[(at >> 2) + i] = first + i;
    return at;
  }

  /**
   * @internal Copies rows [start, start + rows) of a host matrix into a heap region and rejects any
   * NaN or Infinity, naming the row and column.
   */
  loadRows(m: Matrix, start: number, rows: number, at: number, what: string): void {
    const heap = this.live.heap;
    heap.write(at, m.data.subarray(start * m.cols, (start + rows) * m.cols));
    this.checkRows(m, start, rows, at, what);
  }

  /** Rejects any NaN or Infinity in rows [start, start + rows) of m, which lie in the heap at `at`, naming the row and column. */
  private checkRows(m: Matrix, start: number, rows: number, at: number, what: string): void {
    const bad = this.k.firstNonFinite(rows * m.cols, at);
    if (bad >= 0) {
      const row = start + Math.floor(bad / m.cols);
      const col = bad % m.cols;
      throw new Error(
        `ffnn: ${what}: row ${row}, column ${col} is ${m.data[row * m.cols + col]}; every value must be a finite number`,
      );
    }
  }

  /** @internal loadRows for inputs: also applies the network's input scaling, in the heap. */
  loadInputs(m: Matrix, start: number, rows: number, at: number, what: string): void {
    this.loadRows(m, start, rows, at, what);
    if (this.scalingAt) this.k.scaleColumns(rows, m.cols, this.scalingAt.shift, this.scalingAt.scale, at);
  }

  /**
   * Rows [start, start + rows) of x into ws.x as the network reads them: from its kept copy when
   * there is one, else from the host (a byte matrix through ws.xBytes and the same gatherBytes as a
   * kept one, so a value reads the same bits either way).
   */
  private inputsInto(ws: Workspace, x: Inputs, kept: Region | null, start: number, rows: number, what: string): void {
    if (kept && (kept.halves || !kept.source)) return this.gatherInto(ws, kept, rows, this.rowNumbers(ws, start, rows), ws.x);
    if (isHalfMatrix(x)) {
      checkHalves(x, start, rows, what);
      this.live.heap.halves().set(x.data.subarray(start * x.cols, (start + rows) * x.cols), ws.xBytes >> 1);
      this.writeHalfScaling(x, ws.mul, ws.add);
      return this.k.gatherHalves(rows, x.cols, ws.xBytes, ws.identity, ws.mul, ws.add, ws.x);
    }
    if (!isByteMatrix(x)) return this.loadInputs(x, start, rows, ws.x, what);
    this.live.heap.bytes().set(x.data.subarray(start * x.cols, (start + rows) * x.cols), ws.xBytes);
    this.writeByteScaling(x.scale, ws.mul, ws.add);
    this.k.gatherBytes(rows, x.cols, ws.xBytes, ws.identity, ws.mul, ws.add, ws.x);
  }

  /** @internal loadRows for targets: also standardises a regression's targets, in the heap. */
  loadTargets(m: Matrix, start: number, rows: number, at: number, what: string): void {
    this.loadRows(m, start, rows, at, what);
    if (this.targetScalingAt) this.k.scaleColumns(rows, m.cols, this.targetScalingAt.shift, this.targetScalingAt.scale, at);
  }

  // ---- the public surface ------------------------------------------------------------------------

  /** Outputs for each row of x (rows × inputs) → rows × outputs (a regression's in its targets' units). */
  predict(x: Inputs): Matrix {
    checkInputs(x, 'predict: x', this.inputs);
    return this.withWorkspace((ws) => this.outputsOf(x, ws, 'predict: x'));
  }

  /**
   * The class of each row: the argmax of the outputs, or, for a network with one output, 1 where it
   * is at least 0.5 and 0 elsewhere (as evaluate counts). A regression has no classes.
   */
  classify(x: Inputs): Int32Array {
    if (this.task === 'regression') throw new Error('ffnn: classify: this network is a regression; its predict() gives the numbers');
    const out = this.predict(x);
    if (out.cols === 1) return Int32Array.from(out.data, (p) => (p >= 0.5 ? 1 : 0));
    return argmaxRows(out);
  }

  /**
   * Mean cost, total cost and accuracy over x (rows × inputs) against targets y (rows × outputs).
   * Data kept from train() (its training or validation set) is read from the network's memory.
   */
  evaluate(x: Inputs, y: Matrix): Evaluation {
    this.checkPair(x, y, 'evaluate');
    const keptX = this.resident.find(x, 'inputs'), keptY = this.resident.find(y, 'targets');
    return this.withWorkspace((ws) => {
      if (keptX && keptY) return this.evaluateHeld(ws, keptX, keptY, null, x.rows);
      let cost = 0, correct = 0;
      for (let start = 0; start < x.rows; start += ws.rows) {
        const rows = Math.min(ws.rows, x.rows - start);
        this.inputsInto(ws, x, keptX, start, rows, 'evaluate: x');
        this.loadTargets(y, start, rows, ws.y, 'evaluate: y');
        const r = this.evaluateRows(ws, rows, ws.x, ws.y);
        cost += r.cost;
        correct += r.correct;
      }
      const loss = cost / x.rows;
      if (this.task === 'regression') return { task: 'regression', loss, cost, rows: x.rows, ...regressionMetrics(this.outputsOf(x, ws, 'evaluate: x'), y) };
      return { task: 'classification', loss, cost, accuracy: correct / x.rows, correct, rows: x.rows };
    });
  }

  /** Outputs or targets as training sees them, back in the targets' own units: y = y′ / scale + shift. */
  private restoreTargets(m: Matrix): void {
    if (!this.targetScaling) return;
    const { shift, scale } = this.targetScaling;
    for (let i = 0; i < m.data.length; i++) m.data[i] = m.data[i] / scale[i % m.cols] + shift[i % m.cols];
  }

  /** The outputs for x, in chunks through an open workspace, a regression's restored to its units. */
  private outputsOf(x: Inputs, ws: Workspace, what: string): Matrix {
    const out = matrix(x.rows, this.outputs);
    const kept = this.resident.find(x, 'inputs');
    for (let start = 0; start < x.rows; start += ws.rows) {
      const rows = Math.min(ws.rows, x.rows - start);
      this.inputsInto(ws, x, kept, start, rows, what);
      const o = this.forwardRows(ws, rows, ws.x, false);
      out.data.set(this.live.heap.floats().subarray(o >> 2, (o >> 2) + rows * this.outputs), start * this.outputs);
    }
    this.restoreTargets(out);
    return out;
  }

  /**
   * @internal The evaluation of rows of kept data sets, picked by `count` row indexes at `indexAt`
   * (the held-out rows of a validation split), or the first `count` rows when indexAt is null.
   */
  evaluateHeld(ws: Workspace, xs: Region, ys: Region, indexAt: number | null, count: number): Evaluation {
    const heap = this.live.heap;
    const regression = this.task === 'regression';
    const predicted = regression ? matrix(count, this.outputs) : null;
    const targets = regression ? matrix(count, this.outputs) : null;
    let cost = 0, correct = 0;
    for (let start = 0; start < count; start += ws.rows) {
      const rows = Math.min(ws.rows, count - start);
      const picked = indexAt === null ? this.rowNumbers(ws, start, rows) : indexAt + start * 4;
      this.gatherInto(ws, xs, rows, picked, ws.x);
      this.gatherInto(ws, ys, rows, picked, ws.y);
      if (predicted && targets) {
        const o = this.forwardRows(ws, rows, ws.x, false);
        predicted.data.set(heap.read(o, rows * this.outputs), start * this.outputs);
        targets.data.set(heap.read(ws.y, rows * this.outputs), start * this.outputs);
      }
      const r = this.evaluateRows(ws, rows, ws.x, ws.y);
      cost += r.cost;
      correct += r.correct;
    }
    const loss = cost / count;
    if (predicted && targets) {
      this.restoreTargets(predicted);
      this.restoreTargets(targets);
      return { task: 'regression', loss, cost, rows: count, ...regressionMetrics(predicted, targets) };
    }
    return { task: 'classification', loss, cost, accuracy: correct / count, correct, rows: count };
  }

  /** @internal The cost as training sees it (dropout on, masks drawn from the generator). */
  trainingCost(ws: Workspace, rows: number, x: number, y: number): number {
    const out = this.forward(ws, rows, x, true, this.drawDropout());
    return this.lossFn.cost(this.k, rows, this.outputs, out, y);
  }

  /** @internal Cost and correct count of rows examples already in the heap (rows ≤ ws.rows). */
  evaluateRows(ws: Workspace, rows: number, x: number, y: number): { cost: number; correct: number } {
    const out = this.forwardRows(ws, rows, x, true);
    const cost = this.lossFn.cost(this.k, rows, this.outputs, out, y);
    return { cost, correct: this.k.countCorrect(rows, this.outputs, out, y) };
  }

  /** Checks whether the outputs have collapsed to one vector over (a sample of) x, and why. */
  diagnose(x: Inputs): Diagnostic[] {
    checkInputs(x, 'diagnose: x', this.inputs);
    return this.withWorkspace((ws) => {
      const rows = Math.min(ws.rows, x.rows);
      this.inputsInto(ws, x, this.resident.find(x, 'inputs'), 0, rows, 'diagnose: x');
      return this.diagnoseRows(ws, rows, ws.x);
    });
  }

  /** @internal */
  diagnoseRows(ws: Workspace, rows: number, x: number, training?: CollapseEvidence['training']): Diagnostic[] {
    this.forward(ws, rows, x, false);
    const heap = this.live.heap;
    const inputs = this.inputs;
    const found = diagnoseCollapse({
      get inputs() {
        return matrix(rows, inputs, heap.read(x, rows * inputs));
      },
      layerOutputs: this.layerList.map((l, i) => matrix(rows, l.units, heap.read(ws.outs[i], rows * l.units))),
      activations: this.activations,
      init: this.layerList[0].init,
      training,
    });
    return found ? [found] : [];
  }

  /** A copy of every layer's weights (inputs × units) and biases. */
  parameters(): LayerParameters[] {
    const heap = this.live.heap;
    return this.layerList.map((l) => ({
      weights: matrix(l.inputs, l.units, heap.read(l.w, l.inputs * l.units)),
      biases: heap.read(l.b, l.units),
    }));
  }

  /**
   * Replaces every layer's weights and biases; shapes must match parameters() and every value must be
   * finite. Everything is checked before anything is written, so a refused call changes nothing.
   */
  setParameters(layers: readonly LayerParameters[]): void {
    if (layers.length !== this.layerList.length) {
      throw new Error(`ffnn: setParameters: expected ${this.layerList.length} layers, got ${layers.length}`);
    }
    layers.forEach((p, i) => {
      const l = this.layerList[i];
      if (p.weights.rows !== l.inputs || p.weights.cols !== l.units || p.biases.length !== l.units || p.weights.data.length !== l.inputs * l.units) {
        throw new Error(
          `ffnn: setParameters: layer ${i + 1} needs ${l.inputs}×${l.units} weights and ${l.units} biases, ` +
            `got ${p.weights.rows}×${p.weights.cols} and ${p.biases.length}`,
        );
      }
      // a NaN weight would otherwise surface only in some outputs: the kernels skip products with a
      // zero input, so it shows where an input is nonzero and nowhere else
      const w = p.weights.data.findIndex((v) => !Number.isFinite(v));
      if (w >= 0) {
        throw new Error(`ffnn: setParameters: layer ${i + 1} weight (${Math.floor(w / l.units)}, ${w % l.units}) is ${p.weights.data[w]}; every value must be a finite number`);
      }
      const b = p.biases.findIndex((v) => !Number.isFinite(v));
      if (b >= 0) {
        throw new Error(`ffnn: setParameters: layer ${i + 1} bias ${b} is ${p.biases[b]}; every value must be a finite number`);
      }
    });
    layers.forEach((p, i) => {
      const l = this.layerList[i];
      this.live.heap.write(l.w, p.weights.data);
      this.live.heap.write(l.b, p.biases);
    });
  }

  /** The saved-model form: architecture, scalings, data schema and exact parameters (see io/model.ts). */
  toModelFile(): ModelFile {
    const params = Float32Array.from(this.parameterView());
    return encodeModel({
      network: {
        inputs: this.inputs,
        layers: this.layers as ModelFile['network']['layers'],
        loss: this.options.loss,
        init: this.options.init,
        seed: this.options.seed,
      },
      scaling: this.scaling,
      targetScaling: this.targetScaling,
      schema: this.schema,
      parameters: params,
      training: { ...this.progress, rng: this.rng.getState(), state: this.optimizerState() },
    });
  }

  /** A separate engine (one thread, the same backend) with this one's model, optimizer state and generator. */
  async copy(): Promise<Engine> {
    const m = decodeModel(this.toModelFile(), 'model');
    const engine = await Engine.create({
      inputs: m.inputs, layers: m.layers, loss: m.loss, init: m.init, seed: m.seed, scaling: m.scaling,
      targetScaling: m.targetScaling, schema: m.schema, backend: this.backend,
    });
    engine.restore(m);
    return engine;
  }

  /** Parameters and, when the model file has them, the optimizer state, step counts and generator of a saved run. */
  restore(m: DecodedModel): void {
    this.live.heap.write(this.paramBase, m.parameters);
    if (!m.training) return;
    this.live.heap.write(this.state0, m.training.state.subarray(0, this.parameterCount));
    this.live.heap.write(this.state1, m.training.state.subarray(this.parameterCount));
    this.progress = { optimizer: m.training.optimizer, steps: m.training.steps, epochs: m.training.epochs };
    this.rng.setState(m.training.rng);
  }

  /** Each layer's shape, activation and a copy of its weights and biases, for the ONNX encoder. */
  layerTensors(): { inputs: number; units: number; activation: ActivationName; slope: number; weights: Float32Array; biases: Float32Array }[] {
    const heap = this.live.heap;
    return this.layerList.map((l) => ({
      inputs: l.inputs, units: l.units, activation: l.activationName, slope: l.slope,
      weights: heap.read(l.w, l.inputs * l.units), biases: heap.read(l.b, l.units),
    }));
  }

  private optimizerState(): Float32Array {
    const n = this.parameterCount;
    const both = new Float32Array(2 * n);
    both.set(this.live.heap.read(this.state0, n), 0);
    both.set(this.live.heap.read(this.state1, n), n);
    return both;
  }

  /** Frees the network's heap now rather than at garbage collection; the network is unusable after. */
  dispose(): void {
    if (this.backendRef) this.resident.release();
    this.pool?.dispose();
    if (this.pool) poolsToStop.unregister(this);
    this.pool = null;
    this.backendRef = null;
  }

  /** @internal */
  checkPair(x: Inputs, y: Matrix, what: string): void {
    checkInputs(x, `${what}: x`, this.inputs);
    checkMatrix(y, `${what}: y`, this.outputs);
    if (x.rows !== y.rows) {
      throw new Error(`ffnn: ${what}: x has ${x.rows} rows but y has ${y.rows}; each input row needs one target row`);
    }
    if (x.rows === 0) throw new Error(`ffnn: ${what}: no rows`);
  }
}

/**
 * Rows ints[first], ints[first + 1], … (`rows` of them, `cols` values each) of a host array, one after
 * another into `into` from index `to`: the rows a batch reads from a data set kept in the host's array.
 */
function copyHostRows(source: Uint8Array | Float32Array, cols: number, ints: Int32Array, first: number, rows: number,
  into: Uint8Array | FloatArray, to: number): void {
  if (cols < SHORT_ROW) {
    for (let r = 0; r < rows; r++, to += cols) {
      const from = ints[first + r] * cols;
      for (let j = 0; j < cols; j++) into[to + j] = source[from + j];
    }
    return;
  }
  for (let r = 0; r < rows;) {
    // rows that follow each other in the source (an evaluation's or prediction's pass in order) are
    // one copy: a view per row cost ~0.2 us and ~100 bytes of garbage (60 000 of them for MNIST)
    const start = ints[first + r];
    let run = 1;
    while (r + run < rows && ints[first + r + run] === start + run) run++;
    into.set(source.subarray(start * cols, (start + run) * cols), to);
    to += run * cols;
    r += run;
  }
}

/**
 * Whether training threads can run here: they need SharedArrayBuffer (in browsers only on
 * crossOriginIsolated pages) and Atomics.wait, which a page's main thread may not call (a worker's
 * may, so trainInWorker can use threads). Elsewhere a network asked for threads uses one.
 */
function threadsAllowed(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown };
  if (g.crossOriginIsolated === false) return false;
  return g.document === undefined;
}

// A network dropped without dispose() still stops its threads when it is collected.
const poolsToStop = new FinalizationRegistry<ThreadPool>((pool) => pool.dispose());

/**
 * Rows [start, start + rows) of half floats, every one finite: a half is Infinity or NaN when its
 * exponent bits are all ones. Two halves a step where they sit on a 4-byte boundary: adding 1 to
 * each half's exponent carries into its sign bit only from all ones (MNIST as halves: ~25 ms, not 60).
 */
function checkHalves(m: HalfMatrix, start: number, rows: number, what: string): void {
  const d = m.data;
  let i = start * m.cols;
  const end = (start + rows) * m.cols;
  if ((d.byteOffset + 2 * i) % 4 === 0) {
    const words = new Uint32Array(d.buffer, d.byteOffset + 2 * i, (end - i) >> 1);
    let w = 0;
    while (w < words.length && (((words[w] & 0x7c007c00) + 0x04000400) & 0x80008000) === 0) w++;
    i += 2 * w;
  }
  for (; i < end; i++) {
    if ((d[i] & 0x7c00) === 0x7c00) {
      throw new Error(`ffnn: ${what}: row ${Math.floor(i / m.cols)}, column ${i % m.cols} is ${halfValue(d[i])} (a half float); every value must be a finite number`);
    }
  }
}

/** A matrix, a byte matrix with a finite scale, or half floats, of `cols` columns. */
function checkInputs(m: Inputs, what: string, cols: number): void {
  if (m && m.data instanceof Uint16Array) {
    const { scale, offset } = m as Partial<HalfMatrix>;
    const finite = (a: unknown) => a instanceof Float32Array && a.length === m.cols && a.every(Number.isFinite);
    if (!finite(scale) || !finite(offset)) {
      throw new Error(`ffnn: ${what} holds half floats (Uint16Array) but its scale and offset are not ${m.cols} finite float32 values each (make one with toHalfFloats)`);
    }
    return checkShape(m, what, cols);
  }
  if (m && m.data instanceof Uint8Array) {
    const scale = (m as { scale?: unknown }).scale;
    if (typeof scale !== 'number' || !Number.isFinite(scale)) {
      throw new Error(`ffnn: ${what} holds bytes (Uint8Array) but its scale is ${String(scale)}; a byte matrix needs a finite scale (1 for the values as they are)`);
    }
    return checkShape(m, what, cols);
  }
  checkMatrix(m as Matrix, what, cols);
}

function checkMatrix(m: Matrix, what: string, cols: number): void {
  if (!m || !(m.data instanceof Float32Array)) {
    throw new Error(`ffnn: ${what} must be a Matrix { rows, cols, data: Float32Array } (see matrix())`);
  }
  checkShape(m, what, cols);
}

function checkShape(m: Inputs, what: string, cols: number): void {
  if (m.data.length !== m.rows * m.cols) {
    throw new Error(`ffnn: ${what} claims ${m.rows}×${m.cols} but holds ${m.data.length} values`);
  }
  if (m.cols !== cols) {
    throw new Error(`ffnn: ${what} has ${m.cols} columns but the network expects ${cols} (shape ${m.rows}×${m.cols})`);
  }
}

function validateOptions(o: NetworkOptions): void {
  if (!o || typeof o !== 'object') throw new Error('ffnn: Network.create needs an options object');
  // every field by itself (NETWORK_OPTIONS); then the rules between fields
  checkOptions(NETWORK_OPTIONS, o, 'Network.create');
  const last = o.layers.length - 1;
  if (o.layers[last].dropout) throw new Error(`ffnn: layer ${last + 1}: dropout applies to hidden layers, not the output layer`);
  const loss = lossNamed(o.loss ?? 'mse');
  const outAct = o.layers[last].activation;
  if (loss.fuses && outAct !== undefined && outAct !== loss.fuses) {
    throw new Error(`ffnn: loss '${o.loss}' needs a '${loss.fuses}' output layer, but the last layer uses '${outAct}'`);
  }
  if (o.scaling !== undefined) checkScaling(o.scaling, o.inputs);
  if (o.targetScaling !== undefined) checkScaling(o.targetScaling, o.layers[last].units, 'target scaling', 'outputs');
  if (o.schema !== undefined) {
    const width = inputNames(o.schema).length;
    if (width !== o.inputs) throw new Error(`ffnn: the data schema describes ${width} inputs but the network has ${o.inputs}`);
    const classes = o.schema.classes?.length;
    const outputs = o.layers[last].units;
    if (classes !== undefined && classes !== outputs && !(classes === 2 && outputs === 1)) {
      throw new Error(`ffnn: the data schema names ${classes} classes but the network has ${outputs} outputs`);
    }
  }
  if ((o.threads ?? 1) > 1 && (o.backend === 'wasm-scalar' || o.backend === 'js')) {
    throw new Error(`ffnn: threads run on the SIMD builds ('wasm', 'wasm-simd', 'wasm-relaxed'), not '${o.backend}'`);
  }
}

function copyScaling(s: InputScaling): InputScaling {
  return { method: s.method, shift: Float32Array.from(s.shift), scale: Float32Array.from(s.scale) };
}

/** A scaling's shift and scale vectors, written into the heap for the scaleColumns kernel. */
function placeScaling(heap: Backend['heap'], s: InputScaling): { shift: number; scale: number } {
  const at = { shift: heap.alloc(s.shift.length), scale: heap.alloc(s.scale.length) };
  heap.write(at.shift, s.shift);
  heap.write(at.scale, s.scale);
  return at;
}
