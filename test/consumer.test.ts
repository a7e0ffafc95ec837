// The package as a user gets it: `npm pack`, unpacked into a project's node_modules, then used from
// an ESM script and type-checked from TypeScript projects (moduleResolution node16 and bundler)
// against the declarations it ships, with skipLibCheck off, so a declaration that names an internal
// type, or a type the package does not ship, fails here.
//
// The project sits inside this repository (test-artifacts/, ignored by git), so the package's own
// dependencies resolve from the repository's node_modules as an installed project's would.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const project = join(root, 'test-artifacts', 'consumer');
const tsc = join(root, 'node_modules', '.bin', 'tsc');

beforeAll(() => {
  rmSync(project, { recursive: true, force: true });
  const unpacked = join(project, 'node_modules', 'ffnn');
  mkdirSync(unpacked, { recursive: true });
  // the tarball of what is built (npm test built it): --ignore-scripts skips prepare's rebuild
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: root, encoding: 'utf8' });
  const [{ filename }] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[];
  execFileSync('tar', ['-xzf', join(project, filename), '-C', unpacked, '--strip-components=1']);
}, 120_000);

describe('the packed package in a project of its own', () => {
  it('ships its build, its types and its WebAssembly, and no tests', () => {
    const files = (dir: string): string[] => readdirSync(join(project, 'node_modules', 'ffnn', dir));
    expect(files('dist')).toContain('index.js');
    expect(files('dist/types')).toContain('index.d.ts');
    expect(files('build').filter((f) => f.endsWith('.wasm')).length).toBeGreaterThanOrEqual(6);
    expect(files('.')).not.toContain('test');
  });

  it('an ESM script imports ffnn and learns XOR', () => {
    writeFileSync(join(project, 'xor.mjs'), `
import { Network, matrix } from 'ffnn';
const x = matrix(4, 2, [0, 0, 0, 1, 1, 0, 1, 1]), y = matrix(4, 1, [0, 1, 1, 0]);
const net = await Network.create({ inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', seed: 1 });
await net.train(x, y, { optimizer: 'adam', learningRate: 0.05, batchSize: 4, epochs: 400 });
console.log(JSON.stringify(Array.from(net.classify(x))));
`);
    expect(execFileSync(process.execPath, [join(project, 'xor.mjs')], { cwd: project, encoding: 'utf8' }).trim()).toBe('[0,1,1,0]');
  });

  it.each(['node16', 'bundler'])('a TypeScript project (moduleResolution %s) type-checks against the shipped declarations', (resolution) => {
    const dir = join(project, `ts-${resolution}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'app.ts'), `
import { Network, loadCsv, matrix, toFloats, type ByteMatrix, type Evaluation, type TrainingHistory } from 'ffnn';

export async function run(): Promise<number> {
  const bytes: ByteMatrix = { rows: 2, cols: 2, data: new Uint8Array([0, 255, 255, 0]), scale: 1 / 255 };
  const net = await Network.create({ inputs: 2, layers: [{ units: 4 }, { units: 2, activation: 'softmax' }], loss: 'cross-entropy' });
  const history: TrainingHistory = await net.train(bytes, matrix(2, 2, [1, 0, 0, 1]), { epochs: 2, onEpoch: (e) => e.loss });
  const score: Evaluation = net.evaluate(toFloats(bytes), matrix(2, 2, [1, 0, 0, 1]));
  const data = await loadCsv({ text: 'label,a\\n1,2\\n0,3\\n' });
  // @ts-expect-error the engine is not part of the API
  net.engine;
  // @ts-expect-error nor are its steps
  net.trainStep;
  return history.epochs.length + score.rows + data.x.rows;
}
`);
    const module = resolution === 'node16' ? 'node16' : 'esnext';
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module, moduleResolution: resolution, target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')], strict: true, noEmit: true, skipLibCheck: false,
      },
      files: ['app.ts'],
    }));
    let output = '';
    try {
      execFileSync(tsc, ['-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    expect(output).toBe('');
  });

  it('examples/browser builds with Vite from the package and learns XOR in Chromium', async () => {
    // the example as a user copies it, in the project that has ffnn installed
    const app = join(project, 'vite-app');
    cpSync(join(root, 'examples', 'browser'), app, { recursive: true });
    await build({ root: app, logLevel: 'silent', configFile: join(app, 'vite.config.js') });
    const wasm = readdirSync(join(app, 'dist', 'assets')).filter((f) => f.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    const server = await preview({ root: app, logLevel: 'silent', configFile: join(app, 'vite.config.js'), preview: { host: '127.0.0.1', port: 0 } });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(server.resolvedUrls!.local[0]);
      await page.waitForSelector('#out[data-done]', { timeout: 60_000 });
      expect(errors).toEqual([]);
      expect(await page.textContent('#out')).toMatch(/^XOR of 00, 01, 10, 11: 0 1 1 0 \((simd|relaxed) WebAssembly\)$/);
    } finally {
      await browser.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    }
  }, 120_000);
});
