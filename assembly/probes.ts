// The bench's probes, a build of their own (build/ffnn-probe-*.wasm), kept out of the library's
// ABI: the f32x4 multiply-add ceiling and the GEMM's 4×8 tile alone (see peak.ts and bench/run.ts).
export { multiplyAddPeak, PEAK_FLOPS_PER_ROUND, tileAlone } from './peak';

// First byte the host may use: everything below holds the module's static data.
export function heapBase(): usize {
  return __heap_base;
}
