// Chooses and creates a backend by name.

import type { Backend, BackendName } from './backend.js';
import { ALL_BACKENDS } from './backend.js';
import { createJsBackend } from './js.js';
import { createWasmBackend } from './wasm.js';

export async function createBackend(name: BackendName): Promise<Backend> {
  switch (name) {
    case 'js':
      return createJsBackend();
    case 'wasm':
    case 'wasm-simd':
    case 'wasm-relaxed':
    case 'wasm-scalar':
      return createWasmBackend(name);
    default:
      throw new Error(`ffnn: unknown backend '${String(name)}'; expected one of ${ALL_BACKENDS.join(', ')}`);
  }
}
