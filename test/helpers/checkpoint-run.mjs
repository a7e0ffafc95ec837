// A child process that trains with a checkpoint after every epoch and says when one is written, so
// robust.test.ts can kill it mid-run. Arguments: the checkpoint path, then the spec and options as JSON.
import { Network, loadMnist } from '../../dist/index.js';

const [path, spec, options] = [process.argv[2], JSON.parse(process.argv[3]), JSON.parse(process.argv[4])];
const train = await loadMnist('train', { limit: 2000 });
const net = await Network.create(spec);
await net.train(train.x, train.y, { ...options, checkpoint: { path }, onWarning: () => {}, onEpoch: (e) => process.send({ epoch: e.epoch }) });
process.send({ done: true });
