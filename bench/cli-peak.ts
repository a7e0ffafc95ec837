// Runs the `ffnn` command in this process and, as it exits, writes its peak resident memory to
// stderr as a last line `peak BYTES`: the whole-run bench's memory figure for a CLI run.
//   node dist-bench/cli-peak.js train --train mnist …

import { peakResident } from './peak.js';

process.on('exit', () => process.stderr.write(`\npeak ${peakResident()}\n`));
process.argv = [process.argv[0], 'ffnn', ...process.argv.slice(2)];
await import('../dist/cli/main.js');
