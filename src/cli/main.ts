#!/usr/bin/env node
// The `ffnn` command: train, evaluate and predict from the shell. Bad arguments or files end with
// one line on stderr and a non-zero exit status (2 for usage, 1 for everything else).

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { join } from 'node:path';
import { writeMnistCsv } from '../data/mnist.js';
import { Network } from '../network.js';
import { fitScaling, type InputScaling } from '../scaling.js';
import { argmaxRows } from '../matrix.js';
import type { ActivationName } from '../activations.js';
import type { LossName } from '../losses.js';
import type { InitName } from '../init.js';
import type { BackendName } from '../backends/backend.js';
import type { OptimizerName } from '../optimizers.js';
import type { Schedule } from '../schedules.js';
import { relaxedSimdSupported } from '../backends/wasm-module.js';
import { loadData, type LoadedData } from './data.js';
import { progressView } from './progress.js';
import { UsageError } from './usage.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const DATA_OPTIONS: Options = {
  label: { type: 'string' },
  header: { type: 'string' },
};

const COMMANDS: Record<string, { options: Options; help: string; run: (v: Values) => Promise<void> }> = {
  train: {
    options: {
      train: { type: 'string' }, 'train-labels': { type: 'string' },
      test: { type: 'string' }, 'test-labels': { type: 'string' },
      layers: { type: 'string', default: '30' },
      activation: { type: 'string', default: 'sigmoid' },
      'output-activation': { type: 'string' },
      loss: { type: 'string', default: 'mse' },
      init: { type: 'string' },
      'learning-rate': { type: 'string', default: '3' },
      'batch-size': { type: 'string', default: '10' },
      epochs: { type: 'string', default: '30' },
      'max-time': { type: 'string' },
      tolerance: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string', default: 'wasm' },
      scale: { type: 'string', default: 'auto' },
      optimizer: { type: 'string', default: 'sgd' },
      momentum: { type: 'string' }, beta1: { type: 'string' }, beta2: { type: 'string' },
      'weight-decay': { type: 'string' }, 'clip-norm': { type: 'string' },
      schedule: { type: 'string', default: 'constant' }, warmup: { type: 'string' },
      dropout: { type: 'string' }, 'validation-split': { type: 'string' },
      patience: { type: 'string' }, monitor: { type: 'string', default: 'loss' },
      resume: { type: 'string' },
      threads: { type: 'string', default: '1' },
      out: { type: 'string' },
      ...DATA_OPTIONS,
    },
    help: `Usage: ffnn train --train DATA [options]

Trains a network and reports every epoch (also as "Epoch N: correct / total").

DATA is a CSV file (label in the first column unless --label), an IDX images file (with
--train-labels / --test-labels), or "mnist" for the MNIST set embedded in the package.

  --train DATA            training data (required)
  --test DATA             data scored after every epoch
  --layers 30[,20...]     hidden layer sizes (default 30)
  --activation NAME       hidden activation: sigmoid, tanh, relu, leaky-relu (default sigmoid)
  --output-activation N   default: softmax with cross-entropy, sigmoid with mse
  --loss mse|cross-entropy|binary-cross-entropy  (default mse, the sum of squares)
  --init NAME             uniform, normal, xavier, he (default: per activation)
  --learning-rate R       (default 3)       --batch-size N   (default 10)
  --epochs N              (default 30)      --max-time S     seconds (default: none)
  --tolerance T           stop when the epoch's gradient norm is at most T (default 0: off)
  --seed N                (default 1)
  --backend NAME          wasm (default: relaxed SIMD, whose fused multiply-adds this command
                          switches on in Node), wasm-simd (plain SIMD: the same bits on every
                          engine), wasm-relaxed, wasm-scalar, js
  --optimizer NAME        sgd, momentum, nesterov, adam, adamw (default sgd)
  --momentum M  --beta1 B1  --beta2 B2       optimizer settings (0.9, 0.9, 0.999)
  --weight-decay D        L2 (decoupled for adamw)     --clip-norm N   clip each step's gradient norm
  --schedule S            constant, step:EVERY:FACTOR, exponential:GAMMA, cosine[:EPOCHS[:MIN]]
  --warmup E              epochs of linear learning-rate warm-up
  --dropout R[,R...]      dropout share after each hidden layer
  --validation-split S    hold out this share of --train for validation
  --patience P            early stopping: epochs without improvement (needs --test or --validation-split);
                          the best epoch's weights are kept      --monitor loss|accuracy
  --resume FILE           continue training a saved model (its architecture, weights, optimizer state)
  --threads N             share each training step among N threads over one memory (default 1;
                          pays for large layers and batches, e.g. 512-unit layers at batch 128;
                          smaller steps stay on one thread; the same weights as one thread)
  --scale auto|none|255|minmax|zscore|NUMBER
                          input scaling fitted on the training data and saved with the model
                          (auto: divide by 255 for images, minmax for CSV)
  --label COL             label column of CSV data, index or header name (default 0)
  --header auto|true|false
  --out FILE              save the trained model (JSON)
  --json                  print the result as JSON on stdout (progress goes to stderr)
  --quiet                 no per-epoch lines`,
    run: train,
  },
  evaluate: {
    options: { model: { type: 'string' }, data: { type: 'string' }, labels: { type: 'string' }, backend: { type: 'string', default: 'wasm' }, ...DATA_OPTIONS },
    help: `Usage: ffnn evaluate --model FILE --data DATA [options]

Scores a saved model: loss, accuracy and the confusion matrix (rows: true class, columns: predicted).

  --model FILE            a model saved by ffnn train --out
  --data DATA             CSV file, IDX images (with --labels FILE), or "mnist" (the test set)
  --label COL, --header auto|true|false, --backend NAME, --json`,
    run: evaluate,
  },
  predict: {
    options: { model: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string', default: 'wasm' }, header: { type: 'string' }, label: { type: 'string' } },
    help: `Usage: ffnn predict --model FILE --data DATA [--out FILE.csv]

Writes one line per row: the predicted class, then the network's outputs. Every CSV column is a
feature unless --label names one to drop.

  --model FILE, --data DATA (CSV, IDX images, or "mnist"), --out FILE (default: stdout),
  --label COL, --header auto|true|false, --backend NAME, --json`,
    run: predict,
  },
};

COMMANDS.export = {
  options: { model: { type: 'string' }, onnx: { type: 'string' } },
  help: `Usage: ffnn export --model model.json --onnx model.onnx

Writes a saved model as ONNX (opset 17): input 'input' (batch × features), output 'output', the
input scaling as Sub/Mul nodes, each layer a Gemm and its activation. onnxruntime (node or web) runs it.`,
  run: async (v) => {
    const net = await Network.load(required(v, 'model', 'export'));
    const out = required(v, 'onnx', 'export');
    await writeFile(out, await net.toOnnx());
    log(v, `wrote ${out}`);
  },
};

COMMANDS.import = {
  options: { onnx: { type: 'string' }, out: { type: 'string' } },
  help: `Usage: ffnn import --onnx model.onnx --out model.json

Reads an MLP from ONNX (Gemm or MatMul + Add layers; Relu, Sigmoid, Tanh, LeakyRelu, Softmax,
Identity, Flatten) and saves it as an ffnn model; anything else is refused with the node named.`,
  run: async (v) => {
    const path = required(v, 'onnx', 'import');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new Error(`ffnn: cannot read ${path}: ${(error as Error).message}`);
    }
    const net = await Network.fromOnnx(bytes, { source: path });
    const out = required(v, 'out', 'import');
    await net.save(out);
    log(v, `imported ${[net.inputs, ...net.toJSON().network.layers.map((l) => l.units)].join('-')} (${net.activations.join(', ')}) into ${out}`);
  },
};

