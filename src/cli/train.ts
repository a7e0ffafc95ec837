// `ffnn train`: load the data, build the network the data calls for (or the one the flags ask for),
// train it with progress, score it on the test data, save it.

import { Command, Option } from 'commander';
import { ACTIVATIONS, type ActivationName } from '../activations.js';
import { INITS, type InitName } from '../init.js';
import { LOSSES, type LossName } from '../losses.js';
import { Network, type Evaluation } from '../network.js';
import { OPTIMIZERS, type OptimizerName } from '../optimizers.js';
import { recipeFor, type FitOptions } from '../recipe.js';
import type { Schedule } from '../schedules.js';
import type { EpochReport } from '../trainer.js';
import { loadData, type LoadedData } from './data.js';
import { isByteMatrix, isHalfMatrix, toHalfFloats } from '../matrix.js';
import { addDataOptions, backendOption, dataFlags, nonNegativeArg, numberArg, positiveArg, wholeArg, type DataOptionValues } from './options.js';
import { describeScore, printNotes, saveModel, writer, type Writer } from './output.js';
import { svgPlot, textPlot } from '../plot.js';
import { writeFile } from 'node:fs/promises';
import { progressView } from './progress.js';
import { UsageError } from './usage.js';

interface TrainValues extends DataOptionValues {
  train: string; trainLabels?: string; test?: string; testLabels?: string;
  preset: 'default' | 'seed';
  layers?: number[]; activation?: ActivationName; outputActivation?: ActivationName; loss?: LossName; init?: InitName;
  learningRate?: number | 'auto'; batchSize?: number; epochs?: number; maxTime?: number; tolerance?: number; seed: number;
  scale?: string; optimizer?: OptimizerName; momentum?: number; beta1?: number; beta2?: number; weightDecay?: number;
  clipNorm?: number; schedule?: string; warmup?: number; dropout?: number; validationSplit?: number; patience?: number;
  monitor: 'loss' | 'accuracy'; resume?: string; threads?: number; out?: string; json: boolean; quiet: boolean;
  checkpoint?: string; collapse: 'stop' | 'warn'; plot?: string; half: boolean;
}

function learningRateArg(text: string): number | 'auto' {
  return text === 'auto' ? 'auto' : positiveArg('learning-rate')(text);
}

const EXAMPLES = `
Defaults come from the data: inputs standardised, one relu hidden layer sized from the data,
softmax + cross-entropy for classes (linear + squared error, standardised targets, for --target),
Adam, early stopping on a validation share with the best weights kept. --preset seed is the seed
notebook's recipe (sigmoid, sum of squares, SGD at learning rate 3, batch 10, 30 epochs).

Columns: numbers (also "1,234.50", $980, and 2,5 with --decimal ,); text (one-hot categories,
saved with the model); dates (as years: ISO, 31-Jan-12, Jan 31, 2012, 31/01/2012 or 1/31/12, see
--dates); missing cells (empty, NA, NaN, ?) filled with the training median or a "missing" category.
A first line of counts (as in scikit-learn's bundled CSV files) is skipped.

Examples:
  ffnn train --train weather.csv --label rain --ignore station_id --test weather-2024.csv --out rain.json
      weather.csv:  station_id,city,date,temp,humidity,rain
                    17,Paris,2023-01-31,3.5,,yes
                    18,Lyon,2023-02-01,NA,81,no
  ffnn train --train houses.csv.gz --target price --out price.json
  ffnn train --train digits.csv.gz --label -1
  ffnn train --train mnist --test mnist --preset seed`;

