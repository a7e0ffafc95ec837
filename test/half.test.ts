// Half floats (float16): the codec, toHalfFloats, and a network reading a HalfMatrix as it reads the
// float32 values it stands for.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitScaling, matrix, Network, toFloats, toHalfFloats, type HalfMatrix, type Matrix } from '../src/index.js';
import { halfValue, toHalf } from '../src/half.js';
import { firstMismatch } from './helpers/backends.js';
import { mnist } from './helpers/mnist.js';
import { classScores } from './helpers/scores.js';

const finiteHalves = Array.from({ length: 0x10000 }, (_, h) => h).filter((h) => (h & 0x7c00) !== 0x7c00);
const bitsOf = (net: Network) => Buffer.from(Float32Array.from(net.parameters().flatMap((l) => [...l.weights.data, ...l.biases])).buffer).toString('base64');

describe('the half-float codec', () => {
  it('reads every finite half as its number and writes that number back to the same bits', () => {
    for (const h of finiteHalves) {
      const v = halfValue(h);
      expect(Math.fround(v)).toBe(v); // every half is a float32
      expect(toHalf(v)).toBe(h);
    }
    expect(halfValue(0x3c00)).toBe(1);
    expect(halfValue(0x7bff)).toBe(65504);
    expect(halfValue(0x0001)).toBe(2 ** -24);
    expect(Object.is(halfValue(0x8000), -0)).toBe(true);
    expect(halfValue(0x7c00)).toBe(Infinity);
    expect(halfValue(0xfc00)).toBe(-Infinity);
    expect(halfValue(0x7e00)).toBeNaN();
  });

  it('rounds a float32 to the nearest half, ties to the even one', () => {
    fc.assert(fc.property(fc.float({ min: -65504, max: 65504, noNaN: true }), (v) => {
      const h = toHalf(v), got = halfValue(h);
      // the halves next to it, on the same side of zero (half bits step monotonically within a sign)
      for (const other of [h - 1, h + 1]) {
        if ((other & 0x7fff) > 0x7bff || (other & 0x8000) !== (h & 0x8000) || other < 0) continue;
        const d = Math.abs(got - v), e = Math.abs(halfValue(other) - v);
        expect(d).toBeLessThanOrEqual(e);
        if (d === e) expect(h & 1).toBe(0);
      }
    }), { numRuns: 5000 });
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie between 1 and the next half: to the even one, 1
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // a tie the other way
    expect(toHalf(2 ** -25)).toBe(0); // half the smallest subnormal: a tie, to zero
    expect(toHalf(3 * 2 ** -26)).toBe(1);
    expect(toHalf(65520)).toBe(0x7c00); // rounds past the largest half
    expect(toHalf(-1e9)).toBe(0xfc00);
    expect(toHalf(NaN) & 0x7c00).toBe(0x7c00);
  });
});

describe('toHalfFloats', () => {
  const back = (m: Matrix) => toFloats(toHalfFloats(m)).data;

  it('keeps zeros and signs, and whole numbers of up to 11 significant bits, exactly', () => {
    const m = matrix(4, 3, [0, -0, 2047, 1, -5, 1024, 0, 3, 0, 255, 0.5, 1536]);
    const h = toHalfFloats(m);
    expect(Array.from(h.offset)).toEqual([0, 0, 0]);
    expect(Array.from(back(m))).toEqual(Array.from(m.data).map((v) => v + 0)); // -0 reads as 0
  });

  it('keeps 11 significant bits of each value, in every column, at any magnitude', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.double({ min: -30, max: 30, noNaN: true }),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 30, maxLength: 30 }),
      (rows, cols, exponent, values) => {
        const m = matrix(rows, cols, Array.from({ length: rows * cols }, (_, i) => values[i % values.length] * 2 ** exponent));
        const got = back(m);
        m.data.forEach((v, i) => {
          // a half's rounding (2^-11 of the value) and float32's in the decoding add; below the
          // smallest normal half, absolute steps of 2^-24 of the column's scale
          const scale = toHalfFloats(m).scale[i % cols];
          expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(Math.abs(v) * (2 ** -11 + 2 ** -23) + scale * 2 ** -24);
        });
      },
    ), { numRuns: 300 });
  });

  it('stores a column far from zero for its spread as its distance from the mean', () => {
    // years and air pressure: as halves from zero, 2003 and 2004 hold, but 1013.2 and 1013.4 would not
    const years = [1999, 2001, 2003, 2004, 2007], hpa = [1013.2, 1013.4, 1012.9, 1014.1, 1013.0];
    const m = matrix(5, 2, years.flatMap((y, i) => [y, hpa[i]]));
    const h = toHalfFloats(m);
    expect(h.offset[0]).toBeCloseTo(2002.8, 3);
    expect(h.offset[1]).toBeCloseTo(1013.32, 3);
    const got = toFloats(h).data;
    m.data.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(2e-3));
  });

  it('keeps a constant column exactly, as its offset', () => {
    const m = matrix(3, 2, [7.25, 1, 7.25, 2, 7.25, 3]);
    const h = toHalfFloats(m);
    expect(Array.from(h.data.filter((_, i) => i % 2 === 0))).toEqual([0, 0, 0]);
    expect(Array.from(toFloats(h).data)).toEqual(Array.from(m.data));
  });

  it('refuses a value that is not a finite number, naming its row and column', () => {
    expect(() => toHalfFloats(matrix(2, 3, [1, 2, 3, 4, NaN, 6]))).toThrow(/row 1, column 1 is NaN; every value must be a finite number/);
    expect(() => toHalfFloats(matrix(1, 2, [1, -Infinity]))).toThrow(/row 0, column 1 is -Infinity/);
    expect(() => toHalfFloats({ rows: 1, cols: 2, data: new Float64Array(2) } as unknown as Matrix)).toThrow(/needs a Matrix/);
  });
});