COMMANDS['mnist-csv'] = {
  options: { 'out-dir': { type: 'string', default: '.' }, limit: { type: 'string' } },
  help: `Usage: ffnn mnist-csv [--out-dir DIR] [--limit N]

Writes the embedded MNIST set as mnist_train.csv and mnist_test.csv in the seed notebook's layout
(label,1x1,…,28x28 with raw 0–255 pixels).`,
  run: async (v) => {
    const limit = v.limit === undefined ? undefined : number(v, 'limit', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
    for (const part of ['train', 'test'] as const) {
      const path = join(v['out-dir'] as string, `mnist_${part}.csv`);
      const rows = await writeMnistCsv(part, path, { limit });
      log(v, `wrote ${rows} rows to ${path}`);
    }
  },
};

const COMMON: Options = { json: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } };

const TOP_HELP = `Usage: ffnn <command> [options]

Commands:
  train      train a network on CSV, IDX or the embedded MNIST data
  evaluate   score a saved model on labelled data
  predict    write a saved model's predictions
  export     write a saved model as ONNX
  import     read an ONNX MLP into a saved model
  mnist-csv  write the embedded MNIST set as CSV files (the seed notebook's format)

ffnn <command> --help shows each command's options.`;

type Values = Record<string, string | boolean | undefined>;

