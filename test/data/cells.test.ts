// What a cell holds: dates in the forms that name their month read as the same instant as ISO's.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayOrdersOf, yearsOf } from '../../src/data/cells.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number) => String(n).padStart(2, '0');

describe('dates', () => {
  it('read a day named by its month, in every order and case, as the ISO date of that day', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date(Date.UTC(1969, 0, 1)), max: new Date(Date.UTC(2068, 11, 31)), noInvalidDate: true }),
      fc.boolean(), fc.constantFrom<'lower' | 'upper' | 'as is'>('lower', 'upper', 'as is'),
      (date, withTime, casing) => {
        const y = date.getUTCFullYear(), m = date.getUTCMonth(), d = date.getUTCDate();
        const time = withTime ? ` ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}` : '';
        const iso = yearsOf(`${y}-${pad(m + 1)}-${pad(d)}${time}`);
        const full = MONTHS[m], short = full.slice(0, 3);
        const cased = (s: string) => (casing === 'lower' ? s.toLowerCase() : casing === 'upper' ? s.toUpperCase() : s);
        for (const cell of [
          `${d}-${short}-${pad(y % 100)}`, `${pad(d)}-${short}-${y}`, `${d} ${full} ${y}`, `${y}-${short}-${pad(d)}`,
          `${short} ${d}, ${y}`, `${full} ${d} ${y}`, `${short}. ${d}, ${y}`,
        ]) expect(yearsOf(cased(cell) + time), cell).toBe(iso);
      }), { numRuns: 300 });
  });

  it('take two-digit years as POSIX does, and refuse days that do not exist or cannot be told', () => {
    expect(yearsOf('1-Jan-69')).toBe(1969);
    expect(yearsOf('1-Jan-68')).toBe(2068);
    expect(yearsOf('Sept 1, 2003')).toBe(yearsOf('2003-09-01'));
    for (const cell of ['29-Feb-03', '31 April 2020', 'Jan 2020', 'Mon 3 2020', '3 Janu 2020', '31/01/2012', '01/31/2012', '19-Sep-03 24:00']) {
      expect(yearsOf(cell), cell).toBeNaN();
    }
    expect(yearsOf('29-Feb-04')).toBe(yearsOf('2004-02-29'));
  });
});

describe('dates of numbers alone', () => {
  it('read in the order given as the ISO date of that day; a cell says which orders it allows', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date(Date.UTC(1969, 0, 1)), max: new Date(Date.UTC(2068, 11, 31)), noInvalidDate: true }),
      fc.constantFrom('/', '.', '-'), fc.boolean(),
      (date, sep, padded) => {
        const y = date.getUTCFullYear(), m = date.getUTCMonth() + 1, d = date.getUTCDate();
        const two = (n: number) => (padded ? pad(n) : String(n));
        const iso = yearsOf(`${y}-${pad(m)}-${pad(d)}`);
        expect(yearsOf(`${two(d)}${sep}${two(m)}${sep}${y}`, 'day-first')).toBe(iso);
        expect(yearsOf(`${two(m)}${sep}${two(d)}${sep}${y}`, 'month-first')).toBe(iso);
        // two-digit years with slashes only (1.2.10 is more often a version)
        expect(yearsOf(`${two(m)}${sep}${two(d)}${sep}${pad(y % 100)}`, 'month-first')).toBe(sep === '/' ? iso : NaN);
        const orders = dayOrdersOf(`${two(d)}${sep}${two(m)}${sep}${y}`);
        expect(orders).toBe(d === m || d <= 12 ? 'either' : 'day-first');
        // without an order they are not read: a cell alone cannot tell
        expect(yearsOf(`${two(d)}${sep}${two(m)}${sep}${y}`)).toBeNaN();
      }), { numRuns: 300 });
    expect(dayOrdersOf('13/13/2012')).toBeNull();
    expect(dayOrdersOf('1.2.10')).toBeNull();
    expect(dayOrdersOf('2012-01-02')).toBeNull();
  });
});
