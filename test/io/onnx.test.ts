// ONNX export and import, checked by an independent runtime (onnxruntime-node).

import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import type { ActivationName } from '../../src/activations.js';
import { fitScaling, matrix, Network, type LossName } from '../../src/index.js';
import { Random } from '../../src/random.js';
import { firstMismatch } from '../helpers/backends.js';

const { onnx } = onnxProto;

async function runOrt(bytes: Uint8Array, x: { rows: number; cols: number; data: Float32Array }, input = 'input', output = 'output') {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ [input]: new ort.Tensor('float32', x.data, [x.rows, x.cols]) });
  return result[output].data as Float32Array;
}

const rng = new Random(3);
const inputs = matrix(17, 5, Array.from({ length: 85 }, () => 3 * rng.normal()));

describe('ONNX export, run by onnxruntime', () => {
  const cases: [ActivationName, ActivationName, LossName][] = [
    ['sigmoid', 'sigmoid', 'mse'], ['tanh', 'softmax', 'cross-entropy'], ['relu', 'linear', 'mse'],
    ['leaky-relu', 'sigmoid', 'binary-cross-entropy'], ['softmax', 'tanh', 'mse'], ['linear', 'relu', 'mse'],
  ];
  it.each(cases)('hidden %s, output %s (%s): onnxruntime gives ffnn’s outputs to 1e-5', async (hidden, output, loss) => {
    const net = await Network.create({
      inputs: 5, loss, init: 'normal', seed: 9,
      layers: [{ units: 7, activation: hidden, slope: 0.2 }, { units: 6, activation: hidden, slope: 0.2 }, { units: 3, activation: output }],
      scaling: fitScaling(inputs, 'zscore'),
    });
    const ours = net.predict(inputs).data;
    const theirs = await runOrt(await net.toOnnx(), inputs);
    expect(firstMismatch(theirs, ours, 1e-5)).toBeNull();
  });

  it('round-trips through ONNX to the same predictions, on every backend', async () => {
    const net = await Network.create({ inputs: 5, layers: [{ units: 8, activation: 'relu' }, { units: 4 }], loss: 'cross-entropy', scaling: fitScaling(inputs, 'minmax') });
    const bytes = await net.toOnnx();
    for (const backend of ['wasm', 'wasm-scalar', 'js'] as const) {
      const back = await Network.fromOnnx(bytes, { backend });
      expect(back.activations).toEqual(['relu', 'softmax']);
      expect(back.parameters()).toEqual(net.parameters());
      expect(firstMismatch(back.predict(inputs).data, net.predict(inputs).data, 1e-6)).toBeNull();
    }
  });
});

describe('ONNX import', () => {
  function tensor(name: string, dims: number[], values: number[]) {
    return onnx.TensorProto.create({ name, dims, dataType: 1, floatData: values });
  }
  function model(nodes: Parameters<typeof onnx.NodeProto.create>[0][], initializers: ReturnType<typeof tensor>[], cols: number) {
    const vi = (name: string, width: number) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } } });
    return onnx.ModelProto.encode(onnx.ModelProto.create({
      irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'g', input: [vi('x', cols)], output: [vi('y', 2)], initializer: initializers, node: nodes.map((n) => onnx.NodeProto.create(n)) },
    })).finish();
  }
  const w1 = Array.from({ length: 5 * 4 }, () => rng.normal());
  const w2t = Array.from({ length: 2 * 4 }, () => rng.normal()); // stored units × inputs, used with transB
  const handMade = () => model([
    { opType: 'Flatten', input: ['x'], output: ['f'] },
    { opType: 'MatMul', input: ['f', 'W1'], output: ['m'] },
    { opType: 'Add', input: ['m', 'b1'], output: ['h'] },
    { opType: 'LeakyRelu', input: ['h'], output: ['r'], attribute: [{ name: 'alpha', type: 1, f: 0.1 }] },
    { opType: 'Gemm', input: ['r', 'W2', 'b2'], output: ['z'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
    { opType: 'Identity', input: ['z'], output: ['i'] },
    { opType: 'Softmax', input: ['i'], output: ['y'] },
  ], [tensor('W1', [5, 4], w1), tensor('b1', [4], [0.1, -0.2, 0.3, 0]), tensor('W2', [2, 4], w2t), tensor('b2', [2], [0.5, -0.5])], 5);

  it('imports a hand-built MatMul + Add / Gemm(transB) graph and agrees with onnxruntime', async () => {
    const bytes = handMade();
    const theirs = await runOrt(bytes, inputs, 'x', 'y');
    const net = await Network.fromOnnx(bytes);
    expect(net.activations).toEqual(['leaky-relu', 'softmax']);
    expect(firstMismatch(net.predict(inputs).data, theirs, 1e-5)).toBeNull();
  });

  it('refuses truncated files, unsupported ops and mismatched shapes, naming the problem', async () => {
    const bytes = handMade();
    await expect(Network.fromOnnx(bytes.subarray(0, bytes.length - 30), { source: 'cut.onnx' })).rejects.toThrow(/cut\.onnx: not a valid ONNX model \(truncated or corrupt\?\)/);
    const conv = model([{ name: 'conv1', opType: 'Conv', input: ['x', 'W1'], output: ['y'] }], [tensor('W1', [5, 4], w1)], 5);
    await expect(Network.fromOnnx(conv, { source: 'conv.onnx' })).rejects.toThrow(/conv\.onnx: unsupported node at position 1: 'conv1' is a Conv/);
    const mismatch = model([
      { opType: 'MatMul', input: ['x', 'W1'], output: ['m'] },
      { opType: 'Relu', input: ['m'], output: ['r'] },
      { opType: 'MatMul', input: ['r', 'W2'], output: ['y'] },
    ], [tensor('W1', [5, 4], w1), tensor('W2', [3, 2], [1, 2, 3, 4, 5, 6])], 5);
    await expect(Network.fromOnnx(mismatch, { source: 'shapes.onnx' })).rejects.toThrow(/node 3 .*weights take 3 inputs but the previous layer gives 4/);
    const badBias = model([{ opType: 'Gemm', input: ['x', 'W1', 'b'], output: ['y'] }], [tensor('W1', [5, 4], w1), tensor('b', [3], [1, 2, 3])], 5);
    await expect(Network.fromOnnx(badBias)).rejects.toThrow(/bias 'b' has 3 values for 4 units/);
  });
});
