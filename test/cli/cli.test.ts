// The `ffnn` command, run as a user runs it (the built dist/cli/main.js in a child process).

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeMnistCsv } from '../../src/data/mnist.js';
import { Network } from '../../src/network.js';
import { weatherCsv } from '../helpers/tabular.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ffnn-cli-'));
const trainCsv = join(dir, 'mnist_train.csv');
const testCsv = join(dir, 'mnist_test.csv');

async function ffnn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  await writeMnistCsv('train', trainCsv, { limit: 3000 });
  await writeMnistCsv('test', testCsv, { limit: 500 });
});

describe('ffnn command', () => {
  it('trains from an MNIST CSV, saves the model, evaluates it and predicts with it', async () => {
    const model = join(dir, 'model.json');
    const trained = await ffnn('train', '--train', trainCsv, '--test', testCsv, '--layers', '32', '--activation', 'relu',
      '--loss', 'cross-entropy', '--optimizer', 'sgd', '--learning-rate', '0.1', '--batch-size', '32', '--epochs', '4', '--out', model, '--json');
    expect(trained.code, trained.stderr).toBe(0);
    const result = JSON.parse(trained.stdout);
    expect(result.stopReason).toBe('epochs');
    expect(result.epochs).toHaveLength(4);
    expect(result.test.accuracy).toBeGreaterThan(0.8);
    // progress lines went to stderr in the seed's Nielsen form, leaving stdout as pure JSON
    expect(trained.stderr).toMatch(/Epoch 4: \d+ \/ 500 {2}loss/);

    const evaluated = await ffnn('evaluate', '--model', model, '--data', testCsv, '--json');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const scores = JSON.parse(evaluated.stdout);
    expect(scores.accuracy).toBeCloseTo(result.test.accuracy, 10);
    expect(scores.confusion).toHaveLength(10);
    expect(scores.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(500);
    expect(scores.confusion.reduce((a: number, row: number[], i: number) => a + row[i], 0)).toBe(scores.correct);

    const text = await ffnn('evaluate', '--model', model, '--data', testCsv);
    expect(text.stdout).toMatch(/accuracy: \d+\.\d\d % \(\d+ \/ 500\), loss \d+\.\d+, cost \d+\.\d+\nconfusion/);

    // predict on the pixels alone: drop the label column first
    const pixelsOnly = join(dir, 'pixels.csv');
    writeFileSync(pixelsOnly, readFileSync(testCsv, 'utf8').split('\n').map((l) => l.slice(l.indexOf(',') + 1)).join('\n'));
    const out = join(dir, 'predictions.csv');
    const predicted = await ffnn('predict', '--model', model, '--data', pixelsOnly, '--out', out);
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('prediction,' + Array.from({ length: 10 }, (_, j) => String(j)).join(','));
    expect(lines).toHaveLength(501);
    const labels = readFileSync(testCsv, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    const hits = lines.slice(1).filter((l, i) => Number(l.split(',')[0]) === labels[i]).length;
    expect(hits).toBe(scores.correct);
  });

  it('trains with Adam, dropout, a schedule and early stopping on a validation split, then resumes the saved run', async () => {
    const model = join(dir, 'adam.json');
    const first = await ffnn('train', '--train', trainCsv, '--layers', '32', '--activation', 'relu', '--dropout', '0.2',
      '--loss', 'cross-entropy', '--optimizer', 'adam', '--learning-rate', '0.002', '--schedule', 'cosine:6', '--warmup', '1',
      '--batch-size', '32', '--epochs', '3', '--validation-split', '0.2', '--patience', '2', '--out', model, '--json');
    expect(first.code, first.stderr).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a.epochs[0].validation.rows).toBe(600);
    expect(a.epochs[0].examples).toBe(2400);
    const resumed = await ffnn('train', '--train', trainCsv, '--resume', model, '--optimizer', 'adam', '--learning-rate', '0.002',
      '--schedule', 'cosine:6', '--batch-size', '32', '--epochs', '1', '--test', testCsv, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/Training 784-32-10 \(relu, softmax, cross-entropy\)/);
    expect(JSON.parse(resumed.stdout).test.accuracy).toBeGreaterThan(0.8);
  });

  it('exports a trained model to ONNX and imports it back to the same predictions', async () => {
    const model = join(dir, 'small.json');
    expect((await ffnn('train', '--train', testCsv, '--layers', '8', '--epochs', '1', '--out', model, '--quiet')).code).toBe(0);
    const onnxFile = join(dir, 'small.onnx');
    const exported = await ffnn('export', '--model', model, '--onnx', onnxFile);
    expect(exported.code, exported.stderr).toBe(0);
    const back = join(dir, 'back.json');
    const imported = await ffnn('import', '--onnx', onnxFile, '--out', back);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/imported 784-8-10 \(relu, softmax\)/);
    const a = await ffnn('evaluate', '--model', model, '--data', testCsv, '--json');
    const b = await ffnn('evaluate', '--model', back, '--data', testCsv, '--json');
    expect(JSON.parse(b.stdout).correct).toBe(JSON.parse(a.stdout).correct);
    const bad = await ffnn('import', '--onnx', model, '--out', back);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/small\.json: not a valid ONNX model/);
  });

  it('runs the fused multiply-add build by default, plain SIMD with --backend wasm-simd: the same model up to rounding', async () => {
    const args = ['train', '--train', testCsv, '--layers', '16', '--activation', 'relu', '--loss', 'cross-entropy',
      '--optimizer', 'sgd', '--learning-rate', '0.1', '--batch-size', '32', '--epochs', '2'];
    const fmaFile = join(dir, 'fma.json'), plainFile = join(dir, 'plain.json');
    const fma = await ffnn(...args, '--out', fmaFile);
    const plain = await ffnn(...args, '--backend', 'wasm-simd', '--out', plainFile);
    expect(fma.code, fma.stderr).toBe(0);
    expect(plain.code, plain.stderr).toBe(0);
    // Node 20 keeps relaxed SIMD behind a flag: the command itself switched it on
    expect(fma.stdout).toMatch(/with the wasm backend \(relaxed build\)/);
    expect(plain.stdout).toMatch(/with the wasm-simd backend \(simd build\)/);
    const weights = async (file: string) => (await Network.load(file, { backend: 'js' })).parameters().flatMap((l) => [...l.weights.data, ...l.biases]);
    const a = await weights(fmaFile), b = await weights(plainFile);
    expect(a.length).toBe(784 * 16 + 16 + 16 * 10 + 10);
    let differ = 0, worst = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) differ++;
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    // fused multiply-adds round once where a multiply and an add round twice: the runs part by
    // rounding, and only by rounding
    expect(differ).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-3);
  });

  it('--help works on every command', async () => {
    for (const command of ['train', 'evaluate', 'predict', 'export', 'import', 'mnist-csv']) {
      const r = await ffnn(command, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: ffnn ${command}`));
    }
    expect((await ffnn('--help')).stdout).toMatch(/Commands:/);
  });

  it('bad arguments and bad files end with one clear line and a non-zero status', async () => {
    const cases: [string[], number, RegExp][] = [
      [['fly'], 2, /^ffnn: unknown command 'fly'/],
      [['train', '--train', trainCsv, '--bogus'], 2, /^ffnn: unknown option '--bogus' \(see ffnn train --help\)$/],
      [['train', '--train', trainCsv, '--loss', 'hinge'], 2, /^ffnn: option '--loss <name>' argument 'hinge' is invalid\. Allowed choices are mse, cross-entropy, binary-cross-entropy \(see ffnn train --help\)$/],
      [['train'], 2, /^ffnn: required option '--train <data>' not specified \(see ffnn train --help\)$/],
      [['train', '--train', trainCsv, '--learning-rate', 'fast'], 2, /^ffnn: --learning-rate must be a number > 0, got 'fast'/],
      [['train', '--train', trainCsv, '--layers', '30,x'], 2, /^ffnn: --layers takes hidden sizes like 30 or 128,64; 'x' is not/],
      [['train', '--train', join(dir, 'absent.csv')], 1, /^ffnn: .*absent\.csv: cannot read the file: ENOENT/],
      [['evaluate', '--model', join(dir, 'absent.json'), '--data', testCsv], 1, /^ffnn: cannot read model file/],
    ];
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'label,a,b\n1,2,3\n4,5\n');
    cases.push([['train', '--train', broken], 1, /^ffnn: .*broken\.csv, line 3: 2 cells where 3 were expected/]);
    for (const [args, code, message] of cases) {
      const r = await ffnn(...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
  });
});

describe('ffnn command on tabular data with its defaults', () => {
  const train = join(dir, 'weather.csv.gz');
  const test = join(dir, 'weather-test.csv');
  beforeAll(() => {
    writeFileSync(train, gzipSync(weatherCsv(1500, 1)));
    writeFileSync(test, weatherCsv(400, 2));
  });

  it('classes named by strings, categories, dates and missing cells: train → save → evaluate and predict on raw files', async () => {
    const model = join(dir, 'rain.json');
    const trained = await ffnn('train', '--train', train, '--test', test, '--label', 'rain', '--ignore', 'station,rainfall', '--out', model, '--json');
    expect(trained.code, trained.stderr).toBe(0);
    const result = JSON.parse(trained.stdout);
    // the label depends on city, humidity and season: far above the 50-60 % of always saying one class
    expect(result.test.accuracy).toBeGreaterThan(0.85);
    expect(result.stopReason).toBe('early-stopping');
    expect(trained.stderr).toMatch(/train data: column temp: \d+ missing cell\(s\) filled with [\d.]+ \(the training median\)/);
    expect(trained.stderr).toMatch(/train data: column city: \d+ missing cell\(s\) filled with category 'missing'/);
    expect(trained.stderr).toMatch(/Training 9-32-2 \(relu, softmax, cross-entropy\)/);

    const evaluated = await ffnn('evaluate', '--model', model, '--data', test);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/confusion \(rows: true class, columns: predicted\)\n  +no +yes\n *no +\d+ +\d+\n *yes +\d+ +\d+/);
    const scores = JSON.parse((await ffnn('evaluate', '--model', model, '--data', test, '--json')).stdout);
    expect(scores.accuracy).toBeCloseTo(result.test.accuracy, 10);
    expect(scores.classes).toEqual(['no', 'yes']);

    // predict on the raw file without its label and target columns: class names come back
    const raw = join(dir, 'weather-unlabelled.csv');
    writeFileSync(raw, readFileSync(test, 'utf8').split('\n').map((l) => l.split(',').slice(0, 5).join(',')).join('\n'));
    const predicted = await ffnn('predict', '--model', model, '--data', raw);
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = predicted.stdout.trim().split('\n');
    expect(lines[0]).toBe('prediction,no,yes');
    expect(lines).toHaveLength(401);
    const truth = readFileSync(test, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[5]);
    expect(lines.slice(1).filter((l, i) => l.split(',')[0] === truth[i]).length).toBe(scores.correct);
  });

  it('a regression with --target: RMSE, MAE and R² in the targets\' units, never an accuracy', async () => {
    const model = join(dir, 'rainfall.json');
    const trained = await ffnn('train', '--train', train, '--test', test, '--target', 'rainfall', '--ignore', 'station,rain', '--out', model, '--json');
    expect(trained.code, trained.stderr).toBe(0);
    const result = JSON.parse(trained.stdout);
    expect(result.test.task).toBe('regression');
    expect(result.test.accuracy).toBeUndefined();
    expect(result.test.r2).toBeGreaterThan(0.8);
    expect(result.test.rmse).toBeGreaterThan(0);
    expect(trained.stderr).toMatch(/Final test RMSE [\d.]+, MAE [\d.]+, R² 0\.\d+/);
    const predicted = await ffnn('predict', '--model', model, '--data', test);
    const values = predicted.stdout.trim().split('\n');
    expect(values[0]).toBe('rainfall');
    const truth = readFileSync(test, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[6]));
    const rmse = Math.sqrt(values.slice(1).reduce((a, v, i) => a + (Number(v) - truth[i]) ** 2, 0) / truth.length);
    expect(rmse).toBeCloseTo(result.test.rmse, 4);
  });

  it('--half holds float inputs as half floats and learns as well; bytes stay bytes', async () => {
    const train = join(dir, 'weather-half.csv'), test = join(dir, 'weather-half-test.csv');
    writeFileSync(train, weatherCsv(600, 11));
    writeFileSync(test, weatherCsv(200, 12));
    const scores: number[] = [];
    for (const half of [false, true]) {
      const r = await ffnn('train', '--train', train, '--test', test, '--target', 'rainfall', '--ignore', 'station,rain', '--json', ...(half ? ['--half'] : []));
      expect(r.code, r.stderr).toBe(0);
      if (half) expect(r.stderr).toMatch(/train data: inputs held as half floats: [\d.]+ KB instead of [\d.]+ KB/);
      scores.push(JSON.parse(r.stdout).test.r2);
    }
    expect(scores[1]).toBeGreaterThan(0.8);
    expect(Math.abs(scores[1] - scores[0])).toBeLessThan(0.02);
    const pixels = await ffnn('train', '--train', testCsv, '--half', '--epochs', '1', '--json');
    expect(pixels.code, pixels.stderr).toBe(0);
    expect(pixels.stderr).toMatch(/whole numbers 0-255, kept as bytes \([\d.]+ KB\); --half leaves them so/);
  });

  it("--preset seed keeps the notebook's recipe one flag away", async () => {
    const r = await ffnn('train', '--train', trainCsv, '--preset', 'seed', '--epochs', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Training 784-30-10 \(sigmoid, sigmoid, mse\)/);
    expect(r.stderr).toMatch(/sgd, learning rate 3, batch 10, at most 1 epochs/);
  });

  it('the help shows a tabular example with categories, dates and missing values', async () => {
    const help = (await ffnn('train', '--help')).stdout;
    expect(help).toMatch(/--target <cols>/);
    expect(help).toMatch(/17,Paris,2023-01-31,3\.5,,yes/);
  });
});

describe('ffnn command when training goes wrong, and the learning rate', () => {
  it('a rate that diverges ends with status 1 and a message naming it and one to try', async () => {
    const r = await ffnn('train', '--train', trainCsv, '--layers', '30', '--activation', 'relu', '--loss', 'cross-entropy', '--optimizer', 'sgd', '--learning-rate', '10000', '--batch-size', '10', '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^ffnn: training diverged at epoch 1, batch \d+: .*The learning rate 10000 is too high: try [\d.e+-]+ \(the range test's suggestion; ffnn lr-find\)/);
  });

  it('lr-find draws the curve and suggests a rate; --learning-rate auto trains with it; --plot and --checkpoint write their files', async () => {
    const found = await ffnn('lr-find', '--train', trainCsv, '--plot', join(dir, 'lr.svg'), '--json');
    expect(found.code, found.stderr).toBe(0);
    const curve = JSON.parse(found.stdout);
    expect(curve.suggestion).toBeGreaterThan(1e-5);
    expect(curve.suggestion).toBeLessThan(1);
    expect(found.stderr).toMatch(/Suggested learning rate: [\d.e-]+/);
    expect(readFileSync(join(dir, 'lr.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    const trained = await ffnn('train', '--train', trainCsv, '--test', testCsv, '--learning-rate', 'auto', '--epochs', '3', '--plot', join(dir, 'curves.svg'),
      '--checkpoint', join(dir, 'ck.json'), '--json');
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/Learning rate auto: [\d.e-]+ \(the range test's suggestion/);
    expect(JSON.parse(trained.stdout).test.accuracy).toBeGreaterThan(0.8);
    const svg = readFileSync(join(dir, 'curves.svg'), 'utf8');
    expect(svg).toMatch(/Loss per epoch[\s\S]*Accuracy per epoch/);
    expect((await Network.load(join(dir, 'ck.json'))).toJSON().training?.epochs).toBeGreaterThanOrEqual(1);
  });
});
