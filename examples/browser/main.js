// ffnn in a web page through a bundler: `npm install ffnn vite`, put this file and index.html in a
// folder, then `npx vite` there. The bundler picks ffnn's browser build and its WebAssembly files.
import { Network, matrix } from 'ffnn';

const x = matrix(4, 2, [0, 0, 0, 1, 1, 0, 1, 1]);
const y = matrix(4, 1, [0, 1, 1, 0]);
const net = await Network.create({
  inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', seed: 1,
});
await net.train(x, y, { optimizer: 'adam', learningRate: 0.05, batchSize: 4, epochs: 400 });

const out = document.querySelector('#out');
out.textContent = `XOR of 00, 01, 10, 11: ${Array.from(net.classify(x)).join(' ')} (${net.build} WebAssembly)`;
out.dataset.done = 'true';
