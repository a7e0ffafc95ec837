// ONNX export and import for ffnn networks, encoded with protobufjs through the `onnx-proto`
// package (the official onnx.proto compiled). Export writes opset 17: optional Sub/Mul input
// scaling, then Gemm + activation per layer. Import reads MLP graphs of Gemm or MatMul + Add with
// Relu, Sigmoid, Tanh, LeakyRelu, Softmax, Identity and Flatten, and refuses anything else by name.

import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { ActivationName } from '../activations.js';
import type { LayerSpec } from '../spec.js';
import type { InputScaling } from '../scaling.js';

const { onnx } = onnxProto;

export const ONNX_OPSET = 17;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export interface OnnxLayer {
  readonly inputs: number;
  readonly units: number;
  readonly activation: ActivationName;
  readonly slope: number;
  /** inputs × units, row-major */
  readonly weights: Float32Array;
  readonly biases: Float32Array;
}

export interface OnnxNetwork {
  readonly layers: readonly OnnxLayer[];
  readonly scaling?: InputScaling;
  /** A regression's target standardisation, undone at the output: Div(scale), then Add(shift). */
  readonly targetScaling?: InputScaling;
}

function tensor(name: string, dims: number[], values: Float32Array) {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true)); // ONNX raw data is little-endian
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: raw });
}

function valueInfo(name: string, cols: number) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: cols }] } } },
  });
}

const EXPORTED_OP: Record<ActivationName, string | null> = {
  sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', 'leaky-relu': 'LeakyRelu', softmax: 'Softmax', linear: null,
};

/** Encodes a network as ONNX bytes. Inputs are named 'input' (batch × inputs), outputs 'output'. */
export function encodeOnnx(net: OnnxNetwork, producerVersion: string): Uint8Array {
  const nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  const initializers: ReturnType<typeof tensor>[] = [];
  let current = 'input';
  const next = (name: string) => {
    const previous = current;
    current = name;
    return previous;
  };
  const inputs = net.layers[0].inputs;
  if (net.scaling) {
    initializers.push(tensor('scaling.shift', [inputs], net.scaling.shift), tensor('scaling.scale', [inputs], net.scaling.scale));
    nodes.push(onnx.NodeProto.create({ name: 'scaling.sub', opType: 'Sub', input: [next('scaling.shifted'), 'scaling.shift'], output: ['scaling.shifted'] }));
    nodes.push(onnx.NodeProto.create({ name: 'scaling.mul', opType: 'Mul', input: [next('scaled'), 'scaling.scale'], output: ['scaled'] }));
  }
  const outputName = net.targetScaling ? 'standardised' : 'output';
  net.layers.forEach((layer, l) => {
    const last = l === net.layers.length - 1;
    const op = EXPORTED_OP[layer.activation];
    initializers.push(tensor(`layer${l + 1}.weight`, [layer.inputs, layer.units], layer.weights), tensor(`layer${l + 1}.bias`, [layer.units], layer.biases));
    const z = last && !op ? outputName : `layer${l + 1}.z`;
    nodes.push(onnx.NodeProto.create({ name: `layer${l + 1}.gemm`, opType: 'Gemm', input: [next(z), `layer${l + 1}.weight`, `layer${l + 1}.bias`], output: [z] }));
    if (op) {
      const a = last ? outputName : `layer${l + 1}.a`;
      const attribute = op === 'LeakyRelu'
        ? [onnx.AttributeProto.create({ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: layer.slope })]
        : op === 'Softmax' ? [onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 })] : [];
      nodes.push(onnx.NodeProto.create({ name: `layer${l + 1}.${layer.activation}`, opType: op, input: [next(a)], output: [a], attribute }));
    }
  });
  if (net.targetScaling) {
    // predictions back in the targets' units, y = y′ / scale + shift, as predict() computes them
    const outputs = net.layers[net.layers.length - 1].units;
    initializers.push(tensor('target.scale', [outputs], net.targetScaling.scale), tensor('target.shift', [outputs], net.targetScaling.shift));
    nodes.push(onnx.NodeProto.create({ name: 'target.div', opType: 'Div', input: [next('target.unscaled'), 'target.scale'], output: ['target.unscaled'] }));
    nodes.push(onnx.NodeProto.create({ name: 'target.add', opType: 'Add', input: [next('output'), 'target.shift'], output: ['output'] }));
  }
  const graph = onnx.GraphProto.create({
    name: 'ffnn',
    input: [valueInfo('input', inputs)],
    output: [valueInfo('output', net.layers[net.layers.length - 1].units)],
    initializer: initializers,
    node: nodes,
  });
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'ffnn', producerVersion, opsetImport: [{ domain: '', version: ONNX_OPSET }], graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

