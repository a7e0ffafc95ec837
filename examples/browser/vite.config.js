// ffnn's module awaits at its top level, and so do its workers (training threads, trainInWorker):
// both need ES module output, which Vite's defaults give the page but not workers.
export default { build: { target: 'es2022' }, worker: { format: 'es' } };
