// `ffnn evaluate`, `predict`, `export`, `import` and `mnist-csv`: what a saved model does with data.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { writeMnistCsv } from '../data/mnist.js';
import { confusionMatrix } from '../metrics.js';
import { Network } from '../network.js';
import { loadData } from './data.js';
import { addDataOptions, backendOption, dataFlags, wholeArg, type DataOptionValues } from './options.js';
import { csvCell, describeScore, writer } from './output.js';

interface ScoreValues extends DataOptionValues {
  model: string; data: string; labels?: string; out?: string; json: boolean; quiet: boolean;
}

/** A command that reads a saved model and data: --model, --data and its reading options, --backend, --json. */
function modelCommand(name: string, description: string, data: string, json: string, extra: (c: Command) => Command): Command {
  const c = extra(new Command(name).description(description)
    .requiredOption('--model <file>', 'a model saved by ffnn train --out')
    .requiredOption('--data <data>', data));
  addDataOptions(c, false);
  return c.addOption(backendOption()).option('--json', json, false);
}

export function evaluateCommand(): Command {
  return modelCommand('evaluate', 'score a saved model on labelled data: accuracy and the confusion matrix, or RMSE, MAE and R²',
    'CSV (read with the columns the model was trained on), IDX images (with --labels), or "mnist" (the test set)', 'print the scores as JSON',
    (c) => c.option('--labels <file>', 'IDX labels of --data')).action(evaluate);
}

async function evaluate(v: ScoreValues): Promise<void> {
  const net = await Network.load(v.model, { backend: v.backend });
  const data = await loadData({ ...dataFlags(v, v.data), labels: v.labels, ...(net.schema ? { schema: net.schema } : { classes: net.outputs > 1 ? net.outputs : undefined }) }, 'test');
  const out = writer({ json: v.json });
  for (const note of data.report.notes) process.stderr.write(`data: ${note}\n`);
  if (data.x.cols !== net.inputs) throw new Error(`ffnn: ${v.data} has ${data.x.cols} features but the model expects ${net.inputs}`);
  if (data.y.cols !== net.outputs) throw new Error(`ffnn: ${v.data} has ${data.y.cols} target columns but the model gives ${net.outputs} outputs (is the label or target column there?)`);
  const result = net.evaluate(data.x, data.y);
  const names = net.classNames ?? data.classNames ?? Array.from({ length: net.outputs }, (_, k) => String(k));
  const confusion = result.task === 'classification' && data.labels && net.outputs > 1
    ? confusionMatrix(data.labels, net.classify(data.x), net.outputs) : undefined;
  if (v.json) {
    process.stdout.write(JSON.stringify({ ...result, ...(confusion ? { classes: names, confusion } : {}) }, null, 2) + '\n');
    return;
  }
  out.log(`${describeScore(result)}, cost ${result.cost.toFixed(2)}`);
  if (confusion) {
    const width = Math.max(5, String(result.rows).length + 1, ...names.map((n) => n.length + 1));
    const label = Math.max(3, ...names.map((n) => n.length));
    out.log('confusion (rows: true class, columns: predicted)');
    out.log(' '.repeat(label + 1) + names.map((n) => n.padStart(width)).join(''));
    confusion.forEach((row, i) => out.log(names[i].padStart(label) + ' ' + row.map((n) => String(n).padStart(width)).join('')));
  }
}

export function predictCommand(): Command {
  return modelCommand('predict', "write a saved model's predictions: one line per row, the class (by name) and each class's output, or the predicted targets",
    'CSV (read with the columns the model was trained on; a label or target column there is left out), IDX images, or "mnist"', 'print the predictions as JSON',
    (c) => c.option('--out <file>', 'CSV file to write (default: stdout)')).action(predict);
}

