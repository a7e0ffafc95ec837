// The exported ABI of the ffnn kernels: sizes and byte offsets in, results written in place.
export { gemm, GEMM_SCRATCH_BYTES } from './gemm';
export {
  addBias, colSums, sigmoid, sigmoidBackward, tanh, tanhBackward, relu, reluBackward,
  leakyRelu, leakyReluBackward, softmax, softmaxBackward,
} from './elementwise';
export { sumSquaresLoss, sumSquaresGrad, softmaxCrossEntropy, softmaxCrossEntropyGrad, sigmoidCrossEntropy } from './loss';
export { sgdUpdate, momentumUpdate, adamUpdate, axpy, sumOfSquares, scale } from './optim';
export { dropoutForward, multiply } from './dropout';
export { gatherRows, gatherRowBytes, gatherBytes, gatherHalves, shuffleRows, firstNonFinite, countCorrect, scaleColumns, columnMoments } from './data';

// First byte the host may use: everything below holds the module's static data.
export function heapBase(): usize {
  return __heap_base;
}
