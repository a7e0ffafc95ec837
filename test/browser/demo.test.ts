// The demo page in a real browser: Debian's Chromium driven by playwright-core, against the built
// bundle served on localhost by `npm run demo`'s server. Trains MNIST through the UI, draws a digit,
// loads a model file made in Node, loads CSV files, and keeps the page responsive while training.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemo } from '../../web/serve.mjs';
import { Network } from '../../src/network.js';
import { loadMnist } from '../../src/data/mnist.js';
import { sliceRows } from '../../src/matrix.js';
import { classScores } from '../helpers/scores.js';
import fc from 'fast-check';
import { loadCsv as loadCsvNode } from '../../src/data/csv.js';
import { csvCase, outcome } from '../helpers/csv-cases.js';


// Chromium runs relaxed SIMD by default; Node 20 only behind this flag. Switched on here (before any
// module is compiled in this test process) so the Node side of each comparison runs the page's builds.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let demo: Awaited<ReturnType<typeof startDemo>>;
let browser: Browser;
let page: Page;

async function state(p: Page): Promise<string> {
  return p.$eval('#status', (e) => (e as HTMLElement).dataset.state ?? '');
}

async function waitSettled(p: Page, timeout = 180_000): Promise<string> {
  await p.waitForFunction(() => ['done', 'error'].includes((document.querySelector('#status') as HTMLElement).dataset.state ?? ''), null, { timeout });
  return state(p);
}

/** Draws strokes on the pad with mouse events; points in pad pixels (0–280). */
async function draw(p: Page, strokes: [number, number][][]): Promise<void> {
  const box = (await p.locator('#pad').boundingBox())!;
  for (const stroke of strokes) {
    await p.mouse.move(box.x + stroke[0][0], box.y + stroke[0][1]);
    await p.mouse.down();
    for (const [x, y] of stroke.slice(1)) await p.mouse.move(box.x + x, box.y + y, { steps: 6 });
    await p.mouse.up();
  }
}

/** Sets the training form: field id → value (selects are chosen, inputs filled). */
async function settings(p: Page, values: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(values)) {
    const tag = await p.$eval(`#${id}`, (e) => e.tagName);
    if (tag === 'SELECT') await p.selectOption(`#${id}`, value);
    else await p.fill(`#${id}`, value);
  }
}

/** Presses Train and waits until the worker has started. */
async function startTraining(p: Page): Promise<void> {
  await p.click('#train');
  await p.waitForFunction(() => (document.querySelector('#status') as HTMLElement).dataset.state === 'training', null, { timeout: 60_000 });
}

/** The page's network predicts the first test images as `net` does in Node, and scores the same. */
async function expectPageAgreesWith(net: Network): Promise<void> {
  const test = await loadMnist('test');
  const rows = 50;
  const inBrowser = await page.evaluate((n) => (window as unknown as { ffnnDemo: { predictTest(n: number): Promise<number[]> } }).ffnnDemo.predictTest(n), rows);
  const inNode = net.predict(sliceRows(test.x, 0, rows)).data;
  expect(inBrowser).toHaveLength(inNode.length);
  let worst = 0;
  inBrowser.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - inNode[i]))));
  expect(worst).toBeLessThan(1e-5);
  const correct = Number(await page.$eval('#test-summary', (e) => (e as HTMLElement).dataset.correct));
  expect(correct).toBe(classScores(net.evaluate(test.x, test.y)).correct);
}

