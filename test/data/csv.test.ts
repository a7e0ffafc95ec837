// CSV loading: the good cases (CRLF, BOM, quotes, header or not, label elsewhere, regression,
// chunked parallel parsing), and every bad case, each naming file, line and column.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { yearsOf } from '../../src/data/cells.js';
import { loadCsv } from '../../src/data/csv.js';
import { DataError } from '../../src/data/errors.js';

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
    expect(d.classNames).toEqual(['0', '1', '2', '3']);
    expect([d.y.rows, d.y.cols]).toEqual([2, 4]);
    expect(Array.from(d.y.data)).toEqual([0, 0, 0, 1, 0, 1, 0, 0]);
    expect(d.featureNames).toEqual(['1x1', '1x2']);
    expect(d.report.notes).toEqual([]);
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
    expect(d.schema.header).toBe(false);
    await expect(loadCsv({ text: '1,2,3\n0,5,6\n' }, { header: true })).resolves.toMatchObject({ x: { rows: 1 } });
  });

  it('tells a header above text columns from a first data row of text', async () => {
    const header = await loadCsv({ text: 'city,size,label\nParis,S,1\nLyon,M,0\nParis,M,1\n' }, { label: -1 });
    expect(header.x.rows).toBe(3);
    const data = await loadCsv({ text: 'Paris,S,1\nLyon,M,0\nParis,M,1\nLyon,S,0\n' }, { label: -1 });
    expect(data.x.rows).toBe(4);
    expect(data.schema.header).toBe(false);
  });

  it('takes the label from another column, by index (negative from the end) or name', async () => {
    const text = 'a,b,class\n0.1,0.2,2\n0.3,0.4,0\n';
    const byName = await loadCsv({ text }, { label: 'class' });
    const byIndex = await loadCsv({ text }, { label: 2 });
    const fromEnd = await loadCsv({ text }, { label: -1 });
    expect(Array.from(byName.labels!)).toEqual([2, 0]);
    expect(Array.from(byIndex.x.data)).toEqual(Array.from(byName.x.data));
    expect(Array.from(fromEnd.x.data)).toEqual(Array.from(byName.x.data));
    expect(Array.from(byName.x.data)).toEqual([0.1, 0.2, 0.3, 0.4].map(Math.fround));
  });

  it('reads regression targets from several columns, dropping rows whose target is missing', async () => {
    const d = await loadCsv({ text: 'x1,y1,x2,y2\n1,10,2,20\n3,30,4,40\n5,,6,60\n' }, { targets: ['y1', 3] });
    expect([d.y.rows, d.y.cols]).toEqual([2, 2]);
    expect(Array.from(d.y.data)).toEqual([10, 20, 30, 40]);
    expect(Array.from(d.x.data)).toEqual([1, 2, 3, 4]);
    expect(d.labels).toBeUndefined();
    expect(d.report.droppedRows).toBe(1);
    expect(d.report.notes).toContain('dropped 1 row(s) whose target is missing');
  });

  it('reads from a stream', async () => {
    const d = await loadCsv(Readable.from(['label,a\n', '1,', '2\n0,3\n']));
    expect(Array.from(d.x.data)).toEqual([2, 3]);
  });

  it('reads gzip, told by its first bytes whatever the name, from a path, a stream or a Blob', async () => {
    const text = 'label,a,b\n1,0.5,x\n0,2,y\n1,,x\n';
    const plain = await loadCsv({ text });
    const gz = gzipSync(text);
    for (const d of [
      await loadCsv(file('z.csv.gz', gz)),
      await loadCsv(file('no-suffix.csv', gz)),
      await loadCsv(Readable.from([gz.subarray(0, 5), gz.subarray(5)])),
      await loadCsv(new Blob([gz])),
    ]) {
      expect(d.x).toEqual(plain.x);
      expect(d.y).toEqual(plain.y);
      expect(d.schema).toEqual(plain.schema);
    }
    await expect(loadCsv(file('cut.csv.gz', gz.subarray(0, gz.length - 12)))).rejects.toThrow(/cut\.csv\.gz: .*gzip data is corrupt or truncated|unexpected end/);
  });

  it('tells the delimiter: semicolons (decimal commas in quotes), tabs, single spaces', async () => {
    const semi = await loadCsv({ text: 'label;a;b\n1;"1,5";2\n0;3;4\n' }, { categorical: ['a'] });
    expect(semi.featureNames).toEqual(['a=1,5', 'a=3', 'b']);
    const tabs = await loadCsv({ text: 'label\ta\tb\n1\t1.5\t2\n0\t3\t4\n' });
    expect(Array.from(tabs.x.data)).toEqual([1.5, 2, 3, 4]);
    const spaces = await loadCsv({ text: '59 2 32.1 101\n48 1 21.6 87\n72 2 30.5 93\n' }, { label: null });
    expect([spaces.x.rows, spaces.x.cols]).toEqual([3, 4]);
    await expect(loadCsv({ text: 'label|a\n1|2\n' }, { delimiter: '|' })).resolves.toMatchObject({ x: { rows: 1, cols: 1 } });
  });

  it('reads numbers as spreadsheets show them: thousands commas (quoted), currency signs', async () => {
    const text = 'y,price,area\n0,"$1,234.50",1200\n1,$980,"1,050"\n0,"-€2,000",-3\n1,£12.5,"12,345,678"\n';
    const d = await loadCsv({ text });
    expect(d.schema.columns.map((c) => c.kind)).toEqual(['label', 'numeric', 'numeric']);
    expect(Array.from(d.x.data)).toEqual([1234.5, 1200, 980, 1050, -2000, -3, 12.5, 12345678]);
    // a comma that groups no thousands is no number: the cell is text, and the column says so
    await expect(loadCsv({ text: 'y,a\n0,"1,23"\n1,4\n0,5\n', name: 'c.csv' } as never, { name: 'c.csv' })).rejects.toThrow(/c\.csv, line 2, column 2: "1,23" is not a number \(column a, whose other cells are numbers\)/);
  });

  it('reads a file whose bytes are not UTF-8 as Windows-1252, and says when text still was not', async () => {
    // "city,temp,y / München,3.5,0 / Köln,…" in Windows-1252: ü and ö are single bytes 0xFC, 0xF6
    const ascii = (t: string) => [...t].map((c) => c.charCodeAt(0));
    const rows = ascii('M').concat([0xfc], ascii('nchen,3.5,0\nK'), [0xf6], ascii('ln,4,1\nM'), [0xfc], ascii('nchen,2.5,1\n'));
    for (const reader of ['auto', 'csv-parse'] as const) {
      const d = await loadCsv(new Blob([new Uint8Array(ascii('city,temp,y\n').concat(rows))]), { label: -1, reader });
      expect(d.featureNames, reader).toEqual(['city=Köln', 'city=München', 'temp']);
      expect(d.report.notes, reader).toEqual(["text read as Windows-1252: the file's bytes are not UTF-8 (spreadsheets in Western Europe save CSV so)"]);
    }
    // UTF-8 for its first 64 KiB, then such a row: decoded as UTF-8, and the load says so
    const head = 'city,temp,y\n' + 'Paris,3.5,0\nLyon,4,1\n'.repeat(3500);
    const late = await loadCsv(new Blob([new Uint8Array(ascii(head).concat(rows))]), { label: -1 });
    expect(late.report.notes).toEqual(['text in column(s) city holds bytes that are not UTF-8, read as \uFFFD ("M\uFFFDnchen"): the file may be saved as Windows-1252 or Latin-1; save it as UTF-8, or names that differ only there read as one']);
    // UTF-8 text says nothing
    expect((await loadCsv({ text: 'city,temp,y\nMünchen,3.5,0\nKöln,4,1\n' }, { label: -1 })).report.notes).toEqual([]);
  });

  it('reads decimal commas where semicolons split the cells (a European spreadsheet), and says so', async () => {
    const text = 'Preis;Fläche;Zimmer;Lage\n250000,50;72,5;3;Nord\n310000,00;88,0;4;Süd\n199000,99;55,25;2;Nord\n420000,00;-0,75;5;Süd\n';
    const d = await loadCsv({ text }, { targets: ['Preis'] });
    expect(Array.from(d.x.data)).toEqual([72.5, 3, 1, 0, 88, 4, 0, 1, 55.25, 2, 1, 0, -0.75, 5, 0, 1]);
    expect(Array.from(d.y.data)).toEqual([250000.5, 310000, 199000.99, 420000].map(Math.fround));
    expect(d.report.notes[0]).toMatch(/^numbers read with a decimal comma \(2,5 is 2\.5\); give decimal: '\.' \(--decimal \.\)/);
    // told otherwise, the cell is refused as before; commas that split cells are never decimal marks
    await expect(loadCsv({ text }, { targets: ['Preis'], decimal: '.', name: 'haus.csv' })).rejects.toThrow(/haus\.csv, line 2, column 1: "250000,50" is not a number/);
    expect((await loadCsv({ text: 'y,a,b\n0,1,2\n1,3,4\n' })).report.notes).toEqual([]);
    // asked for with tabs
    const tabs = await loadCsv({ text: 'y\ta\n0\t1,5\n1\t2\n' }, { decimal: ',' });
    expect(Array.from(tabs.x.data)).toEqual([1.5, 2]);
  });

  it('pads rows shorter than a wider header (their last cells left out) with missing cells', async () => {
    // Debian's distro-info CSV: 8 names over rows of 6 or 7 cells, the later dates not yet known
    const text = 'y,version,created,release,eol\n0,1.1,1993-08-16,1996-06-17\n1,2.0,1996-06-17,1996-12-12,1998-06-05\n0,3.0,2000-08-15\n1,4.0,2005-06-06,2007-04-08\n0,5.0,2009-02-14,2010-02-06\n';
    const d = await loadCsv({ text, name: 'debian.csv' } as never, { name: 'debian.csv' });
    expect([d.x.rows, d.featureNames]).toEqual([5, ['version', 'created', 'release', 'eol']]);
    expect(d.report.missing).toEqual([
      { column: 'release', count: 1, fill: expect.any(Number) },
      { column: 'eol', count: 4, fill: expect.any(Number) },
    ]);
    // a row longer than the header is still refused; a header no wider than most rows pads nothing
    await expect(loadCsv({ text: text + '1,6.0,2011-01-01,2012-01-01,2013-01-01,2014-01-01\n' }, { name: 'long.csv' }))
      .rejects.toThrow(/long\.csv, line 7: 6 cells where 5 were expected/);
    await expect(loadCsv({ text: 'y,a,b\n0,1,2\n1,3\n0,4,5\n' }, { name: 'short.csv' })).rejects.toThrow(/short\.csv, line 3: 2 cells where 3 were expected/);
  });

  it('tells columns aligned by runs of spaces and tabs (matplotlib\'s data_x_x2_x3.csv), header and all', async () => {
    const aligned = ' 0   0    0\n 1   1    1\n 2   4    8\n 3   9   27\n10 100 1000\n';
    const d = await loadCsv({ text: aligned }, { targets: [-1] });
    expect([d.x.rows, d.x.cols, d.targetNames]).toEqual([5, 2, ['3']]);
    expect(Array.from(d.x.data)).toEqual([0, 0, 1, 1, 2, 4, 3, 9, 10, 100]);
    expect(Array.from(d.y.data)).toEqual([0, 1, 8, 27, 1000]);
    const named = await loadCsv({ text: 'x   \tsquare  cube\n1\t 1   1.5\n  2  4 \t 8\n3 9 27\n' }, { targets: ['cube'] });
    expect([named.featureNames, Array.from(named.y.data)]).toEqual([['x', 'square'], [1.5, 8, 27]]);
    // asked for by name; a cell missing in the middle cannot be told from a run, so a short row is refused
    await expect(loadCsv({ text: '1  2\n3      4\n' }, { delimiter: 'whitespace', label: null })).resolves.toMatchObject({ x: { rows: 2, cols: 2 } });
    await expect(loadCsv({ text: 'a  b  c\n1  2  3\n4     6\n', name: 'w.csv' } as never, { label: null, name: 'w.csv' })).rejects.toThrow(/w\.csv, line 3: 2 cells where 3 were expected/);
  });

  it("skips scikit-learn's line of counts before the data or the header, and says so", async () => {
    const wine = await loadCsv({ text: '3,2,class_0,class_1\n14.2,1.7,0\n13.2,1.8,1\n13.1,2.1,1\n' }, { label: -1 });
    expect([wine.x.rows, wine.x.cols]).toEqual([3, 2]);
    expect(wine.report.skippedLines).toBe(1);
    expect(wine.report.notes[0]).toMatch(/skipped 1 line\(s\) before the data/);
    const boston = await loadCsv({ text: '3,2,,\nCRIM,ZN,MEDV\n0.1,18,24\n0.2,0,21.6\n0.3,0,34.7\n' }, { targets: ['MEDV'] });
    expect(boston.featureNames).toEqual(['CRIM', 'ZN']);
    expect(Array.from(boston.y.data)).toEqual([24, 21.6, 34.7].map(Math.fround));
    expect(boston.report.notes[0]).toMatch(/before the header/);
    const explicit = await loadCsv({ text: 'made by hand\n1,2\n0,3\n' }, { skipLines: 1 });
    expect(explicit.x.rows).toBe(2);
  });

  it('gives the same result in chunks on worker threads as in one piece, above the chunking threshold', async () => {
    const lines = ['label,city,' + Array.from({ length: 50 }, (_, i) => `p${i}`).join(',')];
    const cities = ['Paris', 'Lyon', 'Nice'];
    for (let r = 0; r < 60_000; r++) {
      lines.push(`${r % 10},${r % 997 === 0 ? '' : cities[r % 3]},` + Array.from({ length: 50 }, (_, i) => (r % 1013 === 5 && i === 7 ? 'NA' : (r * 7 + i * 13) % 256)).join(','));
    }
    const path = file('big.csv', lines.join('\n') + '\n');
    const { statSync } = await import('node:fs');
    expect(statSync(path).size).toBeGreaterThan(8 << 20); // the size from which loadCsv splits a file when workers are asked for
    const one = await loadCsv(path, { workers: 1 });
    const many = await loadCsv(path, { workers: 3 });
    expect(many.x.rows).toBe(60_000);
    expect(Buffer.from(many.x.data.buffer, many.x.data.byteOffset, many.x.data.byteLength)
      .equals(Buffer.from(one.x.data.buffer, one.x.data.byteOffset, one.x.data.byteLength))).toBe(true);
    expect(Array.from(many.labels!)).toEqual(Array.from(one.labels!));
    expect(many.schema).toEqual(one.schema);
    expect(many.report).toEqual(one.report);
    expect(one.report.missing.map((m) => [m.column, m.count])).toEqual([['city', 61], ['p7', 60]]);
  });
});

