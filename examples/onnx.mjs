// A model trained by ffnn, run by onnxruntime (npm install onnxruntime-node): the same numbers.
import * as ort from 'onnxruntime-node';
import { Network, matrix, oneHot } from 'ffnn';

const x = matrix(4, 2, [0, 0, 0, 1, 1, 0, 1, 1]);
const net = await Network.create({ inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 2 }], loss: 'cross-entropy', seed: 1 });
await net.train(x, oneHot([0, 1, 1, 0], 2), { optimizer: 'adam', learningRate: 0.05, batchSize: 4, epochs: 300 });
const session = await ort.InferenceSession.create(await net.toOnnx());
const { output } = await session.run({ input: new ort.Tensor('float32', x.data, [4, 2]) });
const ours = net.predict(x).data;
const worst = Math.max(...Array.from(output.data, (v, i) => Math.abs(v - ours[i])));
console.log(`onnxruntime and ffnn agree to ${worst.toExponential(1)} on the XOR outputs`);
