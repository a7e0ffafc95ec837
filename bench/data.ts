// The data bench: `ffnn train` with its defaults (plus --label or --target where a file needs one)
// against scikit-learn's MLPClassifier / MLPRegressor on the same splits of data sets no one here
// wrote: the CSV files Debian's python3-sklearn bundles, and Fashion-MNIST as CSV. Scores go to the
// data section of bench/RESULTS.md.
//
//   npm run bench:data                  five seeded splits of each sklearn file, Fashion-MNIST once
//   npm run bench:data -- --no-fashion  the sklearn files only (about a minute)

import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { loadCsv } from '../dist/index.js';
import { heldOut } from '../dist/data/split.js';
import { Random } from '../dist/random.js';
import { fashionCsv } from './fashion.js';
import { writeSection } from './sections.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli', 'main.js');
const splitsDir = join(root, 'bench', 'data', 'splits');
const SEEDS = [0, 1, 2, 3, 4];
const TEST_SHARE = 0.2;

interface DataSet {
  readonly name: string;
  readonly file: string;
  /** what the file needs told: its label or target column */
  readonly flags: readonly string[];
}

const SETS: readonly DataSet[] = [
  { name: 'digits', file: 'digits.csv.gz', flags: ['--label', '64'] },
  { name: 'wine', file: 'wine_data.csv', flags: ['--label', '-1'] },
  { name: 'breast cancer', file: 'breast_cancer.csv', flags: ['--label', '-1'] },
  { name: 'iris', file: 'iris.csv', flags: ['--label', '-1'] },
  { name: 'Boston house prices', file: 'boston_house_prices.csv', flags: ['--target', 'MEDV'] },
];

interface Run { score: number; seconds: number; epochs?: number }
interface Row { set: DataSet; task: 'classification' | 'regression'; ffnn: Run[]; raw: Run[]; scaled: Run[] }

