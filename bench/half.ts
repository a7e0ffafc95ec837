// The half-float bench: float data held as float32 or as half floats (toHalfFloats, a HalfMatrix).
//
// 1. A large tabular set (500 000 rows of 40 columns of four kinds: standard normal, years, amounts
//    spread over decades, and shares with many exact zeros; 4 classes from a fixed nonlinear rule),
//    trained in fresh processes, each kind alternately: what the data holds in memory, the process's
//    resident memory after training, the conversion's time, epoch times and test accuracy.
// 2. The float CSV files Debian's python3-sklearn bundles, with Network.fit's defaults on five seeded
//    splits: the test score from float32 and from half floats.
// Writes the half section of bench/RESULTS.md.
//
//   npm run bench:half

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitScaling, loadCsv, Network, toHalfFloats, type Inputs, type Matrix } from '../dist/index.js';
import { heldOut } from '../dist/data/split.js';
import { isByteMatrix } from '../dist/matrix.js';
import { Random } from '../dist/random.js';
import { peakResident } from './peak.js';
import { writeSection } from './sections.js';

const ROWS = 500_000, TEST_ROWS = 50_000, COLS = 40, CLASSES = 4, EPOCHS = 3, ROUNDS = 3;
const KINDS = ['float32', 'half'] as const;
type Kind = typeof KINDS[number];

/** rows of the synthetic set and their classes, the same for every seed-1 call */
function synthetic(rows: number, seed: number): { x: Matrix; y: Matrix } {
  const rng = new Random(seed), rule = new Random(7);
  const w = Float64Array.from({ length: CLASSES * COLS }, () => rule.normal());
  const x = new Float32Array(rows * COLS), y = new Float32Array(rows * CLASSES);
  const z = new Float64Array(COLS);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < COLS; j++) {
      const n = rng.normal();
      z[j] = n;
      const kind = Math.floor(j / 10);
      // standard normal; a year around 2000; an amount spread over decades; a share, often exactly 0
      x[i * COLS + j] = kind === 0 ? n : kind === 1 ? Math.round(2000 + 8 * n) : kind === 2 ? 100 * Math.exp(1.5 * n) : n < 0 ? 0 : Math.min(1, n / 3);
    }
    let best = 0, top = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let s = 0;
      for (let j = 0; j < COLS; j++) s += w[c * COLS + j] * Math.tanh(z[j]);
      s += 2 * rng.normal();
      if (s > top) [best, top] = [c, s];
    }
    y[i * CLASSES + best] = 1;
  }
  return { x: { rows, cols: COLS, data: x }, y: { rows, cols: CLASSES, data: y } };
}

interface ChildResult { convertSeconds: number; dataBytes: number; epochs: number[]; accuracy: number; residentAfter: number; peak: number }

