// gzip decompression for IDX files on Node. The browser twin has no synchronous gunzip to offer.

export { gunzipSync as gunzip } from 'node:zlib';
