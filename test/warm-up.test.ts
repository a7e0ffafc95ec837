// The kernels warmed while a data set loads (engine/warm-up.ts): in a fresh process, whose kernels
// start uncompiled, the warm-up leaves a training step's kernels in the engine's optimising tier,
// which the network created next then runs. (A child process: V8 keeps compiled modules per
// process, so another test's training could have tiered them already in this one.)

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// run over the built package (npm test builds it first), with V8's test intrinsics
const probe = `
const { compileBuild, threadsBuildFor } = await import(${JSON.stringify(join(root, 'dist/backends/wasm-module.js'))});
const { warmKernels } = await import(${JSON.stringify(join(root, 'dist/engine/warm-up.js'))});
const module = await compileBuild(await threadsBuildFor('wasm'));
const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
const kernels = new WebAssembly.Instance(module, { env: { memory, abort() {} } }).exports;
const names = ['gemm', 'gatherBytes', 'addBias', 'sigmoid', 'sigmoidBackward', 'sumSquaresGrad', 'colSums', 'sgdUpdate'];
const optimised = () => names.filter((n) => %IsTurboFanFunction(kernels[n]));
const before = optimised();
if (process.argv[2] === 'warm') await warmKernels();
// the optimised code is compiled in the background: wait for it (a few ms; at most 10 s)
const deadline = Date.now() + (process.argv[2] === 'warm' ? 10_000 : 300);
while (optimised().length < names.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
console.log(JSON.stringify({ names, before, after: optimised() }));
`;

function run(mode: 'warm' | 'cold'): { names: string[]; before: string[]; after: string[] } {
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-', mode], { input: probe, encoding: 'utf8' });
  return JSON.parse(out);
}

describe('warming the kernels while data loads', () => {
  it("leaves a training step's kernels in the optimising tier in a fresh process", () => {
    const warm = run('warm');
    expect(warm.before).toEqual([]);
    expect(warm.after).toEqual(warm.names);
  });

  it('is what does it: left alone, none of them is optimised', () => {
    expect(run('cold').after).toEqual([]);
  });
});