const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function sklearnDir(): string | null {
  try {
    return execFileSync(python, ['-c', 'import os, sklearn.datasets as d; print(os.path.join(os.path.dirname(d.__file__), "data"))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function ffnnTrain(train: string, test: string, flags: readonly string[], seed: number): Promise<Run> {
  const started = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'train', '--train', train, '--test', test, ...flags, '--seed', String(seed), '--json', '--quiet'], { maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  const result = JSON.parse(stdout) as { test: { accuracy?: number; r2?: number }; epochs: unknown[] };
  return { score: result.test.accuracy ?? result.test.r2!, seconds, epochs: result.epochs.length };
}

/** Splits a file's data lines (the lines before them kept at the top of both parts) for each seed. */
async function splitFiles(dir: string, set: DataSet): Promise<{ jobs: object[]; task: Row['task']; files: { seed: number; train: string; test: string }[] }> {
  const path = join(dir, set.file);
  const flagValue = (flag: string) => set.flags[set.flags.indexOf(flag) + 1];
  const label = set.flags.includes('--label') ? Number(flagValue('--label')) : undefined;
  const loaded = await loadCsv(path, label !== undefined ? { label } : { targets: [flagValue('--target')] });
  const task = loaded.labels ? 'classification' : 'regression';
  const bytes = readFileSync(path);
  const text = (set.file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const lines = text.split(/\r?\n/);
  const head = loaded.report.skippedLines + (loaded.schema.header ? 1 : 0);
  const data = lines.slice(head).filter((l) => l.trim() !== '');
  if (data.length !== loaded.x.rows) throw new Error(`${set.file}: ${data.length} data lines but ${loaded.x.rows} rows loaded`);
  const column = loaded.schema.columns.findIndex((c) => c.kind === 'label' || c.kind === 'target');
  const files: { seed: number; train: string; test: string }[] = [];
  const jobs: object[] = [];
  for (const seed of SEEDS) {
    const { held, kept } = heldOut(data.length, TEST_SHARE, loaded.labels ?? null, new Random(seed));
    const part = (rows: Int32Array) => [...lines.slice(0, head), ...Array.from(rows, (r) => data[r])].join('\n') + '\n';
    const base = join(splitsDir, `${set.file.replace(/\.csv(\.gz)?$/, '')}-${seed}`);
    const gz = set.file.endsWith('.gz');
    const train = `${base}-train.csv${gz ? '.gz' : ''}`, test = `${base}-test.csv${gz ? '.gz' : ''}`;
    writeFileSync(train, gz ? gzipSync(part(kept)) : part(kept));
    writeFileSync(test, gz ? gzipSync(part(held)) : part(held));
    files.push({ seed, train, test });
    jobs.push({ name: set.name, seed, train, test, skip: loaded.report.skippedLines, header: loaded.schema.header, column, task });
  }
  return { jobs, task, files };
}

function sklearnRuns(jobs: object[]): Map<string, { raw: Run; scaled: Run }> {
  const file = join(splitsDir, 'jobs.json');
  writeFileSync(file, JSON.stringify(jobs));
  const out = execFileSync(python, [join(root, 'bench', 'sklearn-mlp.py'), file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const runs = new Map<string, { raw: Run; scaled: Run }>();
  for (const line of out.trim().split('\n')) {
    const r = JSON.parse(line) as { name: string; seed: number; raw: Run; scaled: Run };
    runs.set(`${r.name}/${r.seed}`, r);
  }
  return runs;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const fmt = (task: Row['task'], v: number) => (task === 'classification' ? `${(100 * v).toFixed(1)} %` : `R² ${v.toFixed(3)}`);

async function main(): Promise<void> {
  const withFashion = !process.argv.includes('--no-fashion');
  const dir = sklearnDir();
  mkdirSync(splitsDir, { recursive: true });
  const lines: string[] = [];
  const stamp = `${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}`;
  lines.push('## Your data as it is: ffnn\'s defaults against scikit-learn', '');
  lines.push(`Produced by \`npm run bench:data\` on ${stamp}.`, '');
  if (!dir) {
    lines.push('scikit-learn is not installed here (Debian: `apt install python3-sklearn`): nothing to compare.');
  } else {
    const rows: Row[] = [];
    for (const set of SETS) {
      if (!existsSync(join(dir, set.file))) continue;
      const { jobs, task, files } = await splitFiles(dir, set);
      const ffnn: Run[] = [];
      for (const f of files) ffnn.push(await ffnnTrain(f.train, f.test, set.flags, f.seed));
      const peers = sklearnRuns(jobs);
      const raw = SEEDS.map((s) => peers.get(`${set.name}/${s}`)!.raw);
      const scaled = SEEDS.map((s) => peers.get(`${set.name}/${s}`)!.scaled);
      rows.push({ set, task, ffnn, raw, scaled });
      console.log(`${set.name}: ffnn ${ffnn.map((r) => r.score.toFixed(3)).join(' ')} | sklearn scaled ${scaled.map((r) => r.score.toFixed(3)).join(' ')} | raw ${raw.map((r) => r.score.toFixed(3)).join(' ')}`);
    }
    lines.push(
      `Each file is split ${SEEDS.length} times (seeds ${SEEDS.join(', ')}; ${100 * TEST_SHARE} % test, stratified by class), and`,
      'both libraries train on the same training part and are scored on the same test part. ffnn is the',
      '`ffnn train` command with nothing but `--label` or `--target`; scikit-learn is `MLPClassifier()` /',
      '`MLPRegressor()` with their defaults (random_state = the seed), on the raw columns and behind a',
      '`StandardScaler` (its documentation\'s advice). The first line of sklearn\'s files is a count, not a',
      'header: ffnn tells it from the rows below (it is shorter, or mostly empty) and skips it, saying so;',
      'pandas is told `skiprows`. Scores: test accuracy, or R² for a regression; medians over the splits.',
      '',
      '| data set | rows × columns | ffnn defaults | sklearn MLP + StandardScaler | sklearn MLP, raw | ffnn ≥ sklearn (scaled), splits | ffnn s per run |',
      '|---|---|---|---|---|---|---|',
    );
    for (const r of rows) {
      const loaded = await loadCsv(join(dir, r.set.file), r.set.flags[0] === '--label' ? { label: Number(r.set.flags[1]) } : { targets: [r.set.flags[1]] });
      const ff = median(r.ffnn.map((x) => x.score)), sc = median(r.scaled.map((x) => x.score)), rw = median(r.raw.map((x) => x.score));
      const wins = r.ffnn.filter((x, i) => x.score >= r.scaled[i].score).length;
      lines.push(`| ${r.set.name} (\`${r.set.file}\`, ${r.set.flags.join(' ')}) | ${loaded.x.rows} × ${loaded.schema.columns.length} | **${fmt(r.task, ff)}** | ${fmt(r.task, sc)} | ${fmt(r.task, rw)} | ${wins} of ${SEEDS.length} | ${median(r.ffnn.map((x) => x.seconds)).toFixed(2)} |`);
    }
    lines.push('', 'Per split (ffnn / sklearn scaled / sklearn raw):', '');
    for (const r of rows) {
      lines.push(`- ${r.set.name}: ${r.ffnn.map((x, i) => `${x.score.toFixed(3)} / ${r.scaled[i].score.toFixed(3)} / ${r.raw[i].score.toFixed(3)}`).join('; ')}`);
    }
  }
  if (withFashion) {
    const { train, test } = await fashionCsv(join(root, 'bench', 'data'));
    const run = await ffnnTrain(train, test, [], 1);
    console.log(`Fashion-MNIST: ffnn ${run.score.toFixed(4)} in ${run.seconds.toFixed(1)} s, ${run.epochs} epochs`);
    lines.push('', '### Fashion-MNIST as CSV (60 000 × 785 train, 10 000 test), the defaults', '');
    lines.push(
      'The npm package `fashion-mnist` (a dev dependency) holds the 70 000 images grouped by class, without',
      'the official split; `bench/fashion.ts` writes a seeded stratified split of the same sizes in the seed\'s',
      'CSV layout (label first, raw 0–255 pixels). `ffnn train --train fashion_train.csv --test fashion_test.csv`,',
      'nothing else:', '',
      `| test accuracy | wall time from the command, loading included | epochs (early stopping) |`,
      '|---|---|---|',
      `| **${(100 * run.score).toFixed(2)} %** | ${run.seconds.toFixed(1)} s | ${run.epochs} |`,
    );
  }
  writeSection('data', lines.join('\n'));
  console.log('wrote the data section of bench/RESULTS.md');
}

await main();
