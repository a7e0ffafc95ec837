// The demo page: train MNIST (or a CSV) in a worker with a live chart, inspect the test set, draw a
// digit and watch the ten class probabilities, save and load model files.
//
// It imports the library from ../src/index.js for its types; the build points that import at the
// bundle served beside the page (ffnn.js), so the page runs the same code any user of the bundle gets.

import {
  Network, argmaxRows, fitScaling, loadCsv, loadMnist, matrix, sliceRows, toFloats, trainInWorker,
  type Dataset, type Evaluation, type Inputs, type LabelledSet, type Matrix, type ActivationName,
} from '../src/index.js';
import { TrainingChart } from './chart.js';
import { drawPixels, mnistPixels } from './digit.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');
const progressBar = $<HTMLProgressElement>('progress');
const trainButton = $<HTMLButtonElement>('train');
const cancelButton = $<HTMLButtonElement>('cancel');
const saveButton = $<HTMLButtonElement>('save-model');
const chart = new TrainingChart($<HTMLCanvasElement>('chart'));
const pad = $<HTMLCanvasElement>('pad');
const preview = $<HTMLCanvasElement>('preview');

interface DemoState {
  network: Network | null;
  mnistTrain: Promise<LabelledSet> | null;
  mnistTest: Promise<LabelledSet> | null;
  csv: (Dataset & { name: string }) | null;
  training: AbortController | null;
}
const state: DemoState = { network: null, mnistTrain: null, mnistTest: null, csv: null, training: null };

function setStatus(text: string, kind: 'idle' | 'loading' | 'training' | 'done' | 'error' = 'idle'): void {
  status.textContent = text;
  status.dataset.state = kind;
}

function mnist(part: 'train' | 'test'): Promise<LabelledSet> {
  // fetched once from the page's own server (mnist/), never from beyond it
  if (part === 'train') return (state.mnistTrain ??= loadMnist('train'));
  return (state.mnistTest ??= loadMnist('test'));
}

// ---- training ----------------------------------------------------------------------------------

function readSettings() {
  const layers = $<HTMLInputElement>('layers').value.split(/[\s,]+/).filter(Boolean).map(Number);
  if (layers.some((u) => !Number.isInteger(u) || u < 1 || u > 4096)) throw new Error('Hidden layers: whole numbers from 1 to 4096, comma-separated (e.g. 128 or 256,128)');
  const num = (id: string) => Number($<HTMLInputElement>(id).value);
  return {
    layers,
    activation: $<HTMLSelectElement>('activation').value as ActivationName,
    optimizer: $<HTMLSelectElement>('optimizer').value as 'sgd' | 'momentum' | 'adam',
    learningRate: num('learning-rate'),
    batchSize: num('batch-size'),
    epochs: num('epochs'),
    examples: num('examples'),
    threads: Number($<HTMLSelectElement>('threads').value),
    source: $<HTMLSelectElement>('data-source').value as 'mnist' | 'csv',
  };
}