const asNumber = (v: unknown): number => (typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber());

function readTensor(t: OnnxTypes.ITensorProto, fail: (why: string) => never): { dims: number[]; data: Float32Array } {
  const dims = (t.dims ?? []).map(asNumber);
  const floats = t.floatData ?? [];
  if (t.dataType !== FLOAT) fail(`initializer '${t.name}' holds data type ${t.dataType}, not float32`);
  const count = dims.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== count * 4) fail(`initializer '${t.name}' has ${t.rawData.length} bytes for dims ${dims.join('×')}`);
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  } else {
    if (floats.length !== count) fail(`initializer '${t.name}' has ${floats.length} values for dims ${dims.join('×')}`);
    data = Float32Array.from(floats);
  }
  return { dims, data };
}

const IMPORTED_ACTIVATION: Record<string, ActivationName> = {
  Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', LeakyRelu: 'leaky-relu', Softmax: 'softmax',
};

/** Decodes an MLP from ONNX bytes; `source` names it in errors. */
export function decodeOnnx(bytes: Uint8Array, source: string): { layers: LayerSpec[]; inputs: number; net: OnnxNetwork } {
  const fail = (why: string): never => {
    throw new Error(`ffnn: ${source}: ${why}`);
  };
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    return fail(`not a valid ONNX model (truncated or corrupt?): ${(error as Error).message}`);
  }
  const nodes = model.graph?.node ?? [];
  if (nodes.length === 0) fail('not a valid ONNX model: it has no graph or no nodes');
  const inits = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  const weight = (name: string) => {
    const t = inits.get(name);
    if (!t) fail(`'${name}' must be a constant initializer (weights and biases are constants in an MLP)`);
    return readTensor(t!, fail);
  };
  const graphInputs = (model.graph?.input ?? []).filter((i) => !inits.has(i.name ?? ''));
  if (graphInputs.length !== 1) fail(`an MLP has one input; this graph has ${graphInputs.length}`);
  let current = graphInputs[0].name ?? '';
  const layers: OnnxLayer[] = [];
  let scaling: InputScaling | undefined;
  let targetScaling: { scale: Float32Array; shift: Float32Array | null } | undefined;
  let pending: { weights: Float32Array; inputs: number; units: number; biases: Float32Array | null } | null = null;
  const close = (activation: ActivationName, slope = 0.01) => {
    if (!pending) fail(`an activation must follow a Gemm or MatMul`);
    if (!pending!.biases) pending!.biases = new Float32Array(pending!.units);
    layers.push({ inputs: pending!.inputs, units: pending!.units, weights: pending!.weights, biases: pending!.biases!, activation, slope });
    pending = null;
  };
  nodes.forEach((node, position) => {
    const where = `node ${position + 1} ('${node.name || node.opType}', ${node.opType})`;
    const input = node.input ?? [];
    const data = input.filter((i) => !inits.has(i));
    if (data.length !== 1 || data[0] !== current) fail(`${where} does not continue the single chain from '${current}': not a plain MLP`);
    const attr = (name: string) => (node.attribute ?? []).find((a) => a.name === name);
    if (targetScaling && node.opType !== 'Add') fail(`${where}: only Add may follow the Div that restores the targets' units`);
    switch (node.opType) {
      case 'Div': {
        // a regression's target scaling, as ffnn exports it: Div(scale) then Add(shift), after the last layer
        if (pending) close('linear');
        if (layers.length === 0) fail(`${where}: Div is supported only after the last layer (restoring the targets' units)`);
        targetScaling = { scale: weight(input.find((i) => inits.has(i))!).data, shift: null };
        break;
      }
      case 'Identity':
      case 'Flatten':
        break;
      case 'Sub':
      case 'Mul': {
        // input scaling, as ffnn exports it: Sub(shift) then Mul(scale), before any layer
        if (layers.length > 0 || pending) fail(`${where}: Sub/Mul are supported only as input scaling before the first layer`);
        const c = weight(input.find((i) => inits.has(i))!);
        scaling = {
          method: scaling?.method ?? 'zscore',
          shift: node.opType === 'Sub' ? c.data : scaling?.shift ?? new Float32Array(c.data.length),
          scale: node.opType === 'Mul' ? c.data : scaling?.scale ?? new Float32Array(c.data.length).fill(1),
        };
        break;
      }
      case 'Gemm':
      case 'MatMul': {
        if (pending) close('linear');
        const w = weight(input[1]);
        if (w.dims.length !== 2) fail(`${where}: weights '${input[1]}' have dims ${w.dims.join('×')}, not 2-D`);
        const transB = node.opType === 'Gemm' && asNumber(attr('transB')?.i ?? 0) === 1;
        const transA = node.opType === 'Gemm' && asNumber(attr('transA')?.i ?? 0) === 1;
        const alpha = attr('alpha')?.f ?? 1, beta = attr('beta')?.f ?? 1;
        if (transA || alpha !== 1 || beta !== 1) fail(`${where}: Gemm with transA, alpha or beta other than the defaults is not supported`);
        const [inputs, units] = transB ? [w.dims[1], w.dims[0]] : [w.dims[0], w.dims[1]];
        const previous = layers.length ? layers[layers.length - 1].units : null;
        if (previous !== null && previous !== inputs) fail(`${where}: weights take ${inputs} inputs but the previous layer gives ${previous}`);
        let weights = w.data;
        if (transB) {
          weights = new Float32Array(inputs * units);
          for (let i = 0; i < inputs; i++) for (let j = 0; j < units; j++) weights[i * units + j] = w.data[j * inputs + i];
        }
        let biases: Float32Array | null = null;
        if (node.opType === 'Gemm' && input[2]) {
          const b = weight(input[2]);
          if (b.data.length !== units) fail(`${where}: bias '${input[2]}' has ${b.data.length} values for ${units} units`);
          biases = b.data;
        }
        pending = { weights, inputs, units, biases };
        break;
      }
      case 'Add': {
        if (targetScaling && !targetScaling.shift) {
          targetScaling.shift = weight(input.find((i) => inits.has(i))!).data;
          break;
        }
        if (!pending || pending.biases) fail(`${where}: Add is supported only as the bias after a MatMul`);
        const b = weight(input.find((i) => inits.has(i))!);
        if (b.data.length !== pending!.units) fail(`${where}: bias has ${b.data.length} values for ${pending!.units} units`);
        pending!.biases = b.data;
        break;
      }
      default: {
        const op = node.opType ?? '';
        const activation = Object.hasOwn(IMPORTED_ACTIVATION, op) ? IMPORTED_ACTIVATION[op] : undefined;
        if (!activation) {
          fail(`unsupported node at position ${position + 1}: '${node.name || node.opType}' is a ${node.opType}; ffnn imports Gemm, MatMul, Add, Relu, Sigmoid, Tanh, LeakyRelu, Softmax, Identity and Flatten`);
        }
        if (activation === 'softmax') {
          const axis = asNumber(attr('axis')?.i ?? -1);
          if (axis !== -1 && axis !== 1) fail(`${where}: Softmax over axis ${axis} is not a row-wise softmax`);
        }
        close(activation!, activation === 'leaky-relu' ? attr('alpha')?.f ?? 0.01 : 0.01);
      }
    }
    current = node.output?.[0] ?? '';
  });
  if (pending) close('linear');
  if (layers.length === 0) fail('the graph has no Gemm or MatMul layer');
  if (scaling && scaling.shift.length !== layers[0].inputs) fail(`input scaling has ${scaling.shift.length} values for ${layers[0].inputs} inputs`);
  const outputs = layers[layers.length - 1].units;
  let targets: InputScaling | undefined;
  if (targetScaling) {
    const shift = targetScaling.shift ?? new Float32Array(outputs);
    if (targetScaling.scale.length !== outputs || shift.length !== outputs) fail(`the output's Div/Add hold ${targetScaling.scale.length} and ${shift.length} values for ${outputs} outputs`);
    targets = { method: 'zscore', scale: targetScaling.scale, shift };
  }
  return {
    inputs: layers[0].inputs,
    layers: layers.map((l) => ({ units: l.units, activation: l.activation, ...(l.activation === 'leaky-relu' ? { slope: l.slope } : {}) })),
    net: { layers, scaling, targetScaling: targets },
  };
}
