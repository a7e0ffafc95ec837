// A child process that saves a model over and over until it is killed (robust.test.ts kills it): a
// large model, so most of its time is spent writing, where a kill does the most harm.
import { Network } from '../../dist/index.js';

const path = process.argv[2];
const nets = await Promise.all([1, 2].map((seed) => Network.create({ inputs: 784, layers: [{ units: 2048 }, { units: 10 }], seed })));
for (let i = 0; ; i++) await nets[i % 2].save(path);