export function trainCommand(): Command {
  const c = new Command('train')
    .description('train a network on CSV (plain or gzip), IDX or the embedded MNIST data, reporting every epoch')
    .requiredOption('--train <data>', 'training data: a CSV file, an IDX images file (with --train-labels), or "mnist"')
    .option('--train-labels <file>', 'IDX labels of --train')
    .option('--test <data>', 'data scored after every epoch and at the end (read with the training file\'s columns)')
    .option('--test-labels <file>', 'IDX labels of --test');
  addDataOptions(c, true);
  c.addOption(new Option('--preset <name>', 'default (from the data) or seed (the notebook\'s recipe)').choices(['default', 'seed']).default('default'))
    .option('--layers <sizes>', 'hidden layer sizes, e.g. 30 or 128,64 (default: one layer sized from the data)', layerSizes)
    .addOption(new Option('--activation <name>', 'hidden activation (default relu; sigmoid with --preset seed)').choices(Object.keys(ACTIVATIONS).filter((a) => a !== 'softmax')))
    .addOption(new Option('--output-activation <name>', 'output activation (default: what the loss calls for)').choices(Object.keys(ACTIVATIONS)))
    .addOption(new Option('--loss <name>', 'default: cross-entropy for classes, mse (sum of squares) for targets and --preset seed').choices(Object.keys(LOSSES)))
    .addOption(new Option('--init <name>', 'weight initialisation (default: per activation)').choices(INITS))
    .addOption(new Option('--optimizer <name>', 'default adam (sgd with --preset seed)').choices(OPTIMIZERS))
    .option('--learning-rate <r>', 'a number, or auto: the range test\'s suggestion (ffnn lr-find) (default 0.001; 3 with --preset seed)', learningRateArg)
    .option('--batch-size <n>', 'default: 32, 64 or 128 by the number of rows (10 with --preset seed)', wholeArg('batch-size'))
    .option('--epochs <n>', 'at most this many epochs (default 200 with early stopping; 30 with --preset seed)', wholeArg('epochs'))
    .option('--max-time <s>', 'at most this many seconds of training', positiveArg('max-time'))
    .option('--tolerance <t>', "the seed's rule: stop when the epoch's gradient norm is at most t (default 0: off)", nonNegativeArg('tolerance'))
    .option('--patience <n>', 'early stopping: epochs without a better validation loss (default 10; 0: off; the best epoch\'s weights are kept)', wholeArg('patience', 0))
    .addOption(new Option('--monitor <what>', 'what early stopping watches').choices(['loss', 'accuracy']).default('loss'))
    .option('--validation-split <share>', 'share of --train held out for validation (default: 0.1 to 0.2 by size, with early stopping)', numberArg('validation-split', (n) => n > 0 && n < 1, 'a share in (0, 1)'))
    .option('--scale <how>', 'input scaling fitted on --train: zscore (default), minmax, none, or a divisor such as 255')
    .option('--seed <n>', 'seed of every random choice', numberArg('seed', Number.isInteger, 'a whole number'), 1)
    .option('--half', 'hold float inputs as half floats: half the memory, 11 significant bits a value (see toHalfFloats)', false)
    .addOption(backendOption())
    .option('--threads <n>', 'share each large training step among n threads over one memory (the same weights as one thread; default: every core, up to 4, where steps are large)', wholeArg('threads'))
    .option('--momentum <m>', 'momentum and nesterov (default 0.9)', nonNegativeArg('momentum'))
    .option('--beta1 <b>', 'Adam (default 0.9)', nonNegativeArg('beta1'))
    .option('--beta2 <b>', 'Adam (default 0.999)', nonNegativeArg('beta2'))
    .option('--weight-decay <d>', 'L2 (decoupled for adamw)', nonNegativeArg('weight-decay'))
    .option('--clip-norm <n>', "clip each step's gradient norm", nonNegativeArg('clip-norm'))
    .option('--schedule <s>', 'constant, step:EVERY:FACTOR, exponential:GAMMA, cosine[:EPOCHS[:MIN]]')
    .option('--warmup <e>', 'epochs of linear learning-rate warm-up', nonNegativeArg('warmup'))
    .option('--dropout <share>', 'dropout share after each hidden layer', numberArg('dropout', (n) => n >= 0 && n < 1, 'a share in [0, 1)'))
    .option('--resume <file>', 'continue training a saved model (its architecture, scaling, columns and optimizer state)')
    .option('--out <file>', 'save the trained model (JSON; written whole or not at all)')
    .option('--checkpoint <file>', 'save resumable state after every epoch (continue with --resume FILE and the epochs left)')
    .addOption(new Option('--collapse <what>', 'outputs that collapse to one vector (checked early and after every epoch): stop with the diagnosis, or warn and go on').choices(['stop', 'warn']).default('stop'))
    .option('--plot <file.svg>', 'draw loss and accuracy (or R²) per epoch, training, validation and test, as SVG')
    .option('--json', 'print the result as JSON on stdout (progress goes to stderr)', false)
    .option('--quiet', 'no per-epoch lines', false)
    .addHelpText('after', EXAMPLES)
    .action(train);
  return c;
}

