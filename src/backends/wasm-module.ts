// Compiles the ffnn WebAssembly builds once per process (or page) and decides which one 'wasm' uses.
// Where the bytes come from is wasm-source.ts's business (a file on Node, a fetch in a browser).
//
// Five builds come from the same AssemblyScript sources: SIMD (f32x4), relaxed SIMD (the same with
// fused multiply-adds in the GEMM), scalar, and the threads builds (SIMD or relaxed SIMD over a shared
// memory). Modules are compiled once and instantiated per network, so each network owns its own
// memory (threads: one memory per network, shared by its workers).

import { compileSource } from './wasm-source.js';

import type { BackendName } from './backend.js';

export type WasmBuild = 'simd' | 'scalar' | 'relaxed' | 'threads' | 'threads-relaxed';
/** The kernel builds, and 'csv': the CSV scanner (assembly/csv.ts), plain WebAssembly. */
export type ModuleName = WasmBuild | 'csv';

const compiled = new Map<ModuleName, Promise<WebAssembly.Module>>();

// The smallest module that uses a v128 instruction: `(func (result v128) v128.const 0)`.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

export function simdSupported(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

// The smallest module that uses a relaxed-SIMD instruction:
// `(func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)`.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0,
  10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

/** Whether this engine accepts relaxed SIMD now (Node 20: only with --experimental-wasm-relaxed-simd). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

export function compileBuild(build: ModuleName): Promise<WebAssembly.Module> {
  let module = compiled.get(build);
  if (!module) {
    module = load(build);
    compiled.set(build, module);
    module.catch(() => compiled.delete(build));
  }
  return module;
}

/**
 * The build 'wasm' uses here: relaxed SIMD where the engine compiles it (Chromium does; Node 20
 * only when started with --experimental-wasm-relaxed-simd), else SIMD where the engine has SIMD,
 * else scalar. Decided once.
 */
let preferred: Promise<WasmBuild> | undefined;
export function preferredBuild(): Promise<WasmBuild> {
  preferred ??= compileBuild('relaxed').then(
    () => 'relaxed' as const,
    () => (simdSupported() ? 'simd' as const : 'scalar' as const),
  );
  return preferred;
}

/** The one-thread build a WebAssembly backend runs. */
export async function buildFor(name: Exclude<BackendName, 'js'>): Promise<WasmBuild> {
  if (name === 'wasm') return preferredBuild();
  return name === 'wasm-simd' ? 'simd' : name === 'wasm-relaxed' ? 'relaxed' : 'scalar';
}

/**
 * The threads build for a backend: the one with its one-thread build's arithmetic, so a threaded run
 * gives the one-thread weights bit for bit ('wasm' where the engine has relaxed SIMD: fused
 * multiply-adds on every thread).
 */
export async function threadsBuildFor(name: Exclude<BackendName, 'js'>): Promise<'threads' | 'threads-relaxed'> {
  return (await buildFor(name)) === 'relaxed' ? 'threads-relaxed' : 'threads';
}

async function load(build: ModuleName): Promise<WebAssembly.Module> {
  if (build !== 'scalar' && build !== 'csv' && !simdSupported()) {
    throw new Error(
      "ffnn: this JavaScript engine has no WebAssembly SIMD; use backend 'wasm-scalar' (or 'js') instead",
    );
  }
  try {
    return await compileSource(build);
  } catch (error) {
    if ((build === 'relaxed' || build === 'threads-relaxed') && error instanceof WebAssembly.CompileError) {
      throw new Error(
        "ffnn: this JavaScript engine does not accept WebAssembly relaxed SIMD; use backend 'wasm' " +
          '(Node 20 accepts it when started with --experimental-wasm-relaxed-simd)',
      );
    }
    throw error;
  }
}