describe('CSV: the columns people have', () => {
  const weather = [
    'station,city,date,temp,humidity,rain',
    's1,Paris,2012-01-01,3.5,80,yes',
    's2,Lyon,2012/07/02,,81,no',
    's3, Paris ,2012-01-31T12:00,4,NA,no',
    's4,,2013-01-01,12,70,yes',
    's5,Nice,?,8,75,',
  ].join('\n') + '\n';

  it('one-hot categories, dates as years, medians and a missing category for missing cells, named classes', async () => {
    const d = await loadCsv({ text: weather }, { label: 'rain', ignore: ['station'] });
    expect(d.featureNames).toEqual(['city=Lyon', 'city=Paris', 'city=(missing)', 'date', 'temp', 'humidity']);
    expect(d.classNames).toEqual(['no', 'yes']);
    expect(Array.from(d.labels!)).toEqual([1, 0, 0, 1]); // the row with no label is dropped
    expect(d.report.droppedRows).toBe(1);
    const row = (r: number) => Array.from(d.x.data.subarray(r * 6, r * 6 + 6));
    expect(row(0)).toEqual([0, 1, 0, 2012, 3.5, 80]);
    // 2 July 2012 is day 183 of a leap year (counted from 0); temp missing → median of 3.5, 4, 12
    expect(row(1)).toEqual([1, 0, 0, Math.fround(2012 + 183 / 366), 4, 81]);
    // noon of 31 January; humidity missing → median of 80, 81, 70
    expect(row(2)).toEqual([0, 1, 0, Math.fround(2012 + 30.5 / 366), 4, 80]);
    expect(row(3)).toEqual([0, 0, 1, 2013, 12, 70]);
    expect(d.report.missing).toEqual([
      { column: 'city', count: 1, fill: "category 'missing'" },
      { column: 'temp', count: 1, fill: 4 },
      { column: 'humidity', count: 1, fill: 80 },
    ]);
    expect(d.report.ignored).toEqual(['station']);
    expect(d.schema.columns.map((c) => c.kind)).toEqual(['ignored', 'categorical', 'date', 'numeric', 'numeric', 'label']);
  });

  it('reads another file with the trained schema: by header names, unseen values give zeros and are counted', async () => {
    const { schema } = await loadCsv({ text: weather }, { label: 'rain', ignore: ['station'] });
    const later = await loadCsv({ text: 'humidity,temp,date,city,station\n60,20,2014-01-01,Rome,s9\n,1,2012-01-01,Lyon,s1\n' }, { schema });
    expect(later.featureNames).toEqual(['city=Lyon', 'city=Paris', 'city=(missing)', 'date', 'temp', 'humidity']);
    expect(Array.from(later.x.data)).toEqual([0, 0, 0, 2014, 20, 60, 1, 0, 0, 2012, 1, 80]);
    expect(later.y.cols).toBe(0);
    expect(later.report.unseen).toEqual([{ column: 'city', count: 1, values: ['Rome'] }]);
    expect(later.report.notes.join('\n')).toMatch(/column city: 1 cell\(s\) hold values training never saw \('Rome'\)/);
    // by position, without a header, with or without the label column
    const noHeader = await loadCsv({ text: 's9,Rome,2014-01-01,20,60\n' }, { schema });
    expect(Array.from(noHeader.x.data)).toEqual([0, 0, 0, 2014, 20, 60]);
    const labelled = await loadCsv({ text: 's9,Lyon,2014-01-01,20,60,yes\n' }, { schema });
    expect(Array.from(labelled.labels!)).toEqual([1]);
    await expect(loadCsv({ text: 's9,Lyon,2014-01-01,20,60,hail\n' }, { schema, name: 'new.csv' }))
      .rejects.toThrow(/new\.csv, line 1, column 6: label "hail" is not one of the classes the model was trained on \(no, yes\)/);
    await expect(loadCsv({ text: 'city,temp\nParis,3\n' }, { schema, name: 'short.csv' }))
      .rejects.toThrow(/short\.csv, line 1: the header has no column 'date', which the model was trained on/);
    await expect(loadCsv({ text: 'humidity,temp,date,city\n60,warm,2014-01-01,Rome\n' }, { schema, name: 'odd.csv' }))
      .rejects.toThrow(/odd\.csv, line 2, column 2: "warm" is not a number \(column temp held numbers in training\)/);
  });

  it('numeric codes read as categories on request, and a mixed column only then', async () => {
    const codes = await loadCsv({ text: 'class,y\n1,0\n3,1\n2,0\n3,1\n' }, { label: -1, categorical: ['class'] });
    expect(codes.featureNames).toEqual(['class=1', 'class=2', 'class=3']);
    const mixed = 'size,y\nS,0\nM,1\n10,0\n12,1\nL,0\n';
    await expect(loadCsv({ text: mixed }, { label: -1, name: 'mixed.csv' }))
      .rejects.toThrow(/mixed\.csv, line 4, column 1: "10" is a number \(column size, whose other cells are text\); fix the cell, leave it empty \(missing\), or read the column as categories \(categorical: \['size'\], --categorical size\)/);
    const forced = await loadCsv({ text: mixed }, { label: -1, categorical: ['size'] });
    expect(forced.featureNames).toEqual(['size=10', 'size=12', 'size=L', 'size=M', 'size=S']);
  });

  it('refuses a text column with too many values to be categories, suggesting ignore', async () => {
    const text = 'name,age,y\n' + Array.from({ length: 60 }, (_, i) => `person${i},${20 + (i % 30)},${i % 2}`).join('\n');
    const error = await loadCsv({ text }, { label: -1, name: 'people.csv' }).catch((e: DataError) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toMatch(/people\.csv, column 1: column name has 60 distinct text values in 60 rows: too many to be categories \(names or ids\?\)\. Leave it out \(ignore: \['name'\], --ignore name\)/);
    expect((error as DataError).column).toBe(1);
    await expect(loadCsv({ text }, { label: -1, ignore: ['name'] })).resolves.toMatchObject({ x: { cols: 1 } });
  });

  it("skips comment lines, told by '#' lines not shaped like the rows, and notes how many", async () => {
    // as numpy's umath validation sets write them between rows
    const text = 'dtype,input,output,tol\n## +ve denormals ##\nf32,1,2,3\nf32,4,5,3\n## -ve denormals ##\nf32,-1,-2,3\nf32,7,8,3\n';
    for (const reader of ['auto', 'csv-parse'] as const) {
      const d = await loadCsv({ text }, { targets: ['output'], reader });
      expect(Array.from(d.y.data)).toEqual([2, 5, -2, 8]);
      expect(d.report.notes).toContain("skipped 2 comment line(s) starting with #; give comment: false (--comment none) to read them as rows");
    }
    await expect(loadCsv({ text }, { targets: ['output'], reader: 'wasm' })).rejects.toThrow(/declines this file \(.*comment lines/);
    // read as rows when asked, the line refused as before; a line shaped like the rows stays a row
    await expect(loadCsv({ text }, { targets: ['output'], comment: false, name: 'u.csv' })).rejects.toThrow(/u\.csv, line 2: 1 cells where 4 were expected/);
    const ranks = await loadCsv({ text: 'rank,y\n#1,0\n#2,1\n#1,1\n#2,0\n' }, { label: -1 });
    expect(ranks.featureNames).toEqual(['rank=#1', 'rank=#2']);
    expect(ranks.report.notes.join(' ')).not.toMatch(/comment/);
    // another character, given
    const semi = await loadCsv({ text: 'a,y\n; note\n1,0\n2,1\n' }, { label: -1, comment: ';' });
    expect(Array.from(semi.x.data)).toEqual([1, 2]);
    await expect(loadCsv({ text: 'a,y\n1,0\n' }, { comment: '//' })).rejects.toThrow(/comment must be one character or false, got "\/\/"/);
    // errors keep the file's own line numbers
    await expect(loadCsv({ text: 'a,y\n# one\n# two\n1,0\nx,1\n2,0\n3,1\n' }, { label: -1, name: 'c.csv' }))
      .rejects.toThrow(/c\.csv, line 5, column 1: "x" is not a number/);
  });

  it('reads quotes inside cells as text, as pandas does: only a cell that starts with one is quoted', async () => {
    // package lists in TSV (summaries with quotes in them), GDAL's gt_datum.csv ("... Is,"I)
    const text = 'name\ttag\ty\nSELVAGEM "Is" 1938\t"a"b\t0\nx"y\tc\t1\nz\t"c, d"\t0\n';
    for (const reader of ['auto', 'csv-parse'] as const) {
      const d = await loadCsv({ text }, { label: -1, reader });
      expect(d.featureNames).toEqual(['name=SELVAGEM "Is" 1938', 'name=x"y', 'name=z', 'tag="a"b', 'tag=c', 'tag=c, d']);
    }
    await expect(loadCsv({ text: 'a,y\n"1,0\n' }, { name: 'open.csv' })).rejects.toThrow(/open\.csv, line \d+: the file ends inside a quoted cell/);
  });

  it('a column of version numbers with a few that read as dates, both ways round, is text with odd cells', async () => {
    // npm's package list: 22.1.1570 reads day first, 3.25.1108 month first, among 1.2.3s
    const versions = ['1.2.3', '0.4.1', '22.1.1570', '2.0.0', '3.25.1108', '1.0.1', '0.0.9', '4.1.2'];
    const text = 'version,y\n' + versions.map((v, i) => `${v},${i % 2}`).join('\n') + '\n';
    await expect(loadCsv({ text }, { label: -1, name: 'npm.csv' }))
      .rejects.toThrow(/npm\.csv, line 4, column 1: "22\.1\.1570" is a date \(column version, whose other cells are text\); .*read the column as categories/);
    const read = await loadCsv({ text }, { label: -1, categorical: ['version'] });
    expect(read.featureNames).toHaveLength(8);
    // a column of dates written both ways round is refused as before
    await expect(loadCsv({ text: 'd,y\n31.01.2012,0\n01.31.2012,1\n' }, { label: -1, name: 'd.csv' }))
      .rejects.toThrow(/d\.csv, line 3, column 1: "01\.31\.2012" is a date written month first, but line 2 has "31\.01\.2012", written day first/);
  });

  it('reads Infinity as text in a column of text, and refuses it in a column of numbers', async () => {
    // PyPI's package list has a package summarised "Infinity"
    const named = await loadCsv({ text: 'summary,y\nInfinity,0\nA lib,1\nTools,0\n' }, { label: -1 });
    expect(named.featureNames).toEqual(['summary=A lib', 'summary=Infinity', 'summary=Tools']);
    await expect(loadCsv({ text: 'a,y\n1,0\n-Infinity,1\n2,0\n' }, { label: -1, name: 'inf.csv' }))
      .rejects.toThrow(/inf\.csv, line 3, column 1: "-Infinity" is not a finite number \(column a\); a number must be finite/);
  });

  it('names a column by index in a file without a header, and offers the header when text tops a column of numbers', async () => {
    // numpy's generator test sets: a first line "seed, 0xdeadbeaf" whose second cell reads as a number
    const seeded = 'seed, 0xdeadbeaf\n0, 0x60d24054\n1, 0xd5e79d89\n2, 0xd254972f\n3, 0x1b7c3a02\n';
    const error = await loadCsv({ text: seeded }, { targets: [1], name: 'pcg64.csv' }).catch((e: DataError) => e);
    expect((error as DataError).message).toMatch(/pcg64\.csv, line 1, column 1: "seed" is not a number \(column 1, whose other cells are numbers\); .*\(categorical: \[0\], --categorical 0\); or, if line 1 names the columns, read it as the header \(header: true, --header true\)$/);
    const read = await loadCsv({ text: seeded }, { targets: [1], header: true });
    expect(read.x.rows).toBe(4);
    expect(Array.from(read.x.data)).toEqual([0, 1, 2, 3]);
    // the same refusal deeper in the file offers no header
    await expect(loadCsv({ text: '1,2\n3,x\n5,6\n7,8\n' }, { label: null, name: 'deep.csv' })).rejects.toThrow(/deep\.csv, line 2, column 2: "x" is not a number .*--categorical 1\)$/);
    // too many text values in a headerless file: ignore by index, as options read it
    const ids = Array.from({ length: 60 }, (_, i) => `id${i},${i % 7},${i % 2}`).join('\n');
    const many = await loadCsv({ text: ids }, { label: -1, name: 'ids.csv' }).catch((e: DataError) => e);
    expect((many as DataError).message).toMatch(/Leave it out \(ignore: \[0\], --ignore 0\)/);
    await expect(loadCsv({ text: ids }, { label: -1, ignore: [0] })).resolves.toMatchObject({ x: { cols: 1 } });
  });

  it("a label that is a number to predict is refused with the way to say so", async () => {
    await expect(loadCsv({ text: 'a,price\n1,2.5\n2,3.75\n' }, { label: -1, name: 'p.csv' }))
      .rejects.toThrow(/p\.csv, line 2, column 2: label 2\.5 is not a class .*read it as a regression target \(targets: \['price'\], --target price\)/i);
    // negative whole numbers are no class numbers either (GDAL's GRIB2 tables start -4, -3, …): the
    // first such label and its line, not "label undefined"
    await expect(loadCsv({ text: 'subcat,name\n3,a\n-4,b\n0,c\n-1,d\n' }, { name: 'grib.csv' }))
      .rejects.toThrow(/grib\.csv, line 3, column 1: label -4 is not a class \(a whole number ≥ 0 or a name\)/);
  });

  it('a first column of measurements, with classes in the last, is refused with both readings offered', async () => {
    // scikit-learn's and UCI's files keep the class last: the default label (column 0) holds none
    const text = 'length,width,kind\n' + Array.from({ length: 30 }, (_, i) => `${(4.3 + i / 10).toFixed(1)},${i % 4}.5,${i % 3}`).join('\n');
    const error = await loadCsv({ text }, { name: 'flowers.csv' }).catch((e: DataError) => e);
    expect((error as DataError).message).toMatch(/flowers\.csv, line 2, column 1: label 4\.3 is not a class .*--target length\)\. Or is the label the last column, kind, with its 3 classes \(0, 1, 2\)\? Read it with label: -1 \(--label -1\)$/);
    await expect(loadCsv({ text }, { label: -1 })).resolves.toMatchObject({ x: { cols: 2 }, classNames: ['0', '1', '2'] });
    // names in the last column are offered too; a last column of measurements as a target instead
    const named = text.split('\n').map((l, i) => (i === 0 ? l : l.replace(/\d$/, (d) => ['setosa', 'versicolor', 'virginica'][+d]))).join('\n');
    await expect(loadCsv({ text: named }, { name: 'n.csv' })).rejects.toThrow(/last column, kind, with its 3 classes \("setosa", "versicolor", "virginica"\)\?/);
    const measured = 'length,width\n4.3,2.5\n4.4,3.5\n';
    const plain = await loadCsv({ text: measured }, { name: 'm.csv' }).catch((e: DataError) => e);
    expect((plain as DataError).message).toMatch(/--target length\)\. Or is the number to predict the last column, width\? .*--target width\)$/);
  });

  it('a label of one class is refused, offering the last column, unless the classes are given', async () => {
    // scikit-learn's digits.csv: no header, the first pixel 0 in every row, the digit last
    const text = Array.from({ length: 12 }, (_, i) => `0,${(i * 5) % 17},${i % 4}`).join('\n') + '\n';
    await expect(loadCsv({ text }, { name: 'd.csv' })).rejects.toThrow(
      /^ffnn: d\.csv, column 1: the label column \S+ holds one value, 0, in all 12 rows: a classifier needs two classes or more to tell apart\. Or is the label the last column, \S+, with its 4 classes \(0, 1, 2, 3\)\? Read it with label: -1 \(--label -1\)\. To load a set of one class to score, give the classes/);
    await expect(loadCsv({ text }, { classes: 10 })).resolves.toMatchObject({ classes: 10, y: { cols: 10 } });
  });

  it('a label of more than 20 values with under 10 rows each, or of 3 or more with under 3, is refused as a quantity, unless the classes are given', async () => {
    // scikit-learn's diabetes_data_raw: the first column is the age, 58 values in 442 rows
    const ages = (rows: number, values: number) => 'age,bmi\n' + Array.from({ length: rows }, (_, i) => `${19 + (i * 7) % values},${20 + (i % 13) / 2}`).join('\n') + '\n';
    await expect(loadCsv({ text: ages(200, 30) }, { name: 'a.csv' })).rejects.toThrow(
      /^ffnn: a\.csv, column 1: the label column age has 30 distinct values in 200 rows \(6\.7 rows a class\): too many classes to learn from so few rows\. If it is a number to predict, read it as a regression target \(targets: \['age'\], --target age\)\. Or is the number to predict the last column, bmi\? .* To read it as classes all the same, give their count \(classes: N\)$/);
    await expect(loadCsv({ text: ages(200, 30) }, { classes: 49 })).resolves.toMatchObject({ classes: 49 });
    await expect(loadCsv({ text: ages(300, 25) })).resolves.toMatchObject({ classes: 44 });
    // scikit-learn's linnerud: 20 athletes, the first column their chin-ups (12 values)
    await expect(loadCsv({ text: ages(20, 12) })).rejects.toThrow(/has 12 distinct values in 20 rows \(1\.7 rows a class\)/);
    await expect(loadCsv({ text: ages(15, 3) })).resolves.toMatchObject({ classes: 22 });
  });

  it('reads dates that name their month (a finance site\'s 19-Sep-03) as dates, not as names', async () => {
    const text = 'Date,Open,Close\n' + Array.from({ length: 30 }, (_, i) => `${i + 1}-Sep-03,${29 + i / 10},${29.5 + i / 10}`).join('\n') + '\n';
    const d = await loadCsv({ text }, { targets: ['Close'] });
    expect(d.schema.columns.map((c) => c.kind)).toEqual(['date', 'numeric', 'target']);
    expect(d.featureNames).toEqual(['Date', 'Open']);
    expect((d.x.data as Float32Array)[2 * 4]).toBe(Math.fround(2003 + (243 + 4) / 365));
  });

  it('reads dates of numbers alone in the order the column shows, else month first with a note, and later files as trained', async () => {
    const file = (dates: string[]) => 'when,price,y\n' + dates.map((d, i) => `${d},${3 + i / 10},${i % 2}`).join('\n') + '\n';
    const iso = (s: string) => Math.fround(yearsOf(s));
    // a day past 12 in first place: day first, no note
    const dmy = await loadCsv({ text: file(['01/02/2012', '31/07/2012', '05/06/2012', '07/08/2012']) }, { label: -1 });
    expect(dmy.schema.columns[0]).toEqual({ name: 'when', kind: 'date', fill: expect.any(Number), order: 'day-first' });
    expect(dmy.x.data[0]).toBe(iso('2012-02-01'));
    expect(dmy.report.notes).toEqual([]);
    // in second place: month first
    const mdy = await loadCsv({ text: file(['01/02/2012', '07/31/2012', '05/06/2012', '08/07/2012']) }, { label: -1 });
    expect(mdy.schema.columns[0]).toMatchObject({ order: 'month-first' });
    expect(mdy.x.data[0]).toBe(iso('2012-01-02'));
    // nothing tells: month first, said in a note, and dates: 'day-first' turns it
    const either = file(['01/02/2012', '03/04/2012', '05/06/2012', '07/08/2012']);
    const assumed = await loadCsv({ text: either }, { label: -1 });
    expect(assumed.x.data[0]).toBe(iso('2012-01-02'));
    expect(assumed.report.notes).toEqual(["column when: dates such as 01/02/2012 read month first (no day past 12 tells which); give dates: 'day-first' (--dates day-first) for the other reading"]);
    expect((await loadCsv({ text: either }, { label: -1, dates: 'day-first' })).x.data[0]).toBe(iso('2012-02-01'));
    // a later file reads as the training file did, whatever it would tell alone
    const later = await loadCsv({ text: either }, { schema: dmy.schema });
    expect(later.x.data[0]).toBe(iso('2012-02-01'));
    expect(later.report.notes).toEqual([]);
    // both orders in one column: not dates, and the column says so
    await expect(loadCsv({ text: file(['31/01/2012', '05/06/2012', '01/31/2012']) }, { label: -1, name: 'w.csv' })).rejects.toThrow(
      /^ffnn: w\.csv, line 4, column 1: "01\/31\/2012" is a date written month first, but line 2 has "31\/01\/2012", written day first \(column when\); write the column's dates one way, or as ISO dates \(2012-01-31\)$/);
    // versions are not dates
    const versions = await loadCsv({ text: 'v,y\n1.2.10,0\n1.2.11,1\n1.2.10,1\n1.2.11,0\n' }, { label: -1 });
    expect(versions.schema.columns[0]).toMatchObject({ kind: 'categorical' });
  });

  it('names the columns that hold classes, by name with a header and by index without one', async () => {
    // a passenger list: an id first, the class to learn in the middle, a port last
    const people = 'PassengerId,Survived,Pclass,Sex,Fare\n' + Array.from({ length: 40 }, (_, i) =>
      `${i + 1},${i % 2},${1 + (i % 3)},${i % 5 < 2 ? 'female' : 'male'},${(7.25 + i * 1.3).toFixed(2)}`).join('\n') + '\n';
    await expect(loadCsv({ text: people }, { name: 'p.csv' })).rejects.toThrow(
      /the label column PassengerId has 40 distinct values in 40 rows .*--target PassengerId\)\. Or is the number to predict the last column, Fare\? .*--target Fare\)\. Columns that hold classes: Survived \(0, 1\), Pclass \(1, 2, 3\), Sex \("female", "male"\); name the label to use one \(label: 'Survived', --label Survived\)\. /);
    await expect(loadCsv({ text: people }, { label: 'Survived' })).resolves.toMatchObject({ classes: 2 });
    // scikit-learn's diabetes_data_raw: no header, the age first, the sex second, a number last
    const raw = Array.from({ length: 60 }, (_, i) => `${19 + (i * 7) % 50} ${1 + (i % 2)} ${(20 + i / 3).toFixed(1)} ${80 + i}`).join('\n') + '\n';
    const error = await loadCsv({ text: raw }, { name: 'd.csv' }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/\(targets: \[0\], --target 0\)\. Or is the number to predict the last column, 4\? Read it as a regression target \(targets: \[-1\], --target -1\)\. Columns that hold classes: 2 \(1, 2\); name the label to use one \(label: 1, --label 1\)/);
    await expect(loadCsv({ text: raw }, { label: 1 })).resolves.toMatchObject({ classes: 3 });
  });

  it('a label column of measurements with a number in the last column offers it as the target', async () => {
    const text = 'CRIM,RM,MEDV\n' + Array.from({ length: 8 }, (_, i) => `0.0${i + 1}3,6.${i},${20 + i * 1.5}`).join('\n') + '\n';
    await expect(loadCsv({ text }, { name: 'houses.csv' })).rejects.toThrow(
      /label 0\.013 is not a class .*--target CRIM\)\. Or is the number to predict the last column, MEDV\? Read it as a regression target \(targets: \['MEDV'\], --target MEDV\)$/);
  });

  it("missing: 'error' refuses any missing cell, naming line and column", async () => {
    await expect(loadCsv({ text: 'label,a,b\n1,2,3\n0,NA,4\n' }, { missing: 'error', name: 'm.csv' }))
      .rejects.toThrow(/m\.csv, line 3, column 2: "NA" is a missing value \(column a\), and missing values are refused here/);
  });

  it('errors carry their facts as fields', async () => {
    const error = await loadCsv({ text: 'label,a,b\n1,2,3\n1,2\n' }, { name: 'f.csv' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ source: 'f.csv', line: 3, detail: '2 cells where 3 were expected' });
    expect((error as DataError).column).toBeUndefined();
  });
});

