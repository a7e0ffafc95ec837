// Browser twin of gunzip.ts: browsers decompress only asynchronously (DecompressionStream).

export function gunzip(_bytes: Uint8Array): Uint8Array {
  throw new Error(
    'gzip-compressed IDX data cannot be parsed synchronously in a browser; decompress it first, e.g. ' +
      "new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer()",
  );
}