/** `ffnn lr-find`: the range test for the network `ffnn train` would build with the same flags. */
export function lrFindCommand(): Command {
  const c = trainCommand().name('lr-find')
    .description('the learning-rate range test: a few hundred steps on a copy of the network with the rate growing exponentially, the smoothed loss drawn, and a suggested rate')
    .option('--steps <n>', 'steps of the test (default 300)', wholeArg('steps', 10));
  c.action(async (v: TrainValues & { steps?: number }, command: Command) => {
    const out = writer(v);
    const { trainData, net, settings } = await prepare(v, command, out);
    const curve = await net.findLearningRate(trainData.x, trainData.y, { optimizer: settings.optimizer, batchSize: settings.batchSize, steps: v.steps });
    const points = curve.rates.map((r, i) => [r, curve.losses[i]] as const);
    out.log(textPlot({ name: 'loss', points }, { logX: true, title: `Smoothed loss against the learning rate (${settings.optimizer ?? 'sgd'}, batch ${settings.batchSize}):`, mark: { x: curve.suggestion, label: 'suggested' } }));
    out.log(`Suggested learning rate: ${curve.suggestion.toPrecision(2)} (a quarter of ${curve.lowest.rate.toPrecision(2)}, where the loss was lowest); ┊ marks it`);
    if (v.plot) {
      await writeFile(v.plot, svgPlot([{ series: [{ name: 'smoothed loss', points }], options: { title: 'Learning-rate range test', xLabel: 'learning rate', yLabel: 'loss', logX: true, mark: { x: curve.suggestion, label: `suggested ${curve.suggestion.toPrecision(2)}` } } }]));
      out.log(`Drew the curve in ${v.plot}`);
    }
    if (v.json) process.stdout.write(JSON.stringify({ suggestion: curve.suggestion, lowest: curve.lowest, rates: curve.rates, losses: curve.losses }) + '\n');
  });
  return c;
}

function layerSizes(text: string): number[] {
  return text.split(',').filter((s) => s.trim() !== '').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--layers takes hidden sizes like 30 or 128,64; '${s}' is not a whole number ≥ 1`);
    return n;
  });
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
      if (nums.length !== 2) throw new UsageError('--schedule step needs step:EVERY:FACTOR, e.g. step:10:0.5');
      return { type, every: nums[0], factor: nums[1] };
    case 'exponential':
      if (nums.length !== 1) throw new UsageError('--schedule exponential needs exponential:GAMMA, e.g. exponential:0.95');
      return { type, gamma: nums[0] };
    case 'cosine':
      return { type, epochs: nums[0] ?? epochs, min: nums[1] ?? 0 };
    default:
      throw new UsageError(`--schedule must be constant, step:EVERY:FACTOR, exponential:GAMMA or cosine[:EPOCHS[:MIN]], got '${text}'`);
  }
}

function scaleFrom(text: string | undefined, data: LoadedData): FitOptions['scale'] {
  if (text === undefined || text === 'auto') return data.pixels ? 255 : undefined;
  if (text === 'none' || text === 'zscore' || text === 'minmax') return text;
  const divisor = Number(text);
  if (!Number.isFinite(divisor) || divisor === 0) throw new UsageError(`--scale must be zscore, minmax, none or a non-zero number, got '${text}'`);
  return divisor;
}

const ARCHITECTURE_FLAGS = ['layers', 'activation', 'outputActivation', 'loss', 'init', 'dropout', 'scale', 'preset'] as const;

/** The data, the test data and the network the flags ask for, with the training settings. */
async function prepare(v: TrainValues, command: Command, out: Writer) {
  if (v.resume) {
    const given = ARCHITECTURE_FLAGS.filter((f) => command.getOptionValueSource(f) === 'cli');
    if (given.length > 0) {
      throw new UsageError(`--resume continues the saved model as it is; drop ${given.map((f) => '--' + f.replace(/[A-Z]/g, (ch) => '-' + ch.toLowerCase())).join(', ')}`);
    }
  }
  const resumed = v.resume ? await Network.load(v.resume, { backend: v.backend, threads: v.threads }) : null;
  const flags = dataFlags(v, v.train);
  const trainData = halved(v, await loadData({ ...flags, ...(resumed?.schema ? { schema: resumed.schema } : {}), labels: v.trainLabels }, 'train'));
  printNotes(out, 'train', trainData.report.notes);

  const recipe = recipeFor(trainData, {
    preset: v.preset, hidden: v.layers, activation: v.activation, loss: v.loss, init: v.init, dropout: v.dropout,
    scale: scaleFrom(v.scale, trainData), patience: v.patience, seed: v.seed, backend: v.backend, threads: v.threads,
    ...defined({
      learningRate: v.learningRate === 'auto' ? undefined : v.learningRate, batchSize: v.batchSize, epochs: v.epochs, maxTime: v.maxTime, tolerance: v.tolerance,
      optimizer: v.optimizer, momentum: v.momentum, beta1: v.beta1, beta2: v.beta2, weightDecay: v.weightDecay,
      clipNorm: v.clipNorm, warmup: v.warmup, validationSplit: v.validationSplit,
    }),
  });
  const layers = recipe.network.layers.map((l, i, all) => (i === all.length - 1 && v.outputActivation ? { ...l, activation: v.outputActivation } : l));
  // the test data loads while the network starts its threads (~0.1 s for a worker to boot)
  const [made, loaded] = await Promise.allSettled([
    resumed ?? Network.create({ ...recipe.network, layers }),
    v.test === undefined ? undefined : loadData({ ...dataFlags(v, v.test), schema: trainData.schema, labels: v.testLabels }, 'test'),
  ]);
  if (loaded.status === 'rejected') {
    if (made.status === 'fulfilled' && !resumed) made.value.dispose();
    throw loaded.reason;
  }
  if (made.status === 'rejected') throw made.reason;
  const net = made.value, testData = loaded.value && halved(v, loaded.value);
  if (testData) printNotes(out, 'test', testData.report.notes);
  if (net.inputs !== trainData.x.cols || net.outputs !== trainData.y.cols) {
    throw new Error(`ffnn: the model in ${v.resume} takes ${net.inputs} inputs and gives ${net.outputs} outputs, but the data has ${trainData.x.cols} features and ${trainData.y.cols} targets`);
  }
  return { trainData, testData, net, settings: recipe.train };
}

/**
 * With --half, the data's float inputs as half floats (bytes stay bytes, at one byte a value), said
 * in the data's notes.
 */
function halved(v: TrainValues, data: LoadedData): LoadedData {
  if (!v.half) return data;
  const mb = (bytes: number) => (bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 2 ** 20).toFixed(1)} MB`);
  if (isByteMatrix(data.x) || isHalfMatrix(data.x)) {
    return { ...data, report: { ...data.report, notes: [...data.report.notes, `its inputs are whole numbers 0-255, kept as bytes (${mb(data.x.data.byteLength)}); --half leaves them so`] } };
  }
  const x = toHalfFloats(data.x);
  return { ...data, x, report: { ...data.report, notes: [...data.report.notes, `inputs held as half floats: ${mb(x.data.byteLength)} instead of ${mb(data.x.data.byteLength)}`] } };
}

