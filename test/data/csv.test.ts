// CSV loading: the good cases (CRLF, BOM, quotes, header or not, label elsewhere, regression,
// chunked parallel parsing) and every bad case, each naming file, line and column.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'ffnn-csv-'));
function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('CSV: good input', () => {
  it('reads a labelled file with a header, label first (mnist_train.csv layout)', async () => {
    const d = await loadCsv({ text: 'label,1x1,1x2\n3,0,255\n1,12,7\n' });
    expect([d.x.rows, d.x.cols]).toEqual([2, 2]);
    expect(Array.from(d.x.data)).toEqual([0, 255, 12, 7]);
    expect(Array.from(d.labels!)).toEqual([3, 1]);
    expect(d.classes).toBe(4);
    expect([d.y.rows, d.y.cols]).toEqual([2, 4]);
    expect(Array.from(d.y.data)).toEqual([0, 0, 0, 1, 0, 1, 0, 0]);
    expect(d.featureNames).toEqual(['1x1', '1x2']);
  });

  it('handles CRLF, a UTF-8 BOM, quoted fields, blank lines and no trailing newline', async () => {
    const path = file('crlf.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"label","a","b"\r\n"1","0.5","-2"\r\n\r\n0,"1e3",4')]));
    const d = await loadCsv(path);
    expect(Array.from(d.x.data)).toEqual([0.5, -2, 1000, 4]);
    expect(Array.from(d.labels!)).toEqual([1, 0]);
    expect(d.featureNames).toEqual(['a', 'b']);
  });

  it('detects a missing header, or takes one as stated', async () => {
    const d = await loadCsv({ text: '1,2,3\n0,5,6\n' });
    expect(d.x.rows).toBe(2);
    await expect(loadCsv({ text: '1,2,3\n0,5,6\n' }, { header: true })).resolves.toMatchObject({ x: { rows: 1 } });
  });

  it('takes the label from another column, by index or name', async () => {
    const text = 'a,b,class\n0.1,0.2,2\n0.3,0.4,0\n';
    const byName = await loadCsv({ text }, { label: 'class' });
    const byIndex = await loadCsv({ text }, { label: 2 });
    expect(Array.from(byName.labels!)).toEqual([2, 0]);
    expect(Array.from(byIndex.x.data)).toEqual(Array.from(byName.x.data));
    expect(Array.from(byName.x.data)).toEqual([0.1, 0.2, 0.3, 0.4].map(Math.fround));
  });

  it('reads regression targets from several columns', async () => {
    const d = await loadCsv({ text: 'x1,y1,x2,y2\n1,10,2,20\n3,30,4,40\n' }, { targets: ['y1', 3] });
    expect([d.y.rows, d.y.cols]).toEqual([2, 2]);
    expect(Array.from(d.y.data)).toEqual([10, 20, 30, 40]);
    expect(Array.from(d.x.data)).toEqual([1, 2, 3, 4]);
    expect(d.labels).toBeUndefined();
  });

  it('reads from a stream', async () => {
    const d = await loadCsv(Readable.from(['label,a\n', '1,', '2\n0,3\n']));
    expect(Array.from(d.x.data)).toEqual([2, 3]);
  });

  it('gives the same result in chunks on worker threads as in one piece', async () => {
    const lines = ['label,' + Array.from({ length: 50 }, (_, i) => `p${i}`).join(',')];
    for (let r = 0; r < 40_000; r++) lines.push(`${r % 10},` + Array.from({ length: 50 }, (_, i) => (r * 7 + i * 13) % 256).join(','));
    const path = file('big.csv', lines.join('\n') + '\n');
    const one = await loadCsv(path, { workers: 1 });
    const many = await loadCsv(path, { workers: 3 });
    expect(many.x.rows).toBe(40_000);
    expect(Buffer.from(many.x.data.buffer).equals(Buffer.from(one.x.data.buffer))).toBe(true);
    expect(Array.from(many.labels!)).toEqual(Array.from(one.labels!));
  });
});

describe('CSV: bad input names file, line and column', () => {
  const cases: [string, string, RegExp][] = [
    ['ragged', 'label,a,b\n1,2,3\n1,2\n', /ragged\.csv, line 3: 2 cells where 3 were expected/],
    ['non-numeric', 'label,a,b\n1,2,3\n1,x7,3\n', /non-numeric\.csv, line 3, column 2: "x7" is not a number \(column a\)/],
    ['NaN', 'label,a,b\n1,2,NaN\n', /NaN\.csv, line 2, column 3: "NaN" is not a finite number \(column b\)/],
    ['Infinity', 'label,a,b\n1,Infinity,2\n', /Infinity\.csv, line 2, column 2: "Infinity" is not a finite number/],
    ['empty cell', 'label,a,b\n1,,2\n', /empty-cell\.csv, line 2, column 2: "" is not a finite number/],
    ['empty file', '', /empty-file\.csv is empty/],
    ['header only', 'label,a,b\n', /header-only\.csv has a header but no data rows/],
    ['fractional label', 'label,a\n1.5,2\n', /fractional-label\.csv, line 2, column 1: label 1.5 is not a class number/],
    ['unclosed quote', 'label,a\n1,"2\n', /unclosed-quote\.csv, line \d+: cannot parse/],
  ];
  it.each(cases)('%s', async (what, text, message) => {
    await expect(loadCsv(file(`${what.replace(/ /g, '-')}.csv`, text))).rejects.toThrow(message);
  });

  it('a label outside the classes', async () => {
    await expect(loadCsv(file('classes.csv', 'label,a\n3,1\n10,2\n'), { classes: 10 }))
      .rejects.toThrow(/classes\.csv, line 3, column 1: label 10 is outside the classes 0\.\.9/);
  });

  it('a missing label column', async () => {
    await expect(loadCsv(file('nolabel.csv', 'a,b\n1,2\n'), { label: 'digit' })).rejects.toThrow(/nolabel\.csv, line 1: no label column named 'digit' in the header \(a, b\)/);
    await expect(loadCsv(file('nolabel2.csv', 'a,b\n1,2\n'), { label: 5 })).rejects.toThrow(/label column 5 does not exist: rows have 2 cells/);
  });

  it('a bad cell deep in a chunked parallel load keeps its absolute line number', async () => {
    const lines = ['label,' + Array.from({ length: 40 }, (_, i) => `p${i}`).join(',')];
    for (let r = 0; r < 60_000; r++) lines.push(`${r % 10},` + Array.from({ length: 40 }, () => '128').join(','));
    lines[50_001] = lines[50_001].replace(/,128$/, ',oops');
    const path = file('deep.csv', lines.join('\n') + '\n');
    await expect(loadCsv(path, { workers: 3 })).rejects.toThrow(/deep\.csv, line 50002, column 41: "oops" is not a number/);
  });

  it('a missing file', async () => {
    await expect(loadCsv(join(dir, 'nope.csv'))).rejects.toThrow(/cannot read .*nope\.csv: ENOENT/);
  });
});
