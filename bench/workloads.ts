// The three MNIST training workloads the benchmark races, shared by the ffnn and peer harnesses.

export interface Workload {
  readonly name: string;
  readonly description: string;
  readonly hidden: readonly number[];
  readonly activation: 'sigmoid' | 'relu';
  readonly loss: 'mse' | 'cross-entropy';
  readonly optimizer: 'sgd' | 'adam';
  readonly learningRate: number;
  readonly batchSize: number;
}

export const WORKLOADS: readonly Workload[] = [
  { name: 'w1', description: '784-30-10 sigmoid, sum of squares, SGD lr 3, batch 10', hidden: [30], activation: 'sigmoid', loss: 'mse', optimizer: 'sgd', learningRate: 3, batchSize: 10 },
  { name: 'w2', description: '784-100-10 sigmoid, sum of squares, SGD lr 3, batch 10', hidden: [100], activation: 'sigmoid', loss: 'mse', optimizer: 'sgd', learningRate: 3, batchSize: 10 },
  { name: 'w3', description: '784-512-512-10 relu, softmax cross-entropy, Adam 1e-3, batch 128', hidden: [512, 512], activation: 'relu', loss: 'cross-entropy', optimizer: 'adam', learningRate: 0.001, batchSize: 128 },
];

/** Multiply-adds of one training step per example (forward, input and weight gradients), ×2 flops. */
export function flopsPerExample(w: Workload): number {
  const sizes = [784, ...w.hidden, 10];
  let forward = 0;
  for (let i = 1; i < sizes.length; i++) forward += sizes[i - 1] * sizes[i];
  const inputGradient = forward - 784 * sizes[1]; // the first layer passes no gradient to the inputs
  return 2 * (forward + forward + inputGradient);
}

/** Where run r of a series of `rows`-image chunks starts in the 60 000 training images (always a whole chunk). */
export function chunkStart(r: number, rows: number): number {
  return Math.min((r * rows) % 60000, 60000 - rows);
}
