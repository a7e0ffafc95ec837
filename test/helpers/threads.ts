// Test helper: counts the work a threaded network's pool really shares.

import type { Network } from '../../src/network.js';

/** Counts the steps (or forward passes) a network's threads share: its pool's calls of `method`. */
export function countShared(net: Network, method: 'step' | 'forward' = 'step'): { count: number } {
  const pool = (net.engine as unknown as { pool: Record<string, (...args: unknown[]) => unknown> }).pool;
  const counter = { count: 0 };
  const original = pool[method].bind(pool);
  pool[method] = (...args: unknown[]) => {
    counter.count++;
    return original(...args);
  };
  return counter;
}
