// What one CSV cell holds: a number (exactly as Number() reads it), a missing value, an ISO date, or
// text. Shared by every reader, so a cell means the same thing whichever parser split it.

/** Cells that stand for a missing value (compared after trimming spaces). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'n/a', 'na', 'NaN', 'nan', 'null', 'NULL', 'None', '?']);

/** Whether a cell is one of the missing-value tokens. */
export function isMissing(cell: string): boolean {
  return MISSING_TOKENS.has(cell.trim());
}

/**
 * The cell as a number, as Number() reads it (spaces around it allowed), or NaN when it is not a
 * finite number. An empty cell is not a number (Number('') is 0, which would hide a missing value).
 */
export function numberOf(cell: string): number {
  const v = Number(cell);
  return Number.isFinite(v) && cell.trim() !== '' ? v : NaN;
}

const DATE = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO date or date-time (`2012-01-31`, `2012/01/31`, `2012-01-31T10:00`, `2012-01-31 10:00:05Z`,
 * with an optional UTC offset) as fractional years: 2012.0 is the first instant of 2012 (UTC), and a
 * year's days share the unit evenly, leap years included. NaN when the cell is not such a date or
 * names a day that does not exist (2013-02-29).
 */
export function yearsOf(cell: string): number {
  const m = DATE.exec(cell.trim());
  if (!m) return NaN;
  const year = Number(m[1]), month = Number(m[3]), day = Number(m[4]);
  const hour = m[5] === undefined ? 0 : Number(m[5]);
  const minute = m[6] === undefined ? 0 : Number(m[6]);
  const second = m[7] === undefined ? 0 : Number(m[7]) + (m[8] ? Number(m[8]) : 0);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second >= 61) return NaN;
  const midnight = Date.UTC(year, month - 1, day);
  if (new Date(midnight).getUTCDate() !== day) return NaN; // 31 April, 29 February of a common year
  let offsetMinutes = 0;
  const zone = m[9];
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

