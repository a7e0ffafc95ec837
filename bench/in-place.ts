// The in-place bench: data a loader wrote into the arena (engine/arena.ts), read where it lies by the
// network created next, against the same data read by a network created before it (its own memory:
// byte rows copied from the host's array batch by batch, float rows copied into its heap at the
// first train()). Three sets, fresh processes, the two orders alternately:
//
// - MNIST from its IDX files (loadMnist), 784-30-10 sigmoid, sum of squares, SGD lr 3, batch 10;
// - the same images from mnist_train.csv (bytes), the same network;
// - a CSV of 300 000 rows × 40 floats written here (seeded), 40-64-1 regression, Adam, batch 64.
//
// Writes the in-place section of bench/RESULTS.md.
//
//   npm run bench:in-place

import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitScaling, loadCsv, loadMnist, Network, type Inputs, type Matrix, type NetworkOptions, type TrainOptions } from '../dist/index.js';
import { writeMnistCsv } from '../dist/data/mnist.js';
import { Random } from '../dist/random.js';
import { peakResident } from './peak.js';
import { writeSection } from './sections.js';

const ROUNDS = 3, EPOCHS = 3;
const FLOAT_ROWS = 300_000, FLOAT_COLS = 40;
const SETS = ['mnist-idx', 'mnist-csv', 'float-csv'] as const;
type SetName = typeof SETS[number];
const ORDERS = ['load, then create', 'create, then load'] as const;
type Order = typeof ORDERS[number];

const root = fileURLToPath(new URL('..', import.meta.url));
const mnistCsv = join(root, 'bench', 'data', 'mnist_train.csv');
const floatCsv = join(tmpdir(), `ffnn-bench-floats-v2-${FLOAT_ROWS}x${FLOAT_COLS}.csv`);

/**
 * The float set: 40 columns of four kinds (normal, a measurement around 15, amounts spread over a
 * decade, shares with many exact zeros: sizes a network trains on unscaled), a target from a fixed
 * nonlinear rule plus noise.
 */
