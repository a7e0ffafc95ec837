// Builds the browser bundle (dist/browser/) and the demo page (dist/web/) with esbuild.
//
//   node web/build.mjs            bundle + demo
//   also dist/browser-inline/ffnn.js: the opt-in single file with the WebAssembly inside (base64)
//
// The bundle is src/ with each Node-only module swapped for its browser twin: an import of
// './x.js' resolves to x.browser.ts when that file sits beside x.ts (x.inline.ts first in the
// single-file build). The .wasm builds are copied beside ffnn.js, which fetches them.

import * as esbuild from 'esbuild';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** Resolves './x.js' imports inside src/ to x.<twin>.ts when it exists. */
export function twins(suffixes) {
  return {
    name: 'ffnn-browser-twins',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
        if (!args.importer.startsWith(src)) return undefined;
        const base = resolve(dirname(args.importer), args.path).replace(/\.js$/, '');
        for (const suffix of suffixes) {
          const twin = `${base}.${suffix}.ts`;
          if (existsSync(twin) && twin !== args.importer) return { path: twin };
        }
        return undefined;
      });
    },
  };
}

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome100', 'firefox100', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  resolveExtensions: ['.ts', '.js'],
  // Node-only dependencies that the twins leave unreachable must never be pulled in by accident
  external: [],
};

let eagerFiles = [];

export async function buildBrowser({ inline = false } = {}) {
  const out = join(root, 'dist', 'browser');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const result = await esbuild.build({
    ...common,
    metafile: true,
    entryPoints: { ffnn: join(src, 'index.ts') },
    splitting: true,
    outdir: out,
    entryNames: '[name]',
    chunkNames: 'ffnn-shared-[hash]',
    plugins: [twins(['browser'])],
  });
  // each worker a bundle of its own, naming only the workers it may start (see platform/worker-spawn.ts):
  // shared chunks would name every worker in every bundle, a cycle that bundlers such as Vite refuse
  for (const name of ['train-worker', 'thread-worker']) {
    await esbuild.build({
      ...common,
      entryPoints: { [`ffnn-${name}`]: join(src, `${name}.ts`) },
      outdir: out,
      entryNames: '[name]',
      plugins: [twins([name, 'browser'])],
    });
  }
  for (const file of await readdir(join(root, 'build'))) {
    // the library's builds (the bench's probes stay out)
    if (file.endsWith('.wasm') && !file.startsWith('ffnn-probe')) await cp(join(root, 'build', file), join(out, file));
  }
  // what a page loads before it calls anything: ffnn.js and the chunks it imports statically
  const outputs = result.metafile.outputs;
  const eager = new Set();
  const visit = (file) => {
    if (eager.has(file)) return;
    eager.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
  };
  visit(Object.keys(outputs).find((f) => f.endsWith('/ffnn.js')));
  eagerFiles = [...eager].map((f) => f.split('/').pop());
  if (inline) {
    const single = join(root, 'dist', 'browser-inline');
    await rm(single, { recursive: true, force: true });
    await esbuild.build({
      ...common,
      entryPoints: { ffnn: join(src, 'index.ts') },
      outdir: single,
      loader: { '.wasm': 'binary' },
      plugins: [twins(['inline', 'browser'])],
    });
  }
  return out;
}

/** The demo page: web/ bundled against the library bundle (imported as ./ffnn.js at run time). */
export async function buildDemo() {
  const out = join(root, 'dist', 'web');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const browser = join(root, 'dist', 'browser');
  for (const file of await readdir(browser)) await cp(join(browser, file), join(out, file));
  await esbuild.build({
    ...common,
    entryPoints: { demo: join(root, 'web', 'demo.ts') },
    outdir: out,
    plugins: [{
      name: 'ffnn-as-bundle',
      setup(build) {
        // the page loads the library from the bundle beside it, not a second copy inside demo.js
        build.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: './ffnn.js', external: true }));
      },
    }],
  });
  const inline = join(root, 'dist', 'browser-inline', 'ffnn.js');
  if (existsSync(inline)) await cp(inline, join(out, 'ffnn-inline.js')); // for the single-file test
  await cp(join(root, 'web', 'index.html'), join(out, 'index.html'));
  await cp(join(root, 'web', 'demo.css'), join(out, 'demo.css'));
  return out;
}

/** Bytes of the files a page loads for the library (JS entry, shared chunks, one wasm build), gzipped. */
export async function bundleSizes(dir) {
  const rows = [];
  for (const file of (await readdir(dir)).sort()) {
    if (file.endsWith('.map')) continue;
    const bytes = readFileSync(join(dir, file));
    rows.push({ file, bytes: (await stat(join(dir, file))).size, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const inline = !process.argv.includes('--no-inline');
  const out = await buildBrowser({ inline });
  if (existsSync(join(root, 'web', 'demo.ts'))) await buildDemo();
  const sizes = await bundleSizes(out);
  for (const r of sizes) {
    const role = eagerFiles.includes(r.file) ? 'loaded with ffnn.js' : r.file.endsWith('.wasm') ? 'one build per page' : r.file.includes('worker') ? 'worker' : 'loaded on first use';
    console.log(`${r.file.padEnd(28)} ${String(r.bytes).padStart(8)} B  ${String(r.gzip).padStart(7)} B gzipped  ${role}`);
  }
  const core = sizes.filter((r) => eagerFiles.includes(r.file)).reduce((a, r) => a + r.gzip, 0);
  const wasm = sizes.find((r) => r.file === 'ffnn-simd.wasm')?.gzip ?? 0;
  console.log(`a page using ffnn loads ${((core + wasm) / 1024).toFixed(1)} KiB gzipped (JS ${(core / 1024).toFixed(1)} KiB + one .wasm ${(wasm / 1024).toFixed(1)} KiB)`);
}
