// The data schema as a model file holds it, declared with valibot: its check, field by field.

import * as v from 'valibot';
import { check, finite, oneOf } from '../validate.js';
import { isFeature, type DataSchema } from './schema.js';

const name = v.string('must be a string');
const COLUMN = v.variant('kind', [
  v.strictObject({ name, kind: v.literal('numeric'), fill: finite() }),
  v.strictObject({ name, kind: v.literal('date'), fill: finite(), order: v.optional(oneOf(['month-first', 'day-first'])) }),
  v.strictObject({ name, kind: v.literal('categorical'), values: v.array(name, 'must be a list of strings'), missing: v.boolean('must be true or false') }),
  v.strictObject({ name, kind: oneOf(['ignored', 'label', 'target']) }),
], "must be 'numeric', 'date', 'categorical', 'ignored', 'label' or 'target'");

const DATA_SCHEMA = v.pipe(
  v.strictObject({
    columns: v.pipe(v.array(COLUMN, 'must be a list of columns'), v.minLength(1, 'must list at least one column')),
    header: v.boolean('must be true or false'),
    classes: v.optional(v.pipe(v.array(name, 'must be a list of class names'), v.minLength(1, 'must name at least one class'))),
    labels: v.optional(oneOf(['index', 'names'])),
  }),
  v.check((s) => s.columns.some(isFeature), 'must have a feature column'),
  v.check((s) => s.columns.filter((c) => c.kind === 'label').length <= 1, 'must have at most one label column'),
  v.check((s) => !s.columns.some((c) => c.kind === 'label') || (s.classes !== undefined && s.labels !== undefined), 'needs classes and labels with a label column'),
);

/** Checks a schema read from a model file; `where` names it in errors. */
export function checkSchema(s: unknown, where: string): DataSchema {
  return check(DATA_SCHEMA, s, where);
}
