// Browser twin of wasm-source.ts: each build is a .wasm file served beside the bundle (ffnn.js), fetched
// and compiled while it downloads (WebAssembly.compileStreaming), once per page.

import type { ModuleName } from './wasm-module.js';

function wasmUrl(build: ModuleName): URL {
  return new URL(`./ffnn-${build}.wasm`, import.meta.url);
}

export async function compileSource(build: ModuleName): Promise<WebAssembly.Module> {
  const url = wasmUrl(build);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`ffnn: cannot fetch the ${build} WebAssembly build from ${url.href} (${(error as Error).message})`);
  }
  if (!response.ok) {
    throw new Error(`ffnn: cannot fetch the ${build} WebAssembly build from ${url.href}: HTTP ${response.status}; serve ffnn-${build}.wasm beside ffnn.js`);
  }
  // compileStreaming needs the server to say application/wasm; otherwise compile the bytes
  if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}
