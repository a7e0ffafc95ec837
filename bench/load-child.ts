// One CSV load in a fresh process, for the loading bench: prints the seconds the load took, the
// process's peak resident memory and its resident memory before the load, and the result's bytes.
//   node dist-bench/load-child.js FILE READER [option JSON]

import { loadCsv } from '../dist/index.js';
import { peakResident } from './peak.js';

const [path, reader, extra] = process.argv.slice(2);
const options = { reader: reader as 'wasm' | 'csv-parse' | 'auto', ...(extra ? JSON.parse(extra) : {}) };
// the scanner and the worker code load before the clock starts, as in a process that loaded before
await loadCsv({ text: 'label,a\n1,2\n' }, { reader: options.reader });
const before = process.memoryUsage().rss;
const start = performance.now();
const d = await loadCsv(path, options);
const seconds = (performance.now() - start) / 1000;
const peak = peakResident();
process.stdout.write(JSON.stringify({ seconds, peak, before, resultBytes: d.x.data.byteLength + d.y.data.byteLength, rows: d.x.rows, cols: d.x.cols }) + '\n');