describe('a network reading half floats', () => {
  const data = async () => {
    const train = await mnist('train', { limit: 2000 }), test = await mnist('test', { limit: 1000 });
    return { train, test, half: toHalfFloats(toFloats(train.x)), testHalf: toHalfFloats(toFloats(test.x)) };
  };

  it.each(['wasm', 'wasm-scalar', 'js'] as const)('trains the same weights as on the float32 values the halves stand for (%s)', async (backend) => {
    const { train, half } = await data();
    const make = () => Network.create({ inputs: 784, layers: [{ units: 16, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy', seed: 3, backend });
    const [a, b] = [await make(), await make()];
    const options = { learningRate: 0.05, batchSize: 25, epochs: 2 };
    await a.train(half, train.y, options);
    await b.train(toFloats(half), train.y, options);
    expect(bitsOf(a)).toBe(bitsOf(b));
    expect(Array.from(a.predict(half).data)).toEqual(Array.from(b.predict(toFloats(half)).data));

    // and a regression on columns stored from their means (years, pressure) beside one from zero
    const rows = 300, xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < rows; i++) {
      const year = 1990 + (i * 7) % 31, hpa = 1000 + ((i * 13) % 29) * 0.7, small = Math.sin(i) * 0.01;
      xs.push(year, hpa, small);
      ys.push((year - 2005) / 10 + (hpa - 1010) / 20 + 30 * small);
    }
    const centred = toHalfFloats(matrix(rows, 3, xs));
    expect(centred.offset[0]).not.toBe(0);
    expect(centred.offset[2]).toBe(0);
    const reg = () => Network.create({ inputs: 3, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'linear' }], seed: 2, backend, scaling: fitScaling(centred, 'zscore') });
    const [c, d] = [await reg(), await reg()];
    await c.train(centred, matrix(rows, 1, ys), { learningRate: 0.01, batchSize: 16, epochs: 3 });
    await d.train(toFloats(centred), matrix(rows, 1, ys), { learningRate: 0.01, batchSize: 16, epochs: 3 });
    expect(firstMismatch(c.predict(centred).data, d.predict(toFloats(centred)).data, 1e-4)).toBeNull();
  });

  it('trains the same weights on two threads as on one', async () => {
    const { train, half } = await data();
    const bits: string[] = [];
    for (const threads of [1, 2]) {
      const net = await Network.create({ inputs: 784, layers: [{ units: 256, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy', seed: 9, threads });
      await net.train(half, train.y, { optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 1 });
      bits.push(bitsOf(net));
      net.dispose();
    }
    expect(bits[1]).toBe(bits[0]);
  });

  it("folds the network's input scaling into the reading: the outputs of the values the halves stand for, to float32's rounding", async () => {
    const { half } = await data();
    const net = await Network.create({
      inputs: 784, layers: [{ units: 16, activation: 'tanh' }, { units: 10 }], seed: 4, scaling: fitScaling(half, 'zscore'),
    });
    const a = net.predict(half).data, b = net.predict(toFloats(half)).data;
    expect(firstMismatch(a, b, 1e-4)).toBeNull();
    // and the scaling is applied at all: without it the outputs are far from these
    const plain = await Network.create({ inputs: 784, layers: [{ units: 16, activation: 'tanh' }, { units: 10 }], seed: 4 });
    expect(firstMismatch(plain.predict(half).data, a, 1e-2)).not.toBeNull();
  });

  it('learns MNIST from halves as well as from float32, with an input scaling folded into the reading', async () => {
    const { train, test, half, testHalf } = await data();
    const scores: number[] = [];
    for (const [x, tx] of [[half, testHalf], [toFloats(train.x), toFloats(test.x)]] as const) {
      const net = await Network.create({
        inputs: 784, layers: [{ units: 32, activation: 'relu' }, { units: 10 }], loss: 'cross-entropy', seed: 5,
        scaling: fitScaling(x, 'zscore'),
      });
      await net.train(x, train.y, { optimizer: 'adam', learningRate: 0.002, batchSize: 32, epochs: 4 });
      scores.push(classScores(net.evaluate(tx, test.y)).accuracy);
    }
    expect(scores[0]).toBeGreaterThan(0.82);
    expect(Math.abs(scores[0] - scores[1])).toBeLessThan(0.02);
  });

  it('fits the same scaling to halves as to the values they stand for', async () => {
    const { half } = await data();
    for (const method of ['minmax', 'zscore'] as const) {
      const a = fitScaling(half, method), b = fitScaling(toFloats(half), method);
      expect(Array.from(a.shift)).toEqual(Array.from(b.shift));
      expect(Array.from(a.scale)).toEqual(Array.from(b.scale));
    }
  });

  it('refuses halves that are not finite, or come without their scale and offset, saying where', async () => {
    const net = await Network.create({ inputs: 3, layers: [{ units: 2 }] });
    const good = toHalfFloats(matrix(2, 3, [1, 2, 3, 4, 5, 6]));
    const y = matrix(2, 2, [1, 0, 0, 1]);
    const data = good.data.slice();
    data[4] = 0x7c00;
    await expect(net.train({ ...good, data }, y, { epochs: 1 })).rejects.toThrow(/train: x: row 1, column 1 is Infinity \(a half float\); every value must be a finite number/);
    expect(() => net.predict({ ...good, data })).toThrow(/predict: x: row 1, column 1 is Infinity/);
    expect(() => net.predict({ rows: 2, cols: 3, data: good.data } as unknown as HalfMatrix)).toThrow(/holds half floats \(Uint16Array\) but its scale and offset/);
    expect(net.predict(good).rows).toBe(2);
  });
});