function number(v: Values, name: string, check: (n: number) => boolean, want: string): number {
  const text = v[name] as string;
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`--${name} must be ${want}, got '${text}'`);
  }
  return n;
}

function required(v: Values, name: string, command: string): string {
  const s = v[name];
  if (typeof s !== 'string' || s === '') throw new UsageError(`${command} needs --${name} (see ffnn ${command} --help)`);
  return s;
}

function out(v: Values) {
  // with --json, stdout carries only the JSON document
  return v.json ? process.stderr : process.stdout;
}

function log(v: Values, line: string): void {
  if (!v.quiet) out(v).write(line + '\n');
}

function scalingFor(data: LoadedData, how: string): InputScaling | undefined {
  if (how === 'none') return undefined;
  if (how === 'auto') return data.pixels ? fitScaling(data.x, 'divide', 255) : fitScaling(data.x, 'minmax');
  if (how === 'minmax' || how === 'zscore') return fitScaling(data.x, how);
  const divisor = Number(how);
  if (!Number.isFinite(divisor) || divisor === 0) throw new UsageError(`--scale must be auto, none, minmax, zscore or a non-zero number, got '${how}'`);
  return fitScaling(data.x, 'divide', divisor);
}

function optional(v: Values, name: string): number | undefined {
  return v[name] === undefined ? undefined : number(v, name, (n) => n >= 0, 'a number ≥ 0');
}

/** constant | step:EVERY:FACTOR | exponential:GAMMA | cosine[:EPOCHS[:MIN]] */
function scheduleFrom(text: string, epochs: number): Schedule {
  const [type, ...args] = text.split(':');
  const nums = args.map(Number);
  if (nums.some((n) => !Number.isFinite(n))) throw new UsageError(`--schedule '${text}': the numbers after ':' must be numbers`);
  switch (type) {
    case 'constant':
      return { type };
    case 'step':
      if (nums.length !== 2) throw new UsageError(`--schedule step needs step:EVERY:FACTOR, e.g. step:10:0.5`);
      return { type, every: nums[0], factor: nums[1] };
    case 'exponential':
      if (nums.length !== 1) throw new UsageError(`--schedule exponential needs exponential:GAMMA, e.g. exponential:0.95`);
      return { type, gamma: nums[0] };
    case 'cosine':
      return { type, epochs: nums[0] ?? epochs, min: nums[1] ?? 0 };
    default:
      throw new UsageError(`--schedule must be constant, step:EVERY:FACTOR, exponential:GAMMA or cosine[:EPOCHS[:MIN]], got '${text}'`);
  }
}