async function predict(v: ScoreValues): Promise<void> {
  const net = await Network.load(v.model, { backend: v.backend });
  const data = await loadData({ ...dataFlags(v, v.data), unlabelled: true, ...(net.schema ? { schema: net.schema } : v.label !== undefined ? {} : { label: null }) }, 'test');
  for (const note of data.report.notes) process.stderr.write(`data: ${note}\n`);
  if (data.x.cols !== net.inputs) throw new Error(`ffnn: ${v.data} has ${data.x.cols} features but the model expects ${net.inputs}`);
  const outputs = net.predict(data.x);
  const regression = net.task === 'regression';
  const names = net.classNames ?? Array.from({ length: Math.max(2, net.outputs) }, (_, k) => String(k));
  const targets = net.schema?.columns.filter((c) => c.kind === 'target').map((c) => c.name) ?? Array.from({ length: net.outputs }, (_, j) => `output${j}`);
  const classes = regression ? null : outputs.cols === 1 ? Int32Array.from(outputs.data, (p) => (p >= 0.5 ? 1 : 0)) : net.classify(data.x);
  if (v.json) {
    process.stdout.write(JSON.stringify(regression
      ? { rows: outputs.rows, targets, predictions: Array.from({ length: outputs.rows }, (_, i) => Array.from(outputs.data.subarray(i * outputs.cols, (i + 1) * outputs.cols))) }
      : { rows: outputs.rows, classes: Array.from(classes!), predictions: Array.from(classes!, (k) => names[k]) }) + '\n');
    return;
  }
  const header = regression ? targets : ['prediction', ...(outputs.cols === 1 ? [names[1] ?? 'output'] : names)];
  const lines = [header.map(csvCell).join(',')];
  for (let i = 0; i < outputs.rows; i++) {
    const row = Array.from(outputs.data.subarray(i * outputs.cols, (i + 1) * outputs.cols), (x) => String(x));
    lines.push(regression ? row.join(',') : csvCell(names[classes![i]]) + ',' + row.join(','));
  }
  const text = lines.join('\n') + '\n';
  if (v.out) await writeFile(v.out, text);
  else process.stdout.write(text);
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write a saved model as ONNX (opset 17): input "input" (batch × features), output "output"')
    .requiredOption('--model <file>', 'a model saved by ffnn train --out')
    .requiredOption('--onnx <file>', 'the ONNX file to write')
    .option('--quiet', 'no message', false)
    .action(async (v: { model: string; onnx: string; quiet: boolean }) => {
      const net = await Network.load(v.model);
      await writeFile(v.onnx, await net.toOnnx());
      writer(v).log(`wrote ${v.onnx}`);
    });
}

export function importCommand(): Command {
  return new Command('import')
    .description('read an MLP from ONNX (Gemm or MatMul + Add layers; Relu, Sigmoid, Tanh, LeakyRelu, Softmax, Identity, Flatten) into a saved model')
    .requiredOption('--onnx <file>', 'the ONNX file to read')
    .requiredOption('--out <file>', 'the model file to write')
    .option('--quiet', 'no message', false)
    .action(async (v: { onnx: string; out: string; quiet: boolean }) => {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(v.onnx);
      } catch (error) {
        throw new Error(`ffnn: cannot read ${v.onnx}: ${(error as Error).message}`);
      }
      const net = await Network.fromOnnx(bytes, { source: v.onnx });
      await net.save(v.out);
      writer(v).log(`imported ${[net.inputs, ...net.layers.map((l) => l.units)].join('-')} (${net.activations.join(', ')}) into ${v.out}`);
    });
}

export function mnistCsvCommand(): Command {
  return new Command('mnist-csv')
    .description("write the embedded MNIST set as mnist_train.csv and mnist_test.csv in the seed notebook's layout (label,1x1,…,28x28, raw 0–255 pixels)")
    .option('--out-dir <dir>', 'folder to write them in', '.')
    .option('--limit <n>', 'only the first n rows of each', wholeArg('limit'))
    .option('--quiet', 'no messages', false)
    .action(async (v: { outDir: string; limit?: number; quiet: boolean }) => {
      for (const part of ['train', 'test'] as const) {
        const path = join(v.outDir, `mnist_${part}.csv`);
        const rows = await writeMnistCsv(part, path, { limit: v.limit });
        writer(v).log(`wrote ${rows} rows to ${path}`);
      }
    });
}
