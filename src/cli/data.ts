// Where the `ffnn` command's data comes from: the embedded MNIST set, a CSV file (plain or gzip), or
// IDX files; each loaded as a Dataset with a schema, so a model trained on one reads the others.

import { loadCsv, type CsvOptions, type Dataset } from '../data/csv.js';
import { readIdx } from '../data/idx.js';
import { loadMnist } from '../data/mnist.js';
import type { DataSchema } from '../data/schema.js';
import { matrix, oneHot } from '../matrix.js';
import { UsageError } from './usage.js';

export interface DataFlags extends Omit<CsvOptions, 'name' | 'workers'> {
  /** a CSV path, an IDX images path, or 'mnist' */
  readonly source: string;
  /** IDX labels path, with an IDX images source */
  readonly labels?: string;
  /** load without labels or targets (data to predict on): only IDX images and the schema's columns */
  readonly unlabelled?: boolean;
}

export interface LoadedData extends Dataset {
  /** whether values are image pixels (0–255), which decides the default scaling */
  readonly pixels: boolean;
}

function isIdx(path: string): boolean {
  return /idx\d?-ubyte(\.gz)?$|\.idx\d?(\.gz)?$|ubyte(\.gz)?$/.test(path);
}

/** A schema for images: a label column, then one numeric column per pixel (as mnist_train.csv has). */
function imageSchema(dims: readonly number[], classes: number): DataSchema {
  const names = dims.length === 2
    ? Array.from({ length: dims[0] * dims[1] }, (_, i) => `${Math.floor(i / dims[1]) + 1}x${(i % dims[1]) + 1}`)
    : Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => `pixel${i + 1}`);
  return {
    columns: [{ name: 'label', kind: 'label' }, ...names.map((name) => ({ name, kind: 'numeric' as const, fill: 0 }))],
    header: true,
    classes: Array.from({ length: classes }, (_, k) => String(k)),
    labels: 'index',
  };
}

const NO_REPORT = { skippedLines: 0, droppedRows: 0, missing: [], unseen: [], ignored: [], notes: [] };

/** Loads one data set; part says which half of the embedded MNIST set 'mnist' means. */
export async function loadData(flags: DataFlags, part: 'train' | 'test'): Promise<LoadedData> {
  const { source, labels: labelsPath, unlabelled, ...csv } = flags;
  if (source === 'mnist') {
    const set = await loadMnist(part, { raw: true });
    return { x: set.x, y: set.y, labels: set.labels, classes: 10, classNames: imageSchema([28, 28], 10).classes, featureNames: [], targetNames: ['label'], schema: imageSchema([28, 28], 10), report: NO_REPORT, pixels: true };
  }
  if (isIdx(source)) {
    if (!labelsPath && !unlabelled) {
      throw new UsageError(`${source} looks like an IDX images file: give its labels file too (--train-labels, --test-labels or --labels)`);
    }
    const images = await readIdx(source);
    const rows = images.dims[0];
    const cols = images.dims.slice(1).reduce((a, b) => a * b, 1);
    // pixels stay bytes (a quarter of float32's memory, here and in the network)
    const x = images.data instanceof Uint8Array ? { rows, cols, data: images.data, scale: 1 } : matrix(rows, cols, images.data);
    const given = csv.schema?.classes?.length;
    if (!labelsPath) {
      const schema = csv.schema ?? imageSchema(images.dims.slice(1), 2);
      return { x, y: matrix(rows, 0), featureNames: [], targetNames: [], schema, report: NO_REPORT, pixels: true };
    }
    const labelFile = await readIdx(labelsPath);
    if (labelFile.dims.length !== 1 || labelFile.dims[0] !== rows) {
      throw new Error(`ffnn: ${labelsPath} holds ${labelFile.dims.join('×')} labels but ${source} holds ${rows} images`);
    }
    const labels = Int32Array.from(labelFile.data);
    const classes = given ?? csv.classes ?? Math.max(2, labels.reduce((a, b) => Math.max(a, b), 0) + 1);
    const schema = csv.schema ?? imageSchema(images.dims.slice(1), classes);
    return { x, y: oneHot(labels, classes), labels, classes, classNames: schema.classes, featureNames: [], targetNames: ['label'], schema, report: NO_REPORT, pixels: true };
  }
  const set = await loadCsv(source, unlabelled && !csv.schema ? { ...csv, label: null } : csv);
  return { ...set, pixels: false };
}
