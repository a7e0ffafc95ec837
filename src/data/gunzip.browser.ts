// Browser twin of gunzip.ts: browsers decompress only asynchronously, with DecompressionStream.

export function gunzip(_bytes: Uint8Array): Uint8Array {
  throw new Error(
    'gzip-compressed IDX data cannot be parsed synchronously in a browser; use readIdx(blob), which decompresses it as it streams',
  );
}

export async function gunzipAsync(bytes: Uint8Array | Blob): Promise<Uint8Array> {
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes as BlobPart]);
  const stream = blob.stream().pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
