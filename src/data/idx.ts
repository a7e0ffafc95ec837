// Reader for the IDX format that MNIST ships in (optionally gzip-compressed), with its header checked.
//
// Layout: two zero bytes, a type code, the number of dimensions d, then d big-endian u32 sizes, then
// the values, big-endian, row-major.

import { arenaBytes, arenaHolds } from '../engine/arena.js';
import { warmKernels } from '../engine/warm-up.js';
import { readBytes, readHead } from '../io/files.js';
import { gunzip, gunzipAsync } from './gunzip.js';

/** An IDX file's contents: its dimensions and its values. */
export interface IdxArray {
  /** Sizes of each dimension, e.g. [60000, 28, 28]. */
  readonly dims: readonly number[];
  /**
   * The values: unsigned bytes (MNIST's pixels and labels) as the file's own bytes, without a copy;
   * every other type converted to float32. On Node, images (bytes in two or more dimensions, 1 MiB
   * or more) read from a path lie in a shared WebAssembly memory that the next network created takes
   * as its own, reading them in place (their buffer is a SharedArrayBuffer: share it, do not
   * transfer it).
   */
  readonly data: Uint8Array | Float32Array;
}

const TYPES: Record<number, { name: string; bytes: number; read: (v: DataView, at: number) => number }> = {
  0x08: { name: 'unsigned byte', bytes: 1, read: (v, at) => v.getUint8(at) },
  0x09: { name: 'signed byte', bytes: 1, read: (v, at) => v.getInt8(at) },
  0x0b: { name: 'short', bytes: 2, read: (v, at) => v.getInt16(at) },
  0x0c: { name: 'int', bytes: 4, read: (v, at) => v.getInt32(at) },
  0x0d: { name: 'float', bytes: 4, read: (v, at) => v.getFloat32(at) },
  0x0e: { name: 'double', bytes: 8, read: (v, at) => v.getFloat64(at) },
};

/** Parses IDX bytes; `source` names the file in error messages. Gzip is detected by its magic. */
export function parseIdx(raw: Uint8Array, source = 'IDX data'): IdxArray {
  const bytes = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipOrThrow(raw, source) : raw;
  const fail = (why: string): never => {
    throw new Error(`ffnn: ${source}: not a valid IDX file: ${why}`);
  };
  if (bytes.length < 4) fail(`${bytes.length} bytes is shorter than the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(`magic number starts with bytes ${bytes[0]}, ${bytes[1]} where 0, 0 were expected`);
  }
  const type = TYPES[bytes[2]];
  if (!type) fail(`unknown type code 0x${bytes[2].toString(16)} in the magic number (expected 0x08–0x0e)`);
  const rank = bytes[3];
  if (rank === 0) fail('the magic number gives 0 dimensions');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) fail(`file ends inside the header (${bytes.length} of ${headerBytes} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    fail(
      `dimensions ${dims.join('×')} of ${type.name} need ${expected} bytes, but the file has ${bytes.length}` +
        (bytes.length < expected ? ' (truncated?)' : ''),
    );
  }
  // the common case (MNIST): bytes stay bytes, a view of the file
  // (a plain Uint8Array even over a Node Buffer, whose slice() would share rather than copy)
  if (bytes[2] === 0x08) return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, count) };
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = type.read(view, headerBytes + i * type.bytes);
  return { dims, data };
}

function gunzipOrThrow(raw: Uint8Array, source: string): Uint8Array {
  try {
    return gunzip(raw);
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('gzip-compressed')) throw new Error(`ffnn: ${source}: ${message}`);
    throw new Error(`ffnn: ${source}: gzip data is corrupt or truncated (${message})`);
  }
}

/**
 * Files from this size take longer to read than the kernels' warm-up (~30 ms here) takes: below it,
 * the warm-up would run on after the read, in the way of what the program does next.
 */
const WARM_FROM_BYTES = 16 << 20;

/**
 * A file's bytes; a matrix of bytes (type 0x08, two or more dimensions: images) into the open arena,
 * where the next network runs over them in place (see engine/arena.ts), its kernels warmed meanwhile.
 */
async function readFile(path: string): Promise<Uint8Array> {
  const head = await readHead(path, 4);
  const byteMatrix = head.length === 4 && head[0] === 0 && head[1] === 0 && head[2] === 0x08 && head[3] >= 2;
  if (!byteMatrix) return readBytes(path);
  return readBytes(path, (size) => {
    // while a large file is read (the main thread idle), the kernels the next network runs
    if (size >= WARM_FROM_BYTES) void warmKernels();
    return arenaBytes(size);
  });
}

/**
 * Reads and parses an IDX file: a path (Node), a Blob or File, or bytes. Gzip, told by its first
 * bytes, is decompressed asynchronously (zlib's pool on Node, DecompressionStream in browsers).
 */
export async function readIdx(source: string | Blob | Uint8Array, name?: string): Promise<IdxArray> {
  const label = name ?? (typeof source === 'string' ? source : typeof File !== 'undefined' && source instanceof File ? source.name : 'IDX data');
  let raw: Uint8Array;
  try {
    raw = typeof source === 'string' ? await readFile(source) : source instanceof Blob ? new Uint8Array(await source.arrayBuffer()) : source;
  } catch (error) {
    throw new Error(`ffnn: cannot read IDX file ${label}: ${(error as Error).message}`);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = await gunzipAsync(raw);
    } catch (error) {
      throw new Error(`ffnn: ${label}: gzip data is corrupt or truncated (${(error as Error).message})`);
    }
  }
  const parsed = parseIdx(raw, label);
  arenaHolds(parsed.data); // (images read into an arena: offered to the next network while held)
  return parsed;
}
