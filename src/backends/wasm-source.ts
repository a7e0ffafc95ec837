// Where the WebAssembly builds come from on Node: build/ffnn-<build>.wasm in the package, read from
// disk. The browser bundle swaps in wasm-source.browser.ts (fetched beside the bundle, compiled while
// streaming) or wasm-source.inline.ts (bytes inside the bundle, the opt-in single-file build).

import { readFile } from 'node:fs/promises';
import type { ModuleName } from './wasm-module.js';

function wasmUrl(build: ModuleName): URL {
  // src/backends/ and dist/backends/ both sit two levels below the package root
  return new URL(`../../build/ffnn-${build}.wasm`, import.meta.url);
}

/** Compiles a build; a CompileError means the engine does not accept it. */
export async function compileSource(build: ModuleName): Promise<WebAssembly.Module> {
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
  return WebAssembly.compile(bytes);
}
