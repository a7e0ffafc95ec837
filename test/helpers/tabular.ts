// Synthetic tabular files with a known signal, as users bring them: an id column, a text category, ISO
// dates, numbers with missing cells, a string class label and a numeric target. Seeded, so every run
// writes the same file.

import { Random } from '../../src/random.js';

const CITIES = ['Paris', 'Lyon', 'Nice', 'Lille', 'Brest'];
const WET = { Paris: 0.5, Lyon: 0, Nice: -1.5, Lille: 1, Brest: 1.5 } as Record<string, number>;

/** `rows` lines of station,city,date,temp,humidity,rain,rainfall (rain: yes/no; rainfall: mm). */
export function weatherCsv(rows: number, seed: number): string {
  const rng = new Random(seed);
  const lines = ['station,city,date,temp,humidity,rain,rainfall'];
  for (let i = 0; i < rows; i++) {
    const city = CITIES[rng.int(CITIES.length)];
    const day = rng.int(3 * 365);
    const date = new Date(Date.UTC(2020, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    const season = Math.cos((2 * Math.PI * day) / 365.25);
    const temp = 12 - 8 * season + 2 * rng.normal();
    const humidity = 70 + 15 * rng.normal();
    const wetness = WET[city] + (humidity - 70) / 8 + season + 0.5 * rng.normal();
    const rainfall = Math.max(0, 4 + 2 * wetness + 0.3 * rng.normal());
    const cell = (v: number, digits: number) => (rng.uniform() < 0.03 ? (rng.uniform() < 0.5 ? '' : 'NA') : v.toFixed(digits));
    lines.push([`st${1000 + i}`, rng.uniform() < 0.02 ? '' : city, date, cell(temp, 1), cell(humidity, 0), wetness > 0 ? 'yes' : 'no', rainfall.toFixed(2)].join(','));
  }
  return lines.join('\n') + '\n';
}
