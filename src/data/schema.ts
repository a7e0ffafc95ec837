// What a training file taught about its columns: each column's kind, the categories and fill
// values, the class names. Saved with the model, so evaluate and predict take raw files.

import type { DayOrder } from './cells.js';

/**
 * A column of numbers; missing cells take `fill`: the training median (of at most 2 048 evenly spaced
 * rows when training had no missing cell in the column).
 */
export interface NumericColumn {
  readonly name: string;
  readonly kind: 'numeric';
  readonly fill: number;
}

/** A column of ISO dates or date-times, read as fractional years; missing cells take `fill`. */
export interface DateColumn {
  readonly name: string;
  readonly kind: 'date';
  readonly fill: number;
  /** How its dates of numbers alone (01/02/2012) are read; absent when it held none. */
  readonly order?: DayOrder;
}

/**
 * A column of text values, one-hot encoded in the order of `values`. With `missing`, missing cells
 * have a column of their own (after the values); otherwise, like a value never seen in training, they
 * give all zeros.
 */
export interface CategoricalColumn {
  readonly name: string;
  readonly kind: 'categorical';
  readonly values: readonly string[];
  readonly missing: boolean;
}

/** A column that is not a feature: dropped (`ignored`), the class label, or a regression target. */
export interface OtherColumn {
  readonly name: string;
  readonly kind: 'ignored' | 'label' | 'target';
}

/** One column of a schema, by its kind. */
export type ColumnSchema = NumericColumn | DateColumn | CategoricalColumn | OtherColumn;
export type ColumnKind = ColumnSchema['kind'];

/** What a training file's columns were, saved with the model so later files are read the same way. */
export interface DataSchema {
  /** Every column of the training file, in its order. */
  readonly columns: readonly ColumnSchema[];
  /** Whether the training file had a header (other files are matched by name when they have one). */
  readonly header: boolean;
  /** Class names, by class index: set when there is a label column. */
  readonly classes?: readonly string[];
  /**
   * How the file writes a class: 'index' (whole numbers 0..k−1, the class itself) or 'names' (looked
   * up in `classes`).
   */
  readonly labels?: 'index' | 'names';
}

/** Whether a column feeds the network. */
export function isFeature(c: ColumnSchema): c is NumericColumn | DateColumn | CategoricalColumn {
  return c.kind === 'numeric' || c.kind === 'date' || c.kind === 'categorical';
}

/** How many network inputs a column becomes. */
export function widthOf(c: ColumnSchema): number {
  if (c.kind === 'categorical') return c.values.length + (c.missing ? 1 : 0);
  return isFeature(c) ? 1 : 0;
}

/** The network's input names: a column's name, or `name=value` for each one-hot column. */
export function inputNames(schema: DataSchema): string[] {
  const names: string[] = [];
  for (const c of schema.columns) {
    if (c.kind === 'categorical') {
      for (const v of c.values) names.push(`${c.name}=${v}`);
      if (c.missing) names.push(`${c.name}=(missing)`);
    } else if (isFeature(c)) {
      names.push(c.name);
    }
  }
  return names;
}
