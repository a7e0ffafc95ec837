// Every example in examples/ runs as a user would run it (node examples/x.mjs, importing 'ffnn'), so
// none can rot: each prints what it promises.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

async function run(name: string): Promise<string> {
  const file = fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [file], { maxBuffer: 1 << 22 });
  return stdout;
}

describe('examples', () => {
  it('xor.mjs learns XOR', async () => {
    expect(await run('xor.mjs')).toMatch(/XOR of 00, 01, 10, 11: 0 1 1 0/);
  });

  it('csv-classes.mjs reads the file as it comes and names its classes', async () => {
    const out = await run('csv-classes.mjs');
    expect(out).toMatch(/note: column \w+: \d+ missing cell\(s\) filled with/);
    const accuracy = Number(/classes no, yes; test accuracy ([\d.]+) %/.exec(out)?.[1]);
    expect(accuracy).toBeGreaterThan(80);
    expect(out).toMatch(/first predictions: (no|yes)(, (no|yes)){4}/);
  });

  it('regression.mjs predicts millimetres', async () => {
    const r2 = Number(/R² ([\d.]+)/.exec(await run('regression.mjs'))?.[1]);
    expect(r2).toBeGreaterThan(0.8);
  });

  it('worker-progress.mjs trains in a worker while the main thread runs on', async () => {
    const out = await run('worker-progress.mjs');
    expect(out).toMatch(/epoch 20: loss [\d.]+, accuracy [\d.]+ %/);
    expect(out).toMatch(/The main thread ticked on meanwhile/);
  });

  it('onnx.mjs runs the model in onnxruntime with the same numbers', async () => {
    const worst = Number(/agree to ([\d.e+-]+)/.exec(await run('onnx.mjs'))?.[1]);
    expect(worst).toBeLessThan(1e-5);
  });
});