async function child(kind: Kind): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const train = synthetic(ROWS, 1), test = synthetic(TEST_ROWS, 2);
  const started = performance.now();
  const x: Inputs = kind === 'half' ? toHalfFloats(train.x) : train.x;
  const tx: Inputs = kind === 'half' ? toHalfFloats(test.x) : test.x;
  const convertSeconds = (performance.now() - started) / 1000;
  // the float32 arrays go once converted: what a program that keeps only the halves holds
  if (kind === 'half') (train as { x?: Matrix }).x = (test as { x?: Matrix }).x = undefined;
  gc();
  const net = await Network.create({
    inputs: COLS, layers: [{ units: 64, activation: 'relu' }, { units: CLASSES }], loss: 'cross-entropy', seed: 3,
    scaling: fitScaling(x, 'zscore'),
  });
  const epochs: number[] = [];
  let last = performance.now();
  await net.train(x, train.y, {
    optimizer: 'adam', learningRate: 0.002, batchSize: 64, epochs: EPOCHS,
    onEpoch: () => {
      const now = performance.now();
      epochs.push((now - last) / 1000);
      last = now;
    },
  });
  const e = net.evaluate(tx, test.y) as { accuracy: number };
  gc();
  const result: ChildResult = {
    convertSeconds, dataBytes: x.data.byteLength + tx.data.byteLength, epochs, accuracy: e.accuracy,
    residentAfter: process.memoryUsage().rss, peak: peakResident(),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const range = (v: number[], f: (n: number) => string) => `${f(median(v))} (${f(Math.min(...v))}–${f(Math.max(...v))})`;

function sklearnDir(): string | null {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  try {
    return execFileSync(python, ['-c', 'import os, sklearn.datasets as d; print(os.path.join(os.path.dirname(d.__file__), "data"))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Test scores on the float sklearn files, float32 against half floats, Network.fit's defaults. */
async function realSets(): Promise<string[]> {
  const dir = sklearnDir();
  if (!dir) return ['(scikit-learn is not installed here: the real files were skipped)'];
  const sets = [
    { name: 'wine', file: 'wine_data.csv', options: { label: -1 } },
    { name: 'breast cancer', file: 'breast_cancer.csv', options: { label: -1 } },
    { name: 'iris', file: 'iris.csv', options: { label: -1 } },
    { name: 'Boston house prices', file: 'boston_house_prices.csv', options: { targets: ['MEDV'] } },
  ];
  const lines = ['| data set | rows × inputs | float32 | half floats |', '|---|---|---|---|'];
  for (const set of sets) {
    const data = await loadCsv(join(dir, set.file), set.options);
    if (isByteMatrix(data.x)) continue;
    const x = data.x as Matrix;
    const scores: Record<Kind, number[]> = { float32: [], half: [] };
    for (let seed = 0; seed < 5; seed++) {
      const { held, kept } = heldOut(x.rows, 0.2, data.labels ?? null, new Random(seed));
      const pick = (m: Matrix, rows: Int32Array | number[]): Matrix => {
        const out = new Float32Array(rows.length * m.cols);
        Array.from(rows).forEach((r, i) => out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
        return { rows: rows.length, cols: m.cols, data: out };
      };
      const [trainX, testX, trainY, testY] = [pick(x, kept), pick(x, held), pick(data.y, kept), pick(data.y, held)];
      for (const kind of KINDS) {
        const as = (m: Matrix) => (kind === 'half' ? toHalfFloats(m) : m);
        const { network } = await Network.fit({ x: as(trainX), y: trainY, ...(data.labels ? { labels: Int32Array.from(Array.from(kept), (r) => data.labels![r]) } : {}) }, { seed });
        const e = network.evaluate(as(testX), testY) as { accuracy?: number; r2?: number };
        scores[kind].push(e.accuracy ?? e.r2!);
      }
    }
    const f = (v: number[]) => `${median(v).toFixed(3)} (${Math.min(...v).toFixed(3)}–${Math.max(...v).toFixed(3)})`;
    const what = data.labels ? 'accuracy' : 'R²';
    lines.push(`| ${set.name} (${what}) | ${x.rows} × ${x.cols} | ${f(scores.float32)} | ${f(scores.half)} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'child') return child(process.argv[3] as Kind);
  const script = fileURLToPath(import.meta.url);
  const runs: Record<Kind, ChildResult[]> = { float32: [], half: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of KINDS) {
      const out = execFileSync(process.execPath, ['--expose-gc', script, 'child', kind], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const r = JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
      runs[kind].push(r);
      console.log(kind, 'round', round + 1, JSON.stringify(r));
    }
  }
  const s = (v: number) => `${v.toFixed(2)} s`;
  const rows = KINDS.map((kind) => {
    const r = runs[kind];
    return `| ${kind} | ${mb(r[0].dataBytes)} MB | ${range(r.map((v) => v.residentAfter), mb)} MB | ${range(r.map((v) => v.peak), mb)} MB | ` +
      `${kind === 'half' ? range(r.map((v) => v.convertSeconds), s) : '–'} | ${range(r.map((v) => v.epochs[0]), s)} | ` +
      `${range(r.map((v) => median(v.epochs.slice(1))), s)} | ${range(r.map((v) => v.accuracy), (a) => a.toFixed(4))} |`;
  });
  const real = await realSets();
  writeSection('half', [
    '## Half floats: a float data set at half the memory',
    '',
    `\`npm run bench:half\`: ${ROWS.toLocaleString('en')} training and ${TEST_ROWS.toLocaleString('en')} test rows of ${COLS} float columns (standard`,
    'normal, years, amounts over decades, shares with many zeros; 4 classes by a fixed nonlinear rule),',
    `40-64-4 relu, Adam, batch 64, ${EPOCHS} epochs, input scaling fitted (z-scores); fresh processes, float32`,
    `and half floats alternately, ${ROUNDS} rounds: median (range). Resident after training is after a full`,
    "collection, the float32 arrays dropped once converted; peak includes the float32 set that toHalfFloats reads.",
    '',
    '| inputs | data held | resident after training | peak resident | toHalfFloats | epoch 1 | epochs 2+ | test accuracy |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    "The float CSV files Debian's python3-sklearn bundles, `Network.fit` defaults, five seeded 80/20 splits:",
    'test score, median (range).',
    '',
    ...real,
  ].join('\n'));
}

await main();
