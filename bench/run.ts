// The benchmark harness: GEMM GFLOP/s per backend and form, and MNIST seconds per epoch per backend,
// measured in one process, written to bench/RESULTS.md and bench/results.json.
//
//   npm run bench            full run (a few minutes)
//   npm run bench -- --quick one-minute check; does not overwrite RESULTS.md
//
// Every kernel variant is checked against the JS reference before it is timed.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { createJsBackend } from '../dist/backends/js.js';
import { instantiateBuild } from '../dist/backends/wasm.js';
import { compileBuild, type WasmBuild } from '../dist/backends/wasm-module.js';
import type { Backend } from '../dist/backends/backend.js';
import { loadMnist, writeMnistCsv } from '../dist/data/mnist.js';
import { loadCsv } from '../dist/data/csv.js';
import { Network } from '../dist/index.js';
import { flopsPerExample, WORKLOADS } from './workloads.js';

const quick = process.argv.includes('--quick');
// Node 20 keeps relaxed SIMD behind a flag; the benchmark switches it on (before any module is
// compiled) so the relaxed build can be measured beside the others.
setFlagsFromString('--experimental-wasm-relaxed-simd');
type Variant = 'js' | 'wasm-scalar' | 'wasm' | 'wasm-relaxed';
const BACKENDS: Variant[] = ['js', 'wasm-scalar', 'wasm', 'wasm-relaxed'];
const BUILD: Record<Exclude<Variant, 'js'>, WasmBuild> = { 'wasm-scalar': 'scalar', wasm: 'simd', 'wasm-relaxed': 'relaxed' };
/** A fresh backend of one variant: 'wasm' is pinned to plain SIMD, 'wasm-relaxed' to the FMA build. */
const backendOf = (v: Variant): Promise<Backend> | Backend => (v === 'js' ? createJsBackend() : instantiateBuild(v === 'wasm-relaxed' ? 'wasm-relaxed' : v, BUILD[v]));
const FORMS = [
  { name: 'A·B', transA: false, transB: false },
  { name: 'A·Bᵀ', transA: false, transB: true },
  { name: 'Aᵀ·B', transA: true, transB: false },
] as const;
const SHAPES: [number, number, number][] = quick
  ? [[10, 30, 784], [128, 512, 784]]
  : [[10, 30, 784], [10, 100, 784], [128, 512, 784], [128, 512, 512], [512, 512, 512]];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function fill(b: Backend, at: number, n: number, seed: number): void {
  const f = b.heap.floats();
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    f[(at >> 2) + i] = (s / 2 ** 32) * 2 - 1;
  }
}

/** GFLOP/s of one gemm form at m×n×k: median over rounds of (calls per ≥ 50 ms). */
function timeGemm(b: Backend, form: (typeof FORMS)[number], m: number, n: number, k: number, rounds: number): { gflops: number; result: Float32Array } {
  const mark = b.heap.mark();
  const pa = b.heap.alloc(m * k), pb = b.heap.alloc(k * n), pc = b.heap.alloc(m * n);
  const scratch = b.heap.alloc(Math.max(1, b.gemmScratchBytes / 4));
  fill(b, pa, m * k, 1);
  fill(b, pb, k * n, 2);
  const run = () => b.kernels.gemm(form.transA, form.transB, m, n, k, 1, pa, pb, 0, pc, scratch);
  // warm up for 200 ms, so JavaScript is timed after its optimising compiler has run, not before
  for (const t0 = performance.now(); performance.now() - t0 < 200;) run();
  const result = b.heap.read(pc, m * n);
  const flops = 2 * m * n * k;
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < 50) {
      run();
      calls++;
      t = performance.now();
    }
    rates.push((flops * calls) / ((t - t0) / 1000) / 1e9);
  }
  b.heap.release(mark);
  return { gflops: median(rates), result };
}

