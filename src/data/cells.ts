// What one CSV cell holds: a number (exactly as Number() reads it), a missing value, an ISO date, or
// text. Shared by every reader, so a cell means the same thing whichever parser split it.

/** Cells that stand for a missing value (compared after trimming spaces). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'n/a', 'na', 'NaN', 'nan', 'null', 'NULL', 'None', '?']);

/** Whether a cell is one of the missing-value tokens. */
export function isMissing(cell: string): boolean {
  return MISSING_TOKENS.has(cell.trim());
}

// A number as spreadsheets and finance exports show it: thousands separated by commas and a
// currency sign before the digits ("1,234.50", "$1,234", "-€12.5")
const SHOWN_NUMBER = /^\s*([+-]?)\s*[$€£¥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d*)?\s*$/;

/**
 * The cell as a number, as Number() reads it (spaces around it allowed) or as spreadsheets show one
 * (thousands commas, a currency sign: "$1,234.50" is 1234.5), or NaN when it is not a finite
 * number. An empty cell is not a number (Number('') is 0, which would hide a missing value).
 */
export function numberOf(cell: string): number {
  const v = Number(cell);
  if (Number.isFinite(v)) return cell.trim() !== '' ? v : NaN;
  const shown = SHOWN_NUMBER.exec(cell);
  return shown ? Number(shown[1] + shown[2].replace(/,/g, '') + (shown[3] ?? '')) : NaN;
}

const DATE = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
// Dates that name their month, in the orders spreadsheets and finance sites write: 19-Sep-03,
// 19 Sep 2003, 2003-Sep-19, Sep 19, 2003, September 19 2003 (each with an optional hh:mm[:ss])
const TIME = '(?:[T ]+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?)?';
const DAY_MONTH_YEAR = new RegExp(`^(\\d{1,2})[- /]([A-Za-z]{3,9})\\.?[- /,]\\s*(\\d{4}|\\d{2})${TIME}$`);
const YEAR_MONTH_DAY = new RegExp(`^(\\d{4})[- /]([A-Za-z]{3,9})\\.?[- /](\\d{1,2})${TIME}$`);
const MONTH_DAY_YEAR = new RegExp(`^([A-Za-z]{3,9})\\.?[- ](\\d{1,2}),?[- ]\\s*(\\d{4})${TIME}$`);
// Dates of numbers alone with the year last: 31/01/2012, 1/31/12, 31.01.2012, 31-01-2012. Which of
// day and month comes first is the column's to say (see DayOrder); two-digit years only with
// slashes (1.2.10 is more often a version than a date)
const NUMERIC_DATE = new RegExp(`^(\\d{1,2})([/.-])(\\d{1,2})\\2(\\d{4}|(?<=/)\\d{2})${TIME}$`);
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** 1–12 for an English month name or its three-letter abbreviation (Sept too), any case; else 0. */
function monthOf(name: string): number {
  const lower = name.toLowerCase();
  const k = lower === 'sept' ? 8 : MONTHS.findIndex((m) => m === lower || (lower.length === 3 && m.startsWith(lower)));
  return k + 1;
}

/** A year as written: four digits as they are, two as POSIX's %y reads them (69–99: 1900s, 00–68: 2000s). */
function fullYear(digits: string): number {
  const y = Number(digits);
  return digits.length === 4 ? y : y >= 69 ? 1900 + y : 2000 + y;
}

/**
 * An ISO date or date-time (`2012-01-31`, `2012/01/31`, `2012-01-31T10:00`, `2012-01-31 10:00:05Z`,
 * with an optional UTC offset), or a date that names its month (`31-Jan-12`, `31 Jan 2012`,
 * `2012-Jan-31`, `Jan 31, 2012`, `January 31 2012`, with an optional time), as fractional years:
 * 2012.0 is the first instant of 2012 (UTC), and a year's days share the unit evenly, leap years
 * included. NaN when the cell is not such a date or names a day that does not exist (2013-02-29).
 * Dates of numbers alone with the year last (31/01/2012, 1/31/12, 31.01.2012) are read in `order`,
 * the column's (see DayOrder): a cell alone cannot tell day from month. Without it they are NaN.
 */