async function train(v: TrainValues, command: Command): Promise<void> {
  const out = writer(v);
  const { trainData, testData, net, settings: planned } = await prepare(v, command, out);
  let settings = planned;
  if (v.learningRate === 'auto') {
    const curve = await net.findLearningRate(trainData.x, trainData.y, { optimizer: settings.optimizer, batchSize: settings.batchSize });
    out.log(`Learning rate auto: ${curve.suggestion.toPrecision(2)} (the range test's suggestion: a quarter of ${curve.lowest.rate.toPrecision(2)}, where the loss was lowest)`);
    settings = { ...settings, learningRate: Number(curve.suggestion.toPrecision(2)) };
  }
  const epochs = settings.epochs ?? 10;
  const early = settings.earlyStopping ? { ...settings.earlyStopping, monitor: v.monitor } : undefined;
  const classes = net.task === 'classification';
  const progress = progressView(process.stderr, !v.quiet);
  const tests: (Evaluation | undefined)[] = [];
  // small sets run hundreds of short epochs: the first few, every tenth and one a second are enough to read
  let printed = 0;
  const worthPrinting = (epoch: number) => epoch <= 5 || epoch % 10 === 0 || performance.now() - printed > 1000;
  const shape = [net.inputs, ...net.layers.map((l) => l.units)].join('-');
  out.log(`Training ${shape} (${net.activations.join(', ')}, ${net.options.loss}) on ${trainData.x.rows} examples` +
    (testData ? `, testing on ${testData.x.rows}` : '') + ` with the ${net.backend} backend (${net.build} build)`);
  out.log(`  ${settings.optimizer ?? 'sgd'}, learning rate ${settings.learningRate}, batch ${settings.batchSize}, at most ${epochs} epochs` +
    (early ? `, early stopping after ${early.patience} without a better validation ${early.monitor} (${settings.validationSplit ? `${Math.round(100 * settings.validationSplit)} % held out` : 'validation data'})` : ''));
  const history = await net.train(trainData.x, trainData.y, {
    ...settings,
    earlyStopping: early,
    schedule: v.schedule === undefined ? undefined : scheduleFrom(v.schedule, epochs),
    collapse: v.collapse,
    ...(v.checkpoint ? { checkpoint: { path: v.checkpoint } } : {}),
    onProgress: (p) => progress.update(p),
    onWarning: (w) => {
      progress.clear();
      process.stderr.write(`warning: ${w.message}\n`);
    },
    onEpoch: (e) => {
      progress.clear();
      const shown = worthPrinting(e.epoch);
      // the test set is scored for the epochs printed and, with --plot, for every epoch: a pass over
      // it costs about a tenth of a training epoch, spent only where someone reads it
      const test = testData && (shown || v.plot) ? net.evaluate(testData.x, testData.y) : undefined;
      tests.push(test);
      if (shown) {
        out.log(epochLine(e, test, classes));
        printed = performance.now();
      }
    },
  });
  progress.stop();
  const final = testData ? net.evaluate(testData.x, testData.y) : undefined;
  out.log(history.stopMessage);
  if (history.bestEpoch !== undefined) {
    const best = history.epochs[history.bestEpoch - 1];
    out.log(`Kept the weights of epoch ${best.epoch}: ${epochLine(best, undefined, classes).replace(/^Epoch \d+\s+/, '')}`);
  }
  if (v.plot) {
    await writeFile(v.plot, curvesPlot(history.epochs, tests, classes));
    out.log(`Drew the curves in ${v.plot}`);
  }
  if (final) out.log(`Final test ${describeScore(final)}, ${history.seconds.toFixed(1)} s of training`);
  if (v.out) await saveModel(out, net, v.out);
  if (v.json) {
    process.stdout.write(JSON.stringify({
      stopReason: history.stopReason, stopMessage: history.stopMessage, seconds: history.seconds, score: history.score,
      bestEpoch: history.bestEpoch, warnings: history.warnings, notes: trainData.report.notes, test: final,
      epochs: history.epochs, model: v.out,
    }, null, 2) + '\n');
  }
}

