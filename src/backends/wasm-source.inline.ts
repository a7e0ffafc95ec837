// Single-file twin of wasm-source.ts (opt-in browser build): the builds travel inside the bundle as
// bytes, so nothing but the one .js file needs serving.

import simd from '../../build/ffnn-simd.wasm';
import scalar from '../../build/ffnn-scalar.wasm';
import relaxed from '../../build/ffnn-relaxed.wasm';
import threads from '../../build/ffnn-threads.wasm';
import threadsRelaxed from '../../build/ffnn-threads-relaxed.wasm';
import csv from '../../build/ffnn-csv.wasm';
import type { ModuleName } from './wasm-module.js';

const BYTES: Record<ModuleName, Uint8Array<ArrayBuffer>> = { simd, scalar, relaxed, threads, 'threads-relaxed': threadsRelaxed, csv };

export function compileSource(build: ModuleName): Promise<WebAssembly.Module> {
  return WebAssembly.compile(BYTES[build]);
}
