// Generated and mutated CSV files for property-based tests of the loaders (fast-check): numbers in
// every form Number() reads (and some it does not), missing cells, text, dates, with CRLF, BOM, blank
// lines, quotes, ragged rows and files cut mid-row. Each case carries the options to load it with.

import fc from 'fast-check';
import type { CsvOptions, Dataset } from '../../src/data/csv.js';

const number = fc.oneof(
  fc.integer({ min: -300, max: 300 }).map(String),
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => String(v)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => v.toExponential()),
  fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 9999 })).map(([a, b]) => `${a}.${b}`),
  fc.constantFrom('-0', '0', '.5', '5.', '-.25', '+7', '1E+3', '1e-7', '007', '0.1000000000000000055511151231257827', '123456789012345678901234567890',
    '9007199254740993', '1e-45', '3.4028235677973366e38', '1e39', '2.5e-324', '1.510000000000000000e+02', '0x1F', ' 42 ', '\t3.5', '1_000', '1e', '.', '-', '++1'),
);
const missing = fc.constantFrom('', 'NA', 'NaN', '?', 'null', ' ');
const word = fc.constantFrom('Paris', 'Lyon', 'Nice', 'rain', 'sun', 'é', 'naïve café', 'x7', 'Infinity', '-Infinity', '2012-01-31', '2012/02/29', '2013-02-29', '2012-01-31T10:00');

/** A cell of a column whose cells are mostly of one kind. */
function columnCell(kind: 'number' | 'text' | 'date'): fc.Arbitrary<string> {
  const main = kind === 'number' ? number : kind === 'text' ? fc.constantFrom('Paris', 'Lyon', 'Nice', 'é', 'naïve café') : fc.constantFrom('2012-01-31', '2012/07/02', '2013-01-01', '2020-02-29T12:30');
  return fc.oneof({ weight: 12, arbitrary: main }, { weight: 1, arbitrary: missing }, { weight: 1, arbitrary: word }, { weight: 1, arbitrary: number });
}

/** A mutation that happens in about one case in four (fc.option's nil would win only one in five). */
function sometimes<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

export interface CsvCase {
  readonly text: string;
  readonly options: CsvOptions;
}

/** One generated file: a header or not, rows of cells, then mutations of its text. */
export const csvCase: fc.Arbitrary<CsvCase> = fc
  .record({
    kinds: fc.array(fc.constantFrom<'number' | 'text' | 'date'>('number', 'number', 'number', 'text', 'date'), { minLength: 2, maxLength: 6 }),
    rows: fc.integer({ min: 1, max: 25 }),
    delimiter: fc.constantFrom(',', ',', ';', '\t'),
    header: fc.boolean(),
    target: fc.constantFrom('label', 'label-last', 'target', 'none'),
    seed: fc.integer(),
  })
  .chain(({ kinds, rows, delimiter, header, target }) => fc.record({
    cells: fc.array(fc.tuple(...kinds.map(columnCell)), { minLength: rows, maxLength: rows }),
    labels: fc.array(fc.oneof(fc.constantFrom('0', '1', '2', 'yes', 'no', ''), fc.integer({ min: 0, max: 3 }).map(String)), { minLength: rows, maxLength: rows }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    finalNewline: fc.boolean(),
    blank: sometimes(fc.nat(rows)),
    ragged: sometimes(fc.tuple(fc.nat(rows), fc.boolean())),
    quote: sometimes(fc.nat(rows)),
    cut: sometimes(fc.double({ min: 0.05, max: 1, noNaN: true })),
    missingMode: fc.constantFrom<'fill' | 'error'>('fill', 'fill', 'fill', 'error'),
  }).map((m) => {
    const labelAt = target === 'label-last' ? kinds.length : 0;
    const lines: string[] = [];
    const names = kinds.map((_, i) => `c${i}`);
    if (header) lines.push((target === 'none' ? names : labelAt === 0 ? ['label', ...names] : [...names, 'label']).join(delimiter));
    m.cells.forEach((row, r) => {
      const cells: string[] = row.map((c) => (c.includes(delimiter) ? c.replaceAll(delimiter, ' ') : c));
      if (target !== 'none') {
        const label = target === 'target' ? (Number.isNaN(Number(m.labels[r])) ? String(r) : m.labels[r]) : m.labels[r];
        if (labelAt === 0) cells.unshift(label);
        else cells.push(label);
      }
      lines.push(cells.join(delimiter));
    });
    if (m.blank !== undefined) lines.splice(Math.min(m.blank + (header ? 1 : 0), lines.length), 0, '');
    if (m.ragged) {
      const at = Math.min(m.ragged[0] + (header ? 1 : 0), lines.length - 1);
      lines[at] = m.ragged[1] ? lines[at] + delimiter + '9' : lines[at].slice(0, Math.max(0, lines[at].lastIndexOf(delimiter)));
    }
    if (m.quote !== undefined) {
      const at = Math.min(m.quote + (header ? 1 : 0), lines.length - 1);
      const parts = lines[at].split(delimiter);
      parts[0] = `"${parts[0]}"`;
      lines[at] = parts.join(delimiter);
    }
    let text = lines.join(m.crlf ? '\r\n' : '\n') + (m.finalNewline ? (m.crlf ? '\r\n' : '\n') : '');
    if (m.cut !== undefined && m.cut < 1) text = text.slice(0, Math.max(1, Math.floor(text.length * m.cut)));
    if (m.bom) text = '\ufeff' + text;
    const options: CsvOptions = {
      header: header ? true : 'auto',
      missing: m.missingMode,
      ...(target === 'none' ? { label: null } : target === 'target' ? { targets: [labelAt === 0 ? 0 : -1] } : { label: labelAt === 0 ? 0 : -1 }),
    };
    return { text, options };
  }));

/** What a load gives, comparable with toEqual: every float by its bits, or the error's message. */
export async function outcome(load: Promise<Dataset>): Promise<unknown> {
  try {
    const d = await load;
    const bits = (a: ArrayBufferView) => a.constructor.name + Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
    return { x: [d.x.rows, d.x.cols, bits(d.x.data)], y: [d.y.rows, d.y.cols, bits(d.y.data)], labels: d.labels && Array.from(d.labels),
      classNames: d.classNames, featureNames: d.featureNames, targetNames: d.targetNames, schema: d.schema, report: d.report };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
