// The loading bench: the seed's mnist_train.csv through ffnn's WebAssembly reader (two threads and
// one) and csv-parse alone, and through numpy.loadtxt and pandas.read_csv (Debian's python3-numpy and
// python3-pandas) in the same run, alternating; peak memory beyond the result; a file of the same
// size with text and date columns; and Fashion-MNIST as CSV through `ffnn train` with its defaults.
//   npm run bench:load [-- --quick]     (also part of npm run bench)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { writeMnistCsv } from '../dist/data/mnist.js';
import { fashionCsv } from './fashion.js';
import { writeSection } from './sections.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = `${root}bench/data/`;
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

interface Load { seconds: number; peak: number; before: number; resultBytes: number }

function ffnnLoad(path: string, reader: string, extra?: object): Load {
  const out = execFileSync(process.execPath, [`${root}dist-bench/load-child.js`, path, reader, ...(extra ? [JSON.stringify(extra)] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as Load;
}

const PEER_SCRIPT = `
import resource, sys, time
which, path = sys.argv[1], sys.argv[2]
if which == 'numpy':
    import numpy
    t = time.time(); numpy.loadtxt(path, delimiter=',', skiprows=1); s = time.time() - t
else:
    import pandas
    t = time.time(); pandas.read_csv(path); s = time.time() - t
try:
    peak = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1]) * 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(s, peak)
`;

/** A peer's load time and peak memory, or null where it is not installed. */
function peerLoad(which: 'numpy' | 'pandas', path: string): { seconds: number; peak: number } | null {
  try {
    const [seconds, peak] = execFileSync(python, ['-c', PEER_SCRIPT, which, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(' ').map(Number);
    return { seconds, peak };
  } catch {
    return null;
  }
}

/** mnist_train.csv with four of its pixel columns made text and dates: the same size, give or take. */
function tabularTwin(source: string, target: string): void {
  const cities = ['Paris', 'Lyon', 'Nice', 'Lille', 'Brest', 'Metz', 'Caen', 'Pau'];
  const lines = readFileSync(source, 'utf8').split('\n');
  const out: string[] = [];
  lines.forEach((line, r) => {
    if (line === '') return;
    const cells = line.split(',');
    if (r === 0) {
      cells[1] = 'city'; cells[2] = 'colour'; cells[3] = 'date'; cells[4] = 'shop';
    } else {
      cells[1] = cities[r % 8]; cells[2] = ['red', 'green', 'blue'][r % 3];
      cells[3] = `20${10 + (r % 10)}-0${1 + (r % 9)}-1${r % 10}`; cells[4] = `shop${r % 37}`;
    }
    out.push(cells.join(','));
  });
  writeFileSync(target, out.join('\n') + '\n');
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const MB = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

export async function benchLoading(quick: boolean): Promise<object> {
  mkdirSync(dataDir, { recursive: true });
  const mnist = `${dataDir}mnist_train.csv`;
  if (!existsSync(mnist)) await writeMnistCsv('train', mnist);
  const tabular = `${dataDir}mnist_train_text.csv`;
  if (!existsSync(tabular)) tabularTwin(mnist, tabular);
  const rounds = quick ? 1 : 5;
  const runs = { two: [] as Load[], one: [] as Load[], numpy: [] as number[], pandas: [] as number[], ratios: [] as number[], numpyPeak: 0, pandasPeak: 0, csvParse: [] as Load[], tabular: [] as number[], numeric: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    // alternating, each ffnn run beside a numpy run: their ratio is what the target compares
    const two = ffnnLoad(mnist, 'wasm', { workers: 2 });
    const numpy = peerLoad('numpy', mnist);
    runs.two.push(two);
    if (numpy) {
      runs.numpy.push(numpy.seconds);
      runs.numpyPeak = Math.max(runs.numpyPeak, numpy.peak);
      runs.ratios.push(two.seconds / numpy.seconds);
    }
    runs.one.push(ffnnLoad(mnist, 'wasm', { workers: 1 }));
    const pandas = peerLoad('pandas', mnist);
    if (pandas) {
      runs.pandas.push(pandas.seconds);
      runs.pandasPeak = Math.max(runs.pandasPeak, pandas.peak);
    }
    runs.tabular.push(ffnnLoad(tabular, 'wasm', { workers: 2 }).seconds / statSync(tabular).size);
    runs.numeric.push(two.seconds / statSync(mnist).size);
    console.log(`CSV round ${r + 1}: wasm two threads ${two.seconds.toFixed(2)} s, numpy ${numpy?.seconds.toFixed(2) ?? 'n/a'} s, pandas ${pandas?.seconds.toFixed(2) ?? 'n/a'} s`);
  }
  runs.csvParse.push(ffnnLoad(mnist, 'csv-parse', { workers: 1 }));
  const two = median(runs.two.map((l) => l.seconds));
  const beyond = median(runs.two.map((l) => l.peak - l.before - l.resultBytes));
  const result = runs.two[0].resultBytes;
  let fashion: { seconds: number; accuracy: number } | null = null;
  if (!quick) {
    const { train, test } = await fashionCsv(dataDir);
    const start = performance.now();
    const out = execFileSync(process.execPath, [`${root}dist/cli/main.js`, 'train', '--train', train, '--test', test, '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    fashion = { seconds: (performance.now() - start) / 1000, accuracy: (JSON.parse(out) as { test: { accuracy: number } }).test.accuracy };
    console.log(`Fashion-MNIST CSV, ffnn train with the defaults: ${fashion.seconds.toFixed(1)} s from the command, test accuracy ${(100 * fashion.accuracy).toFixed(2)} %`);
  }
  const size = statSync(mnist).size;
  const lines = [
    '## Loading CSV: the WebAssembly reader against csv-parse, numpy and pandas', '',
    `Produced by \`npm run bench\` (or \`npm run bench:load\`) on ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}.`,
    `\`bench/data/mnist_train.csv\` (the seed's file: 60 000 × 785, ${MB(size)}), each load in a fresh process, ${rounds} alternating rounds; medians.`, '',
    '| reader | seconds | × numpy.loadtxt (median of paired ratios) | peak resident memory |',
    '|---|---|---|---|',
    `| ffnn, WebAssembly reader, two threads | **${two.toFixed(2)}** | **${runs.ratios.length ? median(runs.ratios).toFixed(2) : 'n/a'}** | ${MB(median(runs.two.map((l) => l.peak)))} |`,
    `| ffnn, WebAssembly reader, one thread | ${median(runs.one.map((l) => l.seconds)).toFixed(2)} | | ${MB(median(runs.one.map((l) => l.peak)))} |`,
    `| ffnn, csv-parse alone (one run) | ${runs.csvParse[0].seconds.toFixed(2)} | | ${MB(runs.csvParse[0].peak)} |`,
    `| numpy.loadtxt (float64) | ${runs.numpy.length ? median(runs.numpy).toFixed(2) : 'python3-numpy not installed'} | 1 | ${runs.numpyPeak ? MB(runs.numpyPeak) : ''} |`,
    `| pandas.read_csv | ${runs.pandas.length ? median(runs.pandas).toFixed(2) : 'python3-pandas not installed'} | | ${runs.pandasPeak ? MB(runs.pandasPeak) : ''} |`,
    '',
    `Runs (two threads / numpy): ${runs.two.map((l, i) => `${l.seconds.toFixed(2)} / ${runs.numpy[i]?.toFixed(2) ?? '–'}`).join('; ')}.`, '',
    `Peak memory beyond the result (x, the pixels as bytes, and one-hot labels, ${MB(result)}), two threads: **${MB(beyond)}**, ${(100 * beyond / result).toFixed(0)} % of the result`,
    '(the process\'s peak resident memory, less its resident memory before the load and the result).', '',
    `A file of the same rows with four columns of text and dates (city, colour, an ISO date, a shop id; \`mnist_train_text.csv\`), two threads: ${(median(runs.tabular) * 1e6).toFixed(4)} s per MB against ${(median(runs.numeric) * 1e6).toFixed(4)} for the all-numeric file: **${(median(runs.tabular) / median(runs.numeric)).toFixed(2)}×**.`,
  ];
  if (fashion) {
    lines.push('', `Fashion-MNIST as CSV (60 000 × 785 train, 10 000 test; \`bench/fashion.ts\`), \`ffnn train --train fashion_train.csv --test fashion_test.csv\` with its defaults: **${fashion.seconds.toFixed(1)} s** from the command to the scored model, loading included; test accuracy ${(100 * fashion.accuracy).toFixed(2)} %.`);
  }
  if (!quick) writeSection('loading', lines.join('\n'));
  return { runs, fashion };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchLoading(process.argv.includes('--quick'));
  console.log(process.argv.includes('--quick') ? '--quick: RESULTS.md left as it was' : 'wrote the loading section of bench/RESULTS.md');
}
