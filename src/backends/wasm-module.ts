// Finds, reads and compiles the ffnn WebAssembly builds: the only place that knows where they live.
//
// Three builds come from the same AssemblyScript sources: SIMD (f32x4), relaxed SIMD (the same with
// fused multiply-adds in the GEMM) and scalar. Modules are compiled once per process and
// instantiated per network, so each network owns its own memory.

import { readFile } from 'node:fs/promises';

export type WasmBuild = 'simd' | 'scalar' | 'relaxed' | 'threads';

const compiled = new Map<WasmBuild, Promise<WebAssembly.Module>>();

// The smallest module that uses a v128 instruction: `(func (result v128) v128.const 0)`.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

export function simdSupported(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

export function wasmUrl(build: WasmBuild): URL {
  // src/backends/ and dist/backends/ both sit two levels below the package root
  return new URL(`../../build/ffnn-${build}.wasm`, import.meta.url);
}

export function compileBuild(build: WasmBuild): Promise<WebAssembly.Module> {
  let module = compiled.get(build);
  if (!module) {
    module = load(build);
    compiled.set(build, module);
    module.catch(() => compiled.delete(build));
  }
  return module;
}

/**
 * The build 'wasm' uses here: relaxed SIMD where the engine validates it (Chromium does; Node 20
 * only when started with --experimental-wasm-relaxed-simd), else SIMD. Decided once.
 */
let preferred: Promise<WasmBuild> | undefined;
export function preferredBuild(): Promise<WasmBuild> {
  preferred ??= readBuild('relaxed').then(
    (bytes) => (WebAssembly.validate(bytes) ? 'relaxed' : 'simd'),
    () => 'simd' as const,
  );
  return preferred;
}

async function load(build: WasmBuild): Promise<WebAssembly.Module> {
  if (build === 'simd' && !simdSupported()) {
    throw new Error(
      "ffnn: this JavaScript engine has no WebAssembly SIMD; use backend 'wasm-scalar' (or 'js') instead",
    );
  }
  const bytes = await readBuild(build);
  if (build === 'relaxed' && !WebAssembly.validate(bytes)) {
    throw new Error(
      "ffnn: this JavaScript engine does not accept WebAssembly relaxed SIMD; use backend 'wasm' " +
        '(Node 20 accepts it when started with --experimental-wasm-relaxed-simd)',
    );
  }
  return WebAssembly.compile(bytes);
}

async function readBuild(build: WasmBuild): Promise<Uint8Array<ArrayBuffer>> {
  const url = wasmUrl(build);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readFile(url);
  } catch (error) {
    throw new Error(
      `ffnn: cannot read the ${build} WebAssembly build at ${url.pathname} ` +
        `(${(error as Error).message}); run \`npm run build:wasm\` to produce it`,
    );
  }
  return bytes;
}