/** The engine's f32x4 ceiling: median GFLOP/s of a register-only multiply-add loop (96 flops a round). */
async function simdPeak(rounds: number, build: WasmBuild = 'simd'): Promise<number> {
  const instance = await WebAssembly.instantiate(await compileBuild(build), {});
  const peak = instance.exports.multiplyAddPeak as (n: number, m: number, a: number) => number;
  peak(1e6, 0.999, 0.001); // let the engine tier the loop up before it is timed
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const n = 5e6;
    const t0 = performance.now();
    peak(n, 0.999, 0.001);
    rates.push((96 * n) / ((performance.now() - t0) / 1000) / 1e9);
  }
  return median(rates);
}

async function main(): Promise<void> {
  const backends = Object.fromEntries(await Promise.all(BACKENDS.map(async (n) => [n, await backendOf(n)] as const))) as Record<Variant, Backend>;
  const rounds = quick ? 3 : 7;
  const peak = await simdPeak(rounds);
  const fmaPeak = await simdPeak(rounds, 'relaxed');
  console.log(`WASM f32x4 peak (register-only multiply-add): ${peak.toFixed(1)} GFLOP/s; with relaxed-SIMD FMA ${fmaPeak.toFixed(1)}`);
  const gemmRows: { shape: string; form: string; gflops: Record<Variant, number>; peak: number; fmaPeak: number }[] = [];
  for (const [m, n, k] of SHAPES) {
    for (const form of FORMS) {
      // this machine's speed drifts by up to 2× within a run: each row is compared with a peak
      // measured right before it, not only with the one at the start
      const nearPeak = await simdPeak(3);
      const nearFmaPeak = await simdPeak(3, 'relaxed');
      const gflops = {} as Record<Variant, number>;
      let reference: Float32Array | undefined;
      for (const name of BACKENDS) {
        const { gflops: g, result } = timeGemm(backends[name], form, m, n, k, name === 'js' ? Math.min(rounds, 3) : rounds);
        // check before trusting the time: every variant must agree with the JS reference
        if (!reference) reference = result;
        const scale = reference.reduce((mx, v) => Math.max(mx, Math.abs(v)), 1);
        const bad = result.findIndex((v, i) => Math.abs(v - reference![i]) > 1e-5 * scale);
        if (bad >= 0) throw new Error(`${name} ${form.name} ${m}×${n}×${k} disagrees at ${bad}: ${result[bad]} vs ${reference[bad]}`);
        gflops[name] = g;
      }
      const row = { shape: `${m}×${n}×${k}`, form: form.name, gflops, peak: nearPeak, fmaPeak: nearFmaPeak };
      gemmRows.push(row);
      console.log(`gemm ${row.shape} ${row.form}: ` + BACKENDS.map((b) => `${b} ${gflops[b].toFixed(2)}`).join(', ') +
        ` GFLOP/s; SIMD at ${(100 * gflops.wasm / nearPeak).toFixed(0)} % of the peak just measured (${nearPeak.toFixed(1)}), ` +
        `relaxed at ${(100 * gflops['wasm-relaxed'] / nearFmaPeak).toFixed(0)} % of the FMA peak (${nearFmaPeak.toFixed(1)})`);
    }
  }

  // MNIST seconds per epoch, training only, for each workload and backend. Slow backends train on a
  // leading share of the epoch and the time is scaled to 60 000 images (the table says how many).
  const train = await loadMnist('train');
  const test = await loadMnist('test');
  const rowsFor = (backend: Variant, w: string): number => {
    if (quick) return w === 'w3' ? 2000 : 5000;
    if (backend === 'wasm' || backend === 'wasm-relaxed') return 60000;
    if (backend === 'wasm-scalar') return w === 'w3' ? 10000 : 60000;
    return w === 'w1' ? 60000 : w === 'w2' ? 20000 : 3000;
  };
  const runsFor = (backend: Variant, w: string) => (quick || backend === 'js' || w === 'w3' ? 1 : 3);
  // wasm-relaxed trains like wasm: full epochs
  type EpochResult = { rows: number; runs: number[]; median: number; accuracy: number };
  const epochSeconds: Record<string, Record<Variant, EpochResult>> = {};
  const inference: Partial<Record<Variant, number>> = {};
  for (const w of WORKLOADS) {
    epochSeconds[w.name] = {} as Record<Variant, EpochResult>;
    for (const name of BACKENDS) {
      const rows = rowsFor(name, w.name);
      const runs: number[] = [];
      let accuracy = 0;
      for (let r = 0; r < runsFor(name, w.name); r++) {
        const net = Network.createOn(await backendOf(name), {
          inputs: 784, seed: 1, loss: w.loss,
          layers: [...w.hidden.map((units) => ({ units, activation: w.activation })), { units: 10 }],
        });
        const x = { rows, cols: 784, data: train.x.data.subarray(0, rows * 784) };
        const y = { rows, cols: 10, data: train.y.data.subarray(0, rows * 10) };
        const h = await net.train(x, y, { learningRate: w.learningRate, batchSize: w.batchSize, epochs: 1, optimizer: w.optimizer });
        runs.push((h.epochs[0].seconds * 60000) / rows);
        accuracy = net.evaluate(test.x, test.y).accuracy;
        if (w.name === 'w3' && (name === 'wasm' || name === 'wasm-relaxed')) {
          net.predict({ rows: 1000, cols: 784, data: test.x.data.subarray(0, 784000) }); // warm-up
          const t0 = performance.now();
          net.predict(test.x);
          inference[name] = 10000 / ((performance.now() - t0) / 1000);
        }
      }
      epochSeconds[w.name][name] = { rows, runs, median: median(runs), accuracy };
      console.log(`MNIST ${w.name} ${name}: ${median(runs).toFixed(2)} s/epoch (${rows} rows, runs ${runs.map((s) => s.toFixed(2)).join(', ')}), test accuracy ${accuracy}`);
    }
  }
  // w3 with each batch split across two threads over one shared memory
  const w3 = WORKLOADS[2];
  const threadedRuns: number[] = [];
  for (let r = 0; r < (quick ? 1 : 2); r++) {
    const rows = quick ? 2000 : 60000;
    const net = await Network.create({
      inputs: 784, seed: 1, loss: w3.loss, threads: 2,
      layers: [...w3.hidden.map((units) => ({ units, activation: w3.activation })), { units: 10 }],
    });
    const h = await net.train({ rows, cols: 784, data: train.x.data.subarray(0, rows * 784) }, { rows, cols: 10, data: train.y.data.subarray(0, rows * 10) },
      { learningRate: w3.learningRate, batchSize: w3.batchSize, epochs: 1, optimizer: w3.optimizer });
    threadedRuns.push((h.epochs[0].seconds * 60000) / rows);
    net.dispose();
  }
  const threaded = median(threadedRuns);
  console.log(`MNIST w3 wasm, 2 threads: ${threaded.toFixed(2)} s/epoch (runs ${threadedRuns.map((s) => s.toFixed(2)).join(', ')}), ${(threaded / epochSeconds.w3.wasm.median).toFixed(2)}× the one-thread time`);
  const inferencePerSecond = inference.wasm ?? 0;
  console.log(`w3 inference (10 000 test images): wasm ${inferencePerSecond.toFixed(0)}, wasm-relaxed ${(inference['wasm-relaxed'] ?? 0).toFixed(0)} images/s`);

  // the peer, in its own process so its global backend and memory stay apart from ours
  const peerRows = quick ? [5000, 5000, 2000] : [60000, 30000, 15000];
  let peer: Record<string, { rows: number; epochSeconds: number; inferencePerSecond?: number }> | null = null;
  try {
    const out = execFileSync(process.execPath, [fileURLToPath(new URL('./peer-tfjs.js', import.meta.url)), ...peerRows.map(String)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    peer = JSON.parse(out.trim().split('\n').pop()!);
  } catch (error) {
    console.log(`tfjs-wasm peer failed: ${(error as Error).message}`);
  }

  // CSV: the seed's mnist_train.csv (written from the IDX files when absent), loaded with worker
  // threads, with csv-parse on one thread, and, where python3 has numpy, by numpy.loadtxt
  const dataDir = fileURLToPath(new URL('../bench/data/', import.meta.url));
  mkdirSync(dataDir, { recursive: true });
  const csvPath = `${dataDir}mnist_train.csv`;
  if (!existsSync(csvPath)) await writeMnistCsv('train', csvPath);
  const timeLoad = async (workers: number | undefined) => {
    const t0 = performance.now();
    const d = await loadCsv(csvPath, { workers });
    if (d.x.rows !== 60000 || d.x.cols !== 784) throw new Error(`CSV load gave ${d.x.rows}×${d.x.cols}`);
    return (performance.now() - t0) / 1000;
  };
  const csvRuns = quick ? 1 : 3;
  const parallel: number[] = [];
  for (let r = 0; r < csvRuns; r++) parallel.push(await timeLoad(undefined));
  const oneThread = [await timeLoad(1)];
  let numpy: number | null = null;
  try {
    const script = 'import numpy, time, sys; t = time.time(); numpy.loadtxt(sys.argv[1], delimiter=",", skiprows=1); print(time.time() - t)';
    numpy = Number(execFileSync('python3', ['-c', script, csvPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    numpy = null; // no python3 or no numpy here: the column says so
  }
  const csv = { path: 'bench/data/mnist_train.csv', workers: parallel, oneThread, numpy };
  console.log(`CSV mnist_train.csv (60000×785): workers ${median(parallel).toFixed(2)} s, one-thread csv-parse ${oneThread[0].toFixed(2)} s, numpy.loadtxt ${numpy === null ? 'n/a' : numpy.toFixed(2) + ' s'}`);

  const date = new Date().toISOString().slice(0, 10);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const json = { date, node: process.version, cpu, cores: cpus().length, quick, simdPeakGflops: peak, fmaPeakGflops: fmaPeak, gemm: gemmRows, epochSeconds, inference, w3TwoThreads: threadedRuns, peer, csv };
  const here = (name: string) => fileURLToPath(new URL(`../bench/${name}`, import.meta.url));
  if (quick) {
    console.log('\n--quick: RESULTS.md left as it was');
    return;
  }
  writeFileSync(here('results.json'), JSON.stringify(json, null, 2) + '\n');
  const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
  const lines = [
    '# ffnn benchmark results',
    '',
    `Produced by \`npm run bench\` on ${date}: ${cpu}, ${cpus().length} cores, Node ${process.version}, one thread.`,
    'Medians; GEMM rounds of at least 50 ms each (7 per WASM variant, 3 for JS). Every variant was checked',
    'against the JS reference before it was timed. Machine noise is real: compare ratios within one run.',
    '',
    `WASM f32x4 peak measured in this run (register-only loop, 12 chains): **${peak.toFixed(1)} GFLOP/s** with multiply + add,`,
    `**${fmaPeak.toFixed(1)} GFLOP/s** with relaxed-SIMD fused multiply-add (Node started with its flag).`,
    'The machine drifts within a run, so each GEMM row is also compared with a peak (median of 3) measured',
    'just before it.',
    '',
    '## GEMM, GFLOP/s (m×n×k: op(A) is m×k, op(B) k×n)',
    '',
    '| shape | form | js | wasm-scalar | wasm (SIMD) | wasm-relaxed | peak just before | SIMD / that peak | FMA peak just before | relaxed / that peak | SIMD / scalar | SIMD / js |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...gemmRows.map((r) => `| ${r.shape} | ${r.form} | ${r.gflops.js.toFixed(2)} | ${r.gflops['wasm-scalar'].toFixed(2)} | ${r.gflops.wasm.toFixed(2)} | ${r.gflops['wasm-relaxed'].toFixed(2)} | ${r.peak.toFixed(1)} | ${(100 * r.gflops.wasm / r.peak).toFixed(0)} % | ${r.fmaPeak.toFixed(1)} | ${(100 * r.gflops['wasm-relaxed'] / r.fmaPeak).toFixed(0)} % | ${ratio(r.gflops.wasm, r.gflops['wasm-scalar'])} | ${ratio(r.gflops.wasm, r.gflops.js)} |`),
    '',
    '## MNIST, seconds per epoch (training only, 60 000 images)',
    '',
    'Slow configurations train on the first N images and the time is scaled to 60 000 (the rows column).',
    '',
    '| workload | backend | s/epoch | rows timed | runs | test accuracy after 1 epoch |',
    '|---|---|---|---|---|---|',
    ...WORKLOADS.flatMap((w) => [
      ...BACKENDS.map((b) => {
        const e = epochSeconds[w.name][b];
        return `| ${w.name} | ${b} | ${e.median.toFixed(2)} | ${e.rows} | ${e.runs.map((s) => s.toFixed(2)).join(', ')} | ${(100 * e.accuracy).toFixed(2)} % |`;
      }),
      `| ${w.name} | tfjs-wasm (peer) | ${peer ? peer[w.name].epochSeconds.toFixed(2) : 'n/a'} | ${peer ? peer[w.name].rows : ''} | 1 | |`,
    ]),
    '',
    ...WORKLOADS.map((w) => `- ${w.name}: ${w.description}.`),
    '',
    '### Ratios from this run',
    '',
    ...WORKLOADS.map((w) => {
      const e = epochSeconds[w.name];
      const bound = (flopsPerExample(w) * 60000) / (peak * 1e9);
      return `- ${w.name}: wasm ${ratio(e.js.median, e.wasm.median)} faster than js, ${ratio(e['wasm-scalar'].median, e.wasm.median)} faster than wasm-scalar` +
        (peer ? `, ${ratio(peer[w.name].epochSeconds, e.wasm.median)} faster than tfjs-wasm` : '') +
        `; arithmetic bound at the measured peak ${bound.toFixed(2)} s (${(flopsPerExample(w) * 60000 / 1e9).toFixed(2)} GFLOP), wasm at ${(e.wasm.median / bound).toFixed(1)}× it.`;
    }),
    `- w3 on two threads (each batch split over one shared memory): ${threaded.toFixed(2)} s/epoch (runs ${threadedRuns.map((s) => s.toFixed(2)).join(', ')}), ${(threaded / epochSeconds.w3.wasm.median).toFixed(2)}× the one-thread time.`,
    `- w3 inference over the 10 000 test images: wasm ${inferencePerSecond.toFixed(0)} images/s, wasm-relaxed ${(inference['wasm-relaxed'] ?? 0).toFixed(0)}` +
      (peer?.w3.inferencePerSecond ? `, tfjs-wasm ${peer.w3.inferencePerSecond.toFixed(0)} images/s (${ratio(inferencePerSecond, peer.w3.inferencePerSecond)}).` : '.'),
    '',
    '## Loading mnist_train.csv (60 000 rows × 785 columns, 110 MB)',
    '',
    '| loader | seconds | runs |',
    '|---|---|---|',
    `| \`loadCsv\`, csv-parse on worker threads (one per core) | ${median(parallel).toFixed(2)} | ${parallel.map((s) => s.toFixed(2)).join(', ')} |`,
    `| \`loadCsv\` with \`workers: 1\` (csv-parse on one thread, the baseline) | ${oneThread[0].toFixed(2)} | 1 |`,
    `| numpy.loadtxt (float64), same file, same run | ${numpy === null ? 'not available' : numpy.toFixed(2)} | 1 |`,
    '',
  ];
  writeFileSync(here('RESULTS.md'), lines.join('\n'));
  console.log('\nwrote bench/RESULTS.md and bench/results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