export function yearsOf(cell: string, order?: DayOrder): number {
  const trimmed = cell.trim();
  const m = DATE.exec(trimmed);
  if (!m) return order ? numericDateYears(trimmed, order) ?? namedMonthYears(trimmed) : namedMonthYears(trimmed);
  return yearsAt(Number(m[1]), Number(m[3]), Number(m[4]), m[5], m[6], m[7] === undefined ? undefined : m[7] + (m[8] ?? ''), m[9]);
}

/**
 * How a column's dates of numbers alone are read: 'month-first' (01/02/2012 is 2 January, as in
 * the US and in spreadsheets' default) or 'day-first' (1 February, as in most of the world).
 */
export type DayOrder = 'month-first' | 'day-first';

/** A date of numbers alone read in `order`, as fractional years (NaN: no such day); undefined when the cell is not one. */
function numericDateYears(cell: string, order: DayOrder): number | undefined {
  const m = NUMERIC_DATE.exec(cell);
  if (!m) return undefined;
  const [first, second] = [Number(m[1]), Number(m[3])];
  const [month, day] = order === 'month-first' ? [first, second] : [second, first];
  return yearsAt(fullYear(m[4]), month, day, m[5], m[6], m[7], undefined);
}

/**
 * Which orders a date of numbers alone can be read in: 'either' (01/02/2012), one of them (31/01/2012
 * only day first), or null when it is no such date in either.
 */
export function dayOrdersOf(cell: string): DayOrder | 'either' | null {
  const trimmed = cell.trim();
  const monthFirst = !Number.isNaN(numericDateYears(trimmed, 'month-first') ?? NaN);
  const dayFirst = !Number.isNaN(numericDateYears(trimmed, 'day-first') ?? NaN);
  return monthFirst && dayFirst ? 'either' : monthFirst ? 'month-first' : dayFirst ? 'day-first' : null;
}

/** A date that names its month (see yearsOf) as fractional years, else NaN. */
function namedMonthYears(cell: string): number {
  let m = DAY_MONTH_YEAR.exec(cell);
  if (m) return yearsAt(fullYear(m[3]), monthOf(m[2]), Number(m[1]), m[4], m[5], m[6], undefined);
  m = YEAR_MONTH_DAY.exec(cell);
  if (m) return yearsAt(Number(m[1]), monthOf(m[2]), Number(m[3]), m[4], m[5], m[6], undefined);
  m = MONTH_DAY_YEAR.exec(cell);
  if (m) return yearsAt(Number(m[3]), monthOf(m[1]), Number(m[2]), m[4], m[5], m[6], undefined);
  return NaN;
}

/** A day and time (the time's parts as written, or undefined) as fractional years, else NaN. */
function yearsAt(year: number, month: number, day: number, h: string | undefined, min: string | undefined, sec: string | undefined,
  zone: string | undefined): number {
  const hour = h === undefined ? 0 : Number(h);
  const minute = min === undefined ? 0 : Number(min);
  const second = sec === undefined ? 0 : Number(sec);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second >= 61) return NaN;
  const midnight = Date.UTC(year, month - 1, day);
  if (new Date(midnight).getUTCDate() !== day) return NaN; // 31 April, 29 February of a common year
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const at = midnight + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000;
  const start = Date.UTC(year, 0, 1);
  const length = Date.UTC(year + 1, 0, 1) - start;
  // an offset can move the instant into the year before or after: measure from that year
  if (at < start) return year - 1 + (at - Date.UTC(year - 1, 0, 1)) / (start - Date.UTC(year - 1, 0, 1));
  if (at >= start + length) return year + 1 + (at - start - length) / (Date.UTC(year + 2, 0, 1) - start - length);
  return year + (at - start) / length;
}