function epochLine(e: EpochReport, test: Evaluation | undefined, classes: boolean): string {
  const v = e.validation;
  const head = test && test.task === 'classification' ? `Epoch ${e.epoch}: ${test.correct} / ${test.rows}  ` : `Epoch ${e.epoch}  `;
  const parts = [`loss ${e.loss.toFixed(4)}`];
  if (v) parts.push(`validation ${v.task === 'classification' ? `loss ${v.loss.toFixed(4)} accuracy ${(100 * v.accuracy).toFixed(2)} %` : `loss ${v.loss.toFixed(4)} R² ${v.r2.toFixed(4)}`}`);
  if (test) parts.push(`test ${test.task === 'classification' ? `accuracy ${(100 * test.accuracy).toFixed(2)} %` : `RMSE ${test.rmse.toPrecision(4)} R² ${test.r2.toFixed(4)}`}`);
  else if (classes && e.accuracy !== undefined && !v) parts.push(`accuracy ${(100 * e.accuracy).toFixed(2)} %`);
  return `${head}${parts.join('  ')}  ${e.seconds.toFixed(2)} s`;
}

/** Loss and accuracy (R² for a regression) per epoch: training, validation and test. */
function curvesPlot(epochs: readonly EpochReport[], tests: readonly (Evaluation | undefined)[], classes: boolean): string {
  const score = (e: Evaluation | undefined) => (e === undefined ? NaN : e.task === 'classification' ? e.accuracy : e.r2);
  const of = (f: (e: EpochReport, i: number) => number) => epochs.map((e, i) => [e.epoch, f(e, i)] as const);
  return svgPlot([
    { series: [{ name: 'training', points: of((e) => e.loss) }, { name: 'validation', points: of((e) => e.validation?.loss ?? NaN) }, { name: 'test', points: of((_, i) => tests[i]?.loss ?? NaN) }],
      options: { title: 'Loss per epoch', xLabel: 'epoch', yLabel: 'loss (mean cost per example)' } },
    { series: [{ name: 'training', points: of((e) => e.accuracy ?? NaN) }, { name: 'validation', points: of((e) => score(e.validation)) }, { name: 'test', points: of((_, i) => score(tests[i])) }],
      options: { title: classes ? 'Accuracy per epoch' : 'R² per epoch', xLabel: 'epoch', yLabel: classes ? 'accuracy' : 'R²' } },
  ]);
}

/** The entries whose value is not undefined. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as Partial<T>;
}
