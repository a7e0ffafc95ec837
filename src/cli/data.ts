// Where the `ffnn` command's data comes from: the embedded MNIST set, a CSV file, or IDX files.

import { loadCsv, type Dataset } from '../data/csv.js';
import { readIdx } from '../data/idx.js';
import { loadMnist } from '../data/mnist.js';
import { oneHot } from '../matrix.js';
import { UsageError } from './usage.js';

export interface DataFlags {
  /** a CSV path, an IDX images path, or 'mnist' */
  readonly source: string;
  /** IDX labels path, with an IDX images source */
  readonly labels?: string;
  readonly label?: string;
  readonly header?: string;
  readonly classes?: number;
  /** load without a label column (data to predict on) */
  readonly unlabelled?: boolean;
}

export interface LoadedData extends Dataset {
  /** whether values are image pixels (0–255), which decides the default scaling */
  readonly pixels: boolean;
}

function isIdx(path: string): boolean {
  return /idx\d?-ubyte(\.gz)?$|\.idx\d?(\.gz)?$|ubyte(\.gz)?$/.test(path);
}

/** Loads one data set; part says which half of the embedded MNIST set 'mnist' means. */
export async function loadData(flags: DataFlags, part: 'train' | 'test'): Promise<LoadedData> {
  if (flags.source === 'mnist') {
    const set = await loadMnist(part, { raw: true });
    return { x: set.x, y: set.y, labels: set.labels, classes: 10, featureNames: [], targetNames: ['label'], pixels: true };
  }
  if (isIdx(flags.source)) {
    if (!flags.labels && !flags.unlabelled) {
      throw new UsageError(`${flags.source} looks like an IDX images file: give its labels file too (--train-labels, --test-labels or --labels)`);
    }
    const images = await readIdx(flags.source);
    const rows = images.dims[0];
    const cols = images.dims.slice(1).reduce((a, b) => a * b, 1);
    const x = { rows, cols, data: images.data };
    if (flags.unlabelled || !flags.labels) return { x, y: { rows, cols: 0, data: new Float32Array(0) }, featureNames: [], targetNames: [], pixels: true };
    const labelFile = await readIdx(flags.labels);
    if (labelFile.dims.length !== 1 || labelFile.dims[0] !== rows) {
      throw new Error(`ffnn: ${flags.labels} holds ${labelFile.dims.join('×')} labels but ${flags.source} holds ${rows} images`);
    }
    const labels = Int32Array.from(labelFile.data);
    const classes = flags.classes ?? Math.max(2, Math.max(...labels) + 1);
    return { x, y: oneHot(labels, classes), labels, classes, featureNames: [], targetNames: ['label'], pixels: true };
  }
  const label = flags.unlabelled ? null : flags.label === undefined ? 0 : /^\d+$/.test(flags.label) ? Number(flags.label) : flags.label;
  const header = flags.header === undefined || flags.header === 'auto' ? 'auto' : flags.header === 'true' || flags.header === 'yes';
  const set = await loadCsv(flags.source, { label, header, classes: flags.classes });
  return { ...set, pixels: false };
}