async function probabilities(p: Page): Promise<number[]> {
  return p.$$eval('#bars .p', (spans) => spans.map((s) => Number((s as HTMLElement).dataset.p)));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the browser tests need Debian's chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);
  demo = await startDemo({ port: 0, build: false, log: false });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(demo.url);
  await page.waitForFunction(() => !document.querySelector('#engine')!.textContent!.startsWith('Loading'));
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('the demo page in Chromium', () => {
  it('loads the SIMD build (relaxed where Chromium validates it) from the bundle', async () => {
    expect(await page.textContent('#engine')).toMatch(/WebAssembly build: (relaxed|simd)/);
  });

  it('the opt-in single-file build (WebAssembly inlined) computes what the bundle computes', async () => {
    // a string, so the test runner leaves this import() for the browser to do
    const outputs = await page.evaluate(`(async () => {
      const run = async (url) => {
        const ffnn = await import(url);
        const net = await ffnn.Network.create({ inputs: 5, layers: [{ units: 7, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cross-entropy', seed: 3 });
        const x = ffnn.matrix(2, 5, [0.1, -0.2, 0.3, 0.4, -0.5, 1, 2, 3, 4, 5]);
        return { build: net.build, out: Array.from(net.predict(x).data) };
      };
      return { inline: await run('./ffnn-inline.js'), bundle: await run('./ffnn.js') };
    })()`) as { inline: { build: string; out: number[] }; bundle: { build: string; out: number[] } };
    expect(outputs.inline.build).toBe(outputs.bundle.build);
    expect(outputs.inline.out).toEqual(outputs.bundle.out);
    expect(outputs.inline.out).toHaveLength(6);
  });

  it('the WebAssembly reader and csv-parse read 1 000 generated files in Chromium as csv-parse does in Node', async () => {
    const cases = fc.sample(csvCase, { numRuns: 1000, seed: 20261203 });
    // in the page: each file as a Blob through loadCsv with each reader, summed up as outcome() does
    const inPage = await page.evaluate(`(async (cases) => {
      const ffnn = await import('./ffnn.js');
      const hex = (a) => a.constructor.name + Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');
      const outcome = async (load) => {
        try {
          const d = await load;
          return { x: [d.x.rows, d.x.cols, hex(d.x.data)], y: [d.y.rows, d.y.cols, hex(d.y.data)], labels: d.labels && Array.from(d.labels),
            classNames: d.classNames, featureNames: d.featureNames, targetNames: d.targetNames, schema: d.schema, report: d.report };
        } catch (error) {
          return { error: error.message };
        }
      };
      const out = [];
      for (const { text, options } of cases) {
        out.push([await outcome(ffnn.loadCsv(new Blob([text]), { ...options, reader: 'auto' })), await outcome(ffnn.loadCsv(new Blob([text]), { ...options, reader: 'csv-parse' }))]);
      }
      return JSON.stringify(out);
    })(${JSON.stringify(cases)})`) as unknown as string;
    const results = JSON.parse(inPage) as [unknown, unknown][];
    expect(results).toHaveLength(1000);
    for (let i = 0; i < cases.length; i++) {
      const reference = JSON.parse(JSON.stringify(await outcome(loadCsvNode({ text: cases[i].text }, { ...cases[i].options, reader: 'csv-parse' }))));
      expect(results[i][0], `case ${i}: ${JSON.stringify(cases[i])}`).toEqual(reference);
      expect(results[i][1], `case ${i}`).toEqual(reference);
    }
  });

  it("'wasm-simd' trains to the same bits in Chromium as in Node; 'wasm' there runs relaxed SIMD and parts by rounding", async () => {
    // the same seed, data and options on both engines: plain f32x4 arithmetic is exact IEEE, so every
    // weight must match; fused multiply-adds round differently
    const job = `async (ffnn, backend) => {
      const rows = 96, cols = 20, x = [], y = [];
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) x.push(((7 * i + 3 * j) % 23) / 11 - 1); // exact on any engine
        for (let c = 0; c < 3; c++) y.push(i % 3 === c ? 1 : 0);
      }
      const net = await ffnn.Network.create({ inputs: cols, layers: [{ units: 17, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cross-entropy', seed: 5, backend });
      await net.train(ffnn.matrix(rows, cols, x), ffnn.matrix(rows, 3, y), { optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 3 });
      return { build: net.build, weights: net.parameters().flatMap((l) => [...l.weights.data, ...l.biases]) };
    }`;
    type Trained = { build: string; weights: number[] };
    const inPage = await page.evaluate(`(async () => {
      const ffnn = await import('./ffnn.js');
      const train = ${job};
      return { plain: await train(ffnn, 'wasm-simd'), fused: await train(ffnn, 'wasm') };
    })()`) as { plain: Trained; fused: Trained };
    const inNode = await (new Function('return ' + job)() as (ffnn: unknown, backend: string) => Promise<Trained>)(
      await import('../../src/index.js'), 'wasm-simd');
    expect([inPage.plain.build, inPage.fused.build, inNode.build]).toEqual(['simd', 'relaxed', 'simd']);
    expect(inPage.plain.weights).toHaveLength(20 * 17 + 17 + 17 * 3 + 3);
    expect(inPage.plain.weights).toEqual(inNode.weights);
    expect(inPage.fused.weights).not.toEqual(inNode.weights);
  });

  it('trains an MNIST subset in a worker to ≥ 90 % test accuracy while the page stays responsive', async () => {
    await settings(page, { examples: '10000', layers: '64', optimizer: 'adam', 'learning-rate': '0.002', epochs: '3' });
    // the page's event loop: the longest gap between 20 ms timer ticks while the worker trains
    await page.evaluate(() => {
      const w = window as unknown as { lag: number; ticks: number; gaps: string[] };
      w.lag = 0;
      w.ticks = 0;
      w.gaps = [];
      let last = performance.now();
      let wasTraining = false;
      setInterval(() => {
        const now = performance.now();
        const status = document.querySelector('#status') as HTMLElement;
        const training = status.dataset.state === 'training';
        // gaps that began while training (not the MNIST load just before it)
        if (training && wasTraining) {
          w.lag = Math.max(w.lag, now - last);
          w.ticks++;
          if (now - last > 100) w.gaps.push(`${(now - last).toFixed(0)} ms before "${status.textContent}"`);
        }
        last = now;
        wasTraining = training;
      }, 20);
    });
    await page.click('#train');
    await page.waitForFunction(() => (document.querySelector('#status') as HTMLElement).dataset.state === 'training', null, { timeout: 60_000 });
    await page.waitForFunction(() => (document.querySelector('#progress') as HTMLProgressElement).value > 0, null, { timeout: 60_000 });
    // a click during training is answered: drawing updates the 28×28 preview at once
    const clicked = Date.now();
    await draw(page, [[[140, 60], [140, 220]]]);
    await page.waitForFunction(() => {
      const c = document.querySelector('#preview') as HTMLCanvasElement;
      return c.getContext('2d')!.getImageData(0, 0, 28, 28).data.some((v, i) => i % 4 === 0 && v > 0);
    }, null, { timeout: 2000 });
    const answeredMs = Date.now() - clicked;
    expect(await state(page)).toBe('training'); // the click really happened while training ran
    await page.click('#clear');

    expect(await waitSettled(page)).toBe('done');
    const accuracy = Number(await page.$eval('#test-summary', (e) => (e as HTMLElement).dataset.accuracy));
    const { lag, ticks, gaps } = await page.evaluate(() => {
      const w = window as unknown as { lag: number; ticks: number; gaps: string[] };
      return { lag: w.lag, ticks: w.ticks, gaps: w.gaps };
    });
    console.log(`browser: ${await page.textContent('#status')} drawing answered in ${answeredMs} ms; ` +
      `longest event-loop gap while training ${lag.toFixed(0)} ms over ${ticks} ticks`, gaps);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(ticks).toBeGreaterThan(20); // the timer kept running through training
    expect(lag).toBeLessThan(250);
    expect(await page.$$eval('#confusion td', (cells) => cells.reduce((a, c) => a + Number(c.textContent), 0))).toBe(10000);
    expect(await page.locator('#misclassified canvas').count()).toBeGreaterThan(0);
  });

  it('turns a drawing into ten probabilities that sum to 1', async () => {
    await page.click('#clear');
    expect(await probabilities(page)).toEqual(new Array(10).fill(0));
    await draw(page, [[[140, 40], [140, 240]]]); // a "1"
    await page.waitForFunction(() => (document.querySelector('#guess') as HTMLElement).textContent!.startsWith('Looks like'));
    const p = await probabilities(page);
    expect(p).toHaveLength(10);
    for (const v of p) expect(v).toBeGreaterThanOrEqual(0);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    console.log(`browser: drawn "1" read as ${p.indexOf(Math.max(...p))} (${(100 * Math.max(...p)).toFixed(1)} %)`);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-after-training.png'), fullPage: true });
  });

  it('saves the trained model as a download that Node loads and predicts with as the page does', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-model')]);
    expect(download.suggestedFilename()).toBe('ffnn-model.json');
    const file = join(tmpdir(), `ffnn-browser-download-${process.pid}.json`);
    await download.saveAs(file);
    const net = await Network.load(file);
    await expectPageAgreesWith(net);
    net.dispose();
  });

  it('loads a model file written in Node and predicts what Node predicts', async () => {
    const train = await loadMnist('train', { limit: 2000 });
    const net = await Network.create({ inputs: 784, layers: [{ units: 32, activation: 'tanh' }, { units: 10, activation: 'softmax' }], loss: 'cross-entropy', seed: 7 });
    await net.train(train.x, train.y, { epochs: 2, learningRate: 0.1, batchSize: 20 });
    const file = join(tmpdir(), `ffnn-browser-model-${process.pid}.json`);
    await net.save(file);
    await page.setInputFiles('#load-model', file);
    await page.waitForFunction(() => (document.querySelector('#test-summary') as HTMLElement).textContent!.includes('of 10000'));
    expect(await state(page)).toBe('done');
    await expectPageAgreesWith(net);
    net.dispose();
  });

  it('loads a CSV through the file picker, trains on it, and reports a bad cell with line and column', async () => {
    const dir = tmpdir();
    // two noisy classes on a line: label,x1,x2
    let good = 'label,a,b\n';
    for (let i = 0; i < 300; i++) {
      const c = i % 2;
      good += `${c},${(c ? 2 : -2) + Math.sin(i) * 0.8},${Math.cos(i * 1.7)}\n`;
    }
    await writeFile(join(dir, 'ffnn-good.csv'), good);
    await writeFile(join(dir, 'ffnn-bad.csv'), 'label,a,b\n0,1,2\n1,3,oops\n');
    await page.setInputFiles('#load-csv', join(dir, 'ffnn-bad.csv'));
    await page.waitForFunction(() => document.querySelector('#data-status')!.classList.contains('error'));
    expect(await page.textContent('#data-status')).toMatch(/^ffnn: ffnn-bad\.csv, line 3, column 3: "oops" is not a number \(column b, whose other cells are numbers\)/);

    await page.setInputFiles('#load-csv', join(dir, 'ffnn-good.csv'));
    await page.waitForFunction(() => document.querySelector('#data-status')!.textContent!.includes('300 rows'));
    expect(await page.$eval('#data-source', (s) => (s as HTMLSelectElement).value)).toBe('csv');
    await settings(page, { layers: '8', 'learning-rate': '0.02', epochs: '20', 'batch-size': '16' });
    await startTraining(page);
    expect(await waitSettled(page)).toBe('done');
    const status = (await page.textContent('#status'))!;
    const validation = Number(/validation accuracy ([\d.]+) %/.exec(status)?.[1]);
    expect(validation).toBeGreaterThanOrEqual(95);
  });

  it('trains on two threads inside the worker (the page is cross-origin isolated), exactly as Node does', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await settings(page, {
      'data-source': 'mnist', examples: '5000', layers: '64', activation: 'relu', optimizer: 'adam',
      'learning-rate': '0.002', 'batch-size': '32', epochs: '1', threads: '2',
    });
    await startTraining(page);
    expect(await waitSettled(page)).toBe('done');
    await page.waitForFunction(() => (document.querySelector('#test-summary') as HTMLElement).dataset.correct !== undefined);
    const inBrowser = Number(await page.$eval('#test-summary', (e) => (e as HTMLElement).dataset.correct));

    // the same run in Node: same initial weights (seed 1), the same threads build (relaxed SIMD, as
    // on the page; how the rows are split between threads changes no bit: see src/threads.ts)
    const train = await loadMnist('train', { limit: 5000 });
    const test = await loadMnist('test');
    const net = await Network.create({ inputs: 784, layers: [{ units: 64, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross-entropy', seed: 1, threads: 2 });
    expect(net.threads).toBe(2);
    expect(net.build).toBe('relaxed');
    await net.train(train.x, train.y, { optimizer: 'adam', learningRate: 0.002, batchSize: 32, epochs: 1 });
    expect(inBrowser).toBe(classScores(net.evaluate(test.x, test.y)).correct);
    net.dispose();
    await page.selectOption('#threads', '1');
  });

  it('cancels training from the page and keeps the network reached so far', async () => {
    await settings(page, { 'data-source': 'mnist', examples: '60000', layers: '256', epochs: '20' });
    await page.click('#train');
    await page.waitForFunction(() => (document.querySelector('#progress') as HTMLProgressElement).value > 0, null, { timeout: 60_000 });
    await page.click('#cancel');
    expect(await waitSettled(page, 60_000)).toBe('done');
    expect(await page.textContent('#status')).toMatch(/^Cancelled in epoch 1/);
    expect(await page.isEnabled('#save-model')).toBe(true);
  });
});
