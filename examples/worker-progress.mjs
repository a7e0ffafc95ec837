// Training off the calling thread, with progress: trainInWorker trains a copy of the network in a
// worker and reports each epoch, while this thread stays free (here: it counts its own ticks).
import { Network, trainInWorker, matrix, oneHot } from 'ffnn';

const rows = 2000;
const features = [], labels = [];
for (let i = 0; i < rows; i++) {
  const a = Math.sin(i), b = Math.cos(3 * i);
  features.push(a, b);
  labels.push(a * b > 0 ? 1 : 0);
}
const net = await Network.create({ inputs: 2, layers: [{ units: 32, activation: 'relu' }, { units: 2 }], loss: 'cross-entropy', seed: 1 });
let ticks = 0;
const timer = setInterval(() => ticks++, 1);
const { network, history } = await trainInWorker(net, matrix(rows, 2, features), oneHot(labels, 2), {
  optimizer: 'adam', learningRate: 0.01, epochs: 20,
  onEpoch: (e) => { if (e.epoch % 5 === 0) console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, accuracy ${(100 * e.accuracy).toFixed(1)} %`); },
});
clearInterval(timer);
console.log(`done: ${history.stopMessage} The main thread ticked ${ticks > 0 ? 'on' : 'not'} meanwhile.`);
network.dispose();
