// XOR in ten lines: the classic problem a single layer cannot learn.
import { Network, matrix, oneHot } from 'ffnn';

const x = matrix(4, 2, [0, 0, 0, 1, 1, 0, 1, 1]);
const y = oneHot([0, 1, 1, 0], 2);
const net = await Network.create({ inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 2 }], loss: 'cross-entropy', seed: 1 });
await net.train(x, y, { optimizer: 'adam', learningRate: 0.05, batchSize: 4, epochs: 300 });
console.log('XOR of 00, 01, 10, 11:', Array.from(net.classify(x)).join(' '));
