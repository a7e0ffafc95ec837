// The published types are the API and nothing else: what `import … from 'ffnn'` offers, and what a
// Network shows, read from the declaration files the package ships (dist/types, package.json
// "types"); and the library's modules import one another without a cycle.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const types = join(root, pkg.types);

describe('the published API', () => {
  it('the package entry exports these names, and nothing else', () => {
    const text = readFileSync(types, 'utf8');
    const names = [...text.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((n) => n.trim()).filter(Boolean)).sort();
    expect(names).toEqual([
      'ActivationName', 'BackendName', 'BuiltOptions', 'ByteMatrix', 'CategoricalColumn', 'ClassEvaluation', 'ColumnSchema', 'CsvOptions', 'CsvSource', 'DataError', 'DataSchema',
      'Dataset', 'DateColumn', 'DayOrder', 'Diagnostic', 'Divergence', 'EpochReport', 'Evaluation', 'FitData', 'FitOptions', 'HalfMatrix', 'IdxArray', 'InitName', 'InputScaling', 'Inputs',
      'LabelledSet', 'LayerParameters', 'LayerSpec', 'LearningRateCurve', 'LearningRateOptions', 'LoadOptions', 'LoadReport', 'LossName', 'Matrix', 'MnistOptions',
      'ModelFile', 'Network', 'NetworkOptions', 'NumericColumn', 'OptimizerName', 'OtherColumn', 'PlainTrainOptions', 'Progress', 'RegressionEvaluation',
      'RegressionMetrics', 'Rows', 'ScalingMethod', 'Schedule', 'SplitOptions', 'StopReason', 'TrainOptions', 'TrainingCollapsedError', 'TrainingDivergedError',
      'TrainingHistory', 'ValidationError', 'WorkerTrainOptions', 'WorkerTraining', 'argmaxRows', 'fitScaling', 'fromRows', 'loadCsv', 'loadMnist',
      'matrix', 'oneHot', 'parseIdx', 'readIdx', 'shuffleRows', 'sliceRows', 'splitRows', 'toFloats', 'toHalfFloats', 'trainInWorker',
    ]);
  });

  it('a Network shows what users call and read-only facts, none of the engine', () => {
    const text = readFileSync(join(dirname(types), 'network.d.ts'), 'utf8');
    const body = text.slice(text.indexOf('export declare class Network {'));
    const members = [...body.slice(0, body.indexOf('\n}')).matchAll(/^ {4}(?!private )(?:static |readonly |get )*([A-Za-z]\w*)\??[(:<]/gm)].map((m) => m[1]);
    expect([...new Set(members)].sort()).toEqual([
      'activations', 'backend', 'build', 'classNames', 'classify', 'create', 'diagnose', 'dispose', 'evaluate', 'findLearningRate', 'fit', 'fromJSON',
      'fromOnnx', 'inputs', 'layers', 'load', 'options', 'outputs', 'parameterCount', 'parameters', 'predict', 'release', 'save', 'scaling', 'schema',
      'setParameters', 'targetScaling', 'task', 'threads', 'toJSON', 'toOnnx', 'train',
    ]);
    // no engine type in anything public
    expect(text).not.toMatch(/\b(Workspace|DropoutDraw|StepResult|Team|Blocks|Kernels|Heap|ThreadPool|Region|ResidentData)\b/);
  });

  it('npm run docs builds the API reference with every public export documented (TypeDoc, warnings as errors)', () => {
    const out = join(root, 'docs', 'api', 'out');
    rmSync(out, { recursive: true, force: true });
    execFileSync('npm', ['run', 'docs'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    expect(readFileSync(join(out, 'classes', 'Network.html'), 'utf8')).toMatch(/Mini-batch stochastic gradient descent/);
  }, 120_000);

  it("the library's WebAssembly exports kernels only: the bench's probes are a build of their own", () => {
    // (the relaxed builds come from the same entry; this Node compiles them only behind a flag)
    for (const build of ['simd', 'scalar', 'threads']) {
      const names = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(root, 'build', `ffnn-${build}.wasm`)))).map((e) => e.name);
      expect(names).toContain('gemm');
      expect(names.filter((n) => /peak|tile/i.test(n))).toEqual([]);
    }
    expect(pkg.files).toContain('!build/ffnn-probe-*.wasm');
  });

  it('no import cycle among the library\'s modules (the static imports of the built JavaScript)', () => {
    const dist = join(root, 'dist');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) {
          if (!['browser', 'browser-inline', 'web', 'types'].includes(f)) walk(p);
        } else if (p.endsWith('.js')) files.push(p);
      }
    };
    walk(dist);
    const edges = new Map(files.map((f) => [f, [...readFileSync(f, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]/gm)].map((m) => resolve(dirname(f), m[1]))]));
    const cycles: string[] = [];
    const state = new Map<string, number>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 1);
      stack.push(f);
      for (const d of edges.get(f) ?? []) {
        if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].map((p) => relative(dist, p)).join(' → '));
        else if (!state.get(d) && edges.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of files) if (!state.get(f)) visit(f);
    expect(files.length).toBeGreaterThan(40);
    expect(cycles).toEqual([]);
  });
});