describe('CSV: bad input names file, line and column', () => {
  const cases: [string, string, RegExp][] = [
    ['ragged', 'label,a,b\n1,2,3\n1,2\n', /ragged\.csv, line 3: 2 cells where 3 were expected/],
    ['non-numeric', 'label,a,b\n1,2,3\n1,x7,3\n0,5,6\n', /non-numeric\.csv, line 3, column 2: "x7" is not a number \(column a, whose other cells are numbers\)/],
    ['Infinity', 'label,a,b\n1,Infinity,2\n', /Infinity\.csv, line 2, column 2: "Infinity" is not a finite number/],
    ['empty file', '', /empty-file\.csv: the file is empty: no rows to load/],
    ['header only', 'label,a,b\n', /header-only\.csv: the file has a header but no data rows/],
    ['fractional label', 'label,a\n1.5,2\n', /fractional-label\.csv, line 2, column 1: label 1\.5 is not a class/],
    ['unclosed quote', 'label,a\n1,"2\n', /unclosed-quote\.csv, line \d+: the file ends inside a quoted cell: a quote opens and is never closed/],
    ['a quote inside a cell of numbers', 'label,a\n1,2\n0,x"y\n', /a-quote-inside-a-cell-of-numbers\.csv, line 3, column 2: "x\\"y" is not a number \(column a, whose other cells are numbers\)/],
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
    await expect(loadCsv(join(dir, 'nope.csv'))).rejects.toThrow(/nope\.csv: cannot read the file: ENOENT/);
  });
});