async function writeFloatCsv(path: string): Promise<void> {
  const rng = new Random(1), rule = new Random(7);
  const w = Float64Array.from({ length: FLOAT_COLS }, () => rule.normal());
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  out.write(['y', ...Array.from({ length: FLOAT_COLS }, (_, j) => `f${j}`)].join(',') + '\n');
  for (let i = 0; i < FLOAT_ROWS; i++) {
    const cells: string[] = [];
    let y = 0;
    for (let j = 0; j < FLOAT_COLS; j++) {
      const n = rng.normal(), kind = Math.floor(j / 10);
      y += w[j] * Math.tanh(n);
      cells.push(kind === 0 ? n.toFixed(4) : kind === 1 ? (15 + 8 * n).toFixed(1) : kind === 2 ? Math.exp(n).toFixed(3) : (n < 0 ? 0 : Math.min(1, n / 3)).toFixed(3));
    }
    if (!out.write(`${(y + 0.5 * rng.normal()).toFixed(4)},${cells.join(',')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await done;
}


async function load(set: SetName): Promise<{ x: Inputs; y: Matrix }> {
  if (set === 'mnist-idx') return loadMnist('train');
  if (set === 'mnist-csv') {
    const d = await loadCsv(mnistCsv, { label: 'label' });
    return { x: { ...d.x, scale: 1 / 255 } as Inputs, y: d.y };
  }
  const d = await loadCsv(floatCsv, { targets: ['y'] });
  return { x: d.x, y: d.y };
}

/** (A network created before its data cannot fit an input scaling to it: none, in both orders.) */
function networkFor(set: SetName): NetworkOptions {
  if (set !== 'float-csv') return { inputs: 784, seed: 1, loss: 'mse', layers: [{ units: 30, activation: 'sigmoid' }, { units: 10 }] };
  return { inputs: FLOAT_COLS, seed: 1, loss: 'mse', layers: [{ units: 64, activation: 'relu' }, { units: 1, activation: 'linear' }] };
}

function trainingFor(set: SetName): TrainOptions {
  return set === 'float-csv' ? { optimizer: 'adam', learningRate: 0.001, batchSize: 64 } : { learningRate: 3, batchSize: 10 };
}

interface ChildResult { loadSeconds: number; epochs: number[]; endSeconds: number; peak: number; loss: number }

async function child(set: SetName, order: Order): Promise<void> {
  let net: Network | undefined;
  if (order === 'create, then load') net = await Network.create(networkFor(set));
  const started = performance.now();
  const data = await load(set);
  const loadSeconds = (performance.now() - started) / 1000;
  net ??= await Network.create(networkFor(set));
  // a regression's targets standardised, as Network.fit would
  const y = set === 'float-csv' ? standardised(data.y) : data.y;
  const epochs: number[] = [];
  let last = performance.now();
  const history = await net.train(data.x, y, {
    ...trainingFor(set), epochs: EPOCHS,
    onEpoch: () => {
      const now = performance.now();
      epochs.push((now - last) / 1000);
      last = now;
    },
  });
  const result: ChildResult = { loadSeconds, epochs, endSeconds: performance.now() / 1000, peak: peakResident(), loss: history.epochs[EPOCHS - 1].loss };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function standardised(y: Matrix): Matrix {
  const s = fitScaling(y, 'zscore');
  const data = new Float32Array(y.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (y.data[i] - s.shift[i % y.cols]) * s.scale[i % y.cols];
  return { ...y, data };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const range = (v: number[], f: (n: number) => string) => `${f(median(v))} (${f(Math.min(...v))}–${f(Math.max(...v))})`;

async function main(): Promise<void> {
  if (process.argv[2] === 'child') return child(process.argv[3] as SetName, process.argv[4] as Order);
  if (!existsSync(mnistCsv)) {
    mkdirSync(join(root, 'bench', 'data'), { recursive: true });
    await writeMnistCsv('train', mnistCsv);
  }
  if (!existsSync(floatCsv)) await writeFloatCsv(floatCsv);
  const script = fileURLToPath(import.meta.url);
  const runs = new Map<string, ChildResult[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const set of SETS) {
      for (const order of ORDERS) {
        const out = execFileSync(process.execPath, [script, 'child', set, order], { encoding: 'utf8', maxBuffer: 1 << 24 });
        const r = JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
        runs.set(`${set}|${order}`, [...(runs.get(`${set}|${order}`) ?? []), r]);
        console.log(set, order, 'round', round + 1, JSON.stringify(r));
      }
    }
  }
  const ms = (v: number) => (v * 1000).toFixed(0);
  const mb = (v: number) => (v / 2 ** 20).toFixed(0);
  const names: Record<SetName, string> = {
    'mnist-idx': 'MNIST from IDX, 784-30-10, batch 10',
    'mnist-csv': 'mnist_train.csv (bytes), 784-30-10, batch 10',
    'float-csv': `${FLOAT_ROWS.toLocaleString('en')} × ${FLOAT_COLS} floats from CSV, 40-64-1, batch 64`,
  };
  const rows = SETS.flatMap((set) => ORDERS.map((order) => {
    const r = runs.get(`${set}|${order}`)!;
    const rest = r.map((v) => median(v.epochs.slice(1)));
    return `| ${names[set]} | ${order} | ${range(r.map((v) => v.loadSeconds), ms)} | ${range(r.map((v) => v.epochs[0]), ms)} | ` +
      `${range(rest, ms)} | ${range(r.map((v, i) => v.epochs[0] / rest[i]), (n) => n.toFixed(2))} | ${range(r.map((v) => v.peak), mb)} MB | ` +
      `${range(r.map((v) => v.endSeconds), (n) => n.toFixed(2))} s | ${r[0].loss.toPrecision(4)} |`;
  }));
  writeSection('in-place', [
    '## Loaded data read in place',
    '',
    `\`npm run bench:in-place\`: fresh processes, ${ROUNDS} rounds, the two orders alternately; median (range).`,
    '"load, then create": the network takes the memory the loader wrote the data into and reads the',
    'rows where they lie. "create, then load": the network has its own memory (byte rows copied from the',
    "host's array batch by batch, float rows copied into its heap at the first `train()`); MNIST's",
    'kernels are warmed during its load either way (for the build the next network takes, which the one',
    'created first does not run). Epoch 1 is timed from the `train()` call; "to the end" is from process',
    `start to the end of epoch ${EPOCHS}. The last loss is the same in both orders (the same bits).`,
    '',
    '| data, network | order | load ms | epoch 1 ms | epochs 2+ ms | first / rest | peak RSS | to the end | last loss |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n'));
}

await main();
