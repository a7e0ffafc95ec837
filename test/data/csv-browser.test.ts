// The browser's loadCsv (csv.browser.ts, csv-parse's browser build over a Blob) runs here too: Node
// has Blob, File and TextDecoderStream. It must read what the Node loader reads and fail the same way.

import { describe, expect, it } from 'vitest';
import { loadCsv as loadCsvNode } from '../../src/data/csv.js';
import { loadCsv as loadCsvBrowser } from '../../src/data/csv.browser.js';

const GOOD: [string, string, Parameters<typeof loadCsvNode>[1]][] = [
  ['mnist layout', 'label,1x1,1x2\n3,0,255\n1,12,7\n', {}],
  ['CRLF, BOM, quotes, blank lines, no final newline', '\ufefflabel,"a",b\r\n1,"2",3\r\n\r\n0,4,5', {}],
  ['no header', '1,2,3\n0,5,6\n', {}],
  ['label by name', 'a,b,class\n1,2,0\n3,4,1\n', { label: 'class' }],
  ['regression targets', 'x1,y1,x2,y2\n1,10,2,20\n3,30,4,40\n', { targets: ['y1', 3] }],
  ['categories, dates and missing cells', 'city,date,temp,rain\nParis,2012-01-01,3.5,yes\nLyon,2012-02-01,,no\n,2012-03-01,4,no\n', { label: -1 }],
  ["scikit-learn's line of counts, semicolons", '2;1;a;b\n1,5;0\n2,5;1\n', { label: -1, categorical: [0] }],
  ['decimal commas between semicolons', 'y;a;b\n0;1,5;2\n1;-0,25;3\n0;4,0;5\n', {}],
  ['rows shorter than a wider header', 'y,a,b,c\n0,1,2\n1,3,4,5\n0,6,7\n1,8,9\n', {}],
  ['columns aligned by runs of spaces and tabs', ' x   y  \t z\n 1   2    0\n10  20 \t  1\n 3   4    0\n', { label: -1 }],
  ['quotes inside cells, Infinity as text', 'name,tag,y\nSELVAGEM "Is" 1938,"a"b,0\nx"y,Infinity,1\nz,c,0\n', { label: -1 }],
  ['comment lines between rows', 'x,y,z\n## first part ##\n1,2,0\n3,4,1\n# second part\n5,6,0\n7,8,1\n', { label: -1 }],
];

const BAD: [string, string][] = [
  ['ragged', 'label,a,b\n1,2,3\n1,2\n'],
  ['non-numeric', 'label,a,b\n1,2,3\n1,x7,3\n'],
  ['a text cell among numbers', 'label,a,b\n1,2,3\n0,x7,4\n1,5,6\n'],
  ['a missing label only', 'label,a\n,2\n'],
  ['empty', ''],
  ['header only', 'label,a,b\n'],
  ['fractional label', 'label,a\n1.5,2\n'],
  ['unclosed quote', 'label,a\n1,"2\n'],
  ['a quote inside a cell of numbers', 'label,a\n1,2\n0,x"y\n'],
];

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the load to fail');
}

describe('loadCsv in the browser build', () => {
  it.each(GOOD)('reads %s as the Node loader does', async (_what, text, options) => {
    const node = await loadCsvNode({ text }, options);
    const fromBlob = await loadCsvBrowser(new Blob([text]), options);
    const fromText = await loadCsvBrowser({ text }, options);
    for (const got of [fromBlob, fromText]) {
      expect(got.x).toEqual(node.x);
      expect(got.y).toEqual(node.y);
      expect(got.featureNames).toEqual(node.featureNames);
      expect(got.targetNames).toEqual(node.targetNames);
      expect(got.schema).toEqual(node.schema);
      expect(got.report).toEqual(node.report);
    }
  });

  it('decompresses gzip as it streams, told by its first bytes', async () => {
    const { gzipSync } = await import('node:zlib');
    const text = 'label,a,b\n1,2,x\n0,3,y\n';
    const d = await loadCsvBrowser(new Blob([gzipSync(text)]));
    expect(d.x).toEqual((await loadCsvNode({ text })).x);
  });

  it('reads a Windows-1252 file, gzipped or not, as the Node loader does', async () => {
    const { gzipSync } = await import('node:zlib');
    const ascii = (t: string) => [...t].map((c) => c.charCodeAt(0));
    const bytes = new Uint8Array(ascii('city,temp,y\nM').concat([0xfc], ascii('nchen,3.5,0\nK'), [0xf6], ascii('ln,4,1\n')));
    const node = await loadCsvNode(new Blob([bytes]), { label: -1 });
    expect(node.featureNames).toEqual(['city=Köln', 'city=München', 'temp']);
    for (const blob of [new Blob([bytes]), new Blob([gzipSync(bytes)])]) expect(await loadCsvBrowser(blob, { label: -1 })).toEqual(node);
  });

  it.each(BAD)('fails on %s with the Node loader\'s message', async (_what, text) => {
    const name = 'data.csv';
    const node = await failure(loadCsvNode({ text }, { name }));
    expect(await failure(loadCsvBrowser(new File([text], name)))).toBe(node);
  });

  it('streams a large Blob in pieces and keeps line numbers', async () => {
    const lines = ['label,' + Array.from({ length: 30 }, (_, i) => `p${i}`).join(',')];
    for (let r = 0; r < 20_000; r++) lines.push(`${r % 10},` + Array.from({ length: 30 }, (_, i) => (r + i) % 256).join(','));
    const text = lines.join('\n') + '\n';
    const node = await loadCsvNode({ text });
    const browser = await loadCsvBrowser(new Blob([text]));
    expect(browser.x.rows).toBe(20_000);
    expect(Buffer.from(browser.x.data).equals(Buffer.from(node.x.data))).toBe(true);
    lines[15_000] = lines[15_000].replace(/,\d+$/, ',bad');
    expect(await failure(loadCsvBrowser(new File([lines.join('\n')], 'big.csv'))))
      .toMatch(/^ffnn: big\.csv, line 15001, column 31: "bad" is not a number \(column p29, whose other cells are numbers\)/);
  });

  it('refuses a path, which a browser cannot open', async () => {
    await expect(loadCsvBrowser('data.csv')).rejects.toThrow(/a browser has no file paths; pass a File/);
  });

  it('the Node loader reads a Blob or File too, naming the File in errors', async () => {
    const d = await loadCsvNode(new Blob(['label,a\n1,2\n0,3\n']));
    // whole numbers 0–255 come back as bytes
    expect(d.x).toEqual({ rows: 2, cols: 1, data: new Uint8Array([2, 3]), scale: 1 });
    await expect(loadCsvNode(new File(['label,a\n1,2\n0,zz\n1,3\n'], 'picked.csv'))).rejects.toThrow(/^ffnn: picked\.csv, line 3, column 2: "zz" is not a number/);
  });
});