async function train(): Promise<void> {
  let s: ReturnType<typeof readSettings>;
  try {
    s = readSettings();
  } catch (error) {
    setStatus((error as Error).message, 'error');
    return;
  }
  trainButton.disabled = true;
  cancelButton.disabled = false;
  progressBar.value = 0;
  chart.reset(s.epochs);
  try {
    let x: Inputs, y: Matrix, validation: { x: Inputs; y: Matrix } | undefined, scaling;
    if (s.source === 'csv' && state.csv) {
      ({ x, y } = state.csv);
      scaling = fitScaling(x, 'minmax');
    } else {
      setStatus('Loading MNIST…', 'loading');
      const [all, test] = await Promise.all([mnist('train'), mnist('test')]);
      x = sliceRows(all.x, 0, s.examples);
      y = sliceRows(all.y, 0, s.examples);
      validation = { x: test.x, y: test.y };
    }
    const classes = y.cols;
    const net = await Network.create({
      inputs: x.cols,
      layers: [...s.layers.map((units) => ({ units, activation: s.activation })), { units: classes, activation: 'softmax' as const }],
      loss: 'cross-entropy',
      scaling,
      seed: 1,
    });
    setStatus(`Training ${x.cols}-${s.layers.join('-')}-${classes} on ${x.rows} examples…`, 'training');
    state.training = new AbortController();
    const started = performance.now();
    // the chart shows the mean loss of the batches since the last report, not the epoch's running mean
    let seen = { epoch: 1, batch: 0, sum: 0 };
    const recentLoss = (epoch: number, batch: number, runningMean: number): number => {
      if (epoch !== seen.epoch) seen = { epoch, batch: 0, sum: 0 };
      const sum = runningMean * batch;
      const recent = batch > seen.batch ? (sum - seen.sum) / (batch - seen.batch) : runningMean;
      seen = { epoch, batch, sum };
      return recent;
    };
    const { network, history } = await trainInWorker(net, x, y, {
      optimizer: s.optimizer, learningRate: s.learningRate, batchSize: s.batchSize, epochs: s.epochs,
      threads: s.threads,
      validation,
      validationSplit: validation ? undefined : 0.2,
      signal: state.training.signal,
      onProgress: (p) => {
        const at = p.epoch - 1 + p.batch / p.batches;
        progressBar.value = at / s.epochs;
        chart.add('training loss', at, recentLoss(p.epoch, p.batch, p.loss));
        chart.draw();
        setStatus(`Epoch ${p.epoch} of ${s.epochs}: batch ${p.batch} / ${p.batches}, loss ${p.loss.toFixed(4)}, accuracy ${(100 * (p.accuracy ?? NaN)).toFixed(1)} %`, 'training');
      },
      onEpoch: (e) => {
        progressBar.value = e.epoch / s.epochs;
        chart.add('training loss', e.epoch, recentLoss(e.epoch, e.batches, e.loss));
        chart.add('training accuracy', e.epoch, e.accuracy ?? NaN);
        if (e.validation) chart.add('test accuracy', e.epoch, accuracyOf(e.validation));
        chart.draw();
        const v = e.validation ? `, ${validation ? 'test' : 'validation'} accuracy ${(100 * accuracyOf(e.validation)).toFixed(2)} %` : '';
        setStatus(`Epoch ${e.epoch} of ${s.epochs}: loss ${e.loss.toFixed(4)}${v} (${e.seconds.toFixed(1)} s)`, 'training');
      },
    });
    net.dispose();
    adopt(network);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const last = history.epochs[history.epochs.length - 1];
    const score = last?.validation ? `; ${validation ? 'test' : 'validation'} accuracy ${(100 * accuracyOf(last.validation)).toFixed(2)} %` : '';
    setStatus(`${history.stopMessage} ${seconds} s${score}.`, 'done');
    if (s.source !== 'csv') await showTestResults();
  } catch (error) {
    setStatus((error as Error).message, 'error');
  } finally {
    state.training = null;
    trainButton.disabled = false;
    cancelButton.disabled = true;
  }
}

function adopt(network: Network): void {
  state.network?.dispose();
  state.network = network;
  saveButton.disabled = false;
  predictDrawing();
}

// ---- test-set results ------------------------------------------------------------------------

