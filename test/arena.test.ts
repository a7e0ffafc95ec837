// Loaded images in the memory a network then runs in (engine/arena.ts): the next WebAssembly network
// takes that memory, reads the rows where they lie, and trains, evaluates and predicts the bits it
// would from a copy of them in the host's own array; the loaded arrays stay whole as it grows.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readIdx } from '../src/data/idx.js';
import { loadCsv } from '../src/data/csv.js';
import { ARENA_FIRST, takeArena } from '../src/engine/arena.js';
import { compileBuild, type WasmBuild } from '../src/backends/wasm-module.js';
import { instantiateBuild, sharedBackend } from '../src/backends/wasm.js';
import { Network } from '../src/network.js';
import { oneHot, type ByteMatrix } from '../src/matrix.js';
import { fitScaling } from '../src/scaling.js';
import { Random } from '../src/random.js';
import type { BackendName } from '../src/backends/backend.js';

const dir = await mkdtemp(join(tmpdir(), 'ffnn-arena-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** An IDX file of `rows` random 12×12 byte images (odd widths: 144 columns), and random labels. */
async function imagesFile(rows: number, seed: number): Promise<{ path: string; labels: Int32Array }> {
  const rng = new Random(seed);
  const bytes = new Uint8Array(16 + rows * 144);
  bytes.set([0, 0, 8, 3, 0, 0, (rows >> 8) & 255, rows & 255, 0, 0, 0, 12, 0, 0, 0, 12]);
  for (let i = 16; i < bytes.length; i++) bytes[i] = rng.int(256);
  const labels = Int32Array.from({ length: rows }, () => rng.int(4));
  const path = join(dir, `images-${seed}.idx`);
  await writeFile(path, bytes);
  return { path, labels };
}

async function loaded(rows: number, seed: number): Promise<{ x: ByteMatrix; y: ReturnType<typeof oneHot>; path: string }> {
  const { path, labels } = await imagesFile(rows, seed);
  const images = await readIdx(path);
  return { x: { rows, cols: 144, data: images.data as Uint8Array, scale: 1 / 255 }, y: oneHot(labels, 4), path };
}

const spec = (backend: BackendName) => ({
  inputs: 144, seed: 5, backend, loss: 'cross-entropy' as const,
  layers: [{ units: 40, activation: 'relu' as const }, { units: 4 }],
});

beforeEach(() => {
  while (takeArena()); // each test starts with no loaded data waiting for a network
});

describe('loaded images in the memory the next network runs in', () => {
  it('trains, evaluates and predicts the bits a copy in the host gives, reading the rows in place', async () => {
    const { x, y } = await loaded(7500, 1);
    expect(x.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    const inPlace = await Network.create(spec('wasm')); // takes the arena
    const fromHost = await Network.create(spec('wasm')); // its own memory
    expect(inPlace.engine.live.heap.offsetOf(x.data)).toBeGreaterThanOrEqual(ARENA_FIRST);
    expect(fromHost.engine.live.heap.offsetOf(x.data)).toBe(-1);
    const copy = { ...x, data: new Uint8Array(x.data) };
    const options = { epochs: 2, batchSize: 17, learningRate: 0.01, optimizer: 'adam' as const };
    const a = await inPlace.train(x, y, options);
    const b = await fromHost.train(copy, y, options);
    expect(a.epochs.map((e) => e.loss)).toEqual(b.epochs.map((e) => e.loss));
    expect(inPlace.parameters()).toEqual(fromHost.parameters());
    expect(inPlace.evaluate(x, y)).toEqual(fromHost.evaluate(copy, y));
    expect(Array.from(inPlace.predict(x).data)).toEqual(Array.from(fromHost.predict(copy).data));
    inPlace.dispose();
    fromHost.dispose();
  });

  it('is taken by a network on two threads too, which trains one thread\'s weights from it', async () => {
    const { x, y } = await loaded(7400, 4);
    const team = await Network.create({ ...spec('wasm'), threads: 2 });
    const alone = await Network.create(spec('wasm'));
    expect(team.threads).toBe(2);
    expect(team.engine.live.heap.offsetOf(x.data)).toBeGreaterThanOrEqual(ARENA_FIRST);
    const options = { epochs: 2, batchSize: 64, learningRate: 0.01, optimizer: 'adam' as const };
    await team.train(x, y, options);
    await alone.train({ ...x, data: new Uint8Array(x.data) }, y, options);
    expect(team.parameters()).toEqual(alone.parameters());
    team.dispose();
    alone.dispose();
  });

  it('keeps the loaded arrays whole while the network grows the memory under them', async () => {
    const { x, y, path } = await loaded(7300, 2);
    const loadedBuffer = x.data.buffer;
    const net = await Network.create({ ...spec('wasm'), layers: [{ units: 2000, activation: 'relu' }, { units: 4 }] });
    await net.train(x, y, { epochs: 1, batchSize: 64 });
    // the network's memory grew past what the loader saw, and the images read as the file still
    expect(net.engine.live.heap.bytes().buffer.byteLength).toBeGreaterThan(loadedBuffer.byteLength);
    expect(x.data.buffer).toBe(loadedBuffer);
    expect(Buffer.from(x.data).equals((await readFile(path)).subarray(16))).toBe(true);
    net.dispose();
  });

  it('is left for a WebAssembly network: js and wasm-scalar networks keep their own memory', async () => {
    const { x } = await loaded(7350, 3);
    const js = await Network.create(spec('js'));
    const scalar = await Network.create(spec('wasm-scalar'));
    const simd = await Network.create(spec('wasm-simd'));
    expect([js, scalar, simd].map((n) => n.engine.live.heap.offsetOf(x.data) >= 0)).toEqual([false, false, true]);
    for (const n of [js, scalar, simd]) n.dispose();
  });

  it('holds only byte images: labels and other IDX types come as plain arrays', async () => {
    const labels = join(dir, 'labels.idx');
    await writeFile(labels, Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3]));
    expect((await readIdx(labels)).data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(takeArena()).toBeNull();
  });
});

/** A CSV of `rows` rows: a label, then `cols` whole numbers 0–255 (or `last` in the last row's last cell). */
async function csvFile(name: string, rows: number, cols: number, last?: string): Promise<string> {
  const rng = new Random(rows + cols);
  const lines = ['label,' + Array.from({ length: cols }, (_, i) => `c${i}`).join(',')];
  for (let r = 0; r < rows; r++) lines.push(`${rng.int(3)},` + Array.from({ length: cols }, () => rng.int(256)).join(','));
  if (last !== undefined) lines[rows] = lines[rows].replace(/,\d+$/, `,${last}`);
  const path = join(dir, name);
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

describe('a CSV of bytes in the memory the next network runs in', () => {
  it.each([
    ['read on one thread', 3000, 1],
    ['read on three threads, each range into its place', 40_000, 3],
  ])('%s: the network reads the rows in place, to the bits of a copy in the host', async (_, rows, workers) => {
    const path = await csvFile(`bytes-${workers}.csv`, rows, 111);
    if (workers > 1) expect((await readFile(path)).length).toBeGreaterThan(8 << 20); // split among threads from 8 MB when asked
    const d = await loadCsv(path, { workers });
    const x = { ...(d.x as ByteMatrix), scale: 1 / 255 };
    expect(x.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    const inPlace = await Network.create({ ...spec('wasm'), inputs: 111, layers: [{ units: 20, activation: 'sigmoid' }, { units: 3 }] });
    const fromHost = await Network.create({ ...spec('wasm'), inputs: 111, layers: [{ units: 20, activation: 'sigmoid' }, { units: 3 }] });
    expect(inPlace.engine.live.heap.offsetOf(x.data)).toBeGreaterThanOrEqual(ARENA_FIRST);
    const copy = { ...x, data: new Uint8Array(x.data) };
    expect(Array.from(copy.data.subarray(0, 5))).toEqual((await readFile(path, 'utf8')).split('\n')[1].split(',').slice(1, 6).map(Number));
    const options = { epochs: 1, batchSize: 32, learningRate: 0.5 };
    await inPlace.train(x, d.y, options);
    await fromHost.train(copy, d.y, options);
    expect(inPlace.parameters()).toEqual(fromHost.parameters());
    inPlace.dispose();
    fromHost.dispose();
  });

  it('holds float32 features too, from the first cell that is not a byte on: read in place and scaled as they are gathered', async () => {
    const path = await csvFile('floats.csv', 12_000, 30, '2.5'); // the last cell: 11 999 rows of bytes are widened
    const d = await loadCsv(path);
    expect(d.x.data).toBeInstanceOf(Float32Array);
    expect(d.x.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(d.x.data[11_999 * 30 + 29]).toBe(2.5);
    const layers = [{ units: 16, activation: 'tanh' as const }, { units: 3 }];
    const scaling = fitScaling(d.x, 'zscore');
    const inPlace = await Network.create({ ...spec('wasm'), inputs: 30, layers, scaling });
    const fromHost = await Network.create({ ...spec('wasm'), inputs: 30, layers, scaling });
    expect(inPlace.engine.live.heap.offsetOf(d.x.data)).toBeGreaterThanOrEqual(ARENA_FIRST);
    const copy = { ...d.x, data: new Float32Array(d.x.data) };
    const [usedA, usedB] = [inPlace, fromHost].map((n) => n.engine.live.heap.used);
    const options = { epochs: 2, batchSize: 25, learningRate: 0.05 };
    await inPlace.train(d.x, d.y, options);
    await fromHost.train(copy, d.y, options);
    expect(inPlace.parameters()).toEqual(fromHost.parameters());
    expect(inPlace.evaluate(d.x, d.y)).toEqual(fromHost.evaluate(copy, d.y));
    expect(Array.from(inPlace.predict(d.x).data)).toEqual(Array.from(fromHost.predict(copy).data));
    // the rows were copied nowhere: what the network added is far below their 1.4 MB
    expect(inPlace.engine.live.heap.used - usedA).toBeLessThan(d.x.data.byteLength / 2);
    expect(fromHost.engine.live.heap.used - usedB).toBeGreaterThanOrEqual(d.x.data.byteLength);
    // a value made not finite in place is refused, by row and column, as a copied one is
    d.x.data[3 * 30 + 7] = NaN;
    await expect(inPlace.train(d.x, d.y, options)).rejects.toThrow(/row 3, column 7 is NaN/);
    inPlace.dispose();
    fromHost.dispose();
  });

  it('holds float32 features from a file split among threads, some ranges widened from bytes', async () => {
    const rng = new Random(9);
    const lines = ['label,' + Array.from({ length: 60 }, (_, i) => `c${i}`).join(',')];
    // whole numbers in the first half, quarters after it: the first ranges are bytes, widened at the end
    for (let r = 0; r < 40_000; r++) lines.push(`${r % 3},` + Array.from({ length: 60 }, () => (r < 20_000 ? rng.int(256) : rng.int(1000) / 4)).join(','));
    const path = join(dir, 'split-floats.csv');
    await writeFile(path, lines.join('\n') + '\n');
    expect((await readFile(path)).length).toBeGreaterThan(8 << 20);
    const d = await loadCsv(path, { workers: 3 });
    expect(d.x.data).toBeInstanceOf(Float32Array);
    expect([d.x.data[0], d.x.data[30_000 * 60]]).toEqual([Number(lines[1].split(',')[1]), Number(lines[30_001].split(',')[1])]);
    const layers = [{ units: 12, activation: 'relu' as const }, { units: 3 }];
    const inPlace = await Network.create({ ...spec('wasm'), inputs: 60, layers });
    const fromHost = await Network.create({ ...spec('wasm'), inputs: 60, layers });
    expect(inPlace.engine.live.heap.offsetOf(d.x.data)).toBeGreaterThanOrEqual(ARENA_FIRST);
    const options = { epochs: 1, batchSize: 256, learningRate: 0.001, optimizer: 'adam' as const };
    await inPlace.train(d.x, d.y, options);
    await fromHost.train({ ...d.x, data: new Float32Array(d.x.data) }, d.y, options);
    expect(inPlace.parameters()).toEqual(fromHost.parameters());
    inPlace.dispose();
    fromHost.dispose();
  });

  it('gives the memory back when the features are encoded anew (a text column)', async () => {
    const path = join(dir, 'text.csv');
    await writeFile(path, 'label,city,a\n' + Array.from({ length: 120_000 }, (_, r) => `${r % 2},${['Paris', 'Lyon'][r % 2]},${r % 7}`).join('\n') + '\n');
    const d = await loadCsv(path);
    expect(d.x.cols).toBe(3); // the city one-hot, then a
    expect(takeArena()).toBeNull(); // nothing was kept: no network takes an empty arena
    const { x } = await loaded(7330, 6);
    expect(takeArena()).not.toBeNull();
    // the images went where the CSV had begun to write: its bytes were given back
    expect(x.data.byteOffset).toBe(ARENA_FIRST + 16); // (after the file's 16-byte header)
  });
});

describe('which arena the next network takes', () => {
  it('leaves sets under 1 MiB as plain arrays', async () => {
    const { x } = await loaded(7000, 7); // 1 008 000 bytes
    expect(x.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(takeArena()).toBeNull();
  });

  it('offers the largest set first (a training set before its test set), and the last four at most', async () => {
    const sets = [];
    for (const [rows, seed] of [[7300, 11], [9000, 12], [7400, 13], [7500, 14], [7600, 15]]) sets.push(await loaded(rows, seed));
    const taken = [takeArena(), takeArena(), takeArena(), takeArena(), takeArena()];
    // the first set was loaded five sets ago: no longer offered, though its array lives
    expect(taken.map((a) => (a ? (a.top - ARENA_FIRST - 16) / 144 : null)).map((r) => r && Math.floor(r))).toEqual([9000, 7600, 7500, 7400, null]);
    expect(sets[0].x.data.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('withdraws an arena once the arrays the loader handed out are collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let set: { x: ByteMatrix } | null = await loaded(7300, 16);
    expect(set.x.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    set = null;
    // the finalizers run after a collection, in a later turn
    let arena = null;
    for (let i = 0; i < 50; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    arena = takeArena();
    expect(arena).toBeNull();
  });
});

describe('every kernel build', () => {
  it.each(['simd', 'scalar', 'threads'] as WasmBuild[])('%s keeps its static data below the loaded data', async (build) => {
    const backend = build === 'threads'
      ? await sharedBackend(await compileBuild(build), new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true }))
      : await instantiateBuild('wasm', build);
    expect(backend.heap.base).toBeGreaterThan(0);
    expect(backend.heap.base).toBeLessThanOrEqual(ARENA_FIRST);
  });
});
