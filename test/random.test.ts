// The generator's batch draws against its one-at-a-time draws: the same values and the same state.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Random } from '../src/random.js';

describe('Random batch draws', () => {
  it('fillNormal gives the values and leaves the state of n normal() calls, spare included', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 67 }),
      fc.constantFrom(1, 0.05, 2 / 7),
      (seed, before, n, scale) => {
        const one = new Random(seed), batch = new Random(seed);
        // draws before, so that some cases start with a spare normal waiting
        for (let i = 0; i < before; i++) expect(batch.normal()).toBe(one.normal());
        const expected = new Float32Array(n);
        for (let i = 0; i < n; i++) expected[i] = scale * one.normal();
        const got = new Float32Array(n + 1).fill(-1);
        batch.fillNormal(got, n, scale);
        expect(got.subarray(0, n)).toEqual(expected);
        expect(got[n]).toBe(-1);
        expect(batch.getState()).toEqual(one.getState());
      }), { numRuns: 300 });
  });

  it('fillUniform gives the values of n uniform() calls', () => {
    const one = new Random(9), batch = new Random(9);
    const expected = Float32Array.from({ length: 37 }, () => one.uniform());
    const got = new Float32Array(37);
    batch.fillUniform(got, 37);
    expect(got).toEqual(expected);
    expect(batch.getState()).toEqual(one.getState());
  });
});