async function showTestResults(): Promise<void> {
  const net = state.network;
  const summary = $<HTMLParagraphElement>('test-summary');
  if (!net || net.inputs !== 784 || net.outputs !== 10) {
    summary.textContent = 'The network does not take 28×28 images with ten classes, so it cannot be scored on MNIST.';
    return;
  }
  const test = await mnist('test');
  const predicted = argmaxRows(net.predict(test.x));
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  const wrong: number[] = [];
  predicted.forEach((p, i) => {
    confusion[test.labels[i]][p]++;
    if (p !== test.labels[i]) wrong.push(i);
  });
  const correct = test.labels.length - wrong.length;
  summary.textContent = `${correct} of ${test.labels.length} test images right: ${(100 * correct / test.labels.length).toFixed(2)} %.`;
  summary.dataset.accuracy = String(correct / test.labels.length);
  summary.dataset.correct = String(correct);

  const table = $<HTMLTableElement>('confusion');
  table.innerHTML = '<tr><th>true \\ predicted</th>' + Array.from({ length: 10 }, (_, j) => `<th>${j}</th>`).join('') + '</tr>' +
    confusion.map((row, i) => {
      const max = Math.max(...row);
      return `<tr><th>${i}</th>` + row.map((v, j) => {
        const tint = i === j ? `rgba(47,111,219,${(0.15 + 0.6 * v / max).toFixed(2)})` : v > 0 ? `rgba(224,122,16,${Math.min(0.8, 0.1 + v / 40).toFixed(2)})` : 'transparent';
        return `<td style="background:${tint}">${v}</td>`;
      }).join('') + '</tr>';
    }).join('');

  const grid = $<HTMLDivElement>('misclassified');
  grid.textContent = '';
  for (const i of wrong.slice(0, 48)) {
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 28;
    drawPixels(canvas, toFloats(sliceRows(test.x, i, i + 1)).data);
    const caption = document.createElement('figcaption');
    caption.textContent = `${test.labels[i]} → ${predicted[i]}`;
    figure.title = `test image ${i}: a ${test.labels[i]}, predicted ${predicted[i]}`;
    figure.append(canvas, caption);
    grid.append(figure);
  }
}

// ---- drawing -----------------------------------------------------------------------------------

const bars = $<HTMLOListElement>('bars');
for (let d = 0; d < 10; d++) {
  const li = document.createElement('li');
  li.innerHTML = `<span>${d}</span><span class="bar"><div></div></span><span class="p" data-p="0">–</span>`;
  bars.append(li);
}

function predictDrawing(): void {
  const net = state.network;
  const pixels = mnistPixels(pad, preview);
  const guess = $<HTMLParagraphElement>('guess');
  if (!pixels || !net || net.inputs !== 784) {
    guess.textContent = !net ? 'Train or load a model, then draw.' : pixels ? '' : 'Draw a digit in the black square.';
    return;
  }
  const out = net.predict(matrix(1, 784, pixels)).data;
  // softmax outputs are probabilities already; other outputs are shown as shares of their sum
  const total = out.reduce((a, v) => a + Math.max(0, v), 0) || 1;
  const probabilities = Array.from(out, (v) => Math.max(0, v) / total);
  const best = probabilities.indexOf(Math.max(...probabilities));
  bars.querySelectorAll('li').forEach((li, d) => {
    li.classList.toggle('best', d === best);
    (li.querySelector('.bar div') as HTMLDivElement).style.width = `${(100 * probabilities[d]).toFixed(1)}%`;
    const p = li.querySelector('.p') as HTMLSpanElement;
    p.dataset.p = String(probabilities[d]);
    p.textContent = `${(100 * probabilities[d]).toFixed(1)} %`;
  });
  guess.textContent = `Looks like a ${best} (${(100 * probabilities[best]).toFixed(1)} %)`;
}