async function train(v: Values): Promise<void> {
  const trainData = await loadData({ source: required(v, 'train', 'train'), labels: v['train-labels'] as string | undefined, label: v.label as string | undefined, header: v.header as string | undefined }, 'train');
  const classification = trainData.classes !== undefined;
  const testData = typeof v.test === 'string'
    ? await loadData({ source: v.test, labels: v['test-labels'] as string | undefined, label: v.label as string | undefined, header: v.header as string | undefined, classes: trainData.classes }, 'test')
    : undefined;
  if (testData && testData.x.cols !== trainData.x.cols) {
    throw new Error(`ffnn: --test data has ${testData.x.cols} features but --train data has ${trainData.x.cols}`);
  }
  const hidden = (v.layers as string).split(',').filter((s) => s.trim() !== '').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--layers takes hidden sizes like 30 or 128,64; '${s}' is not a whole number ≥ 1`);
    return n;
  });
  const loss = v.loss as LossName;
  const outputs = trainData.y.cols;
  const outputActivation = (v['output-activation'] as ActivationName | undefined)
    ?? (loss === 'cross-entropy' ? 'softmax' : loss === 'binary-cross-entropy' ? 'sigmoid' : classification ? 'sigmoid' : 'linear');
  const dropouts = v.dropout === undefined ? [] : (v.dropout as string).split(',').map((r) => {
    const n = Number(r);
    if (r.trim() === '' || !(n >= 0 && n < 1)) throw new UsageError(`--dropout takes shares in [0, 1) like 0.2 or 0.2,0.5; got '${r}'`);
    return n;
  });
  const net = typeof v.resume === 'string'
    ? await Network.load(v.resume, { backend: v.backend as BackendName, threads: number(v, 'threads', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1') })
    : await Network.create({
      inputs: trainData.x.cols,
      layers: [
        ...hidden.map((units, i) => ({ units, activation: v.activation as ActivationName, dropout: dropouts[Math.min(i, dropouts.length - 1)] ?? 0 })),
        { units: outputs, activation: outputActivation },
      ],
      loss,
      init: v.init as InitName | undefined,
      seed: number(v, 'seed', Number.isInteger, 'a whole number'),
      backend: v.backend as BackendName,
      scaling: scalingFor(trainData, v.scale as string),
      threads: number(v, 'threads', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1'),
    });
  if (net.inputs !== trainData.x.cols || net.outputs !== outputs) {
    throw new Error(`ffnn: the model in ${v.resume} takes ${net.inputs} inputs and gives ${net.outputs} outputs, but the data has ${trainData.x.cols} features and ${outputs} targets`);
  }
  const progress = progressView(process.stderr, !v.quiet);
  const shape = [net.inputs, ...net.toJSON().network.layers.map((l) => l.units)].join('-');
  log(v, `Training ${shape} (${net.activations.join(', ')}, ${net.options.loss}) on ${trainData.x.rows} examples` +
    (testData ? `, testing on ${testData.x.rows}` : '') + ` with the ${net.backend} backend (${net.build} build)`);
  const history = await net.train(trainData.x, trainData.y, {
    learningRate: number(v, 'learning-rate', (n) => n > 0, 'a number > 0'),
    batchSize: number(v, 'batch-size', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1'),
    epochs: number(v, 'epochs', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1'),
    maxTime: v['max-time'] === undefined ? undefined : number(v, 'max-time', (n) => n > 0, 'a number of seconds > 0'),
    tolerance: number(v, 'tolerance', (n) => n >= 0, 'a number ≥ 0'),
    optimizer: v.optimizer as OptimizerName,
    momentum: optional(v, 'momentum'),
    beta1: optional(v, 'beta1'),
    beta2: optional(v, 'beta2'),
    weightDecay: optional(v, 'weight-decay'),
    clipNorm: optional(v, 'clip-norm'),
    warmup: optional(v, 'warmup'),
    schedule: scheduleFrom(v.schedule as string, number(v, 'epochs', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1')),
    validation: v['validation-split'] === undefined ? testData : undefined,
    validationSplit: optional(v, 'validation-split'),
    earlyStopping: v.patience === undefined ? undefined : {
      patience: number(v, 'patience', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1'),
      monitor: v.monitor === 'accuracy' ? 'accuracy' : 'loss',
    },
    onProgress: (p) => progress.update(p),
    onEpoch: (e) => {
      progress.clear();
      const test = e.validation
        ? `  test loss ${e.validation.loss.toFixed(4)}  accuracy ${(100 * e.validation.accuracy).toFixed(2)} %`
        : '';
      const nielsen = e.validation && classification ? `Epoch ${e.epoch}: ${e.validation.correct} / ${e.validation.rows}  ` : `Epoch ${e.epoch}  `;
      log(v, `${nielsen}loss ${e.loss.toFixed(4)}${test}  ${e.seconds.toFixed(2)} s`);
      for (const w of e.warnings ?? []) process.stderr.write(`warning (after epoch 1): ${w.message}\n`);
    },
  });
  progress.stop();
  const final = testData ? net.evaluate(testData.x, testData.y) : undefined;
  log(v, history.stopMessage);
  for (const w of history.warnings) process.stderr.write(`warning: ${w.message}\n`);
  if (final) log(v, `Final test accuracy: ${(100 * final.accuracy).toFixed(2)} % (${final.correct} / ${final.rows}), loss ${final.loss.toFixed(4)}, ${history.seconds.toFixed(1)} s of training`);
  if (typeof v.out === 'string') {
    await net.save(v.out);
    log(v, `Saved the model to ${v.out}`);
  }
  if (v.json) {
    process.stdout.write(JSON.stringify({
      stopReason: history.stopReason, stopMessage: history.stopMessage, seconds: history.seconds, score: history.score,
      warnings: history.warnings, test: final, epochs: history.epochs, model: typeof v.out === 'string' ? v.out : undefined,
    }, null, 2) + '\n');
  }
}

async function evaluate(v: Values): Promise<void> {
  const net = await Network.load(required(v, 'model', 'evaluate'), { backend: v.backend as BackendName });
  const data = await loadData({ source: required(v, 'data', 'evaluate'), labels: v.labels as string | undefined, label: v.label as string | undefined, header: v.header as string | undefined, classes: net.outputs > 1 ? net.outputs : undefined }, 'test');
  if (data.x.cols !== net.inputs) throw new Error(`ffnn: ${v.data} has ${data.x.cols} features but the model expects ${net.inputs}`);
  const result = net.evaluate(data.x, data.y);
  let confusion: number[][] | undefined;
  if (data.labels && net.outputs > 1) {
    confusion = Array.from({ length: net.outputs }, () => new Array<number>(net.outputs).fill(0));
    const predicted = argmaxRows(net.predict(data.x));
    data.labels.forEach((t, i) => confusion![t][predicted[i]]++);
  }
  if (v.json) {
    process.stdout.write(JSON.stringify({ ...result, confusion }, null, 2) + '\n');
    return;
  }
  console.log(`loss ${result.loss.toFixed(4)} (cost ${result.cost.toFixed(2)})  accuracy ${(100 * result.accuracy).toFixed(2)} % (${result.correct} / ${result.rows})`);
  if (confusion) {
    const width = Math.max(5, String(result.rows).length + 1);
    console.log('confusion (rows: true class, columns: predicted)');
    console.log(' '.repeat(4) + confusion.map((_, j) => String(j).padStart(width)).join(''));
    confusion.forEach((row, i) => console.log(String(i).padStart(3) + ' ' + row.map((c) => String(c).padStart(width)).join('')));
  }
}

async function predict(v: Values): Promise<void> {
  const net = await Network.load(required(v, 'model', 'predict'), { backend: v.backend as BackendName });
  const data = await loadData({ source: required(v, 'data', 'predict'), unlabelled: v.label === undefined, label: v.label as string | undefined, header: v.header as string | undefined }, 'test');
  if (data.x.cols !== net.inputs) throw new Error(`ffnn: ${v.data} has ${data.x.cols} features but the model expects ${net.inputs}`);
  const outputs = net.predict(data.x);
  const classes = argmaxRows(outputs);
  if (v.json) {
    process.stdout.write(JSON.stringify({ rows: outputs.rows, classes: Array.from(classes) }) + '\n');
    return;
  }
  const lines = ['prediction,' + Array.from({ length: outputs.cols }, (_, j) => `output${j}`).join(',')];
  for (let i = 0; i < outputs.rows; i++) {
    lines.push(classes[i] + ',' + Array.from(outputs.data.subarray(i * outputs.cols, (i + 1) * outputs.cols), (x) => String(x)).join(','));
  }
  const text = lines.join('\n') + '\n';
  if (typeof v.out === 'string') await writeFile(v.out, text);
  else process.stdout.write(text);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(TOP_HELP);
    return command === undefined ? 2 : 0;
  }
  const spec = COMMANDS[command];
  try {
    if (!spec) throw new UsageError(`unknown command '${command}'; expected train, evaluate, predict, export, import or mnist-csv (ffnn --help)`);
    let values: Values;
    try {
      values = parseArgs({ args: rest, options: { ...spec.options, ...COMMON }, allowPositionals: false, strict: true }).values as Values;
    } catch (error) {
      throw new UsageError(`${(error as Error).message.split('. ')[0].replace(/\.$/, '')} (see ffnn ${command} --help)`);
    }
    if (values.help) {
      console.log(spec.help);
      return 0;
    }
    await spec.run(values);
    return 0;
  } catch (error) {
    const message = (error as Error).message.replace(/^ffnn: /, '');
    process.stderr.write(`ffnn: ${message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

// The command owns its process, so it switches on the engine's relaxed SIMD (standard WebAssembly
// that Node 20 keeps behind a flag; newer engines have it on) before any module is compiled: backend
// 'wasm' then runs the fused multiply-add build, 1.1–1.6× faster per epoch here (bench/RESULTS.md,
// wasm against wasm-relaxed; npm start's network 1.4×). The library never sets engine flags in its user's process.
// --backend wasm-simd keeps plain SIMD.
if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');
process.exitCode = await main(process.argv.slice(2));
