// gzip decompression on Node: synchronous for parseIdx, asynchronous (off the main thread, in
// zlib's pool) for readers that can wait.

import { gunzip as gunzipCallback } from 'node:zlib';
import { promisify } from 'node:util';

export { gunzipSync as gunzip } from 'node:zlib';

const inflate = promisify(gunzipCallback);

export async function gunzipAsync(bytes: Uint8Array): Promise<Uint8Array> {
  return inflate(bytes);
}