const ink = pad.getContext('2d', { willReadFrequently: true })!;
function clearPad(): void {
  ink.fillStyle = '#000';
  ink.fillRect(0, 0, pad.width, pad.height);
  preview.getContext('2d')!.clearRect(0, 0, 28, 28);
  bars.querySelectorAll<HTMLSpanElement>('.p').forEach((p) => { p.textContent = '–'; p.dataset.p = '0'; });
  bars.querySelectorAll<HTMLDivElement>('.bar div').forEach((b) => (b.style.width = '0'));
  predictDrawing();
}
clearPad();
let last: { x: number; y: number } | null = null;
let pending = false;
const at = (e: PointerEvent) => {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
};
pad.addEventListener('pointerdown', (e) => {
  pad.setPointerCapture(e.pointerId);
  last = at(e);
  stroke(last, last);
});
pad.addEventListener('pointermove', (e) => {
  if (!last) return;
  const p = at(e);
  stroke(last, p);
  last = p;
});
const lift = () => { last = null; predictDrawing(); };
pad.addEventListener('pointerup', lift);
pad.addEventListener('pointercancel', lift);
function stroke(from: { x: number; y: number }, to: { x: number; y: number }): void {
  ink.strokeStyle = '#fff';
  ink.lineWidth = 20;
  ink.lineCap = ink.lineJoin = 'round';
  ink.beginPath();
  ink.moveTo(from.x, from.y);
  ink.lineTo(to.x, to.y);
  ink.stroke();
  // live probabilities while drawing, at most once a frame
  if (!pending) {
    pending = true;
    requestAnimationFrame(() => { pending = false; predictDrawing(); });
  }
}
$('clear').addEventListener('click', clearPad);

// ---- files -------------------------------------------------------------------------------------

saveButton.addEventListener('click', () => {
  if (!state.network) return;
  const blob = new Blob([JSON.stringify(state.network.toJSON()) + '\n'], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'ffnn-model.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
});

$<HTMLInputElement>('load-model').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (!file) return;
  try {
    setStatus(`Loading ${file.name}…`, 'loading');
    const net = await Network.fromJSON(JSON.parse(await file.text()), { source: file.name });
    adopt(net);
    setStatus(`Loaded ${file.name}: ${net.inputs}-${net.options.layers.map((l) => l.units).join('-')} network.`, 'done');
    await showTestResults();
  } catch (error) {
    const message = error instanceof SyntaxError ? `${file.name} is not JSON: ${error.message}` : (error as Error).message;
    setStatus(message, 'error');
  }
});

$<HTMLInputElement>('load-csv').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  const out = $<HTMLParagraphElement>('data-status');
  if (!file) return;
  out.classList.remove('error');
  out.textContent = `Reading ${file.name}…`;
  try {
    const ref = $<HTMLInputElement>('csv-label').value.trim();
    const data = await loadCsv(file, { label: /^\d+$/.test(ref) ? Number(ref) : ref });
    state.csv = { ...data, name: file.name };
    const option = $<HTMLSelectElement>('data-source').querySelector('option[value="csv"]') as HTMLOptionElement;
    option.disabled = false;
    option.textContent = `CSV: ${file.name}`;
    $<HTMLSelectElement>('data-source').value = 'csv';
    out.textContent = `${file.name}: ${data.x.rows} rows, ${data.x.cols} features, ${data.classes} classes (20 % held out for validation, min-max scaled).`;
  } catch (error) {
    out.classList.add('error');
    out.textContent = (error as Error).message;
  }
});

$<HTMLFormElement>('settings').addEventListener('submit', (event) => {
  event.preventDefault();
  void train();
});
cancelButton.addEventListener('click', () => state.training?.abort());

// ---- start -------------------------------------------------------------------------------------

// Threads need a crossOriginIsolated page (SharedArrayBuffer); training runs in a worker, which may wait on Atomics.
if (globalThis.crossOriginIsolated) $('threads-field').hidden = false;
void Network.create({ inputs: 1, layers: [{ units: 1 }] }).then((probe) => {
  $('engine').textContent = `WebAssembly build: ${probe.build}${globalThis.crossOriginIsolated ? '; threads available' : ''}.`;
  probe.dispose();
}, (error: Error) => setStatus(error.message, 'error'));

// For tests and the console: the current network and its predictions.
(globalThis as { ffnnDemo?: unknown }).ffnnDemo = {
  get network() { return state.network; },
  predictTest: async (rows: number) => {
    const test = await mnist('test');
    return Array.from(state.network!.predict(sliceRows(test.x, 0, rows)).data);
  },
};

/** A classifier's accuracy (NaN for a regression, which has none). */
function accuracyOf(e: Evaluation): number {
  return e.task === 'classification' ? e.accuracy : NaN;
}
