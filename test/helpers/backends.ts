// Test helpers: one fresh backend of each kind, and seeded random fills.

import type { Backend, BackendName } from '../../src/backends/backend.js';
import { createBackend } from '../../src/backends/index.js';
import { Random } from '../../src/random.js';

export const WASM_BACKENDS: readonly BackendName[] = ['wasm', 'wasm-scalar'];

export async function backendsByName(): Promise<Record<BackendName, Backend>> {
  return {
    js: await createBackend('js'),
    wasm: await createBackend('wasm'),
    'wasm-scalar': await createBackend('wasm-scalar'),
  };
}

export function randomArray(rng: Random, n: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  return out;
}

/**
 * Index of the first element where |a − b| > tol·max(1, |b|), with both values, or null when all
 * agree: tests print the numbers that differ.
 */
export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): string | null {
  if (a.length !== b.length) return `lengths differ: ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const ok = Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i]));
    if (!ok || Number.isNaN(a[i]) !== Number.isNaN(b[i])) return `index ${i}: ${a[i]} vs ${b[i]}`;
  }
  return null;
}
