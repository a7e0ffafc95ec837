// Test helpers: one fresh backend of each kind, and seeded random fills.

import type { Backend, BackendName } from '../../src/backends/backend.js';
import { createJsBackend } from '../../src/backends/js.js';
import { instantiateBuild } from '../../src/backends/wasm.js';
import { preferredBuild } from '../../src/backends/wasm-module.js';
import { Random } from '../../src/random.js';

/**
 * One backend per build: 'wasm' pinned to plain SIMD, 'wasm-relaxed' when this engine accepts
 * relaxed SIMD (a test file can switch V8's flag on first), 'wasm-scalar', and the JS reference.
 */
export async function backendsByName(): Promise<Partial<Record<BackendName, Backend>> & Record<'js' | 'wasm' | 'wasm-scalar', Backend>> {
  const relaxed = (await preferredBuild()) === 'relaxed';
  return {
    js: createJsBackend(),
    wasm: await instantiateBuild('wasm', 'simd'),
    'wasm-scalar': await instantiateBuild('wasm-scalar', 'scalar'),
    ...(relaxed ? { 'wasm-relaxed': await instantiateBuild('wasm-relaxed', 'relaxed') } : {}),
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
