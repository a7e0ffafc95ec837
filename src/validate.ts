// Checking values against a declared valibot schema, with errors that name the field: the schema is
// declared once and gives the check and the message (`model.json: network.layers[0].units must be a
// whole number ≥ 1, got null`). An unknown key of a strict object names the nearest known one.

import * as v from 'valibot';

/** A refused value: the message names the field; `field` holds its path (e.g. `layers[0].units`). */
export class ValidationError extends Error {
  /** A refused option or model field: the message, and the field's path (e.g. 'network.layers[0].units'). */
  constructor(message: string, readonly field: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

type AnySchema = v.GenericSchema<unknown, unknown>;

/** A whole number ≥ min (≤ max): the message says so. */
export function whole(min: number, max = Infinity) {
  const want = max === Infinity ? `must be a whole number ≥ ${min}` : `must be a whole number from ${min} to ${max}`;
  return v.pipe(v.number(want), v.integer(want), v.minValue(min, want), v.maxValue(max, want));
}

/** A finite number, optionally bounded (inclusive). */
export function finite(min = -Infinity, max = Infinity) {
  const want = min === -Infinity && max === Infinity ? 'must be a finite number'
    : max === Infinity ? `must be a finite number ≥ ${min}` : min === -Infinity ? `must be a finite number ≤ ${max}` : `must be a number from ${min} to ${max}`;
  return v.pipe(v.number(want), v.finite(want), v.minValue(min, want), v.maxValue(max, want));
}

/** One of the listed strings. */
export function oneOf<const T extends readonly string[]>(values: T) {
  return v.picklist(values, `must be one of ${values.map((s) => `'${s}'`).join(', ')}`);
}

/** Checks `value`; on failure throws a ValidationError naming `where` and the first bad field. */
export function check<S extends AnySchema>(schema: S, value: unknown, where: string, unknown: 'option' | 'field' = 'field'): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true, abortPipeEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = pathOf(issue);
  let message: string;
  if ((issue.type === 'strict_object' || issue.type === 'object_with_rest') && issue.expected === 'never') {
    // an unknown key: name the nearest known one
    const known = knownKeys(schema, issue.path?.slice(0, -1));
    const key = String(issue.path?.[issue.path.length - 1]?.key ?? issue.input);
    const near = nearest(key, known);
    message = `unknown ${unknown} ${path}` + (near ? `; did you mean ${near}?` : known.length ? ` (known: ${known.join(', ')})` : '');
  } else if (issue.kind === 'schema' && /object/.test(issue.type)) {
    message = `${path || 'the value'} must be an object, got ${shown(issue.input)}`;
  } else {
    message = `${path || 'the value'} ${plainMessage(issue.message)}, got ${shown(issue.input)}`;
  }
  throw new ValidationError(`${where}: ${message}`, path);
}

function pathOf(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const step of issue.path ?? []) {
    const key = step.key as string | number;
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** valibot's own messages ("Invalid type: Expected number but received null") read as "must be a number". */
function plainMessage(message: string): string {
  const m = /^Invalid (?:type|key|value|length): Expected (.+?) but received/.exec(message);
  if (!m) return message;
  return `must be ${m[1].replace(/^"(.*)"$/, "'$1'").replace(/ \| /g, ' or ')}`;
}

/** A value as an error shows it: short, and JSON where that reads best. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? text.slice(0, 57) + '…' : text;
}

function knownKeys(schema: AnySchema, path: readonly { key: unknown }[] | undefined): string[] {
  let s = schema as unknown as { entries?: Record<string, AnySchema>; item?: AnySchema; wrapped?: AnySchema; pipe?: AnySchema[] };
  for (const step of path ?? []) {
    s = unwrap(s);
    if (typeof step.key === 'number') s = s.item as typeof s;
    else s = s.entries?.[String(step.key)] as typeof s;
    if (!s) return [];
  }
  return Object.keys(unwrap(s).entries ?? {});
}

function unwrap<T extends { wrapped?: unknown; pipe?: unknown[] }>(s: T): T {
  let out = s;
  for (;;) {
    if (out.wrapped) out = out.wrapped as T;
    else if (Array.isArray(out.pipe) && out.pipe[0] && out.pipe[0] !== out) out = out.pipe[0] as T;
    else return out;
  }
}

/** The known name closest to `name` (edit distance, ignoring case, '_' and '-'), if one is close. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(norm(name), norm(k));
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
